/**
 * The bundled example (what `npm start` checks): every finding dbt-steward reports on it is
 * written beside the offending line of the fixture (`# expect: …`, `-- expect: …`), and the
 * run reports exactly those, no more and no fewer. Every finding id that can fire on a manifest
 * has at least one expected finding and at least one clean case in the mesh.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  check,
  getBuiltinRules,
  lineageOf,
  loadConfig,
  loadProject,
  Locator,
  Resolver,
  type CheckResult,
  type Finding,
  type LoadedConfig,
  type Project,
} from '../src/index.js';
import { runCli, type Run } from './helpers/cli.js';
import {
  describeMismatch,
  matchExpectations,
  readExpectations,
  type ActualFinding,
  type Expectation,
  type ExpectationTarget,
} from './helpers/expectations.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const PROJECT = path.join(REPO, 'fixtures', 'example-mesh');
const NOW = '2026-06-01';
const ARGV = ['check', 'fixtures/example-mesh', '--now', NOW, '--format', 'json'];
const M = 'model.example_mesh.';

/**
 * Finding ids that cannot fire on a manifest: the loader's (parse-error, ref-unresolved, …:
 * they come from reading a project's source tree), and those that need a base manifest
 * (breaking-change), a rule that throws (rule-error) or a baseline file (baseline-stale).
 * Every other id must be exercised by the mesh.
 */
const NEEDS_MORE_THAN_A_MANIFEST = new Set(['breaking-change', 'rule-error', 'baseline-stale']);
/**
 * Finding ids about references between dbt projects (a mesh): the example is one project, so
 * they cannot fire on it; their rule tests and doc examples load several.
 */
const NEEDS_SEVERAL_PROJECTS = new Set(['cross-project-consumers', 'cross-project-public-only']);
const firesOnAManifest = (id: string): boolean =>
  config.registry.get(id)!.kind !== 'loader' &&
  !NEEDS_MORE_THAN_A_MANIFEST.has(id) &&
  !NEEDS_SEVERAL_PROJECTS.has(id);

/**
 * One deliberate clean case per id, as `cleanCases` names them: a resource (unique_id), an
 * edge (`child -> parent`), a domain (`domain:x`) or, for waiver findings, a waiver's origin.
 * fixtures/example-mesh/README.md explains each.
 */
const CLEAN_CASES: Record<string, string> = {
  'owner-present': `${M}fct_invoices`,
  'owner-valid': 'exposure.example_mesh.revenue_dashboard',
  'owner-consistent': `${M}fct_invoices`,
  'domain-present': `${M}stg_growth__sessions`,
  'domain-conflict': `${M}fct_invoices`,
  'cross-domain-ref': `${M}fct_payments -> ${M}dim_customers.v2`,
  'cross-domain-source': `${M}stg_core__customers -> source.example_mesh.app.customers`,
  'domain-cycle': 'domain:core',
  'domain-dependency': 'domain:payments',
  'domain-unknown-edge': `${M}fct_payments -> ${M}dim_customers.v2`,
  'exposure-public-only': 'exposure.example_mesh.revenue_dashboard',
  'deprecated-ref': `${M}growth_customer_ltv -> ${M}dim_customers.v2`,
  'public-contract': `${M}fct_payments`,
  'columns-documented': `${M}stg_core__customers`,
  'description-present': `${M}fct_payments`,
  'doc-coverage': 'domain:payments',
  'public-documented': `${M}dim_customers.v2`,
  'required-meta': 'source.example_mesh.app.customers',
  'pii-exposure': `${M}dim_customers.v2`,
  'data-product-complete': `${M}fct_payments`,
  'product-naming': `${M}payments_revenue_daily`,
  'metric-domain': 'domain:payments',
  'metric-ownership': 'metric.example_mesh.signups',
  'layer-dependency': 'domain:core',
  'naming-convention': `${M}payments_revenue_daily`,
  'primary-key-tested': `${M}finance_revenue_recognition`,
  'test-coverage': 'domain:growth',
  'waiver-invalid':
    'models/growth/marts/_growth__models.yml: growth_campaign_roi meta.steward.waive[0]',
  'waiver-expired':
    'models/growth/marts/_growth__models.yml: growth_campaign_roi meta.steward.waive[0]',
  'waiver-unused':
    'models/growth/marts/_growth__models.yml: growth_campaign_roi meta.steward.waive[0]',
};

let runs: Run[];
let result: CheckResult;
let project: Project;
let config: LoadedConfig;
let resolver: Resolver;
let locator: Locator;
let expectations: Expectation[];

beforeAll(async () => {
  runs = [await runCli(ARGV, REPO), await runCli(ARGV, REPO)];
  result = JSON.parse(runs[0]!.stdout) as CheckResult;
  project = await loadProject([PROJECT]);
  config = await loadConfig({ cwd: REPO, startDirs: [PROJECT], rules: getBuiltinRules() });
  resolver = new Resolver(project, config.engine);
  const rootOf = new Map(project.projects.map((p) => [p.name, p.rootDir]));
  locator = new Locator((r) => rootOf.get(r.projectName) ?? null);
  expectations = readExpectations(PROJECT);
});

/** The config file as waiver origins name it: relative to the working directory. */
const CONFIG_LABEL = path.relative(REPO, path.join(PROJECT, 'dbt-steward.yml'));

/** Where a finding is matched against expectations (see the fixture's README). */
function targetOf(f: Finding): ExpectationTarget {
  if (!f.location) return { kind: 'subject', subject: `${f.subject.kind}:${f.subject.id}` };
  // Every location is relative to the project, the config file's included.
  const file = f.location.file;
  if (f.location.line !== undefined) return { kind: 'line', file, line: f.location.line };
  if (file.endsWith('.sql')) return { kind: 'header', file };
  // Resources defined in YAML (sources, exposures, metrics, semantic models) get no line from
  // the CLI: they are matched at their entry's `- name:` line (or the key the finding names).
  const r = f.nodeId !== undefined ? project.resources.get(f.nodeId) : undefined;
  const at = r ? locator.lineOf(r, f.keyPath) : null;
  return { kind: 'line', file, line: at && at.file === file ? at.line : 0 };
}

const actual = (f: Finding): ActualFinding => ({
  ruleId: f.ruleId,
  messageId: f.messageId,
  message: f.message,
  target: targetOf(f),
});

const unsuppressed = () => result.findings.filter((f) => !f.suppressed);

describe('the example mesh, checked as `npm start` does (with --now)', () => {
  test('the CLI run succeeds, and two runs give byte-identical output', () => {
    expect(runs[0]!.code).toBe(1); // error findings fail the run
    // No hint (domains are configured) and no error; other notes on stderr are fine.
    expect(runs[0]!.stderr).not.toMatch(/hint:|error/);
    expect(runs[1]!.stdout).toBe(runs[0]!.stdout);
    expect(result.projects.map((p) => p.name)).toEqual(['example_mesh']);
    expect(result.ruleFailures).toEqual([]);
  });

  test('the inline expectations parse, each with a reason', () => {
    expect(expectations.length).toBeGreaterThan(40);
    for (const e of expectations) expect(e.reason.length).toBeGreaterThan(10);
    // Subject expectations belong in the config file, next to the settings they come from.
    for (const e of expectations.filter((x) => x.target.kind === 'subject'))
      expect(e.writtenAt).toMatch(/^dbt-steward\.yml:/);
  });

  test('it reports exactly the findings written inline: no fewer, no more', () => {
    const match = matchExpectations(expectations, unsuppressed().map(actual));
    expect(describeMismatch(match)).toBe('');
    expect(match.matched).toHaveLength(unsuppressed().length);
  });

  test('waived findings are marked suppressed, counted as waived and never expected', () => {
    const waived = result.findings
      .filter((f) => f.suppressed)
      .map((f) => [f.ruleId, f.nodeId, f.suppressed!.by, f.suppressed!.origin]);
    expect(waived).toEqual([
      [
        'cross-domain-ref',
        `${M}growth_campaign_roi`,
        'waiver',
        'models/growth/marts/_growth__models.yml: growth_campaign_roi meta.steward.waive[0]',
      ],
      ['description-present', `${M}stg_payments__refunds`, 'waiver', `${CONFIG_LABEL}: waivers[0]`],
    ]);
    const open = unsuppressed();
    expect(result.summary).toEqual({
      error: open.filter((f) => f.severity === 'error').length,
      warn: open.filter((f) => f.severity === 'warn').length,
      info: open.filter((f) => f.severity === 'info').length,
      waived: 2,
      baselined: 0,
    });
  });

  test('every finding id that can fire on a manifest has an expected finding and a clean case', () => {
    const ids = config.registry.ids().filter(firesOnAManifest);
    const expected = new Set(expectations.map((e) => e.ruleId));
    const reported = new Set(unsuppressed().map((f) => f.ruleId));
    expect(ids.filter((id) => !expected.has(id) || !reported.has(id))).toEqual([]);
    expect(Object.keys(CLEAN_CASES).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const clean = cleanCases(id);
      expect({ id, clean: clean.length > 0 }).toEqual({ id, clean: true });
      expect({ id, clean: clean.includes(CLEAN_CASES[id]!) }).toEqual({ id, clean: true });
    }
  });

  test('the text report (npm start) ends with the count of every expected finding', async () => {
    const run = await runCli(['check', 'fixtures/example-mesh', '--exit-zero', '--now', NOW], REPO);
    expect(run.code).toBe(0);
    const open = unsuppressed();
    const errors = open.filter((f) => f.severity === 'error').length;
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
      `${expectations.length} problems (${errors} errors, ${open.length - errors} warnings, 2 waived)`,
    );
    expect(run.stdout).toContain('\ndbt-steward.yml\n');
    expect(run.stdout).toContain('(domain finance)\n');
  });
});

/**
 * The targets a finding id checked without reporting anything on them (suppressed findings
 * count as reported): resources for node rules, `child -> parent` edges for edge rules,
 * `domain:x` for project rules (a declared domain with no finding about it or its resources),
 * resources whose declaring domain steps agree for domain-conflict, and the origins of waivers
 * that suppressed something for the waiver findings.
 */
function cleanCases(id: string): string[] {
  const own = new Set(project.projects.map((p) => p.name));
  const resources = [...project.resources.values()].filter(
    (r) => !r.external && own.has(r.packageName),
  );
  const findings = result.findings.filter((f) => f.ruleId === id);
  const entry = config.registry.get(id)!;
  const rule = entry.rule;
  if (id.startsWith('waiver-')) {
    const named = new Set(
      result.findings.filter((f) => f.ruleId.startsWith('waiver-')).map((f) => f.data.origin),
    );
    const used = result.findings
      .map((f) => f.suppressed?.origin)
      .filter((o): o is string => o !== undefined);
    return [...new Set(used)].filter((o) => !named.has(o));
  }
  if (id === 'domain-conflict') {
    const flagged = new Set(findings.map((f) => f.nodeId));
    return resources
      .filter((r) => {
        const declared = resolver
          .domainSteps(r.uniqueId)
          .filter((s) => ['meta', 'group', 'path', 'tag'].includes(s.kind) && s.value !== null);
        return declared.length >= 2 && !flagged.has(r.uniqueId);
      })
      .map((r) => r.uniqueId);
  }
  if (!rule) throw new Error(`no clean-case derivation for ${id}`);
  const types = new Set<string>(rule.resourceTypes);
  if (rule.scope === 'node') {
    const flagged = new Set(findings.map((f) => f.nodeId));
    return resources
      .filter((r) => types.has(r.resourceType) && !flagged.has(r.uniqueId))
      .map((r) => r.uniqueId);
  }
  if (rule.scope === 'edge') {
    const flagged = new Set(findings.map((f) => `${f.nodeId} -> ${f.related?.[0]}`));
    const out: string[] = [];
    for (const child of resources) {
      if (child.resourceType === 'test' || child.resourceType === 'unit_test') continue;
      for (const pid of child.dependsOn) {
        const parent = project.resources.get(pid);
        if (!parent || !types.has(parent.resourceType)) continue;
        const edge = `${child.uniqueId} -> ${pid}`;
        if (!flagged.has(edge)) out.push(edge);
      }
    }
    return out;
  }
  const domainOf = (id: string) => resolver.domain(id)?.value ?? null;
  const touched = new Set<string>();
  for (const f of findings) {
    if (f.subject.kind === 'domain') touched.add(f.subject.id);
    if (f.nodeId !== undefined) {
      const d = domainOf(f.nodeId);
      if (d !== null) touched.add(d);
    }
  }
  return Object.keys(config.engine.domains.declared)
    .filter((d) => !touched.has(d))
    .map((d) => `domain:${d}`);
}

describe('the example mesh: domains and owners', () => {
  test('without a config file, exactly the models without owner or domain are reported', async () => {
    const p = await loadProject([PROJECT]);
    expect(p.projects[0]).toMatchObject({
      name: 'example_mesh',
      schemaVersion: 12,
      input: 'manifest',
      rootDir: PROJECT,
    });
    // check() without a config: the recommended preset and the default chains (meta, group).
    const plain = check(p);
    const byRule = (rule: string) =>
      plain.findings
        .filter((f) => f.ruleId === rule)
        .map((f) => f.nodeId)
        .sort();
    expect(byRule('owner-present')).toEqual([
      `${M}legacy_customer_export`,
      `${M}stg_growth__sessions`,
    ]);
    expect(byRule('domain-present')).toEqual([
      `${M}legacy_customer_export`,
      `${M}stg_growth__sessions`,
    ]);
  });

  test('owners and domains come from folder +meta, model YAML, a dbt group and the folder path', async () => {
    const p = await loadProject([PROJECT]);
    const nodes = new Map(lineageOf(p, null).nodes.map((n) => [n.name, n]));
    expect(nodes.get('fct_payments')).toMatchObject({
      domain: 'payments',
      owner: 'payments-data@example.com',
      access: 'public',
    });
    expect(nodes.get('stg_growth__campaigns')?.domain).toBe('growth');
    expect(nodes.get('fct_invoices')).toMatchObject({
      domain: 'finance',
      owner: { email: 'finance-data@example.com' },
    });
    expect(nodes.get('growth_customer_ltv')).toMatchObject({ domain: 'growth', access: 'private' });
    // A cross-domain reference into a non-public model is in the graph.
    expect(p.graph.parents(`${M}fct_signup_conversion`)).toContain(
      `${M}stg_payments__transactions`,
    );

    // With the mesh's dbt-steward.yml: the folder path is the last step of the domain chain,
    // and declared domains give owners to what has none of its own.
    const domain = (id: string) => resolver.domain(id);
    expect(domain(`${M}stg_growth__sessions`)).toMatchObject({
      value: 'growth',
      via: 'path:models/{domain}/**',
    });
    expect(resolver.owner(`${M}stg_growth__sessions`)).toMatchObject({
      value: 'growth-analytics@example.com',
      via: 'domain:growth owners',
    });
    expect(domain('source.example_mesh.erp.invoices')?.value).toBe('finance');
    expect(domain('exposure.example_mesh.revenue_dashboard')?.value).toBe('finance');
    expect(domain('metric.example_mesh.net_revenue')?.value).toBe('payments');
    expect(domain('metric.example_mesh.revenue_per_signup')).toBeNull();
    expect(domain(`${M}legacy_customer_export`)).toBeNull();
    expect(resolver.conflicts(`${M}int_payments__processor_fees`)).toEqual([
      {
        domain: 'finance',
        via: 'meta.domain',
        other: 'payments',
        otherVia: 'path:models/{domain}/**',
      },
    ]);
  });
});
