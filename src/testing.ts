/**
 * The rule tester, published as `dbt-steward/testing`: runs one rule over tiny projects built
 * in code and checks what it reports against the expected findings, the way ESLint's
 * RuleTester checks a lint rule.
 *
 * Each case runs the real engine with only the rule under test switched on (at its default
 * severity, whatever `recommended` says; every other finding id off). On top of the
 * expectations, every report is checked: its messageId exists, it fills every {{placeholder}}
 * of its message, it carries the rule's `identity` keys, its data values are plain scalars and
 * the node it names is a resource of the project.
 *
 * Expected findings are compared as a multiset: the order of `errors` does not matter, each
 * expectation must match a distinct finding, and an expectation checks only the fields it
 * gives. (Findings on one subject are ordered by fingerprint, a hash, so an order would be
 * one the test author cannot predict.) Waivers written in the test project's meta do not
 * hide findings from the tester: suppressed findings count as reported.
 */
import { AssertionError } from 'node:assert';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { runRules, type Finding } from './engine/check.js';
import {
  emptyEngineConfig,
  type DomainDeclaration,
  type DomainStep,
  type EngineConfig,
  type OwnersConfig,
} from './engine/config.js';
import { Registry } from './engine/registry.js';
import {
  parseRuleOptions,
  placeholders,
  type AnyRule,
  type ReportDescriptor,
  type Rule,
  type RuleContext,
} from './engine/rule.js';
import { createProject, type Project, type ResourceInit } from './project.js';

/** A tiny project described in code: the argument of `createProject`. */
export interface ProjectSpec {
  /** The project name (default `my_project`): unique_ids read `model.my_project.<name>`. */
  name?: string;
  resources: readonly ResourceInit[];
  groups?: Parameters<typeof createProject>[0]['groups'];
}

/** A domain declared for the case, as `domains.declared` in dbt-steward.yml would. */
export interface DeclaredDomainSpec {
  owners?: string[];
  /** dbt selectors of the domain's public interface. */
  public?: string[];
  description?: string;
}

export interface RuleTestCase<Options = Record<string, unknown>> {
  /** The test's title (default: `valid #N` / `invalid #N`). */
  name?: string;
  /** A tiny project built in code, or a ready Project (from createProject or loadProject). */
  project: ProjectSpec | Project;
  /** The rule's options as a config file would give them: validated, defaults applied. */
  options?: Partial<Options> | Record<string, unknown>;
  /** The run's clock: a Date or `YYYY-MM-DD` (midnight UTC). Default: 2025-01-01. */
  now?: Date | string;
  declaredDomains?: Record<string, DeclaredDomainSpec>;
  /** The domain resolution chain (default: meta.domain, then the dbt group). */
  domains?: { resolution?: DomainStep[] };
  /** The owners configuration, merged over the defaults. */
  owners?: Partial<OwnersConfig>;
}

/** One expected finding. Only the fields given are compared. */
export interface ExpectedFinding {
  messageId: string;
  /** The subject: a unique_id, a resource name, or for project findings the project name. */
  node?: string;
  /** The finding's data, compared as a whole (deep equality). */
  data?: Record<string, unknown>;
  /** The related ids, in order. */
  related?: string[];
  /** The rendered message: equal to a string, or matching a RegExp. */
  message?: string | RegExp;
}

export interface InvalidCase<Options = Record<string, unknown>> extends RuleTestCase<Options> {
  /** The expected findings, in any order; or just how many. */
  errors: ExpectedFinding[] | number;
}

export interface RuleTestCases<Options = Record<string, unknown>> {
  valid: readonly RuleTestCase<Options>[];
  invalid: readonly InvalidCase<Options>[];
}

/** Settings shared by every case of a RuleTester (a case's own values win). */
export type RuleTestDefaults = Omit<RuleTestCase, 'name' | 'project'>;

/**
 * A failed case: the message says which rule and case, what was expected and what the rule
 * did (with a diff of the findings when they differ). `actual` and `expected` hold the two
 * sides of that diff. Deliberately not a node:assert AssertionError, whose message test
 * runners replace with their own rendering of actual and expected.
 */
export class RuleTestError extends Error {
  override name = 'RuleTestError';
  readonly actual?: unknown;
  readonly expected?: unknown;

  constructor(message: string, sides?: { actual: unknown; expected: unknown }) {
    super(message);
    if (sides) {
      this.actual = sides.actual;
      this.expected = sides.expected;
    }
  }
}

/** The clock used when a case gives none, so tests never depend on the day they run. */
export const DEFAULT_TEST_NOW = '2025-01-01';

const ORIGIN = 'rule tester';

type CaseFn = (name: string, fn: () => void) => unknown;

interface TestGlobals {
  describe?: CaseFn;
  it?: CaseFn;
}

/**
 * Runs a rule's cases with the test framework's `describe`/`it` (jest, vitest, mocha, or
 * node:test once its functions are put on globalThis or on RuleTester.describe/it), one test
 * per case; without a framework it runs them at once and throws on the first failure.
 */
export class RuleTester {
  /** Overrides the global `describe` (for node:test: `RuleTester.describe = describe`). */
  static describe: CaseFn | null = null;
  /** Overrides the global `it`. */
  static it: CaseFn | null = null;

  constructor(private readonly defaults: RuleTestDefaults = {}) {}

  run<Options>(name: string, rule: Rule<Options>, cases: RuleTestCases<Options>): void {
    const g = globalThis as TestGlobals;
    const describe = RuleTester.describe ?? g.describe;
    const it = RuleTester.it ?? g.it;
    const valid = cases.valid.map((c) => this.withDefaults(c));
    const invalid = cases.invalid.map((c) => this.withDefaults(c));
    if (typeof describe !== 'function' || typeof it !== 'function') {
      runRuleCases(rule, { valid, invalid });
      return;
    }
    describe(name, () => {
      if (valid.length > 0)
        describe('valid', () => {
          valid.forEach((c, i) => {
            const label = c.name ?? `valid #${i + 1}`;
            it(label, () => runValidCase(rule, c, label));
          });
        });
      if (invalid.length > 0)
        describe('invalid', () => {
          invalid.forEach((c, i) => {
            const label = c.name ?? `invalid #${i + 1}`;
            it(label, () => runInvalidCase(rule, c, label));
          });
        });
    });
  }

  private withDefaults<C extends RuleTestCase<never>>(c: C): C {
    return { ...this.defaults, ...c };
  }
}

/** Runs every case at once; throws a RuleTestError on the first that fails. */
export function runRuleCases<Options>(rule: Rule<Options>, cases: RuleTestCases<Options>): void {
  cases.valid.forEach((c, i) => runValidCase(rule, c, c.name ?? `valid #${i + 1}`));
  cases.invalid.forEach((c, i) => runInvalidCase(rule, c, c.name ?? `invalid #${i + 1}`));
}

function runValidCase<Options>(rule: Rule<Options>, c: RuleTestCase<Options>, label: string) {
  const run = runCase(rule, c, label);
  if (run.findings.length === 0) return;
  throw new RuleTestError(
    `${where(rule, label)}: expected no findings, got ${run.findings.length}:\n` +
      run.findings.map((f) => `  - ${describeFinding(f)}`).join('\n') +
      hintsOf(run),
  );
}

function runInvalidCase<Options>(rule: Rule<Options>, c: InvalidCase<Options>, label: string) {
  const expected = c.errors;
  if (typeof expected === 'number') {
    if (!Number.isInteger(expected) || expected < 1)
      throw new Error(`${where(rule, label)}: errors must be a positive count or a list`);
  } else if (expected.length === 0) {
    throw new Error(
      `${where(rule, label)}: an invalid case needs at least one expected finding; put cases without findings in valid`,
    );
  }
  const run = runCase(rule, c, label);
  const { findings } = run;
  if (typeof expected === 'number') {
    if (findings.length === expected) return;
    throw new RuleTestError(
      `${where(rule, label)}: expected ${expected} finding(s), got ${findings.length}` +
        (findings.length > 0 ? ':\n' : '') +
        findings.map((f) => `  - ${describeFinding(f)}`).join('\n') +
        hintsOf(run),
    );
  }
  for (const e of expected) {
    if (!Object.hasOwn(rule.messages, e.messageId))
      throw new Error(
        `${where(rule, label)}: expected messageId "${e.messageId}" is not one of the rule's messages (${Object.keys(rule.messages).join(', ')})`,
      );
  }
  const pairs = matchFindings(expected, findings, run.project);
  if (findings.length === expected.length && pairs.every((p) => p !== -1)) return;

  // Build the two sides of the diff: expectations in the order given, each facing the
  // finding it matched (or the closest one left), then the findings nothing expected.
  const used = new Set(pairs.filter((p) => p !== -1));
  const spare = findings.map((_, i) => i).filter((i) => !used.has(i));
  const actual: Record<string, unknown>[] = [];
  expected.forEach((e, i) => {
    let fi = pairs[i]!;
    if (fi === -1) {
      if (spare.length === 0) return;
      const best = spare.reduce((a, b) =>
        closeness(e, findings[b]!, run.project) > closeness(e, findings[a]!, run.project) ? b : a,
      );
      spare.splice(spare.indexOf(best), 1);
      fi = best;
    }
    actual.push(seenThrough(findings[fi]!, e, run.project));
  });
  for (const i of spare) actual.push(fullProjection(findings[i]!));
  const unmatched = pairs.filter((p) => p === -1).length;
  const shown = expected.map(expectationShown);
  // node:assert renders the diff (+ actual, - expected); the message around it is ours.
  const diff = new AssertionError({ actual, expected: shown, operator: 'deepStrictEqual' }).message;
  throw new RuleTestError(
    `${where(rule, label)}: expected ${expected.length} finding(s), got ${findings.length}` +
      (unmatched > 0 ? `; ${unmatched} expectation(s) matched no finding` : '') +
      ` (compared in any order, on the fields each expectation gives)\n\n${diff}` +
      hintsOf(run),
    { actual, expected: shown },
  );
}

interface CaseRun {
  findings: Finding[];
  project: Project;
  hints: string[];
  targets: number;
}

function where(rule: AnyRule, label: string): string {
  return `${rule.id}: ${label}`;
}

function hintsOf(run: CaseRun): string {
  const notes = [...run.hints];
  if (run.targets === 0)
    notes.push(
      'the rule was not run on any target: check its resourceTypes and that the resources belong to the project (not external, same package name)',
    );
  return notes.length > 0 ? `\n\nNote: ${notes.join('\nNote: ')}` : '';
}

function runCase<Options>(rule: Rule<Options>, c: RuleTestCase<Options>, label: string): CaseRun {
  const project = toProject(c.project);
  const raw: Record<string, unknown> = c.options ?? {};
  checkOptionKeys(rule, raw, label);
  try {
    parseRuleOptions(rule, raw);
  } catch (err) {
    throw new Error(`${where(rule, label)}: invalid options: ${(err as Error).message}`, {
      cause: err,
    });
  }

  const problems: string[] = [];
  const state: { thrown: { error: unknown; target: string } | null; targets: number } = {
    thrown: null,
    targets: 0,
  };
  const wrapped = {
    ...rule,
    check(target: unknown, context: RuleContext<unknown>) {
      state.targets++;
      const checking = targetName(target);
      const ctx: RuleContext<unknown> = {
        ...context,
        report: (d: ReportDescriptor) => {
          const found = validateReport(rule, d, project, checking);
          problems.push(...found);
          // An unknown messageId cannot become a finding; the rest can still be compared.
          if (Object.hasOwn(rule.messages, d.messageId)) context.report(d);
        },
      };
      try {
        (rule.check as (t: unknown, c: RuleContext<unknown>) => void).call(rule, target, ctx);
      } catch (error) {
        state.thrown ??= { error, target: checking };
        throw error;
      }
    },
  } as AnyRule;

  const registry = new Registry([wrapped]);
  const config = engineConfig(rule, c, raw);
  for (const id of registry.ids())
    if (id !== rule.id) config.rules[id] = [{ severity: 'off', origin: ORIGIN }];
  const result = runRules(project, {
    registry,
    config,
    now: toDate(c.now ?? DEFAULT_TEST_NOW, rule, label),
    selected: null,
    continueOnRuleError: false,
  });

  if (state.thrown !== null) {
    const { error, target } = state.thrown;
    const message = `${where(rule, label)}: the rule threw while checking ${target}: ${error instanceof Error ? error.message : String(error)}`;
    const out = new Error(message, { cause: error });
    if (error instanceof Error && error.stack) {
      const frames = error.stack.split('\n').filter((l) => /^\s+at /.test(l));
      out.stack = [`Error: ${message}`, ...frames].join('\n');
    }
    throw out;
  }
  if (result.ruleFailures.length > 0) {
    const f = result.ruleFailures[0]!;
    throw new Error(`${where(rule, label)}: the rule failed on ${f.subject}: ${f.error}`);
  }
  if (problems.length > 0) {
    throw new RuleTestError(
      `${where(rule, label)}: bad report(s):\n${[...new Set(problems)].map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return {
    findings: result.findings.filter((f) => f.ruleId === rule.id),
    project,
    hints: result.hints,
    targets: state.targets,
  };
}

function toProject(p: ProjectSpec | Project): Project {
  if ('graph' in p && 'projects' in p) return p;
  return createProject(p);
}

function toDate(now: Date | string, rule: AnyRule, label: string): Date {
  if (now instanceof Date) return now;
  const d = /^\d{4}-\d{2}-\d{2}$/.test(now) ? new Date(`${now}T00:00:00Z`) : new Date(now);
  if (Number.isNaN(d.getTime()))
    throw new Error(`${where(rule, label)}: now ${JSON.stringify(now)} is not a date`);
  return d;
}

function checkOptionKeys(rule: AnyRule, raw: Record<string, unknown>, label: string): void {
  const keys = Object.keys(raw);
  if (keys.length === 0) return;
  if (!rule.options)
    throw new Error(
      `${where(rule, label)}: rule ${rule.id} takes no options, but the case gives ${keys.map((k) => JSON.stringify(k)).join(', ')}`,
    );
  if (rule.options instanceof z.ZodObject) {
    const known = Object.keys(rule.options.shape);
    const unknown = keys.filter((k) => !known.includes(k));
    if (unknown.length > 0)
      throw new Error(
        `${where(rule, label)}: rule ${rule.id} has no option ${unknown.map((k) => JSON.stringify(k)).join(', ')} (its options: ${known.join(', ') || 'none'})`,
      );
  }
}

function engineConfig(
  rule: AnyRule,
  c: RuleTestCase<unknown>,
  options: Record<string, unknown>,
): EngineConfig {
  const config = emptyEngineConfig();
  config.rules[rule.id] = [{ severity: rule.severity, options, origin: ORIGIN }];
  if (c.domains?.resolution) config.domains.resolution = [...c.domains.resolution];
  for (const [name, d] of Object.entries(c.declaredDomains ?? {})) {
    const declaration: DomainDeclaration = {
      name,
      description: d.description ?? '',
      owners: d.owners ?? [],
      public: d.public ?? [],
      origin: ORIGIN,
    };
    config.domains.declared[name] = declaration;
  }
  if (c.owners) config.owners = { ...config.owners, ...c.owners };
  return config;
}

/** The target of one check call, for messages: a unique_id, an edge, or the project. */
function targetName(target: unknown): string {
  const t = target as {
    uniqueId?: string;
    parent?: { uniqueId: string };
    child?: { uniqueId: string };
  };
  if (typeof t.uniqueId === 'string') return t.uniqueId;
  if (t.parent && t.child) return `${t.child.uniqueId} → ${t.parent.uniqueId}`;
  return 'the project';
}

/** What is wrong with one report, if anything. */
function validateReport(
  rule: AnyRule,
  d: ReportDescriptor,
  project: Project,
  target: string,
): string[] {
  const out: string[] = [];
  const at = `(checking ${target})`;
  const template = Object.hasOwn(rule.messages, d.messageId)
    ? rule.messages[d.messageId]
    : undefined;
  if (template === undefined) {
    out.push(
      `reported messageId ${JSON.stringify(d.messageId)}, which is not in the rule's messages (${Object.keys(rule.messages).join(', ')}) ${at}`,
    );
    return out;
  }
  const data = (d.data ?? {}) as Record<string, unknown>;
  const missing = placeholders(template).filter((k) => data[k] === undefined);
  for (const k of new Set(missing))
    out.push(
      `message ${JSON.stringify(d.messageId)} has the placeholder {{${k}}}, which the report's data does not fill (data: ${JSON.stringify(data)}) ${at}`,
    );
  for (const k of rule.identity ?? []) {
    if (!Object.hasOwn(data, k))
      out.push(
        `report of ${JSON.stringify(d.messageId)} lacks the identity key ${JSON.stringify(k)} in its data ${at}`,
      );
  }
  for (const [k, v] of Object.entries(data)) {
    if (v !== null && !['string', 'number', 'boolean'].includes(typeof v))
      out.push(
        `data.${k} of ${JSON.stringify(d.messageId)} is ${Array.isArray(v) ? 'an array' : `a ${typeof v}`}; data values must be strings, numbers, booleans or null ${at}`,
      );
  }
  if (d.node !== undefined && !project.resources.has(d.node))
    out.push(
      `reported node ${JSON.stringify(d.node)}, which is not a resource of the project ${at}`,
    );
  return out;
}

// --- Comparing findings with expectations -------------------------------------------------

function nameOf(f: Finding, project: Project): string | undefined {
  return f.nodeId !== undefined ? project.resources.get(f.nodeId)?.name : undefined;
}

function nodeMatches(node: string, f: Finding, project: Project): boolean {
  return f.subject.id === node || f.nodeId === node || nameOf(f, project) === node;
}

function matches(e: ExpectedFinding, f: Finding, project: Project): boolean {
  if (e.messageId !== f.messageId) return false;
  if (e.node !== undefined && !nodeMatches(e.node, f, project)) return false;
  if (e.data !== undefined && !isDeepStrictEqual(e.data, f.data)) return false;
  if (e.related !== undefined && !isDeepStrictEqual(e.related, f.related ?? [])) return false;
  if (e.message instanceof RegExp) return e.message.test(f.message);
  if (e.message !== undefined) return e.message === f.message;
  return true;
}

/** How many of the expectation's fields a finding has right (to pair up a diff). */
function closeness(e: ExpectedFinding, f: Finding, project: Project): number {
  let n = e.messageId === f.messageId ? 2 : 0;
  if (e.node !== undefined && nodeMatches(e.node, f, project)) n += 2;
  if (e.data !== undefined && isDeepStrictEqual(e.data, f.data)) n++;
  if (e.related !== undefined && isDeepStrictEqual(e.related, f.related ?? [])) n++;
  if (e.message !== undefined && matches({ ...e, node: undefined, data: undefined }, f, project))
    n++;
  return n;
}

/**
 * A maximum matching of expectations to findings (augmenting paths), so that a loose
 * expectation never takes the one finding a stricter one needs. Returns, per expectation,
 * the index of its finding or -1.
 */
function matchFindings(
  expected: readonly ExpectedFinding[],
  findings: readonly Finding[],
  project: Project,
): number[] {
  const fits = expected.map((e) =>
    findings.map((f, i) => (matches(e, f, project) ? i : -1)).filter((i) => i !== -1),
  );
  const owner = new Array<number>(findings.length).fill(-1);
  const tryAssign = (ei: number, seen: Set<number>): boolean => {
    for (const fi of fits[ei]!) {
      if (seen.has(fi)) continue;
      seen.add(fi);
      if (owner[fi] === -1 || tryAssign(owner[fi]!, seen)) {
        owner[fi] = ei;
        return true;
      }
    }
    return false;
  };
  expected.forEach((_, ei) => tryAssign(ei, new Set()));
  const pairs = new Array<number>(expected.length).fill(-1);
  owner.forEach((ei, fi) => {
    if (ei !== -1) pairs[ei] = fi;
  });
  return pairs;
}

function expectationShown(e: ExpectedFinding): Record<string, unknown> {
  const out: Record<string, unknown> = { messageId: e.messageId };
  if (e.node !== undefined) out.node = e.node;
  if (e.data !== undefined) out.data = e.data;
  if (e.related !== undefined) out.related = e.related;
  if (e.message !== undefined) out.message = e.message;
  return out;
}

/** A finding seen through an expectation: the same fields, in the same form. */
function seenThrough(f: Finding, e: ExpectedFinding, p: Project): Record<string, unknown> {
  const out: Record<string, unknown> = { messageId: f.messageId };
  if (e.node !== undefined) {
    if (nodeMatches(e.node, f, p)) out.node = e.node;
    else if (p.resources.has(e.node) || f.nodeId === undefined) out.node = f.nodeId ?? f.subject.id;
    else out.node = nameOf(f, p) ?? f.nodeId;
  }
  if (e.data !== undefined) out.data = f.data;
  if (e.related !== undefined) out.related = f.related ?? [];
  if (e.message !== undefined)
    out.message = e.message instanceof RegExp && e.message.test(f.message) ? e.message : f.message;
  return out;
}

function fullProjection(f: Finding): Record<string, unknown> {
  const out: Record<string, unknown> = {
    messageId: f.messageId,
    node: f.nodeId ?? f.subject.id,
    data: f.data,
  };
  if (f.related) out.related = f.related;
  out.message = f.message;
  return out;
}

function describeFinding(f: Finding): string {
  return `${f.messageId} on ${f.nodeId ?? f.subject.id}: ${f.message}`;
}
