/**
 * Raw manifest entries → version-independent Resources. Absorbs the dbt quirks listed in
 * dbt-artifacts.md §1.5–1.7 and §4.1 so nothing downstream needs to know them.
 */
import type {
  Access,
  Column,
  Constraint,
  Contract,
  Group,
  Meta,
  Resource,
  ResourceType,
  TestInfo,
} from '../model.js';
import { RESOURCE_TYPES } from '../model.js';
import type { RawExposure, RawGroup, RawNode, RawOther, RawSource, RawUnitTest } from './raw-schema.js';

/**
 * Deep copy of untrusted JSON into prototype-less objects, so that keys such as
 * `__proto__` or `constructor` are plain data and can never reach Object.prototype.
 */
export function safeJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(safeJson);
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) out[key] = safeJson((value as Record<string, unknown>)[key]);
  return out;
}

export function safeMeta(value: Record<string, unknown> | null | undefined): Meta {
  return value ? (safeJson(value) as Meta) : (Object.create(null) as Meta);
}

/** `{...a, ...b}` into a prototype-less object: dbt's shallow "update" merge. */
function mergeMeta(a: Record<string, unknown> | null | undefined, b: Record<string, unknown> | null | undefined): Meta {
  const out = safeMeta(a);
  if (b) for (const key of Object.keys(b)) out[key] = safeJson(b[key]);
  return out;
}

export function toTags(...lists: Array<string | string[] | null | undefined>): string[] {
  const seen = new Set<string>();
  for (const l of lists) {
    if (l == null) continue;
    if (typeof l === 'string') seen.add(l);
    else for (const t of l) seen.add(t);
  }
  return [...seen];
}

/** Windows separators to `/`, `pkg://` prefix and `./` stripped; "" → null. */
export function normalizePath(p: string | null | undefined): string | null {
  if (p == null || p === '') return null;
  let s = p.replace(/\\/g, '/');
  const scheme = s.indexOf('://');
  if (scheme >= 0) s = s.slice(scheme + 3);
  if (s.startsWith('./')) s = s.slice(2);
  return s;
}

function text(s: unknown): string {
  return typeof s === 'string' ? s : '';
}

function toConstraint(c: {
  type: string;
  name?: string | null;
  expression?: string | null;
  columns?: string[] | null;
}): Constraint {
  return { type: c.type, name: c.name ?? null, expression: c.expression ?? null, columns: c.columns ?? [] };
}

function toColumns(columns: RawNode['columns']): Column[] {
  if (!columns) return [];
  const out: Column[] = [];
  for (const key of Object.keys(columns)) {
    const c = columns[key]!;
    out.push({
      name: c.name ?? key,
      description: text(c.description),
      dataType: c.data_type ?? null,
      constraints: (c.constraints ?? []).map(toConstraint),
      // 1.9.6–1.10.12 store column config.meta/tags apart from meta/tags: union, config wins.
      meta: mergeMeta(c.meta, c.config?.meta),
      tags: toTags(c.tags, c.config?.tags),
    });
  }
  return out;
}

/** The version string: the `v<v>` fqn suffix keeps `2.0` and `1.5` as written. */
function versionOf(raw: RawNode): string | null {
  if (raw.version == null) return null;
  const last = raw.fqn?.[raw.fqn.length - 1];
  if (last !== undefined && /^v./.test(last) && raw.unique_id.endsWith(`.${last}`)) return last.slice(1);
  return String(raw.version);
}

/** resource_type spelled as in v10+ (v6–v9 schemas spelled some with spaces). */
function resourceTypeOf(raw: string, uniqueId: string, external: boolean): ResourceType {
  // Injected nodes (dbt-loom) keep the upstream id prefix while resource_type says model.
  if (external) {
    const prefix = uniqueId.slice(0, uniqueId.indexOf('.'));
    if ((RESOURCE_TYPES as readonly string[]).includes(prefix)) return prefix as ResourceType;
  }
  const t = raw.replace(/ /g, '_');
  return (RESOURCE_TYPES as readonly string[]).includes(t) ? (t as ResourceType) : (t as ResourceType);
}

export interface NormalizeContext {
  projectName: string;
  /** Schema version of the manifest (v1–v12, or newer). */
  schemaVersion: number;
}

function base(raw: RawOther | RawNode | RawSource | RawExposure | RawUnitTest, ctx: NormalizeContext) {
  const filePath = normalizePath(raw.original_file_path);
  const external = (raw.original_file_path ?? '') === '' && (raw.path ?? '') === '';
  return {
    uniqueId: raw.unique_id,
    name: raw.name,
    packageName: raw.package_name,
    filePath,
    patchPath: normalizePath(raw.patch_path),
    fqn: raw.fqn ?? [],
    description: text(raw.description),
    // v3+: node meta mirrors config.meta; sources before 1.10.5 have no config.meta at all.
    meta: mergeMeta(raw.meta, raw.config?.meta),
    tags: toTags(raw.tags, raw.config?.tags),
    group: raw.group ?? raw.config?.group ?? null,
    dependsOn: dedupe(raw.depends_on?.nodes ?? []),
    external,
    projectName: external ? raw.package_name : ctx.projectName,
  };
}

function dedupe(ids: string[]): string[] {
  return ids.length < 2 ? ids : [...new Set(ids)];
}

function toContract(c: RawNode['contract']): Contract | null {
  if (!c) return null;
  return { enforced: c.enforced === true, aliasTypes: c.alias_types ?? true };
}

export function normalizeNode(raw: RawNode, ctx: NormalizeContext): Resource {
  const b = base(raw, ctx);
  const resourceType = resourceTypeOf(raw.resource_type, raw.unique_id, b.external);
  const isModel = resourceType === 'model';
  let access: Access | null = null;
  if (isModel) {
    // Injected nodes carry the real access on the node while config.access stays default.
    const a = raw.access ?? (raw.config?.access as Access | null | undefined);
    access = a === 'public' || a === 'private' || a === 'protected' ? a : 'protected';
  }
  let contract = toContract(raw.contract ?? raw.config?.contract);
  if (isModel && contract === null) contract = { enforced: false, aliasTypes: true };
  let test: TestInfo | null = null;
  if (resourceType === 'test') {
    test = {
      name: raw.test_metadata?.name ?? null,
      namespace: raw.test_metadata?.namespace ?? null,
      columnName: raw.column_name ?? null,
      // Resolved later from kwargs.model when the manifest has no attached_node (v1–v8).
      attachedNode: raw.attached_node ?? null,
    };
  }
  return {
    ...b,
    resourceType,
    access,
    contract,
    materialized: raw.config?.materialized ?? null,
    columns: toColumns(raw.columns),
    constraints: (raw.constraints ?? []).map(toConstraint),
    version: isModel ? versionOf(raw) : null,
    latestVersion: isModel && raw.latest_version != null ? String(raw.latest_version) : null,
    deprecationDate: isModel ? (raw.deprecation_date ?? null) : null,
    sourceName: null,
    owner: null,
    test,
  };
}

function emptyFields() {
  return {
    access: null,
    contract: null,
    materialized: null,
    columns: [] as Column[],
    constraints: [] as Constraint[],
    version: null,
    latestVersion: null,
    deprecationDate: null,
    sourceName: null,
    owner: null,
    test: null,
  };
}

export function normalizeSource(raw: RawSource, ctx: NormalizeContext): Resource {
  const b = base(raw, ctx);
  return {
    ...b,
    ...emptyFields(),
    resourceType: 'source',
    // Before dbt 1.8 node meta holds only the table's meta; the source-level meta is apart.
    meta: mergeMeta(raw.source_meta, b.meta),
    columns: toColumns(raw.columns),
    sourceName: raw.source_name,
    external: false,
  };
}

export function normalizeExposure(raw: RawExposure, ctx: NormalizeContext): Resource {
  return {
    ...base(raw, ctx),
    ...emptyFields(),
    resourceType: 'exposure',
    owner: raw.owner ? safeJson(raw.owner) : null,
    external: false,
  };
}

export function normalizeOther(raw: RawOther, type: ResourceType, ctx: NormalizeContext): Resource {
  return { ...base(raw, ctx), ...emptyFields(), resourceType: type, external: false };
}

export function normalizeUnitTest(raw: RawUnitTest, ctx: NormalizeContext): Resource {
  return {
    ...base(raw, ctx),
    ...emptyFields(),
    resourceType: 'unit_test',
    external: false,
    test: { name: null, namespace: null, columnName: null, attachedNode: null },
  };
}

export function normalizeGroup(raw: RawGroup): Group {
  return {
    uniqueId: raw.unique_id,
    name: raw.name,
    packageName: raw.package_name,
    owner: raw.owner ? (safeJson(raw.owner) as Meta) : null,
    description: text(raw.description),
    meta: safeMeta(raw.config?.meta),
    filePath: normalizePath(raw.original_file_path),
  };
}

const REF_CALL = /\bref\s*\(\s*(['"])((?:(?!\1).)*)\1\s*(?:,\s*(['"])((?:(?!\3).)*)\3\s*)?(?:,\s*(?:v|version)\s*=\s*['"]?([^'")\s]+)['"]?\s*)?\)/;
const SOURCE_CALL = /\bsource\s*\(\s*(['"])((?:(?!\1).)*)\1\s*,\s*(['"])((?:(?!\3).)*)\3\s*\)/;

/** What a generic test's `kwargs.model` points at, parsed from its Jinja. */
export type TestTarget =
  | { kind: 'ref'; package: string | null; name: string; version: string | null }
  | { kind: 'source'; sourceName: string; name: string };

export function parseTestTarget(model: unknown): TestTarget | null {
  if (typeof model !== 'string') return null;
  const r = REF_CALL.exec(model);
  if (r) {
    const two = r[4] !== undefined;
    return {
      kind: 'ref',
      package: two ? r[2]! : null,
      name: two ? r[4]! : r[2]!,
      version: r[5] ?? null,
    };
  }
  const s = SOURCE_CALL.exec(model);
  if (s) return { kind: 'source', sourceName: s[2]!, name: s[4]! };
  return null;
}

/**
 * The node a generic test is defined on, among the test's own dependencies, matched by the
 * ref/source in kwargs.model. Never the first dependency: for relationships tests that is
 * usually the `to` model.
 */
export function resolveTestTarget(
  target: TestTarget,
  dependsOn: readonly string[],
  lookup: (id: string) => Resource | undefined,
): string | null {
  let fallback: string | null = null;
  for (const id of dependsOn) {
    const r = lookup(id);
    if (!r) continue;
    if (target.kind === 'source') {
      if (r.resourceType === 'source' && r.sourceName === target.sourceName && r.name === target.name) return id;
      continue;
    }
    if (r.name !== target.name || r.resourceType === 'source') continue;
    if (target.package !== null && r.packageName !== target.package) continue;
    if (target.version !== null) {
      if (r.version === target.version || (r.version !== null && Number(r.version) === Number(target.version)))
        return id;
      continue;
    }
    // Unpinned ref to a versioned model: the latest version.
    if (r.version === null || r.version === r.latestVersion) return id;
    fallback ??= id;
  }
  return fallback;
}
