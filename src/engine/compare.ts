/**
 * Base mode: what a change does to a project. Pure functions over two loaded projects (the
 * base, e.g. the main branch, and the head, the working tree): which resources were added,
 * removed, renamed or modified; which of those changes break consumers of public or
 * contracted models; which downstream resources, domains and owners a change reaches; and
 * which findings are new, existing or fixed. No I/O.
 *
 * Simplifications, documented in docs/ci.md:
 * - A rename is a removed and an added resource of the same type with the same file checksum
 *   (dbt's sha256 of the file: moved and renamed as it is), else the same file path (a
 *   YAML-defined resource renamed in place, a model whose SQL file kept its path), else the
 *   same name in another path (a changed package or source name). A model moved to another
 *   folder under the same name keeps its unique_id and is a modification (`config`), not a
 *   rename.
 * - A disabled model is absent from the manifest's nodes: it is reported as removed.
 * - With `contract.alias_types` (dbt's default), data types are compared after a small table
 *   of common aliases (int → integer, string → text, …) rather than each adapter's own
 *   translation; without it they are compared as written. Both ignore case and spacing.
 * - Resources defined in files that could not be parsed (ProjectInfo.unparsedFiles) on
 *   either side are never reported as removed, and their findings never as fixed.
 */
import type { Column, Constraint, OwnerValue, Resource, ResourceType } from '../model.js';
import type { Project } from '../project.js';
import { fingerprintOf, type Finding, type CheckResult } from './check.js';
import type { RegistryEntry } from './registry.js';
import type { Resolver } from './resolve.js';
import { formatMessage, type SeverityOrOff } from './rule.js';

export type ChangeKind =
  | 'config'
  | 'columns'
  | 'access'
  | 'contract'
  | 'version'
  | 'owner'
  | 'domain'
  | 'materialized'
  | 'description'
  | 'checksum';

export interface ModifiedResource {
  uniqueId: string;
  resourceType: ResourceType;
  kinds: ChangeKind[];
}

export interface RenamedResource {
  /** unique_id in the base. */
  from: string;
  /** unique_id in the head. */
  to: string;
  resourceType: ResourceType;
  /**
   * `checksum`: the same file contents (dbt's checksum) under another name or path; `path`:
   * same file path, another name; `name`: same name, another path.
   */
  by: 'checksum' | 'path' | 'name';
}

export interface ProjectChanges {
  added: string[];
  removed: string[];
  renamed: RenamedResource[];
  modified: ModifiedResource[];
}

export type BreakingKind =
  | 'removed'
  | 'removed-before-deprecation'
  | 'renamed'
  | 'column-removed'
  | 'data-type-changed'
  | 'constraint-removed'
  | 'materialization-changed'
  | 'contract-not-enforced'
  | 'access-narrowed'
  | 'latest-version-moved';

export interface BreakingChange {
  kind: BreakingKind;
  /** The model in the base. */
  baseId: string;
  /** The model in the head; null when removed. */
  headId: string | null;
  name: string;
  /** One phrase: "column 'amount' removed". */
  change: string;
  /** What the change breaks: the model's direct consumers (tests left out). */
  consumers: string[];
  /** The file the finding points at: the head model's, else the base model's. */
  file: string | null;
}

export interface ImpactGroup {
  domain: string | null;
  owner: string | null;
  /** Downstream resources in this domain and owner. */
  count: number;
  byType: Partial<Record<ResourceType, number>>;
  /** Exposures reached, by name. */
  exposures: string[];
}

export interface ResourceImpact {
  uniqueId: string;
  change: 'added' | 'removed' | 'renamed' | 'modified';
  /** Number of transitive downstream resources (tests left out, exposures included). */
  downstream: number;
  groups: ImpactGroup[];
}

/** Resource types compared: what a project defines, not tests or operations. */
const COMPARED: ReadonlySet<ResourceType> = new Set<ResourceType>([
  'model',
  'seed',
  'snapshot',
  'source',
  'exposure',
  'metric',
  'semantic_model',
  'saved_query',
  'analysis',
  'function',
]);

const NOT_DOWNSTREAM: ReadonlySet<string> = new Set(['test', 'unit_test']);

function unparsedOf(p: Project): Set<string> {
  const out = new Set<string>();
  for (const info of p.projects) for (const f of info.unparsedFiles ?? []) out.add(f);
  return out;
}

/** Files no side could parse: what they define is unknown on that side. */
export function unparsedFiles(base: Project, head: Project): Set<string> {
  const out = unparsedOf(base);
  for (const f of unparsedOf(head)) out.add(f);
  return out;
}

function inUnparsed(r: Resource | undefined, unparsed: ReadonlySet<string>): boolean {
  if (!r || unparsed.size === 0) return false;
  return (
    (r.filePath !== null && unparsed.has(r.filePath)) ||
    (r.patchPath !== null && unparsed.has(r.patchPath))
  );
}

function ownResources(p: Project): Map<string, Resource> {
  const own = new Set(p.projects.map((i) => i.name));
  const out = new Map<string, Resource>();
  for (const r of p.resources.values())
    if (!r.external && own.has(r.packageName) && COMPARED.has(r.resourceType))
      out.set(r.uniqueId, r);
  return out;
}

const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => sortKeys(x)) ?? '';

function sortKeys(x: unknown): unknown {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return x;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(x).sort()) out[k] = (x as Record<string, unknown>)[k];
  return out;
}

/**
 * Plain data equal member by member (arrays in order, objects by own keys); false when unsure
 * (class instances such as dates), where `same` falls back to comparing the JSON.
 */
export function identical(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!identical(a[i], b[i])) return false;
    return true;
  }
  const plain = (x: object) => {
    const proto: unknown = Object.getPrototypeOf(x);
    return proto === Object.prototype || proto === null;
  };
  if (!plain(a) || !plain(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of ka) if (!Object.hasOwn(rb, k) || !identical(ra[k], rb[k])) return false;
  return true;
}

/**
 * Whether two values are equal as their key-sorted JSON: most resources are unchanged, and
 * serializing every one of them was most of the comparison's time at 10k models.
 */
function same(a: unknown, b: unknown): boolean {
  return identical(a, b) || json(a) === json(b);
}

function sameColumns(a: readonly Column[], b: readonly Column[]): boolean {
  const quick =
    a.length === b.length &&
    a.every((c, i) => {
      const d = b[i]!;
      return (
        c.name.toLowerCase() === d.name.toLowerCase() &&
        c.dataType === d.dataType &&
        c.description === d.description &&
        identical(c.constraints, d.constraints) &&
        identical(c.tags, d.tags) &&
        identical(c.meta, d.meta)
      );
    });
  return quick || columnsKey(a) === columnsKey(b);
}

function columnsKey(cols: readonly Column[]): string {
  return json(
    cols.map((c) => [
      c.name.toLowerCase(),
      c.dataType,
      c.constraints,
      c.tags,
      c.meta,
      c.description,
    ]),
  );
}

/** The kinds of change between two versions of one resource. */
export function changeKinds(
  b: Resource,
  h: Resource,
  rb: Resolver | null,
  rh: Resolver | null,
): ChangeKind[] {
  const kinds: ChangeKind[] = [];
  // One object on both sides (the base shared the head's entry): only resolution may differ.
  const data = b !== h;
  if (
    data &&
    !same(
      [b.tags, b.meta, b.group, b.filePath, b.patchPath, b.dependsOn, b.owner],
      [h.tags, h.meta, h.group, h.filePath, h.patchPath, h.dependsOn, h.owner],
    )
  )
    kinds.push('config');
  if (data && !sameColumns(b.columns, h.columns)) kinds.push('columns');
  if (b.access !== h.access) kinds.push('access');
  if (data && !same([b.contract, b.constraints], [h.contract, h.constraints]))
    kinds.push('contract');
  if (
    data &&
    !same(
      [b.version, b.latestVersion, b.deprecationDate],
      [h.version, h.latestVersion, h.deprecationDate],
    )
  )
    kinds.push('version');
  if (rb && rh) {
    if (!same(rb.owner(b.uniqueId)?.value ?? null, rh.owner(h.uniqueId)?.value ?? null))
      kinds.push('owner');
    if ((rb.domain(b.uniqueId)?.value ?? null) !== (rh.domain(h.uniqueId)?.value ?? null))
      kinds.push('domain');
  }
  if (b.materialized !== h.materialized) kinds.push('materialized');
  if (b.description !== h.description) kinds.push('description');
  // The file's contents (SQL), when both sides know them.
  if (b.checksum && h.checksum && b.checksum !== h.checksum) kinds.push('checksum');
  return kinds;
}

/**
 * Added, removed, renamed and modified resources between base and head (the projects' own
 * resources; tests, operations and installed packages left out).
 */
export function compareProjects(
  base: Project,
  head: Project,
  resolverBase: Resolver | null = null,
  resolverHead: Resolver | null = null,
): ProjectChanges {
  const b = ownResources(base);
  const h = ownResources(head);
  const unparsed = unparsedFiles(base, head);
  const removed: Resource[] = [];
  const added: Resource[] = [];
  const modified: ModifiedResource[] = [];
  for (const [id, r] of b) {
    const other = h.get(id);
    if (!other) {
      if (!inUnparsed(r, unparsed)) removed.push(r);
      continue;
    }
    const kinds = changeKinds(r, other, resolverBase, resolverHead);
    if (kinds.length > 0) modified.push({ uniqueId: id, resourceType: r.resourceType, kinds });
  }
  for (const [id, r] of h) if (!b.has(id)) added.push(r);

  const renamed: RenamedResource[] = [];
  const taken = new Set<string>();
  // Candidates indexed by type and key (file path or name), so that pairing stays linear.
  const pair = (
    by: RenamedResource['by'],
    keyOf: (x: Resource) => string | null,
    match: (x: Resource, y: Resource) => boolean,
  ) => {
    const index = new Map<string, Resource[]>();
    for (const a of added) {
      const k = keyOf(a);
      if (k === null) continue;
      const slot = `${a.resourceType}\0${k}`;
      const list = index.get(slot);
      if (list) list.push(a);
      else index.set(slot, [a]);
    }
    for (const r of removed) {
      if (taken.has(r.uniqueId)) continue;
      const k = keyOf(r);
      if (k === null) continue;
      const to = index
        .get(`${r.resourceType}\0${k}`)
        ?.find((a) => !taken.has(a.uniqueId) && match(r, a));
      if (!to) continue;
      taken.add(r.uniqueId);
      taken.add(to.uniqueId);
      renamed.push({ from: r.uniqueId, to: to.uniqueId, resourceType: r.resourceType, by });
    }
  };
  // The same file contents first (a file moved and renamed as it is), then the same path,
  // then the same name.
  pair(
    'checksum',
    (x) => x.checksum ?? null,
    () => true,
  );
  pair(
    'path',
    (x) => x.filePath,
    (x, y) => x.name !== y.name,
  );
  pair(
    'name',
    (x) => x.name,
    (x, y) => x.filePath !== y.filePath,
  );
  const sortIds = (list: Resource[]) =>
    list
      .map((r) => r.uniqueId)
      .filter((id) => !taken.has(id))
      .sort(cmp);
  return {
    added: sortIds(added),
    removed: sortIds(removed),
    renamed: renamed.sort((x, y) => cmp(x.from, y.from)),
    modified: modified.sort((x, y) => cmp(x.uniqueId, y.uniqueId)),
  };
}

const ACCESS_RANK: Record<string, number> = { private: 0, protected: 1, public: 2 };

/** Common data type aliases, applied when `contract.alias_types` is on (see the header). */
const TYPE_ALIASES: Readonly<Record<string, string>> = {
  int: 'integer',
  int4: 'integer',
  int8: 'bigint',
  int2: 'smallint',
  int64: 'bigint',
  long: 'bigint',
  string: 'text',
  varchar: 'text',
  'character varying': 'text',
  char: 'character',
  bool: 'boolean',
  float: 'double precision',
  float8: 'double precision',
  float64: 'double precision',
  double: 'double precision',
  float4: 'real',
  numeric: 'decimal',
  timestamp_ntz: 'timestamp',
  'timestamp without time zone': 'timestamp',
  timestamp_tz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
};

/** A data type as compared: lower case, single spaces, aliases applied when asked. */
export function normalizeDataType(t: string, aliasTypes: boolean): string {
  const s = t
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),])\s*/g, '$1');
  if (!aliasTypes) return s;
  const m = /^([a-z_ ]+?)(\(.*\))?$/.exec(s);
  if (!m) return s;
  const alias = TYPE_ALIASES[m[1]!];
  return alias !== undefined ? alias + (m[2] ?? '') : s;
}

function constraintKey(c: Constraint): string {
  return json([
    c.type.toLowerCase(),
    c.expression,
    [...c.columns].map((x) => x.toLowerCase()).sort(),
  ]);
}

function isInterface(r: Resource): boolean {
  return r.resourceType === 'model' && (r.access === 'public' || r.contract?.enforced === true);
}

/** Direct consumers of `id` in `p` (tests left out), sorted. */
function consumersOf(p: Project, id: string): string[] {
  if (!p.graph.has(id)) return [];
  return p.graph
    .children(id)
    .filter((c) => !NOT_DOWNSTREAM.has(p.resources.get(c)?.resourceType ?? ''))
    .sort(cmp);
}

function fileOf(r: Resource): string | null {
  return r.patchPath ?? r.filePath;
}

function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Breaking changes to the base's public or contract-enforced models, as dbt defines them and
 * beyond (see docs/findings/breaking-change.md). `now` decides whether a removal came before
 * the model's deprecation date.
 */
export function breakingChanges(
  base: Project,
  head: Project,
  changes: ProjectChanges,
  options: { now?: Date } = {},
): BreakingChange[] {
  const now = today(options.now ?? new Date());
  const out: BreakingChange[] = [];
  const renamedTo = new Map(changes.renamed.map((r) => [r.from, r.to]));
  const removed = new Set(changes.removed);
  const b = ownResources(base);
  const h = ownResources(head);
  const push = (
    kind: BreakingKind,
    br: Resource,
    hr: Resource | null,
    change: string,
    consumers?: string[],
  ) =>
    out.push({
      kind,
      baseId: br.uniqueId,
      headId: hr?.uniqueId ?? null,
      name: br.name + (br.version !== null ? ` v${br.version}` : ''),
      change,
      consumers:
        consumers ?? (hr ? consumersOf(head, hr.uniqueId) : consumersOf(base, br.uniqueId)),
      file: hr ? fileOf(hr) : fileOf(br),
    });

  for (const br of b.values()) {
    if (!isInterface(br)) continue;
    const id = br.uniqueId;
    if (removed.has(id)) {
      if (br.deprecationDate !== null && br.deprecationDate.slice(0, 10) > now)
        push(
          'removed-before-deprecation',
          br,
          null,
          `removed before its deprecation date ${br.deprecationDate.slice(0, 10)}`,
        );
      else if (br.deprecationDate === null) push('removed', br, null, 'removed or disabled');
      continue;
    }
    const to = renamedTo.get(id);
    if (to !== undefined) {
      const hr = h.get(to)!;
      push('renamed', br, hr, `renamed to '${hr.name}' (${to})`, consumersOf(base, id));
      continue;
    }
    const hr = h.get(id);
    // One object on both sides (shared by the loads): nothing of it changed.
    if (!hr || hr === br) continue;
    const baseEnforced = br.contract?.enforced === true;
    const headEnforced = hr.contract?.enforced === true;
    if ((ACCESS_RANK[hr.access ?? ''] ?? 2) < (ACCESS_RANK[br.access ?? ''] ?? 2))
      push('access-narrowed', br, hr, `access narrowed from ${br.access} to ${hr.access}`);
    if (baseEnforced && !headEnforced)
      push('contract-not-enforced', br, hr, 'contract no longer enforced');
    if (br.materialized !== null && hr.materialized !== null && br.materialized !== hr.materialized)
      push(
        'materialization-changed',
        br,
        hr,
        `materialization changed from ${br.materialized} to ${hr.materialized}`,
      );
    const headCols = new Map(hr.columns.map((c) => [c.name.toLowerCase(), c]));
    for (const col of br.columns) {
      const hc = headCols.get(col.name.toLowerCase());
      if (!hc) {
        push('column-removed', br, hr, `column '${col.name}' removed`);
        continue;
      }
      if (!baseEnforced || !headEnforced) continue;
      const alias = hr.contract?.aliasTypes !== false;
      if (
        col.dataType !== null &&
        (hc.dataType === null ||
          normalizeDataType(col.dataType, alias) !== normalizeDataType(hc.dataType, alias))
      )
        push(
          'data-type-changed',
          br,
          hr,
          `column '${col.name}' data_type changed from ${col.dataType} to ${hc.dataType ?? '(none)'}`,
        );
      const kept = new Set(hc.constraints.map(constraintKey));
      for (const c of col.constraints)
        if (!kept.has(constraintKey(c)))
          push(
            'constraint-removed',
            br,
            hr,
            `${c.type} constraint on column '${col.name}' removed`,
          );
    }
    if (baseEnforced && headEnforced) {
      const kept = new Set(hr.constraints.map(constraintKey));
      for (const c of br.constraints)
        if (!kept.has(constraintKey(c)))
          push(
            'constraint-removed',
            br,
            hr,
            `${c.type} model constraint${c.columns.length ? ` on (${c.columns.join(', ')})` : ''} removed`,
          );
    }
  }

  // latest_version moved: consumers whose ref followed the move had an unpinned ref (they
  // depended on the old latest version in the base and depend on the new one in the head).
  const seenGroups = new Set<string>();
  const baseByName = new Map<string, Resource>();
  for (const x of b.values())
    if (x.resourceType === 'model') baseByName.set(`${x.packageName}\0${x.name}`, x);
  for (const hr of h.values()) {
    if (hr.resourceType !== 'model' || hr.version === null || hr.latestVersion === null) continue;
    const key = `${hr.packageName}\0${hr.name}`;
    if (seenGroups.has(key)) continue;
    const br = baseByName.get(key);
    if (!br || br.latestVersion === null || br.latestVersion === hr.latestVersion) continue;
    seenGroups.add(key);
    const versionId = (v: string) => `model.${hr.packageName}.${hr.name}.v${v}`;
    const oldLatest = base.resources.get(versionId(br.latestVersion));
    const newLatest = head.resources.get(versionId(hr.latestVersion));
    if (!oldLatest || !newLatest || !isInterface(oldLatest)) continue;
    const unpinned = consumersOf(base, oldLatest.uniqueId).filter((c) =>
      head.resources.get(c)?.dependsOn.includes(newLatest.uniqueId),
    );
    if (unpinned.length > 0)
      push(
        'latest-version-moved',
        oldLatest,
        newLatest,
        `latest_version moved from ${br.latestVersion} to ${hr.latestVersion} while ${unpinned.length} unpinned ref(s) follow it`,
        unpinned,
      );
  }
  return out.sort((x, y) => cmp(x.baseId, y.baseId) || cmp(x.change, y.change));
}

/** An owner value as one label: a string, an object's email or name, a list joined. */
function ownerLabel(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.trim() || null;
  if (Array.isArray(v)) {
    const parts = v.map(ownerLabel).filter((x): x is string => x !== null);
    return parts.length ? parts.join(', ') : null;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return ownerLabel(o.email) ?? ownerLabel(o.name);
  }
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : null;
}

/**
 * For each changed resource, its transitive downstream resources (tests left out, exposures
 * included) grouped by domain and owner. Removed resources are traced in the base.
 */
export function impactOf(
  changes: ProjectChanges,
  base: Project,
  head: Project,
  resolverBase: Resolver | null,
  resolverHead: Resolver | null,
): ResourceImpact[] {
  const items: Array<{ id: string; change: ResourceImpact['change']; inBase: boolean }> = [
    ...changes.added.map((id) => ({ id, change: 'added' as const, inBase: false })),
    ...changes.removed.map((id) => ({ id, change: 'removed' as const, inBase: true })),
    ...changes.renamed.map((r) => ({ id: r.from, change: 'renamed' as const, inBase: true })),
    ...changes.modified.map((m) => ({
      id: m.uniqueId,
      change: 'modified' as const,
      inBase: false,
    })),
  ];
  const out: ResourceImpact[] = [];
  for (const { id, change, inBase } of items) {
    const p = inBase ? base : head;
    const resolver = inBase ? resolverBase : resolverHead;
    if (!p.graph.has(id)) continue;
    const down = p.graph
      .downstream(id)
      .filter(
        (d) =>
          d !== id && p.resources.has(d) && !NOT_DOWNSTREAM.has(p.resources.get(d)!.resourceType),
      );
    if (down.length === 0) continue;
    const groups = new Map<string, ImpactGroup>();
    for (const d of down) {
      const r = p.resources.get(d)!;
      const domain = resolver?.domain(d)?.value ?? null;
      const owner = ownerLabel(
        resolver?.owner(d)?.value ?? (r.resourceType === 'exposure' ? r.owner : null),
      );
      const key = json([domain, owner]);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { domain, owner, count: 0, byType: {}, exposures: [] }));
      g.count++;
      g.byType[r.resourceType] = (g.byType[r.resourceType] ?? 0) + 1;
      if (r.resourceType === 'exposure') g.exposures.push(r.name);
    }
    out.push({
      uniqueId: id,
      change,
      downstream: down.length,
      groups: [...groups.values()]
        .map((g) => ({ ...g, exposures: g.exposures.sort(cmp) }))
        .sort(
          (x, y) =>
            cmp(x.domain ?? '\uffff', y.domain ?? '\uffff') || cmp(x.owner ?? '', y.owner ?? ''),
        ),
    });
  }
  return out.sort((x, y) => cmp(x.uniqueId, y.uniqueId));
}

export type ClassifiedFinding = Finding & { status: 'new' | 'existing' | 'fixed' };

/** A check result in base mode: findings carry their status; fixed ones are listed apart. */
export interface BaseModeResult extends CheckResult {
  findings: ClassifiedFinding[];
  /** Base findings the head no longer has (not counted in the summary). */
  fixed: ClassifiedFinding[];
  changes: ProjectChanges;
  impact: ResourceImpact[];
}

/** A resource's files, for telling whether a finding sits in a file a side could not parse. */
function findingInUnparsed(
  f: Finding,
  unparsed: ReadonlySet<string>,
  projects: readonly Project[],
): boolean {
  if (unparsed.size === 0) return false;
  if (f.location && unparsed.has(f.location.file)) return true;
  if (f.nodeId === undefined) return false;
  return projects.some((p) => inUnparsed(p.resources.get(f.nodeId!), unparsed));
}

/**
 * Head findings marked new or existing by fingerprint (as a multiset: two equal findings in
 * the head and one in the base make one existing and one new); base findings the head lacks
 * are `fixed`, unless they sit in a file either side could not parse. Suppressed base
 * findings are never reported as fixed.
 */
export function classifyFindings(
  baseResult: Pick<CheckResult, 'findings'>,
  headResult: Pick<CheckResult, 'findings'>,
  options: { unparsedFiles?: ReadonlySet<string>; projects?: readonly Project[] } = {},
): { findings: ClassifiedFinding[]; fixed: ClassifiedFinding[] } {
  const remaining = new Map<string, Finding[]>();
  for (const f of baseResult.findings) {
    const list = remaining.get(f.fingerprint);
    if (list) list.push(f);
    else remaining.set(f.fingerprint, [f]);
  }
  const findings = headResult.findings.map((f): ClassifiedFinding => {
    const list = remaining.get(f.fingerprint);
    if (list && list.length > 0) {
      list.shift();
      return { ...f, status: 'existing' };
    }
    return { ...f, status: 'new' };
  });
  const unparsed = options.unparsedFiles ?? new Set<string>();
  const fixed: ClassifiedFinding[] = [];
  for (const list of remaining.values())
    for (const f of list)
      if (!f.suppressed && !findingInUnparsed(f, unparsed, options.projects ?? []))
        fixed.push({ ...f, status: 'fixed' });
  return { findings, fixed };
}

/**
 * Breaking changes as `breaking-change` findings: on the head model (or, for removed models,
 * on the base model with the base file), `related` = the consumers. `severityOf` gives the
 * configured severity for the subject (null: the resource is not in the head).
 */
export function breakingFindings(
  changes: readonly BreakingChange[],
  entry: RegistryEntry,
  head: Project,
  severityOf: (resource: Resource | null) => SeverityOrOff,
  options: { base?: Project; ownerOf?: (id: string) => OwnerValue } = {},
): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  const resourceOf = (id: string) => head.resources.get(id) ?? options.base?.resources.get(id);
  const isMesh = head.projects.length > 1;
  for (const c of changes) {
    const nodeId = c.headId ?? c.baseId;
    const severity = severityOf(head.resources.get(nodeId) ?? null);
    if (severity === 'off') continue;
    const model = resourceOf(nodeId);
    const data: Record<string, string> = { name: c.name, change: c.change, kind: c.kind };
    // In a mesh, the other projects the change breaks, each with its consumers' owners.
    const projects = consumerProjects(c.consumers, model?.projectName, resourceOf, options.ownerOf);
    const messageId = projects ? 'crossProject' : 'breaking';
    if (projects) data.projects = projects;
    const identity: Record<string, unknown> = {};
    for (const k of entry.identity) identity[k] = data[k] ?? null;
    const subject = { kind: 'node' as const, id: nodeId };
    const fingerprint = fingerprintOf(entry.id, messageId, subject, c.consumers, identity);
    const f: Finding = {
      ruleId: entry.id,
      messageId,
      data,
      severity,
      message: formatMessage(
        entry.messages[messageId] ?? entry.messages.breaking ?? '{{change}}',
        data,
      ),
      nodeId,
      subject,
      fingerprint,
    };
    if (c.file !== null)
      f.location =
        isMesh && model ? { file: c.file, project: model.projectName } : { file: c.file };
    if (c.consumers.length > 0) f.related = [...c.consumers];
    const key = `${fingerprint}\0${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
  }
  return out;
}

/**
 * `finance (owner finance-data@acme.example), marketing (owners a, b)`: the projects other
 * than the model's own that consumers belong to, with their consumers' owners; null when
 * every consumer is in the model's project.
 */
function consumerProjects(
  consumers: readonly string[],
  own: string | undefined,
  resourceOf: (id: string) => Resource | undefined,
  ownerOf: ((id: string) => OwnerValue) | undefined,
): string | null {
  const byProject = new Map<string, Set<string>>();
  for (const id of consumers) {
    const r = resourceOf(id);
    if (!r || own === undefined || r.projectName === own) continue;
    let owners = byProject.get(r.projectName);
    if (!owners) byProject.set(r.projectName, (owners = new Set()));
    const owner = ownerLabel(ownerOf?.(id) ?? null);
    if (owner !== null) owners.add(owner);
  }
  if (byProject.size === 0) return null;
  return [...byProject.keys()]
    .sort(cmp)
    .map((p) => {
      const owners = [...byProject.get(p)!].sort(cmp);
      return owners.length === 0
        ? `${p} (no owner)`
        : `${p} (${owners.length === 1 ? 'owner' : 'owners'} ${owners.join(', ')})`;
    })
    .join(', ');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
