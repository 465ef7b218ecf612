/**
 * `dbt-steward explain`: for each resource, its domain and owner with every step of the
 * resolution chains and what each said, conflicts between them, the rule settings that apply
 * to it and the suppressed findings on it. Pure data: lines come from an optional locator
 * callback (the CLI passes src/load/locate.ts's Locator), settings and suppressions from the
 * caller.
 */
import type { Group, OwnerValue, Resource, ResourceType } from '../model.js';
import type { Project } from '../project.js';
import type { DomainConflict, Resolution, Resolver, StepResult } from './resolve.js';

export const EXPLAIN_FORMAT_VERSION = 1;

/** A line in a YAML file as a locator reports it (src/load/locate.ts's Locator fits). */
export interface LocatedLine {
  file: string;
  line: number;
  column?: number;
  /** False when the key is not written in the entry and the line is the entry's. */
  atKey?: boolean;
}

/** Finds lines of YAML declarations; both methods are optional and may give null. */
export interface ExplainLocator {
  lineOf?(resource: Resource, keyPath?: string): LocatedLine | null;
  groupLine?(group: Group, keyPath?: string): LocatedLine | null;
}

export interface ExplainRuleSetting {
  id: string;
  severity: string;
  options: Record<string, unknown>;
  /** Where the setting came from, first layer first (`dbt-steward:recommended`, `dbt-steward.yml: rules.x`). */
  origins: string[];
}

export interface ExplainSuppressionInput {
  nodeId?: string;
  ruleId: string;
  messageId: string;
  by: 'waiver' | 'baseline';
  reason: string;
  origin?: string;
}

export interface ExplainSuppression {
  ruleId: string;
  messageId: string;
  by: 'waiver' | 'baseline';
  reason: string;
  origin?: string;
}

/** One step of a chain as evaluated, with its line when known. */
export interface ExplainStep<T> {
  kind: string;
  via: string;
  /** What the step said; null when it had nothing. */
  value: T | null;
  file: string | null;
  line?: number;
  note?: string;
}

/** A resolved value (null fields when nothing resolved) and the chain that led to it. */
export interface ExplainAnswer<T> {
  value: T | null;
  via: string | null;
  file: string | null;
  line?: number;
  /** Said when the line is the YAML entry's rather than the key's (the value comes from dbt_project.yml or a SQL config()). */
  note?: string;
  steps: Array<ExplainStep<T>>;
}

export interface ExplainResource {
  uniqueId: string;
  name: string;
  resourceType: ResourceType;
  package: string;
  /** The resource's own file (SQL, CSV or YAML), relative to its dbt project. */
  file: string | null;
  /** The YAML file documenting it, when it has one. */
  yamlFile: string | null;
  domain: ExplainAnswer<string>;
  owner: ExplainAnswer<OwnerValue>;
  conflicts: DomainConflict[];
  /** The rules that apply to it (severity not off), by id. */
  rules: ExplainRuleSetting[];
  /** Suppressed findings on it. */
  suppressions: ExplainSuppression[];
}

export interface ExplainResult {
  formatVersion: number;
  resources: ExplainResource[];
  /** Asked-for ids that are not in the project. */
  missing: string[];
}

type Located = { line?: number; note?: string };

/** Said when a key is not in the resource's YAML entry although the resource has the value. */
function elsewhere(keyPath: string): string {
  const key = keyPath.replace(/^config\./, '').split('.')[0] ?? keyPath;
  return `${keyPath} is not in this YAML entry: it comes from dbt_project.yml (a folder's +${key}) or the SQL file's config()`;
}

function locate(
  project: Project,
  locator: ExplainLocator | undefined,
  s: Pick<StepResult<unknown>, 'line' | 'declaredBy' | 'keyPath' | 'file'>,
): Located {
  if (s.line !== undefined) return { line: s.line };
  if (!locator || !s.declaredBy || s.file === null) return {};
  let at: LocatedLine | null | undefined;
  if (s.declaredBy.kind === 'group') {
    const g = project.groups.get(s.declaredBy.id);
    at = g ? locator.groupLine?.(g, s.keyPath) : null;
  } else {
    const r = project.resources.get(s.declaredBy.id);
    at = r ? locator.lineOf?.(r, s.keyPath) : null;
  }
  if (!at || at.file !== s.file) return {};
  return s.declaredBy.kind === 'resource' && s.keyPath !== undefined && at.atKey === false
    ? { line: at.line, note: elsewhere(s.keyPath) }
    : { line: at.line };
}

function answer<T>(
  project: Project,
  locator: ExplainLocator | undefined,
  resolved: Resolution<T> | null,
  steps: ReadonlyArray<StepResult<T>>,
): ExplainAnswer<T> {
  const out: ExplainAnswer<T> = {
    value: resolved?.value ?? null,
    via: resolved?.via ?? null,
    file: resolved?.file ?? null,
    steps: steps.map((s) => {
      const step: ExplainStep<T> = { kind: s.kind, via: s.via, value: s.value, file: s.file };
      if (s.value !== null) {
        const at = locate(project, locator, s);
        if (at.line !== undefined) step.line = at.line;
      }
      if (s.note !== undefined) step.note = s.note;
      return step;
    }),
  };
  if (resolved) {
    const at = locate(project, locator, resolved);
    if (at.line !== undefined) out.line = at.line;
    if (at.note !== undefined) out.note = at.note;
  }
  return out;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Explains the given resources (sorted by unique_id). `settings` gives the effective rule
 * settings of a resource; `suppressions` the suppressed findings of the run (those with a
 * `nodeId` among the ids are shown); `locator` fills in YAML lines.
 */
export function explainResources(
  project: Project,
  resolver: Resolver,
  ids: Iterable<string>,
  settings: (resource: Resource) => ExplainRuleSetting[],
  suppressions: readonly ExplainSuppressionInput[],
  locator?: ExplainLocator,
): ExplainResult {
  const wanted = [...new Set(ids)].sort(cmp);
  const byNode = new Map<string, ExplainSuppression[]>();
  for (const s of suppressions) {
    if (s.nodeId === undefined) continue;
    const out: ExplainSuppression = {
      ruleId: s.ruleId,
      messageId: s.messageId,
      by: s.by,
      reason: s.reason,
    };
    if (s.origin !== undefined) out.origin = s.origin;
    const list = byNode.get(s.nodeId) ?? [];
    list.push(out);
    byNode.set(s.nodeId, list);
  }
  const resources: ExplainResource[] = [];
  const missing: string[] = [];
  for (const id of wanted) {
    const r = project.resources.get(id);
    if (!r) {
      missing.push(id);
      continue;
    }
    const rules = settings(r)
      .filter((s) => s.severity !== 'off')
      .map((s) => ({
        id: s.id,
        severity: s.severity,
        options: s.options,
        origins: [...s.origins],
      }))
      .sort((a, b) => cmp(a.id, b.id));
    const sup = (byNode.get(id) ?? []).sort(
      (a, b) =>
        cmp(a.ruleId, b.ruleId) ||
        cmp(a.messageId, b.messageId) ||
        cmp(a.by, b.by) ||
        cmp(a.reason, b.reason),
    );
    resources.push({
      uniqueId: id,
      name: r.name,
      resourceType: r.resourceType,
      package: r.packageName,
      file: r.filePath,
      yamlFile: r.patchPath,
      domain: answer(project, locator, resolver.domain(id), resolver.domainSteps(id)),
      owner: answer(project, locator, resolver.owner(id), resolver.ownerSteps(id)),
      conflicts: resolver.conflicts(id),
      rules,
      suppressions: sup,
    });
  }
  return { formatVersion: EXPLAIN_FORMAT_VERSION, resources, missing };
}
