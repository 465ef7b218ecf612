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
import type {
  RawExposure,
  RawGroup,
  RawNode,
  RawOther,
  RawSource,
  RawUnitTest,
} from './raw-schema.js';

/**
 * Sets `key` as an own data property. Plain assignment of `__proto__` would replace the
 * object's prototype instead; JSON.parse itself already defines such keys as data.
 */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else obj[key] = value;
}

const EMPTY: Meta = Object.freeze({});

/**
 * `{...a, ...b}`: dbt's shallow "update" merge (node meta with config.meta, config wins).
 * Objects straight from JSON.parse are shared, not copied: nothing downstream mutates them.
 */
export function mergeMeta(
  a: Record<string, unknown> | null | undefined,
  b: Record<string, unknown> | null | undefined,
): Meta {
  if (!b || isEmpty(b)) return a ?? EMPTY;
  if (!a || isEmpty(a) || sameShallow(a, b)) return b;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(a)) setOwn(out, key, a[key]);
  for (const key of Object.keys(b)) setOwn(out, key, b[key]);
  return out;
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** v3+ manifests copy config.meta into node meta: usually the same keys and values. */
function sameShallow(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    const va = a[k];
    const vb = b[k];
    if (va !== vb && JSON.stringify(va) !== JSON.stringify(vb)) return false;
  }
  return true;
}

const NO_STRINGS: string[] = [];
const NO_CONSTRAINTS: Constraint[] = [];
const NO_COLUMNS: Column[] = [];

export function toTags(
  a: string | string[] | null | undefined,
  b?: string | string[] | null,
): string[] {
  // Fast paths: most resources have one list or none.
  if (b == null || (Array.isArray(b) && b.length === 0)) {
    if (a == null) return NO_STRINGS;
    if (typeof a === 'string') return [a];
    if (a.length < 2) return a;
  }
  const seen = new Set<string>();
  for (const l of [a, b]) {
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
  return {
    type: c.type,
    name: c.name ?? null,
    expression: c.expression ?? null,
    columns: c.columns ?? [],
  };
}

function toColumns(columns: RawNode['columns']): Column[] {
  if (!columns) return NO_COLUMNS;
  const out: Column[] = [];
  for (const key of Object.keys(columns)) {
    const c = columns[key]!;
    out.push({
      name: c.name ?? key,
      description: text(c.description),
      dataType: c.data_type ?? null,
      constraints:
        c.constraints && c.constraints.length > 0
          ? c.constraints.map(toConstraint)
          : NO_CONSTRAINTS,
      // 1.9.6–1.10.12 store column config.meta/tags apart from meta/tags: union, config wins.
      meta: mergeMeta(c.meta, c.config?.meta),
      tags: toTags(c.tags, c.config?.tags),
      line: null,
    });
  }
  return out;
}

/** The version string: the `v<v>` fqn suffix keeps `2.0` and `1.5` as written. */
function versionOf(raw: RawNode): string | null {
  if (raw.version == null) return null;
  const last = raw.fqn?.[raw.fqn.length - 1];
  if (last !== undefined && /^v./.test(last) && raw.unique_id.endsWith(`.${last}`))
    return last.slice(1);
  return String(raw.version);
}

/** resource_type spelled as in v10+ (v6–v9 schemas spelled some with spaces). */
function resourceTypeOf(raw: string, uniqueId: string, external: boolean): ResourceType {
  // Injected nodes (dbt-loom) keep the upstream id prefix while resource_type says model.
  if (external) {
    const prefix = uniqueId.slice(0, uniqueId.indexOf('.'));
    if ((RESOURCE_TYPES as readonly string[]).includes(prefix)) return prefix as ResourceType;
  }
  // Unknown types (from a newer dbt) are kept under their own name.
  return (raw.includes(' ') ? raw.replace(/ /g, '_') : raw) as ResourceType;
}

export interface NormalizeContext {
  projectName: string;
}

/**
 * Every Resource is built here with all fields in one literal, so they share one hidden
 * class (object spread of a dozen fields was the loader's hot spot).
 */
function makeResource(
  raw: RawOther | RawNode | RawSource | RawExposure | RawUnitTest,
  ctx: NormalizeContext,
  resourceType: ResourceType,
  external: boolean,
  meta: Meta,
  extra: Partial<Resource>,
): Resource {
  return {
    uniqueId: raw.unique_id,
    resourceType,
    name: raw.name,
    packageName: raw.package_name,
    filePath: normalizePath(raw.original_file_path),
    patchPath: normalizePath(raw.patch_path),
    yamlPosition: null,
    fqn: raw.fqn ?? NO_STRINGS,
    description: text(raw.description),
    meta,
    tags: toTags(raw.tags, raw.config?.tags),
    group: raw.group ?? raw.config?.group ?? null,
    access: extra.access ?? null,
    contract: extra.contract ?? null,
    materialized: extra.materialized ?? null,
    columns: extra.columns ?? NO_COLUMNS,
    constraints: extra.constraints ?? NO_CONSTRAINTS,
    version: extra.version ?? null,
    latestVersion: extra.latestVersion ?? null,
    deprecationDate: extra.deprecationDate ?? null,
    dependsOn: dedupe(raw.depends_on?.nodes ?? NO_STRINGS),
    external,
    sourceName: extra.sourceName ?? null,
    owner: extra.owner ?? null,
    test: extra.test ?? null,
    projectName: external ? raw.package_name : ctx.projectName,
    checksum: checksumOf(raw),
  };
}

/** dbt's `checksum: {name: sha256, checksum}` of a file node; null for path-only checksums. */
function checksumOf(raw: object): string | null {
  const c = (raw as { checksum?: unknown }).checksum;
  if (c === null || typeof c !== 'object') return null;
  const { name, checksum } = c as { name?: unknown; checksum?: unknown };
  return name === 'sha256' && typeof checksum === 'string' && checksum !== '' ? checksum : null;
}

/** Injected cross-project nodes have neither original_file_path nor path. */
function isExternal(raw: { original_file_path?: string | null; path?: string | null }): boolean {
  return (raw.original_file_path ?? '') === '' && (raw.path ?? '') === '';
}

function dedupe(ids: string[]): string[] {
  return ids.length < 2 ? ids : [...new Set(ids)];
}

function toContract(c: RawNode['contract']): Contract | null {
  if (!c) return null;
  return { enforced: c.enforced === true, aliasTypes: c.alias_types ?? true };
}

export function normalizeNode(raw: RawNode, ctx: NormalizeContext): Resource {
  const external = isExternal(raw);
  const resourceType = resourceTypeOf(raw.resource_type, raw.unique_id, external);
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
  // v3+: node meta mirrors config.meta (config wins when they differ).
  return makeResource(raw, ctx, resourceType, external, mergeMeta(raw.meta, raw.config?.meta), {
    access,
    contract,
    materialized: raw.config?.materialized ?? null,
    columns: toColumns(raw.columns),
    constraints:
      raw.constraints && raw.constraints.length > 0
        ? raw.constraints.map(toConstraint)
        : NO_CONSTRAINTS,
    version: isModel ? versionOf(raw) : null,
    latestVersion: isModel && raw.latest_version != null ? String(raw.latest_version) : null,
    deprecationDate: isModel ? (raw.deprecation_date ?? null) : null,
    test,
  });
}

export function normalizeSource(raw: RawSource, ctx: NormalizeContext): Resource {
  // Before dbt 1.8 node meta holds only the table's meta; the source-level meta is apart.
  const meta = mergeMeta(raw.source_meta, mergeMeta(raw.meta, raw.config?.meta));
  return makeResource(raw, ctx, 'source', false, meta, {
    columns: toColumns(raw.columns),
    sourceName: raw.source_name,
  });
}

export function normalizeExposure(raw: RawExposure, ctx: NormalizeContext): Resource {
  return makeResource(raw, ctx, 'exposure', false, mergeMeta(raw.meta, raw.config?.meta), {
    owner: raw.owner ?? null,
  });
}

export function normalizeOther(raw: RawOther, type: ResourceType, ctx: NormalizeContext): Resource {
  return makeResource(raw, ctx, type, false, mergeMeta(raw.meta, raw.config?.meta), {});
}

export function normalizeUnitTest(raw: RawUnitTest, ctx: NormalizeContext): Resource {
  return makeResource(raw, ctx, 'unit_test', false, mergeMeta(raw.meta, raw.config?.meta), {
    test: { name: null, namespace: null, columnName: null, attachedNode: null },
  });
}

export function normalizeGroup(raw: RawGroup): Group {
  return {
    uniqueId: raw.unique_id,
    name: raw.name,
    packageName: raw.package_name,
    owner: raw.owner ?? null,
    description: text(raw.description),
    meta: raw.config?.meta ?? EMPTY,
    filePath: normalizePath(raw.original_file_path),
  };
}

const REF_CALL =
  /\bref\s*\(\s*(['"])((?:(?!\1).)*)\1\s*(?:,\s*(['"])((?:(?!\3).)*)\3\s*)?(?:,\s*(?:v|version)\s*=\s*['"]?([^'")\s]+)['"]?\s*)?\)/;
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
      if (
        r.resourceType === 'source' &&
        r.sourceName === target.sourceName &&
        r.name === target.name
      )
        return id;
      continue;
    }
    if (r.name !== target.name || r.resourceType === 'source') continue;
    if (target.package !== null && r.packageName !== target.package) continue;
    if (target.version !== null) {
      if (
        r.version === target.version ||
        (r.version !== null && Number(r.version) === Number(target.version))
      )
        return id;
      continue;
    }
    // Unpinned ref to a versioned model: the latest version.
    if (r.version === null || r.version === r.latestVersion) return id;
    fallback ??= id;
  }
  return fallback;
}
