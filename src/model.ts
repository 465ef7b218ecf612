/**
 * The version-independent project model. Everything downstream of `load` sees only these
 * types: no dbt schema version, no raw manifest shapes.
 */

/** dbt's resource_type strings, as they appear in manifests (v10+ spelling). */
export type ResourceType =
  | 'model'
  | 'seed'
  | 'snapshot'
  | 'source'
  | 'exposure'
  | 'metric'
  | 'semantic_model'
  | 'saved_query'
  | 'test'
  | 'unit_test'
  | 'analysis'
  | 'function'
  | 'operation'
  | 'sql_operation';

export const RESOURCE_TYPES: readonly ResourceType[] = [
  'model',
  'seed',
  'snapshot',
  'source',
  'exposure',
  'metric',
  'semantic_model',
  'saved_query',
  'test',
  'unit_test',
  'analysis',
  'function',
  'operation',
  'sql_operation',
];

export type Access = 'public' | 'protected' | 'private';

/** A JSON-like map read from untrusted input. Always a prototype-less object. */
export type Meta = Record<string, unknown>;

export interface Constraint {
  type: string;
  name: string | null;
  expression: string | null;
  /** Model-level constraints only: the columns they cover. */
  columns: string[];
}

export interface Column {
  name: string;
  description: string;
  dataType: string | null;
  constraints: Constraint[];
  meta: Meta;
  tags: string[];
  /** Line of the column's entry in its YAML file, when read from source; null otherwise. */
  line?: number | null;
}

export interface Contract {
  enforced: boolean;
  aliasTypes: boolean;
}

/**
 * An owner as declared: exposure and group owners are objects ({name, email, …extra}),
 * meta owners are usually strings (an e-mail or a handle), sometimes lists or objects.
 */
export type OwnerValue = unknown;

export interface TestInfo {
  /** Generic test macro name without the `test_` prefix (not_null, relationships); null for singular tests. */
  name: string | null;
  namespace: string | null;
  columnName: string | null;
  /** unique_id of the node the test is defined on, when it can be known. */
  attachedNode: string | null;
}

export interface Resource {
  uniqueId: string;
  resourceType: ResourceType;
  name: string;
  /** dbt package the resource belongs to (package_name). */
  packageName: string;
  /** original_file_path with `/` separators; null for external (injected) nodes and when unknown. */
  filePath: string | null;
  /** YAML file that documented the resource, `pkg://` stripped, `/` separators; null when none. */
  patchPath: string | null;
  /** Position of the resource's `- name:` item in `patchPath`, when read from source; else null. */
  yamlPosition?: { line: number; column: number } | null;
  fqn: string[];
  description: string;
  /** node meta and config.meta combined as dbt does (config wins). */
  meta: Meta;
  tags: string[];
  group: string | null;
  /** Models only; `protected` when the manifest predates access (v1–v8). null for other types. */
  access: Access | null;
  contract: Contract | null;
  materialized: string | null;
  columns: Column[];
  constraints: Constraint[];
  /** Models only; string form of the version (taken from the unique_id when possible). */
  version: string | null;
  latestVersion: string | null;
  deprecationDate: string | null;
  /** unique_ids this resource depends on (deduplicated, in manifest order). */
  dependsOn: string[];
  /** Injected cross-project node (empty original_file_path and path). */
  external: boolean;
  /** Sources only. */
  sourceName: string | null;
  /** Exposures only: the owner object as declared. */
  owner: OwnerValue;
  /** Tests and unit tests only. */
  test: TestInfo | null;
  /** Name of the dbt project (root of the manifest) this resource was loaded from. */
  projectName: string;
  /**
   * sha256 of the resource's file as dbt records it (`checksum.checksum`; source mode hashes
   * the file the same way); null when unknown (YAML-defined resources, placeholders).
   */
  checksum?: string | null;
}

export interface Group {
  uniqueId: string;
  name: string;
  packageName: string;
  owner: Meta | null;
  description: string;
  meta: Meta;
  filePath: string | null;
}

export type InputKind = 'manifest' | 'source';

/**
 * One YAML selector (dbt's `selectors.yml` entry, or manifest.json `selectors[name]`).
 * `definition` is untrusted and checked when the selector is used. `default` is a boolean,
 * or a Jinja expression (a string) that dbt-steward cannot render and reads as not default.
 */
export interface ManifestSelector {
  name?: string;
  definition: unknown;
  default?: boolean | string;
  description?: string;
}

/** YAML selectors by name, as manifest.json stores them. A prototype-less object. */
export type ManifestSelectors = Record<string, ManifestSelector>;

/** One loaded input (a manifest, later a project tree). */
export interface ProjectInfo {
  name: string;
  schemaVersion: number;
  dbtVersion: string;
  generatedAt: string | null;
  input: InputKind;
  /** The file that was read. */
  path: string;
  /** The dbt project directory, when known (the folder above target/). */
  rootDir: string | null;
  /** Per resource_type counts of the resources this input contributed. */
  counts: Partial<Record<ResourceType, number>>;
  /**
   * Source mode: files that could not be parsed (relative to rootDir). What they define is
   * unknown: a comparison with a base must not count their resources as fixed or removed.
   */
  unparsedFiles?: string[];
  /** The manifest's YAML selectors (`selectors`); null when it has none. */
  selectors: ManifestSelectors | null;
}

/**
 * A fault found while loading (source mode): reported as a finding of the registry id it
 * names (`parse-error`, `ref-unresolved`, `orphan-properties`, …), not as a crash.
 */
export interface LoadDiagnostic {
  id: string;
  messageId: string;
  data: Record<string, string | number | boolean | null>;
  /** The resource it is about, when there is one. */
  nodeId?: string;
  /** Relative to the project directory. */
  file: string;
  line?: number;
  column?: number;
  /** The dbt project `file` belongs to, in a run over several projects (a mesh). */
  project?: string;
}

export interface LoadWarning {
  file: string;
  message: string;
}
