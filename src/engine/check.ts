/**
 * Runs the enabled rules over their targets and turns their reports into findings. No I/O,
 * no printing: the result is data that reporters render.
 */
import { createHash } from 'node:crypto';
import type { InputKind, ResourceType } from '../model.js';
import type { Project } from '../project.js';
import { TOOL_NAME, VERSION } from '../version.js';
import { Resolver } from './resolve.js';
import {
  formatMessage,
  parseRuleOptions,
  type AnyRule,
  type ReportDescriptor,
  type RuleContext,
  type Severity,
  type SeverityOrOff,
} from './rule.js';

export const FORMAT_VERSION = 1;

export interface Location {
  /** Relative to the dbt project directory, `/` separators. */
  file: string;
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
  suppressed?: { by: 'waiver' | 'baseline'; reason: string };
}

export interface ProjectSummary {
  name: string;
  schemaVersion: number;
  dbtVersion: string;
  input: InputKind;
  counts: Partial<Record<ResourceType, number>>;
}

export interface CheckResult {
  formatVersion: number;
  tool: { name: string; version: string };
  projects: ProjectSummary[];
  findings: Finding[];
  summary: { error: number; warn: number; info: number; waived: number; baselined: number };
}

export type RuleSetting = SeverityOrOff | [SeverityOrOff, unknown?];

export interface CheckConfig {
  /** Rule settings by id: a severity, or [severity, options]. Unlisted rules: recommended ones on. */
  rules?: Record<string, RuleSetting>;
  /** The run's clock (default: now). */
  now?: Date;
  /** Restricts the subjects checked (from --select/--exclude): node findings on others are dropped. */
  selected?: ReadonlySet<string>;
}

interface EnabledRule {
  rule: AnyRule;
  severity: Severity;
  options: unknown;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function enabledRules(rules: readonly AnyRule[], config: CheckConfig): EnabledRule[] {
  const byId = new Map(rules.map((r) => [r.id, r]));
  for (const id of Object.keys(config.rules ?? {})) {
    if (!byId.has(id))
      throw new ConfigError(`unknown rule id "${id}"; run \`dbt-steward rules\` to list them`);
  }
  const out: EnabledRule[] = [];
  for (const rule of rules) {
    const setting = config.rules?.[rule.id];
    let severity: SeverityOrOff = rule.recommended ? rule.severity : 'off';
    let rawOptions: unknown;
    if (setting !== undefined) {
      if (Array.isArray(setting)) {
        severity = setting[0];
        rawOptions = setting[1];
      } else severity = setting;
    }
    if (severity === 'off') continue;
    let options: unknown;
    try {
      options = parseRuleOptions(rule, rawOptions);
    } catch (err) {
      throw new ConfigError((err as Error).message);
    }
    out.push({ rule, severity, options });
  }
  return out;
}

export function fingerprintOf(
  ruleId: string,
  subject: { kind: string; id: string },
  identity: Record<string, unknown>,
): string {
  const h = createHash('sha256');
  h.update(`${ruleId}\0${subject.kind}\0${subject.id}\0${JSON.stringify(identity)}`);
  return h.digest('hex').slice(0, 32);
}

/** Runs `rules` over `project`. */
export function runRules(
  project: Project,
  rules: readonly AnyRule[],
  config: CheckConfig = {},
): CheckResult {
  const enabled = enabledRules(rules, config);
  const resolver = new Resolver(project);
  const now = config.now ?? new Date();
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const { selected } = config;

  // Own resources: those of the loaded projects themselves, not installed packages' nor
  // placeholders injected from other projects.
  const own = new Set(project.projects.map((p) => p.name));
  const targets = [...project.resources.values()].filter(
    (r) => !r.external && own.has(r.packageName),
  );

  for (const { rule, severity, options } of enabled) {
    let defaultSubject: string | undefined;
    const context: RuleContext<unknown> = {
      options,
      project,
      graph: project.graph,
      domainOf: (id) => resolver.domain(id)?.value ?? null,
      ownerOf: (id) => resolver.owner(id)?.value ?? null,
      now,
      report: (d: ReportDescriptor) => {
        const f = toFinding(project, rule, severity, d, defaultSubject);
        if (selected && f.nodeId !== undefined && !selected.has(f.nodeId)) return;
        if (seen.has(f.fingerprint)) return;
        seen.add(f.fingerprint);
        findings.push(f);
      },
    };
    const types = new Set<string>(rule.resourceTypes);
    if (rule.scope === 'node') {
      for (const r of targets) {
        if (!types.has(r.resourceType)) continue;
        if (selected && !selected.has(r.uniqueId)) continue;
        defaultSubject = r.uniqueId;
        rule.check(r, context);
      }
    } else if (rule.scope === 'edge') {
      for (const child of targets) {
        if (selected && !selected.has(child.uniqueId)) continue;
        for (const pid of child.dependsOn) {
          const parent = project.resources.get(pid);
          if (!parent || !types.has(parent.resourceType)) continue;
          defaultSubject = child.uniqueId;
          rule.check({ parent, child }, context);
        }
      }
    } else {
      defaultSubject = undefined;
      rule.check(project, context);
    }
  }
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
  };
}

function sortedCounts(
  c: Partial<Record<ResourceType, number>>,
): Partial<Record<ResourceType, number>> {
  const out: Partial<Record<ResourceType, number>> = {};
  for (const k of Object.keys(c).sort() as ResourceType[]) out[k] = c[k];
  return out;
}

function toFinding(
  project: Project,
  rule: AnyRule,
  severity: Severity,
  d: ReportDescriptor,
  defaultSubject: string | undefined,
): Finding {
  const template = rule.messages[d.messageId];
  if (template === undefined)
    throw new Error(`rule ${rule.id} reported unknown messageId "${d.messageId}"`);
  const data = d.data ?? {};
  const nodeId = d.node ?? defaultSubject;
  const subject =
    nodeId !== undefined
      ? { kind: 'node' as const, id: nodeId }
      : { kind: 'project' as const, id: project.projects[0]?.name ?? '' };
  const identity: Record<string, unknown> = { messageId: d.messageId };
  for (const k of rule.identity ?? []) identity[k] = data[k] ?? null;
  const finding: Finding = {
    ruleId: rule.id,
    messageId: d.messageId,
    data,
    severity:
      rule.messageSeverities?.[d.messageId] && severity === rule.severity
        ? rule.messageSeverities[d.messageId]!
        : severity,
    message: formatMessage(template, data),
    subject,
    fingerprint: fingerprintOf(rule.id, subject, identity),
  };
  if (nodeId !== undefined) {
    finding.nodeId = nodeId;
    const r = project.resources.get(nodeId);
    const file = r?.patchPath ?? r?.filePath;
    if (file) finding.location = { file };
  }
  if (d.related && d.related.length > 0) finding.related = [...d.related];
  return finding;
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warn: 1, info: 2 };

function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.location?.file ?? '', b.location?.file ?? '') ||
    cmp(a.subject.id, b.subject.id) ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    cmp(a.ruleId, b.ruleId) ||
    cmp(a.fingerprint, b.fingerprint)
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

/** Exit code of a check run: 1 when an unsuppressed error finding remains. */
export function exitCodeOf(result: CheckResult): 0 | 1 {
  return result.summary.error > 0 ? 1 : 0;
}
