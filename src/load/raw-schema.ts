/**
 * zod schemas for the governance-relevant shape of manifest entries, across schema
 * versions v1–v12. Only the fields the loader reads are declared; every other field is
 * tolerated and dropped (zod strips unknown keys), so newer dbt versions that add fields
 * still load.
 */
import { z } from 'zod';

const str = z.string();
const optStr = z.string().nullish();
/** A JSON object (not an array, not null). Left as is: the normalizer copies it safely. */
const jsonObject = z.custom<Record<string, unknown>>(
  (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
  { message: 'expected an object' },
);
const tags = z.union([z.string(), z.array(z.string())]).nullish();
const versionValue = z.union([z.string(), z.number()]).nullish();

const contract = z
  .looseObject({
    enforced: z.boolean().nullish(),
    alias_types: z.boolean().nullish(),
  })
  .nullish();

const constraint = z.object({
  type: str,
  name: optStr,
  expression: optStr,
  columns: z.array(z.string()).nullish(),
});

const column = z.object({
  name: optStr,
  description: optStr,
  data_type: optStr,
  constraints: z.array(constraint).nullish(),
  meta: jsonObject.nullish(),
  tags: tags,
  config: z.object({ meta: jsonObject.nullish(), tags: tags }).nullish(),
});

const config = z
  .looseObject({
    meta: jsonObject.nullish(),
    tags: tags,
    group: optStr,
    access: optStr,
    contract: contract,
    materialized: optStr,
  })
  .nullish();

const dependsOn = z.object({ nodes: z.array(z.string()).nullish() }).nullish();

const common = {
  unique_id: str,
  resource_type: str,
  name: str,
  package_name: str,
  original_file_path: optStr,
  path: optStr,
  patch_path: optStr,
  fqn: z.array(z.string()).nullish(),
  description: optStr,
  meta: jsonObject.nullish(),
  tags: tags,
  config: config,
  group: optStr,
  depends_on: dependsOn,
};

export const rawNode = z.object({
  ...common,
  access: z.enum(['private', 'protected', 'public']).nullish(),
  contract: contract,
  columns: z.record(z.string(), column).nullish(),
  constraints: z.array(constraint).nullish(),
  version: versionValue,
  latest_version: versionValue,
  deprecation_date: optStr,
  test_metadata: z
    .looseObject({
      name: optStr,
      namespace: optStr,
      kwargs: jsonObject.nullish(),
    })
    .nullish(),
  attached_node: optStr,
  column_name: optStr,
});
export type RawNode = z.infer<typeof rawNode>;

export const rawSource = z.object({
  ...common,
  source_name: str,
  source_description: optStr,
  source_meta: jsonObject.nullish(),
  columns: z.record(z.string(), column).nullish(),
});
export type RawSource = z.infer<typeof rawSource>;

/** Owners keep unknown keys (e.g. `slack`): dbt serialises them inline, rules may read them. */
const ownerObject = z.looseObject({
  name: optStr,
  email: z.union([z.string(), z.array(z.string())]).nullish(),
});

export const rawExposure = z.object({
  ...common,
  owner: ownerObject.nullish(),
});
export type RawExposure = z.infer<typeof rawExposure>;

/** metrics, semantic models, saved queries, functions: node-like enough. */
export const rawOther = z.object({
  ...common,
  description: z.unknown().optional(),
});
export type RawOther = z.infer<typeof rawOther>;

export const rawUnitTest = z.object({
  ...common,
  model: optStr,
  version: versionValue,
});
export type RawUnitTest = z.infer<typeof rawUnitTest>;

export const rawGroup = z.object({
  unique_id: str,
  name: str,
  package_name: str,
  original_file_path: optStr,
  owner: ownerObject.nullish(),
  description: optStr,
  config: z.object({ meta: jsonObject.nullish() }).nullish(),
});
export type RawGroup = z.infer<typeof rawGroup>;

export const rawMetadata = z.object({
  dbt_schema_version: z.string().nullish(),
  dbt_version: z.string().nullish(),
  generated_at: z.string().nullish(),
  project_name: z.string().nullish(),
  project_id: z.string().nullish(),
  adapter_type: z.string().nullish(),
});
export type RawMetadata = z.infer<typeof rawMetadata>;

/** Formats the first zod issue as `path: message` with a JSON-path-like path. */
export function describeIssue(error: z.ZodError, base: string): string {
  const issue = error.issues[0];
  if (!issue) return `${base}: invalid value`;
  let path = base;
  for (const seg of issue.path) {
    path += typeof seg === 'number' ? `[${seg}]` : `.${String(seg)}`;
  }
  return `${path}: ${issue.message}`;
}

/*
 * Fast structural checks, equivalent to the zod schemas above for the fields they declare.
 * zod costs ~7 µs per entry, a fifth of a large manifest's load; these run first, and zod
 * runs only when one fails, to produce its message (or to accept what a check here was too
 * strict about). Keep each in step with its schema: test/load-versions and the corpus tests
 * exercise both paths.
 */
type Check = (v: unknown) => boolean;
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const nullish = (v: unknown): boolean => v === undefined || v === null;
const optString: Check = (v) => nullish(v) || typeof v === 'string';
const optObj: Check = (v) => nullish(v) || isObj(v);
const strArray = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');
const optStrArray: Check = (v) => nullish(v) || strArray(v);
const optTags: Check = (v) => nullish(v) || typeof v === 'string' || strArray(v);
const optVersion: Check = (v) => nullish(v) || typeof v === 'string' || typeof v === 'number';
const optBool: Check = (v) => nullish(v) || typeof v === 'boolean';

const optContract: Check = (v) =>
  nullish(v) || (isObj(v) && optBool(v.enforced) && optBool(v.alias_types));
const constraintOk: Check = (v) =>
  isObj(v) &&
  typeof v.type === 'string' &&
  optString(v.name) &&
  optString(v.expression) &&
  optStrArray(v.columns);
const optConstraints: Check = (v) => nullish(v) || (Array.isArray(v) && v.every(constraintOk));
const columnOk: Check = (v) =>
  isObj(v) &&
  optString(v.name) &&
  optString(v.description) &&
  optString(v.data_type) &&
  optConstraints(v.constraints) &&
  optObj(v.meta) &&
  optTags(v.tags) &&
  (nullish(v.config) || (isObj(v.config) && optObj(v.config.meta) && optTags(v.config.tags)));
const optColumns: Check = (v) => {
  if (nullish(v)) return true;
  if (!isObj(v)) return false;
  for (const k in v) if (!columnOk(v[k])) return false;
  return true;
};
const optConfig: Check = (v) =>
  nullish(v) ||
  (isObj(v) &&
    optObj(v.meta) &&
    optTags(v.tags) &&
    optString(v.group) &&
    optString(v.access) &&
    optContract(v.contract) &&
    optString(v.materialized));

function commonOk(v: Obj): boolean {
  return (
    typeof v.unique_id === 'string' &&
    typeof v.resource_type === 'string' &&
    typeof v.name === 'string' &&
    typeof v.package_name === 'string' &&
    optString(v.original_file_path) &&
    optString(v.path) &&
    optString(v.patch_path) &&
    optStrArray(v.fqn) &&
    optString(v.description) &&
    optObj(v.meta) &&
    optTags(v.tags) &&
    optConfig(v.config) &&
    optString(v.group) &&
    (nullish(v.depends_on) || (isObj(v.depends_on) && optStrArray(v.depends_on.nodes)))
  );
}

const ACCESS = new Set(['private', 'protected', 'public']);

export const fastNode: Check = (v) =>
  isObj(v) &&
  commonOk(v) &&
  (nullish(v.access) || ACCESS.has(v.access as string)) &&
  optContract(v.contract) &&
  optColumns(v.columns) &&
  optConstraints(v.constraints) &&
  optVersion(v.version) &&
  optVersion(v.latest_version) &&
  optString(v.deprecation_date) &&
  (nullish(v.test_metadata) ||
    (isObj(v.test_metadata) &&
      optString(v.test_metadata.name) &&
      optString(v.test_metadata.namespace) &&
      optObj(v.test_metadata.kwargs))) &&
  optString(v.attached_node) &&
  optString(v.column_name);

export const fastSource: Check = (v) =>
  isObj(v) &&
  commonOk(v) &&
  typeof v.source_name === 'string' &&
  optString(v.source_description) &&
  optObj(v.source_meta) &&
  optColumns(v.columns);
