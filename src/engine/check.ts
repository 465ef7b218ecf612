/**
 * Runs the enabled rules over their targets and turns their reports into findings, then
 * applies waivers and the baseline. No I/O, no printing: the result is data that reporters
 * render and that exit codes are computed from.
 */
import * as crypto from 'node:crypto';
import type { InputKind, OwnerValue, Resource, ResourceType } from '../model.js';
import type { Project } from '../project.js';
import { selectResources } from '../graph/select.js';
import { TOOL_NAME, VERSION } from '../version.js';
import { applyBaseline, type Baseline } from './baseline.js';
import { emptyEngineConfig, type EngineConfig } from './config.js';
import type { Registry, RegistryEntry } from './registry.js';
import { Resolver } from './resolve.js';
import {
  formatMessage,
  parseRuleOptions,
  type AnyRule,
  type ReportDescriptor,
  type RuleContext,
  type Severity,
} from './rule.js';
import { Settings, severityOf, type EffectiveSetting, type SettingsSubject } from './settings.js';
import { applyWaivers, collectWaivers, type EngineFindingDraft } from './waivers.js';

export const FORMAT_VERSION = 1;

export interface Location {
  /** Relative to the dbt project directory, `/` separators. */
  file: string;
  /** The dbt project the file belongs to; set only in a run over several projects (a mesh). */
  project?: string;
  line?: number;
  column?: number;
}

export interface Finding {
  ruleId: string;
  messageId: string;
  data: Record<string, string | number | boolean | null>;
  severity: Severity;
  message: string;
  /** Set for node findings. */
  nodeId?: string;
  subject: { kind: 'node' | 'domain' | 'project'; id: string };
  location?: Location;
  related?: string[];
  /** Stable identity built from ids, never from line numbers. */
  fingerprint: string;
  suppressed?: { by: 'waiver' | 'baseline'; reason: string; origin?: string };
  /** Where in the subject's YAML entry the finding points (`meta.steward.waive`), for locating its line. */
  keyPath?: string;
}

export interface ProjectSummary {
  name: string;
  schemaVersion: number;
  dbtVersion: string;
  input: InputKind;
  counts: Partial<Record<ResourceType, number>>;
}

/** A rule that threw: one per rule, with the first target it failed on. */
export interface RuleFailure {
  ruleId: string;
  subject: string;
  count: number;
  error: string;
}

export interface CheckResult {
  formatVersion: number;
  tool: { name: string; version: string };
  projects: ProjectSummary[];
  findings: Finding[];
  summary: { error: number; warn: number; info: number; waived: number; baselined: number };
  /** Rules that threw (exit 2 unless --continue-on-rule-error turned them into findings). */
  ruleFailures: RuleFailure[];
  /** One-line advice printed apart from the findings (unconfigured domains, …). */
  hints: string[];
}

/** Everything a run needs besides the project. */
export interface RunOptions {
  registry: Registry;
  /** Default: every id off (see Registry.presetLayer for presets). */
  config?: EngineConfig;
  /** The run's clock (default: now). */
  now?: Date;
  /** Restricts the subjects checked (from --select/--exclude); null or absent: a full run. */
  selected?: ReadonlySet<string> | null;
  baseline?: { baseline: Baseline; file: string } | null;
  /** Rule failures become `rule-error` findings instead of failing the run. */
  continueOnRuleError?: boolean;
  /**
   * The head of a base-mode run: breaking changes are looked for (after the rules), so
   * `breaking-change` waivers and baseline entries count as for a rule that runs.
   */
  baseMode?: boolean;
  /** A resolver over the same project and config, to share its memoized answers. */
  resolver?: Resolver;
  /** Records what the rules found per target, for a run over the base to replay (base mode). */
  record?: RunRecording;
  /**
   * Replays a recording of the head's run: for a rule with `reach: 'neighbours'`, a target
   * outside `fresh` gets the findings the head's check of it gave (see replayScope).
   */
  replay?: { recording: RunRecording; fresh: ReadonlySet<string> };
}

/**
 * What a full run found, per rule and target, for a second run over a project that differs
 * in a few resources (the base of a pull request) to take instead of checking again.
 */
export class RunRecording {
  /** Rule id → target unique_id → the findings its check emitted (before suppressions). */
  readonly findings = new Map<string, Map<string, Finding[]>>();
  /** Rules recorded (neighbours reach, not failed, reported on their targets only). */
  readonly rules = new Set<string>();
  /** The selections each rule asked for, as the recorded run's project gave them. */
  readonly selections = new Map<string, Map<string, ReadonlySet<string>>>();
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The fingerprint: rule id, messageId, subject, the sorted related ids (test unique_ids left
 * out: they embed argument hashes) and the rule's distinguishing data. Never line numbers.
 */
export function fingerprintOf(
  ruleId: string,
  messageId: string,
  subject: { kind: string; id: string },
  related: readonly string[],
  identity: Record<string, unknown>,
): string {
  const rel = related.filter((id) => !id.startsWith('test.') && !id.startsWith('unit_test.'));
  const text = JSON.stringify([ruleId, messageId, subject.kind, subject.id, rel.sort(), identity]);
  return sha256Hex(text).slice(0, 32);
}

// One-shot crypto.hash (Node 20.12+) skips the Hash object per finding; same digest.
const oneShotHash = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;
const sha256Hex = oneShotHash
  ? (text: string): string => oneShotHash('sha256', text, 'hex')
  : (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

interface Draft {
  ruleId: string;
  messageId: string;
  data: Record<string, string | number | boolean | null>;
  nodeId?: string;
  subject: { kind: 'node' | 'domain' | 'project'; id: string };
  related?: readonly string[];
  location?: Location;
  keyPath?: string;
}

/**
 * A rule's recorded findings by target when the recording can stand for this run's checks:
 * the rule was recorded, and every selection it asked for picks the same resources here.
 */
function replayable(
  ruleId: string,
  replay: NonNullable<RunOptions['replay']>,
  select: (selector: string) => ReadonlySet<string>,
): Map<string, Finding[]> | null {
  const { recording } = replay;
  if (!recording.rules.has(ruleId)) return null;
  for (const [selector, picked] of recording.selections.get(ruleId) ?? []) {
    const here = select(selector);
    if (here.size !== picked.size) return null;
    for (const id of here) if (!picked.has(id)) return null;
  }
  return recording.findings.get(ruleId) ?? new Map<string, Finding[]>();
}

/**
 * A project's resolved domains and owners and its dbt selections (memoized), as rules,
 * settings and selectors see them.
 */
export function resolutionContext(
  project: Project,
  resolver: Resolver,
): {
  domainOf: (id: string) => string | null;
  ownerOf: (id: string) => OwnerValue;
  select: (selector: string) => ReadonlySet<string>;
} {
  const domainOf = (id: string) => resolver.domain(id)?.value ?? null;
  const ownerOf = (id: string) => resolver.owner(id)?.value ?? null;
  const selections = new Map<string, ReadonlySet<string>>();
  const select = (selector: string): ReadonlySet<string> => {
    let s = selections.get(selector);
    if (!s) {
      s =
        selectResources(
          { select: [selector], allowEmpty: true },
          project.resources,
          project.graph,
          {
            domainOf,
            ownerOf,
          },
        ) ?? new Set(project.resources.keys());
      selections.set(selector, s);
    }
    return s;
  };
  return { domainOf, ownerOf, select };
}

/** Runs the registry's enabled rules over `project`, then waivers and the baseline. */
export function runRules(project: Project, options: RunOptions): CheckResult {
  const { registry } = options;
  const config = options.config ?? emptyEngineConfig();
  const now = options.now ?? new Date();
  const selected = options.selected ?? null;
  const resolver = options.resolver ?? new Resolver(project, config);
  const { domainOf, ownerOf, select } = resolutionContext(project, resolver);
  const settings = new Settings(registry, config, { domainOf, select });
  const hasDomains = resolver.hasDomains();
  // Recording needs every target checked; replay needs a recording of a full run.
  const recording = options.record && selected === null ? options.record : null;
  const replay = options.replay && selected === null ? options.replay : null;
  const hints: string[] = [];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const failures = new Map<string, RuleFailure>();
  const rootName = project.projects[0]?.name ?? '';
  const isMesh = project.projects.length > 1;

  const subjectOf = (d: Draft): SettingsSubject => {
    if (d.subject.kind === 'node') {
      const r = project.resources.get(d.subject.id);
      if (r) return { kind: 'node', resource: r };
      return { kind: 'project' };
    }
    return d.subject.kind === 'domain' ? { kind: 'domain', id: d.subject.id } : { kind: 'project' };
  };

  /** Turns a draft into a finding with the severity its setting gives; null when off. */
  const emit = (d: Draft, entry: RegistryEntry, setting?: EffectiveSetting): Finding | null => {
    const s = setting ?? settings.forSubject(entry.id, subjectOf(d));
    const severity = severityOf(s, entry, d.messageId);
    if (severity === 'off') return null;
    const template = entry.messages[d.messageId];
    if (template === undefined)
      throw new Error(`${entry.id} reported unknown messageId "${d.messageId}"`);
    const identity: Record<string, unknown> = {};
    for (const k of entry.identity) identity[k] = d.data[k] ?? null;
    const related = d.related ? [...d.related] : [];
    const f: Finding = {
      ruleId: entry.id,
      messageId: d.messageId,
      data: d.data,
      severity,
      message: formatMessage(template, d.data),
      subject: d.subject,
      fingerprint: fingerprintOf(entry.id, d.messageId, d.subject, related, identity),
    };
    if (d.nodeId !== undefined) f.nodeId = d.nodeId;
    const subject = project.resources.get(d.nodeId ?? '');
    const location = d.location ?? locationOf(subject);
    if (location) {
      f.location = location;
      // In a mesh, paths are relative to each project: say which.
      if (isMesh && location.project === undefined && subject)
        f.location = { ...location, project: subject.projectName };
    }
    if (related.length > 0) f.related = related;
    if (d.keyPath) f.keyPath = d.keyPath;
    const key = `${f.fingerprint}\0${f.message}`;
    if (seen.has(key)) return null;
    seen.add(key);
    findings.push(f);
    return f;
  };

  /** A finding of the recorded run, taken as this run's (a copy: suppressions mark findings). */
  const keep = (recordedFinding: Finding): void => {
    const f: Finding = { ...recordedFinding };
    delete f.suppressed;
    if (f.location) f.location = { ...f.location };
    const key = `${f.fingerprint}\0${f.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push(f);
  };

  // Own resources: those of the loaded projects themselves, not installed packages' nor
  // placeholders injected from other projects.
  const own = new Set(project.projects.map((p) => p.name));
  const targets = [...project.resources.values()].filter(
    (r) => !r.external && own.has(r.packageName),
  );
  const parsedOptions = new Map<EffectiveSetting, unknown>();
  const optionsOf = (rule: AnyRule, s: EffectiveSetting): unknown => {
    if (!parsedOptions.has(s)) {
      try {
        parsedOptions.set(s, parseRuleOptions(rule, s.options));
      } catch (err) {
        throw new ConfigError(`${(err as Error).message} (set in ${s.origins.join(', ')})`);
      }
    }
    return parsedOptions.get(s);
  };

  // Targets by resource types, and each target's parents, computed once per run: every rule
  // used to filter all targets (and look up every edge's parent) again.
  const inScope = selected ? targets.filter((r) => selected.has(r.uniqueId)) : targets;
  const targetsByTypes = new Map<string, Resource[]>();
  const targetsOf = (types: ReadonlySet<string>): Resource[] => {
    const key = [...types].join('\0');
    let list = targetsByTypes.get(key);
    if (!list) {
      list = inScope.filter((r) => types.has(r.resourceType));
      targetsByTypes.set(key, list);
    }
    return list;
  };
  // Each target's parents, looked up once per run for all edge rules (by index in inScope).
  const parentsByTarget: Array<Resource[] | undefined> = [];
  const parentsAt = (i: number): Resource[] => {
    let out = parentsByTarget[i];
    if (out === undefined) {
      out = [];
      for (const pid of inScope[i]!.dependsOn) {
        const parent = project.resources.get(pid);
        if (parent) out.push(parent);
      }
      parentsByTarget[i] = out;
    }
    return out;
  };
  // Replay: the targets checked anew, as indexes into inScope and by resource types.
  let freshIndexList: number[] | null = null;
  const freshIndexes = (): number[] => {
    if (freshIndexList === null) {
      freshIndexList = [];
      const fresh = replay?.fresh;
      for (let i = 0; i < inScope.length; i++)
        if (fresh?.has(inScope[i]!.uniqueId)) freshIndexList.push(i);
    }
    return freshIndexList;
  };
  const freshByTypes = new Map<string, Resource[]>();
  const freshTargetsOf = (types: ReadonlySet<string>): Resource[] => {
    const key = [...types].join('\0');
    let list = freshByTypes.get(key);
    if (!list) {
      list = freshIndexes()
        .map((i) => inScope[i]!)
        .filter((r) => types.has(r.resourceType));
      freshByTypes.set(key, list);
    }
    return list;
  };

  let skippedForDomains = false;
  for (const entry of registry.entries.values()) {
    const rule = entry.rule;
    if (!rule || !settings.enabledAnywhere(entry.id)) continue;
    if (entry.requiresDomains && !hasDomains) {
      skippedForDomains = true;
      continue;
    }
    // The target being checked (node and edge scope); '' and null for a project rule.
    let currentSubject = '';
    let currentSetting: EffectiveSetting | null = null;
    const reach = rule.scope !== 'project' ? rule.reach : undefined;
    let recorded: Map<string, Finding[]> | null = null;
    let asked: Map<string, ReadonlySet<string>> | null = null;
    if (recording && reach === 'neighbours') {
      recorded = new Map<string, Finding[]>();
      asked = new Map<string, ReadonlySet<string>>();
      recording.rules.add(rule.id);
      recording.findings.set(rule.id, recorded);
      recording.selections.set(rule.id, asked);
    }
    const replayed = replay && reach === 'neighbours' ? replayable(rule.id, replay, select) : null;
    const context: RuleContext<unknown> = {
      options: undefined,
      project,
      graph: project.graph,
      domainOf,
      ownerOf,
      now,
      declaredDomains: config.domains.declared,
      owners: config.owners,
      select:
        asked === null
          ? select
          : (selector) => {
              const picked = select(selector);
              asked.set(selector, picked);
              return picked;
            },
      isEnabled: (ruleId, resourceId) => {
        if (!registry.has(ruleId)) return false;
        const e = registry.get(ruleId)!;
        if (e.requiresDomains && !hasDomains) return false;
        const r = resourceId !== undefined ? project.resources.get(resourceId) : undefined;
        return settings.forResource(ruleId, r ?? null).severity !== 'off';
      },
      report: (d: ReportDescriptor) => {
        if (rule.messages[d.messageId] === undefined)
          throw new Error(`reported unknown messageId "${d.messageId}"`);
        const nodeId = d.node ?? (currentSubject || undefined);
        if (selected && nodeId !== undefined && !selected.has(nodeId)) return;
        const draft: Draft = {
          ruleId: rule.id,
          messageId: d.messageId,
          data: d.data ?? {},
          subject:
            nodeId !== undefined
              ? { kind: 'node', id: nodeId }
              : d.domain !== undefined
                ? { kind: 'domain', id: d.domain }
                : { kind: 'project', id: d.project ?? rootName },
        };
        if (nodeId !== undefined) draft.nodeId = nodeId;
        if (d.related) draft.related = d.related;
        // A node or edge check's own target decides severity; a project rule's finding is
        // judged by its subject.
        const f = emit(
          draft,
          entry,
          currentSetting && rule.scope !== 'project' ? currentSetting : undefined,
        );
        if (recorded !== null) {
          // A finding on another node than the target breaks the reach promise: not replayed.
          if (nodeId !== currentSubject) recording!.rules.delete(rule.id);
          else if (f !== null) {
            const list = recorded.get(currentSubject);
            if (list) list.push(f);
            else recorded.set(currentSubject, [f]);
          }
        }
      },
    };
    // Replay: the recorded findings of the targets outside `fresh` (the same targets, with
    // the same settings, as in the recorded run); only the fresh ones are checked below.
    if (replayed !== null)
      for (const [id, list] of replayed) if (!replay!.fresh.has(id)) for (const f of list) keep(f);
    const fail = (subject: string, err: unknown) => {
      if (err instanceof ConfigError) throw err;
      recording?.rules.delete(rule.id);
      const prev = failures.get(rule.id);
      if (prev) prev.count++;
      else
        failures.set(rule.id, {
          ruleId: rule.id,
          subject,
          count: 1,
          error: err instanceof Error ? err.message.split('\n')[0]! : String(err),
        });
    };
    // Options parsed once per setting (optionsOf memoizes); targets mostly share one setting.
    let lastSetting: EffectiveSetting | null = null;
    let lastOptions: unknown;
    const optionsFor = (setting: EffectiveSetting): unknown => {
      if (setting !== lastSetting) {
        lastOptions = optionsOf(rule, setting);
        lastSetting = setting;
      }
      return lastOptions;
    };
    const types = new Set<string>(rule.resourceTypes);
    if (rule.scope === 'node') {
      for (const r of replayed !== null ? freshTargetsOf(types) : targetsOf(types)) {
        const setting = settings.forResource(rule.id, r);
        if (setting.severity === 'off') continue;
        currentSubject = r.uniqueId;
        currentSetting = setting;
        context.options = optionsFor(setting);
        try {
          rule.check(r, context);
        } catch (err) {
          fail(r.uniqueId, err);
        }
      }
    } else if (rule.scope === 'edge') {
      const indexes = replayed !== null ? freshIndexes() : null;
      const n = indexes !== null ? indexes.length : inScope.length;
      for (let k = 0; k < n; k++) {
        const i = indexes !== null ? indexes[k]! : k;
        const child = inScope[i]!;
        const setting = settings.forResource(rule.id, child);
        if (setting.severity === 'off') continue;
        currentSubject = child.uniqueId;
        currentSetting = setting;
        context.options = optionsFor(setting);
        for (const parent of parentsAt(i)) {
          if (!types.has(parent.resourceType)) continue;
          try {
            rule.check({ parent, child }, context);
          } catch (err) {
            fail(child.uniqueId, err);
          }
        }
      }
    } else {
      currentSubject = '';
      currentSetting = null;
      context.options = optionsOf(rule, settings.baseOf(rule.id));
      try {
        rule.check(project, context);
      } catch (err) {
        fail(rootName, err);
      }
    }
  }
  if (skippedForDomains)
    hints.push(
      'domain rules are skipped: no domain is configured and no resource declares one; set meta.domain (or a dbt group) on models, or configure `domains` in dbt-steward.yml',
    );

  // Domain conflicts between steps of the resolution chain.
  const conflictEntry = registry.get('domain-conflict');
  if (conflictEntry && hasDomains && settings.enabledAnywhere('domain-conflict')) {
    for (const r of targets) {
      if (selected && !selected.has(r.uniqueId)) continue;
      const c = resolver.conflict(r.uniqueId);
      if (!c) continue;
      emit(
        {
          ruleId: 'domain-conflict',
          messageId: 'conflict',
          data: {
            name: r.name,
            domain: c.domain,
            via: c.via,
            other: c.other,
            otherVia: c.otherVia,
          },
          nodeId: r.uniqueId,
          subject: { kind: 'node', id: r.uniqueId },
        },
        conflictEntry,
      );
    }
  }

  // Faults the loader found (source mode): findings of the registry ids they name.
  for (const d of project.diagnostics) {
    const entry = registry.get(d.id);
    if (!entry) throw new Error(`the loader reported ${d.id}, which the registry does not know`);
    if (selected && d.nodeId !== undefined && !selected.has(d.nodeId)) continue;
    const location: Location = { file: d.file };
    if (isMesh && d.project !== undefined) location.project = d.project;
    if (d.line !== undefined) location.line = d.line;
    if (d.column !== undefined) location.column = d.column;
    emit(
      {
        ruleId: d.id,
        messageId: d.messageId,
        data: d.data,
        subject:
          d.nodeId !== undefined
            ? { kind: 'node', id: d.nodeId }
            : { kind: 'project', id: rootName },
        ...(d.nodeId !== undefined ? { nodeId: d.nodeId } : {}),
        location,
      },
      entry,
    );
  }

  // Rule failures: findings only when asked to continue.
  const ruleFailures = [...failures.values()].sort((a, b) => cmp(a.ruleId, b.ruleId));
  const errorEntry = registry.get('rule-error');
  if (options.continueOnRuleError && errorEntry) {
    for (const f of ruleFailures) {
      const isNode = project.resources.has(f.subject);
      emit(
        {
          ruleId: 'rule-error',
          messageId: 'threw',
          data: { rule: f.ruleId, subject: f.subject, count: f.count, error: f.error },
          subject: isNode ? { kind: 'node', id: f.subject } : { kind: 'project', id: f.subject },
          ...(isNode ? { nodeId: f.subject } : {}),
        },
        errorEntry,
      );
    }
  }

  const emitDrafts = (drafts: readonly EngineFindingDraft[]) => {
    for (const d of drafts) {
      if (selected && d.nodeId !== undefined && !selected.has(d.nodeId)) continue;
      const entry = registry.get(d.ruleId);
      if (!entry) throw new Error(`no registry entry for ${d.ruleId}`);
      emit(d, entry);
    }
  };

  emitDrafts(
    applySuppressions(findings, project, {
      registry,
      config,
      now,
      selected,
      baseline: options.baseline ?? null,
      settings,
      select,
      domainOf,
      ...(options.baseMode ? { baseMode: true } : {}),
    }),
  );

  findings.sort(compareFindings);
  return {
    formatVersion: FORMAT_VERSION,
    tool: { name: TOOL_NAME, version: VERSION },
    projects: project.projects.map((p) => ({
      name: p.name,
      schemaVersion: p.schemaVersion,
      dbtVersion: p.dbtVersion,
      input: p.input,
      counts: sortedCounts(p.counts),
    })),
    findings,
    summary: summarize(findings),
    ruleFailures: options.continueOnRuleError ? [] : ruleFailures,
    hints,
  };
}

/** What applySuppressions needs besides the findings: the run's settings and selection. */
export interface SuppressionOptions {
  registry: Registry;
  config: EngineConfig;
  now: Date;
  selected: ReadonlySet<string> | null;
  baseline: RunOptions['baseline'];
  settings: Settings;
  /** unique_ids a dbt selector picks (memoized by the caller). */
  select: (selector: string) => ReadonlySet<string>;
  domainOf: (id: string) => string | null;
  /**
   * Base mode: breaking changes were looked for. Otherwise `breaking-change` does not run, so
   * its waivers are not unused and its baseline entries not stale.
   */
  baseMode?: boolean;
}

/**
 * Waivers, then the baseline over what waivers left: marks the suppressed `findings` and
 * returns drafts of the findings about waivers and baseline entries (waiver-*,
 * baseline-stale). Exported so that base mode can run it again once the breaking changes,
 * found after the rules, are among the findings.
 */
export function applySuppressions(
  findings: Finding[],
  project: Project,
  options: SuppressionOptions,
): EngineFindingDraft[] {
  const { registry, settings, selected } = options;
  const isEnabled = (ruleId: string, resourceId: string | null) => {
    if (ruleId === 'breaking-change' && !options.baseMode) return false;
    const r = resourceId ? project.resources.get(resourceId) : undefined;
    return settings.forResource(ruleId, r ?? null).severity !== 'off';
  };
  const waivers = collectWaivers(project, options.config.waivers);
  const drafts = applyWaivers(findings, waivers, {
    now: options.now,
    fullRun: selected === null,
    registry,
    project,
    select: options.select,
    domainOf: options.domainOf,
    isEnabled,
  });
  // Waiver drafts are never baselined, so they may join the findings after the baseline ran.
  if (options.baseline)
    drafts.push(
      ...applyBaseline(findings, options.baseline.baseline, options.baseline.file, {
        fullRun: selected === null,
        selected,
        isEnabled,
      }),
    );
  return drafts;
}

function locationOf(r: Resource | undefined): Location | undefined {
  if (!r) return undefined;
  if (r.patchPath && r.yamlPosition)
    return { file: r.patchPath, line: r.yamlPosition.line, column: r.yamlPosition.column };
  const file = r.patchPath ?? r.filePath;
  return file ? { file } : undefined;
}

function sortedCounts(
  c: Partial<Record<ResourceType, number>>,
): Partial<Record<ResourceType, number>> {
  const out: Partial<Record<ResourceType, number>> = {};
  for (const k of Object.keys(c).sort() as ResourceType[]) out[k] = c[k];
  return out;
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warn: 1, info: 2 };

/** The order of findings in every output: by file, line, subject, severity, rule, identity. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.location?.project ?? '', b.location?.project ?? '') ||
    cmp(a.location?.file ?? '', b.location?.file ?? '') ||
    (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
    cmp(a.subject.id, b.subject.id) ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.fingerprint, b.fingerprint) ||
    cmp(a.message, b.message)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function summarize(findings: readonly Finding[]): CheckResult['summary'] {
  const s = { error: 0, warn: 0, info: 0, waived: 0, baselined: 0 };
  for (const f of findings) {
    if (f.suppressed?.by === 'waiver') s.waived++;
    else if (f.suppressed?.by === 'baseline') s.baselined++;
    else s[f.severity]++;
  }
  return s;
}

/** How a run's findings turn into an exit code. */
export interface ExitPolicy {
  /** The lowest severity that fails the run (default: error). */
  failOn?: 'error' | 'warn';
  /** More unsuppressed warnings than this fails the run. */
  maxWarnings?: number;
}

/**
 * Exit code of a check run: 2 when a rule failed (whatever waivers or the baseline say),
 * 1 when findings fail the run under the policy, else 0.
 */
export function exitCodeOf(result: CheckResult, policy: ExitPolicy = {}): 0 | 1 | 2 {
  if (result.ruleFailures.length > 0) return 2;
  const { error, warn } = result.summary;
  if (error > 0) return 1;
  if (policy.failOn === 'warn' && warn > 0) return 1;
  if (policy.maxWarnings !== undefined && warn > policy.maxWarnings) return 1;
  return 0;
}
