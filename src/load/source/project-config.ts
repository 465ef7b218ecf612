/**
 * dbt_project.yml and dbt's config precedence, as pure functions over already-parsed YAML.
 *
 * The rules follow ../shared/docs/dbt-artifacts.md §3.1–3.5 and §4, which were read from
 * dbt-core's `context_config.py`, `parser/base.py`, `parser/schemas.py` and dbt-common's
 * `contracts/config/base.py`:
 *
 * - a node's config is built from, lowest first: the resource type's defaults, its own package's
 *   `dbt_project.yml` tree walked along its fqn, its properties-YAML `config:` (a version's
 *   `config:` deep-merged over its model's first), its SQL `config()` calls in order, and — for
 *   a node of an installed package only — the root project's tree for the same fqn;
 * - each later value is merged per key: append (`tags`, hooks, `packages`), shallow update
 *   (`meta`, `docs`, `contract`, `quoting`, `column_types`), per-privilege append (`grants`),
 *   clobber (everything else).
 *
 * Inputs are untrusted YAML values: nothing here assigns `__proto__` (keys of that name are
 * dropped), every object built here has a null prototype, and inputs are never mutated.
 */
import { InputError } from '../../errors.js';
import { nullObject } from './yaml.js';

/** The resource config trees of `dbt_project.yml` (`tests:` is read as `data_tests`). */
export type ConfigTreeKey =
  | 'models'
  | 'seeds'
  | 'snapshots'
  | 'sources'
  | 'data_tests'
  | 'unit_tests'
  | 'analyses'
  | 'exposures'
  | 'metrics'
  | 'semantic-models'
  | 'saved-queries';

/** The resource types whose config effectiveConfig computes. */
export type ConfigResourceType =
  | 'model'
  | 'seed'
  | 'snapshot'
  | 'source'
  | 'test'
  | 'unit_test'
  | 'analysis'
  | 'exposure'
  | 'metric'
  | 'semantic_model'
  | 'saved_query';

export interface DbtProjectFile {
  name: string;
  /** The project's own version (`version:`), as written; null when absent. */
  version: string | null;
  profile: string | null;
  modelPaths: string[];
  seedPaths: string[];
  snapshotPaths: string[];
  analysisPaths: string[];
  testPaths: string[];
  macroPaths: string[];
  /** dbt 1.11 UDFs; properties YAML is read from these folders too. */
  functionPaths: string[];
  /** null when not configured: dbt then uses every resource path above. */
  docsPaths: string[] | null;
  /**
   * `packages-install-path`, or `dbt_packages` when it is not configured. When it is not
   * (`packagesInstallPathExplicit` false) and only a `dbt_modules/` folder exists, very old
   * projects installed there: the assembler checks the disk.
   */
  packagesInstallPath: string;
  packagesInstallPathExplicit: boolean;
  /** Top-level `vars`: global ones, and per-package ones under a package's name (see varsFor). */
  vars: Record<string, unknown>;
  /** The raw config trees (`tests` legacy key mapped to data_tests). */
  trees: Partial<Record<ConfigTreeKey, unknown>>;
  dispatch?: unknown;
  restrictAccess: boolean;
  /** `require-dbt-version` as a list of range strings; null when absent. */
  requireDbtVersion: string[] | null;
  /** `flags:` (behaviour flags such as require_generic_test_arguments_property). */
  flags: Record<string, unknown>;
  /** Things dbt accepts with a deprecation warning or that were ignored here; one line each. */
  warnings: string[];
}

/** dbt_project.yml is unusable: one line naming the key and the fix. */
export class ProjectFileError extends InputError {
  constructor(message: string, file?: string) {
    super(message, file);
    this.name = 'ProjectFileError';
  }
}

// ---------------------------------------------------------------------------------------------
// Untrusted-value helpers

type Dict = Record<string, unknown>;

/** A YAML mapping (Python `isinstance(v, dict)`): a non-null, non-array, non-Date object. */
export function isMapping(value: unknown): value is Dict {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)
  );
}

function dict(): Dict {
  return nullObject(); // fast properties, unlike Object.create(null)
}

/**
 * Object.assign() for the plain values here (own string keys, no symbols, no setters): a
 * loop is several times quicker into a null-prototype object, built for every node.
 */
function assignInto(target: Dict, src: Dict): Dict {
  for (const key of Object.keys(src)) target[key] = src[key];
  return target;
}

/** Own enumerable string keys, never `__proto__`. */
function keysOf(obj: Dict): string[] {
  const keys = Object.keys(obj);
  // Called for every layer, config and value merged: no second array unless there is one.
  return keys.includes('__proto__') ? keys.filter((k) => k !== '__proto__') : keys;
}

function has(obj: Dict, key: string): boolean {
  return key !== '__proto__' && Object.hasOwn(obj, key);
}

function get(obj: Dict, key: string): unknown {
  return has(obj, key) ? obj[key] : undefined;
}

/**
 * A deep copy with null-prototype objects and no `__proto__` keys. Shared references (YAML
 * aliases) stay shared and cycles are kept, not followed forever.
 */
export function cloneValue<T>(value: T): T {
  // Scalars (most values merged) need no copy, nor a Map to track shared references.
  if (value === null || typeof value !== 'object') return value;
  return cloneInner(value, new Map()) as T;
}

function cloneInner(value: unknown, seen: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value as unknown[]) out.push(cloneInner(item, seen));
    return out;
  }
  const out = dict();
  seen.set(value, out);
  const src = value as Dict;
  for (const key of keysOf(src)) out[key] = cloneInner(src[key], seen);
  return out;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return String(value);
  return typeName(value);
}

/** Python truthiness of a YAML value. */
function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '')
    return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isMapping(value)) return keysOf(value).length > 0;
  return true;
}

// ---------------------------------------------------------------------------------------------
// readDbtProject

/** dbt's project-name pattern `^[^\d\W]\w*$` with Python's Unicode `\w` (letters, numbers, `_`). */
const PROJECT_NAME = /^[\p{L}\p{Nl}\p{No}_][\p{L}\p{N}_]*$/u;

const TREE_KEYS: ReadonlyArray<ConfigTreeKey> = [
  'models',
  'seeds',
  'snapshots',
  'sources',
  'data_tests',
  'unit_tests',
  'analyses',
  'exposures',
  'metrics',
  'semantic-models',
  'saved-queries',
];

function readPaths(
  obj: Dict,
  key: string,
  file: string,
  fallback: string[] | null,
  legacyKey?: string,
): string[] | null {
  // dbt: `model_paths = value_or(cfg.model_paths if "model-paths" in project else cfg.source_paths, ["models"])`
  const used = legacyKey !== undefined && !has(obj, key) ? legacyKey : key;
  const raw = get(obj, used);
  if (raw === undefined || raw === null) return fallback;
  if (!Array.isArray(raw)) {
    throw new ProjectFileError(
      `${file}: "${used}" must be a list of folder names, e.g. ${used}: ["${fallback?.[0] ?? 'docs'}"]; got ${typeName(raw)}`,
      file,
    );
  }
  const out: string[] = [];
  for (const item of raw as unknown[]) {
    if (typeof item !== 'string' || item.trim() === '') {
      throw new ProjectFileError(
        `${file}: "${used}" must list folder names as non-empty strings; found ${show(item)} — quote it or remove it`,
        file,
      );
    }
    out.push(item);
  }
  return out;
}

/**
 * Reads dbt_project.yml's parsed value; throws ProjectFileError (one line, names the key and
 * the fix) on a missing/invalid name or malformed paths. Legacy keys: source-paths, data-paths.
 */
export function readDbtProject(value: unknown, file: string): DbtProjectFile {
  if (!isMapping(value)) {
    throw new ProjectFileError(
      `${file}: expected a mapping of project settings (name:, model-paths:, …); got ${value === undefined ? 'nothing' : typeName(value)}`,
      file,
    );
  }
  const warnings: string[] = [];

  const name = get(value, 'name');
  if (name === undefined || name === null || name === '') {
    throw new ProjectFileError(
      `${file}: "name" is missing; add the project name, e.g. name: my_project (letters, digits and underscores)`,
      file,
    );
  }
  if (typeof name !== 'string' || !PROJECT_NAME.test(name)) {
    const jinja = typeof name === 'string' && /\{[{%]/.test(name);
    throw new ProjectFileError(
      `${file}: "name" must be letters, digits and underscores, not starting with a digit; got ${show(name)}` +
        (jinja
          ? ' (a Jinja expression cannot be evaluated without dbt: write the name itself)'
          : ''),
      file,
    );
  }

  const configVersion = get(value, 'config-version');
  if (configVersion !== undefined && configVersion !== null && configVersion !== 2) {
    throw new ProjectFileError(
      `${file}: "config-version" must be 2 (dbt 0.17+ projects); got ${show(configVersion)} — set config-version: 2 or remove it`,
      file,
    );
  }

  for (const [legacy, current] of [
    ['source-paths', 'model-paths'],
    ['data-paths', 'seed-paths'],
  ] as const) {
    if (has(value, legacy)) {
      if (has(value, current)) {
        throw new ProjectFileError(
          `${file}: "${legacy}" and "${current}" cannot both be set; "${legacy}" is the old name of "${current}": keep only "${current}"`,
          file,
        );
      }
      warnings.push(`"${legacy}" is deprecated (dbt 1.0+): rename it to "${current}"`);
    }
  }

  const modelPaths = readPaths(value, 'model-paths', file, ['models'], 'source-paths') ?? [];
  const seedPaths = readPaths(value, 'seed-paths', file, ['seeds'], 'data-paths') ?? [];
  const snapshotPaths = readPaths(value, 'snapshot-paths', file, ['snapshots']) ?? [];
  const analysisPaths = readPaths(value, 'analysis-paths', file, ['analyses']) ?? [];
  const testPaths = readPaths(value, 'test-paths', file, ['tests']) ?? [];
  const macroPaths = readPaths(value, 'macro-paths', file, ['macros']) ?? [];
  const functionPaths = readPaths(value, 'function-paths', file, ['functions']) ?? [];
  const docsPaths = readPaths(value, 'docs-paths', file, null);

  const installRaw = get(value, 'packages-install-path');
  let packagesInstallPath = 'dbt_packages';
  let packagesInstallPathExplicit = false;
  if (installRaw !== undefined && installRaw !== null) {
    if (typeof installRaw !== 'string' || installRaw.trim() === '') {
      throw new ProjectFileError(
        `${file}: "packages-install-path" must be a folder name, e.g. packages-install-path: dbt_packages; got ${show(installRaw)}`,
        file,
      );
    }
    packagesInstallPath = installRaw;
    packagesInstallPathExplicit = true;
  }

  const versionRaw = get(value, 'version');
  const version =
    typeof versionRaw === 'string' || typeof versionRaw === 'number' ? String(versionRaw) : null;
  const profileRaw = get(value, 'profile');
  const profile = typeof profileRaw === 'string' ? profileRaw : null;

  const varsRaw = get(value, 'vars');
  let vars = dict();
  if (isMapping(varsRaw)) vars = cloneValue(varsRaw);
  else if (varsRaw !== undefined && varsRaw !== null)
    warnings.push(`"vars" must be a mapping; got ${typeName(varsRaw)}, ignored`);

  const trees: Partial<Record<ConfigTreeKey, unknown>> = Object.create(null) as Partial<
    Record<ConfigTreeKey, unknown>
  >;
  if (has(value, 'tests') && has(value, 'data_tests')) {
    throw new ProjectFileError(
      `${file}: "tests" and "data_tests" cannot both be set; "tests" is the old name of "data_tests": merge them under "data_tests"`,
      file,
    );
  }
  for (const key of TREE_KEYS) {
    let source: string = key;
    if (key === 'data_tests' && !has(value, 'data_tests') && has(value, 'tests')) {
      source = 'tests';
      warnings.push('"tests" is deprecated (dbt 1.8+): rename it to "data_tests"');
    }
    const tree = get(value, source);
    if (tree === undefined || tree === null) continue;
    if (!isMapping(tree)) {
      warnings.push(
        `"${source}" must be a mapping of configs and folders; got ${typeName(tree)}, ignored`,
      );
      continue;
    }
    trees[key] = cloneValue(tree);
  }

  const reqRaw = get(value, 'require-dbt-version');
  let requireDbtVersion: string[] | null = null;
  if (typeof reqRaw === 'string' || typeof reqRaw === 'number')
    requireDbtVersion = [String(reqRaw)];
  else if (Array.isArray(reqRaw))
    requireDbtVersion = (reqRaw as unknown[])
      .filter((v) => typeof v === 'string' || typeof v === 'number')
      .map(String);

  const flagsRaw = get(value, 'flags');
  const restrict = get(value, 'restrict-access');

  const result: DbtProjectFile = {
    name,
    version,
    profile,
    modelPaths,
    seedPaths,
    snapshotPaths,
    analysisPaths,
    testPaths,
    macroPaths,
    functionPaths,
    docsPaths,
    packagesInstallPath,
    packagesInstallPathExplicit,
    vars,
    trees,
    restrictAccess: restrict === true,
    requireDbtVersion,
    flags: isMapping(flagsRaw) ? cloneValue(flagsRaw) : dict(),
    warnings,
  };
  if (has(value, 'dispatch')) result.dispatch = cloneValue(get(value, 'dispatch'));
  return result;
}

// ---------------------------------------------------------------------------------------------
// Config trees

/**
 * The tree of dbt_project.yml that configures a resource type. Analyses are configured under
 * `models:` — dbt-core's config generator has no branch for them (`get_resource_configs`), so
 * an `analyses:` tree is accepted but has no effect.
 */
export function treeKeyFor(resourceType: ConfigResourceType): ConfigTreeKey {
  switch (resourceType) {
    case 'seed':
      return 'seeds';
    case 'snapshot':
      return 'snapshots';
    case 'source':
      return 'sources';
    case 'test':
      return 'data_tests';
    case 'unit_test':
      return 'unit_tests';
    case 'exposure':
      return 'exposures';
    case 'metric':
      return 'metrics';
    case 'semantic_model':
      return 'semantic-models';
    case 'saved_query':
      return 'saved-queries';
    default:
      return 'models';
  }
}

/** The configs written at one level of a tree: `+key` (the `+` and surrounding blanks stripped) and non-mapping keys. */
function levelConfig(level: Dict): Dict {
  const out = dict();
  for (const key of keysOf(level)) {
    const value = level[key];
    if (key.startsWith('+')) {
      const name = key.slice(1).trim();
      if (name !== '' && name !== '__proto__') out[name] = cloneValue(value);
    } else if (!isMapping(value)) {
      // A key without `+` is a config only when its value is not a mapping: `tags: [a]` and
      // `materialized: table` work, `meta: {…}` is silently a folder named "meta".
      out[key] = cloneValue(value);
    }
  }
  return out;
}

/**
 * The config layers a node gets from one project's tree, walking `fqn` level by level (root
 * level, then package/project level, then each directory, then the node name), stopping at
 * the first missing level; each layer is the `+key`/non-mapping keys at that level, `+`
 * stripped. A tree that is not a mapping gives no layer.
 */
export function treeLayers(tree: unknown, fqn: readonly string[]): Array<Record<string, unknown>> {
  return walkTree(tree, fqn, levelConfig);
}

function walkTree(tree: unknown, fqn: readonly string[], config: (level: Dict) => Dict): Dict[] {
  if (!isMapping(tree)) return [];
  const layers: Dict[] = [config(tree)];
  let level: Dict = tree;
  for (const part of fqn) {
    const next = get(level, part);
    if (!isMapping(next)) break;
    layers.push(config(next));
    level = next;
  }
  return layers;
}

/**
 * levelConfig() once per tree level: every node of a folder reads the same levels. Only for
 * mergeInto(), which copies whatever it keeps, so a shared layer is never changed.
 */
const levelConfigs = new WeakMap<Dict, Dict>();

function sharedLevelConfig(level: Dict): Dict {
  let config = levelConfigs.get(level);
  if (config === undefined) {
    config = levelConfig(level);
    levelConfigs.set(level, config);
  }
  return config;
}

// ---------------------------------------------------------------------------------------------
// Merging

const APPEND_KEYS = new Set(['tags', 'pre-hook', 'post-hook', 'packages']);
const UPDATE_KEYS = new Set(['meta', 'docs', 'contract', 'quoting', 'column_types']);
const DICT_KEY_APPEND_KEYS = new Set(['grants']);

/** dbt's `_listify`: a list is copied, anything else wrapped. */
function listify(value: unknown): unknown[] {
  return Array.isArray(value)
    ? (value as unknown[]).map((v) => cloneValue(v))
    : [cloneValue(value)];
}

/**
 * A layer with dbt's hook-name translation (`pre_hook` → `pre-hook`, `post_hook` →
 * `post-hook`; the underscore spelling wins inside one layer, as `translate_hook_names` does).
 */
function translateHooks(layer: Dict): Dict {
  // Most layers have no underscore hook names: nothing to translate, no copy.
  if (!has(layer, 'pre_hook') && !has(layer, 'post_hook')) return layer;
  const out = dict();
  for (const key of keysOf(layer)) {
    if (
      (key === 'pre-hook' && has(layer, 'pre_hook')) ||
      (key === 'post-hook' && has(layer, 'post_hook'))
    )
      continue;
    const name = key === 'pre_hook' ? 'pre-hook' : key === 'post_hook' ? 'post-hook' : key;
    out[name] = layer[key];
  }
  return out;
}

/** Merges one layer into `result` (mutated) with dbt's per-key behaviour. */
function mergeInto(
  result: Dict,
  layer: Dict,
  label: string | (() => string),
  problems: string[] | undefined,
): void {
  // A label is only for problems: built when there is one (rare), not for every node.
  const where = (): string => (typeof label === 'string' ? label : label());
  const translated = translateHooks(layer);
  for (const key of keysOf(translated)) {
    const next = translated[key];
    if (APPEND_KEYS.has(key)) {
      if (next === null || next === undefined) {
        problems?.push(
          `${where()}: ${key} is null; dbt cannot parse this (give a list or remove the key), ignored`,
        );
        continue;
      }
      const prev = get(result, key);
      result[key] = [...(prev === undefined ? [] : listify(prev)), ...listify(next)];
    } else if (UPDATE_KEYS.has(key)) {
      if (!isMapping(next)) {
        problems?.push(
          `${where()}: ${key} must be a mapping, got ${typeName(next)}; dbt cannot parse this, ignored`,
        );
        continue;
      }
      const prev = get(result, key);
      const merged = isMapping(prev) ? cloneValue(prev) : dict();
      for (const k of keysOf(next)) merged[k] = cloneValue(next[k]);
      result[key] = merged;
    } else if (DICT_KEY_APPEND_KEYS.has(key)) {
      if (!isMapping(next)) {
        problems?.push(
          `${where()}: ${key} must be a mapping of privilege to grantees, got ${typeName(next)}; ignored`,
        );
        continue;
      }
      const prev = get(result, key);
      const merged = dict();
      if (isMapping(prev)) for (const k of keysOf(prev)) merged[k] = listify(prev[k]);
      for (const rawKey of keysOf(next)) {
        // `+select: [...]` extends the privilege's grantees, `select: [...]` replaces them.
        const extend = rawKey.startsWith('+');
        const privilege = extend ? rawKey.replace(/^\++/, '') : rawKey;
        if (privilege === '__proto__') continue;
        const current = get(merged, privilege);
        if (extend && Array.isArray(current))
          merged[privilege] = [...(current as unknown[]), ...listify(next[rawKey])];
        else merged[privilege] = listify(next[rawKey]);
      }
      result[key] = merged;
    } else {
      result[key] = cloneValue(next);
    }
  }
}

/**
 * dbt's merge of config layers (lowest first): append (tags, pre-hook, post-hook, packages;
 * scalars wrapped), shallow update (meta, docs, contract, quoting, column_types), per-privilege
 * append for grants (`+` keys extend), clobber for the rest. `pre_hook`/`post_hook` are read as
 * `pre-hook`/`post-hook`. A value dbt would refuse (a null tags, a non-mapping meta…) is left
 * out and described in `problems` when given.
 */
export function mergeConfigs(
  layers: ReadonlyArray<Record<string, unknown>>,
  problems?: string[],
): Record<string, unknown> {
  const result = dict();
  layers.forEach((layer, i) => {
    if (isMapping(layer)) mergeInto(result, layer, `config layer ${i + 1}`, problems);
  });
  return result;
}

/**
 * dbt's `deep_merge(model.config, version.config)` for a versioned model: mappings merge
 * recursively, a list is put before the model's value (`list(version) + list(model)`, so the
 * version's tags come first), anything else replaces. A non-list model value is turned into a
 * list the way Python's `list()` does it (a string into its characters), as dbt does.
 */
export function mergeVersionConfig(
  modelConfig: Record<string, unknown> | null | undefined,
  versionConfig: Record<string, unknown> | null | undefined,
): Record<string, unknown> {
  const dest = isMapping(modelConfig) ? cloneValue(modelConfig) : dict();
  if (isMapping(versionConfig)) deepMergeInto(dest, versionConfig);
  return dest;
}

function pythonList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value as unknown[];
  if (typeof value === 'string') return Array.from(value);
  if (isMapping(value)) return keysOf(value);
  return value === null || value === undefined ? [] : [value];
}

function deepMergeInto(dest: Dict, src: Dict): void {
  for (const key of keysOf(src)) {
    const value = src[key];
    if (isMapping(value)) {
      const node = get(dest, key);
      const target = isMapping(node) ? node : dict();
      deepMergeInto(target, value);
      dest[key] = target;
    } else if (Array.isArray(value)) {
      dest[key] = has(dest, key)
        ? [...cloneValue(value as unknown[]), ...pythonList(get(dest, key))]
        : cloneValue(value);
    } else {
      dest[key] = cloneValue(value);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Defaults and effective config

/** The fields of dbt's NodeConfig with their defaults (models, seeds, snapshots, analyses). */
function nodeConfigDefaults(): Dict {
  return assignInto(dict(), {
    enabled: true,
    alias: null,
    schema: null,
    database: null,
    tags: [],
    meta: dict(),
    group: null,
    materialized: 'view',
    incremental_strategy: null,
    batch_size: null,
    lookback: 1,
    begin: null,
    persist_docs: dict(),
    'post-hook': [],
    'pre-hook': [],
    quoting: dict(),
    column_types: dict(),
    full_refresh: null,
    unique_key: null,
    on_schema_change: 'ignore',
    on_configuration_change: 'apply',
    grants: dict(),
    packages: [],
    docs: assignInto(dict(), { show: true, node_color: null }),
    contract: assignInto(dict(), { enforced: false, alias_types: true }),
    event_time: null,
    concurrent_batches: null,
  });
}

/**
 * The defaults of a resource type's config class (dbt 1.11: ModelConfig, SeedConfig,
 * SnapshotConfig, NodeConfig for analyses, TestConfig, UnitTestConfig, SourceConfig,
 * ExposureConfig, MetricConfig, SemanticModelConfig, SavedQueryConfig), adapter-specific
 * fields left out.
 */
export function configDefaults(resourceType: ConfigResourceType): Record<string, unknown> {
  switch (resourceType) {
    case 'model':
      return assignInto(nodeConfigDefaults(), { access: 'protected' });
    case 'analysis':
      return nodeConfigDefaults();
    case 'seed':
      return assignInto(nodeConfigDefaults(), {
        materialized: 'seed',
        delimiter: ',',
        quote_columns: null,
      });
    case 'snapshot':
      return assignInto(nodeConfigDefaults(), {
        materialized: 'snapshot',
        strategy: null,
        target_schema: null,
        target_database: null,
        updated_at: null,
        check_cols: null,
      });
    case 'test':
      return assignInto(dict(), {
        enabled: true,
        alias: null,
        schema: 'dbt_test__audit',
        database: null,
        tags: [],
        meta: dict(),
        group: null,
        materialized: 'test',
        severity: 'ERROR',
        store_failures: null,
        store_failures_as: null,
        where: null,
        limit: null,
        fail_calc: 'count(*)',
        warn_if: '!= 0',
        error_if: '!= 0',
      });
    case 'unit_test':
      return assignInto(dict(), { tags: [], meta: dict(), enabled: true });
    case 'source':
      return assignInto(dict(), {
        enabled: true,
        event_time: null,
        loaded_at_field: null,
        loaded_at_query: null,
        meta: dict(),
        tags: [],
      });
    case 'exposure':
      return assignInto(dict(), { enabled: true, tags: [], meta: dict() });
    case 'metric':
    case 'semantic_model':
      return assignInto(dict(), { enabled: true, group: null, meta: dict() });
    case 'saved_query':
      return assignInto(dict(), {
        enabled: true,
        group: null,
        meta: dict(),
        export_as: null,
        schema: null,
      });
  }
}

function treeLabel(
  project: DbtProjectFile,
  treeKey: ConfigTreeKey,
  fqn: readonly string[],
  depth: number,
): string {
  return `dbt_project.yml of ${project.name}, ${[treeKey, ...fqn.slice(0, depth)].join('.')}`;
}

/**
 * The defaults of a resource type merged with its own project's tree along `fqn`: the first
 * steps of effectiveConfig(). Every node of a folder walks the same tree levels, so the merge
 * is done once per resource type and path of levels (the level objects themselves: a YAML
 * alias may put one level under two names) and copied for each node. A merge that gave
 * problems is not kept (their labels name the fqn).
 */
function ownTreeConfig(
  resourceType: ConfigResourceType,
  project: DbtProjectFile,
  treeKey: ConfigTreeKey,
  fqn: readonly string[],
  problems: string[] | undefined,
  readOnly: boolean,
): Dict {
  const levels = treeLevels(project.trees[treeKey], fqn);
  const last = levels[levels.length - 1];
  if (last === undefined) {
    if (!readOnly) return configDefaults(resourceType);
    let defaults = sharedDefaults.get(resourceType);
    if (defaults === undefined) {
      defaults = configDefaults(resourceType);
      sharedDefaults.set(resourceType, defaults);
    }
    return assignInto(dict(), defaults);
  }
  let kept = mergedTrees.get(last);
  const hit = kept?.find(
    (k) =>
      k.resourceType === resourceType &&
      k.levels.length === levels.length &&
      k.levels.every((l, i) => l === levels[i]),
  );
  if (hit) return copyOf(hit);
  const result = configDefaults(resourceType);
  const found: string[] = [];
  levels.forEach((level, depth) =>
    mergeInto(
      result,
      sharedLevelConfig(level),
      () => treeLabel(project, treeKey, fqn, depth),
      found,
    ),
  );
  if (found.length > 0) {
    problems?.push(...found);
    return result;
  }
  if (kept === undefined) {
    kept = [];
    mergedTrees.set(last, kept);
  }
  const entry = { resourceType, levels, config: result, plain: isPlainTree(result, new Set()) };
  kept.push(entry);
  return copyOf(entry);

  // mergeInto() only ever sets top-level keys (to new values): for a reader, a new top level
  // keeps the kept merge as it is.
  function copyOf(k: { config: Dict; plain: boolean }): Dict {
    if (readOnly) return assignInto(dict(), k.config);
    return k.plain ? clonePlain(k.config) : cloneValue(k.config);
  }
}

/** Whether no object or array is reached twice from `value` (no alias shared, no cycle). */
function isPlainTree(value: unknown, seen: Set<object>): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (seen.has(value)) return false;
  seen.add(value);
  if (value instanceof Date) return true;
  if (Array.isArray(value)) return (value as unknown[]).every((v) => isPlainTree(v, seen));
  const obj = value as Dict;
  return keysOf(obj).every((k) => isPlainTree(obj[k], seen));
}

/** cloneValue() of a value isPlainTree() accepts: nothing to track, so no Map. */
function clonePlain(value: unknown): Dict {
  return clonePlainInner(value) as Dict;
}

function clonePlainInner(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value as unknown[]) items.push(clonePlainInner(item));
    return items;
  }
  const out = dict();
  const src = value as Dict;
  for (const key of keysOf(src)) out[key] = clonePlainInner(src[key]);
  return out;
}

/** configDefaults() for readers (their nested values are shared, never changed). */
const sharedDefaults = new Map<ConfigResourceType, Dict>();

/** ownTreeConfig() merges, by the last tree level walked. */
const mergedTrees = new WeakMap<
  Dict,
  Array<{ resourceType: ConfigResourceType; levels: Dict[]; config: Dict; plain: boolean }>
>();

/** The tree levels walkTree() would read a layer from, in order (none: not a mapping). */
function treeLevels(tree: unknown, fqn: readonly string[]): Dict[] {
  if (!isMapping(tree)) return [];
  const levels: Dict[] = [tree];
  let level: Dict = tree;
  for (const part of fqn) {
    const next = get(level, part);
    if (!isMapping(next)) break;
    levels.push(next);
    level = next;
  }
  return levels;
}

/**
 * The full precedence for one node (section 3.3): defaults of the resource type, the node's own
 * package's dbt_project.yml tree along its fqn, the properties-YAML `config:` (with the
 * version's config merged over the model's for versioned models — the caller passes both), the
 * SQL config() calls in order, and — only when the package is not the root project — the root
 * project's tree for the same fqn, last.
 *
 * `yamlConfig`/`versionConfig` are the entries' configs after normalizeEntryConfig (sources:
 * after sourceTableConfig). `language: 'python'` gives a Python model dbt's default
 * `materialized: table` at the properties layer. Values dbt would refuse are described in
 * `problems` when given.
 */
export function effectiveConfig(args: {
  resourceType: ConfigResourceType;
  fqn: readonly string[];
  ownProject: DbtProjectFile;
  rootProject: DbtProjectFile;
  yamlConfig?: Record<string, unknown> | null;
  versionConfig?: Record<string, unknown> | null;
  sqlConfigs?: ReadonlyArray<Record<string, unknown>>;
  language?: 'sql' | 'python';
  problems?: string[];
  /**
   * The caller only reads the result (as nodeFields() does): its nested values (lists,
   * mappings) may then be shared with other results, and must not be changed.
   */
  readOnly?: boolean;
}): Record<string, unknown> {
  const { resourceType, fqn, ownProject, rootProject, problems } = args;
  const treeKey = treeKeyFor(resourceType);
  const result = ownTreeConfig(
    resourceType,
    ownProject,
    treeKey,
    fqn,
    problems,
    args.readOnly === true,
  );

  let patch: Dict | null = null;
  if (isMapping(args.versionConfig))
    patch = mergeVersionConfig(args.yamlConfig, args.versionConfig);
  // No copy of the YAML config: mergeInto() copies what it keeps and never changes a layer.
  else if (isMapping(args.yamlConfig)) patch = args.yamlConfig;
  if (resourceType === 'model' && args.language === 'python') {
    patch = patch === null ? dict() : patch === args.yamlConfig ? cloneValue(patch) : patch;
    if (!has(patch, 'materialized')) patch.materialized = 'table';
  }
  if (patch !== null) mergeInto(result, patch, 'properties YAML config', problems);

  (args.sqlConfigs ?? []).forEach((call, i) => {
    if (isMapping(call)) mergeInto(result, call, `config() call ${i + 1}`, problems);
  });

  if (ownProject.name !== rootProject.name) {
    walkTree(rootProject.trees[treeKey], fqn, sharedLevelConfig).forEach((layer, depth) =>
      mergeInto(result, layer, () => treeLabel(rootProject, treeKey, fqn, depth), problems),
    );
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Properties entries

/** The config fields dbt's NodeConfig knows, which are not properties of a models/seeds/… entry. */
const NODE_CONFIG_ONLY_KEYS = new Set([
  'tags',
  'materialized',
  'enabled',
  'alias',
  'schema',
  'database',
  'persist_docs',
  'pre-hook',
  'post-hook',
  'pre_hook',
  'post_hook',
  'quoting',
  'column_types',
  'full_refresh',
  'unique_key',
  'on_schema_change',
  'on_configuration_change',
  'grants',
  'packages',
  'incremental_strategy',
  'event_time',
]);

/** Keys dbt's `normalize_attribute` moves from a models/seeds/snapshots/analyses entry into its config. */
const NODE_MOVED_KEYS = ['meta', 'docs', 'group', 'contract', 'access'] as const;

/** Generic-test arguments that are configs (`CONFIG_ARGS` of dbt's test builder). */
export const TEST_CONFIG_ARGS = [
  'severity',
  'tags',
  'enabled',
  'where',
  'limit',
  'warn_if',
  'error_if',
  'fail_calc',
  'store_failures',
  'store_failures_as',
  'meta',
  'database',
  'schema',
  'alias',
] as const;

/** Entry kinds normalizeEntryConfig knows, with the YAML section names accepted for them. */
const ENTRY_KINDS = new Map<string, string>(
  Object.entries({
    model: 'node',
    models: 'node',
    seed: 'node',
    seeds: 'node',
    snapshot: 'node',
    snapshots: 'node',
    analysis: 'node',
    analyses: 'node',
    function: 'node',
    functions: 'node',
    version: 'version',
    model_version: 'version',
    versions: 'version',
    source: 'source',
    sources: 'source',
    table: 'source',
    source_table: 'source',
    tables: 'source',
    exposure: 'merge',
    exposures: 'merge',
    column: 'merge',
    columns: 'merge',
    group: 'merge',
    groups: 'merge',
    metric: 'semantic',
    metrics: 'semantic',
    semantic_model: 'semantic',
    semantic_models: 'semantic',
    saved_query: 'semantic',
    saved_queries: 'semantic',
    unit_test: 'plain',
    unit_tests: 'plain',
    macro: 'plain',
    macros: 'plain',
    test: 'test',
    data_test: 'test',
    data_tests: 'test',
  }),
);

function entryLabel(entry: Dict): string {
  const name = get(entry, 'name');
  return typeof name === 'string' || typeof name === 'number' ? `"${String(name)}"` : 'entry';
}

/**
 * Moves a properties entry's top-level meta/docs/group/contract/access (and the other keys dbt
 * moves, per resource type, sections 3.3/3.4/3.4a) into its config; the same key in both places
 * is a problem (returned, not thrown: the assembler turns it into a parse-error finding).
 *
 * Per kind (resourceType: a resource type or its YAML section name):
 * - models, seeds, snapshots, analyses, functions: `meta`, `docs`, `group`, `contract`,
 *   `access` move (dbt's `normalize_attribute`; both places = dbt parse error). A top-level
 *   `tags` (or any other config such as `materialized`) is not a property: dbt ignores it, so
 *   it is listed in `ignored`, not moved.
 * - a model version (`version`): nothing moves; its top-level `access`/`docs` are overwritten
 *   by the config dbt computes afterwards (listed in `ignored`).
 * - sources and source tables, exposures, columns, groups (dbt 1.10 layout): top-level `meta`
 *   and `tags` are merged with the config's (meta shallow, config wins; tags concatenated),
 *   and for sources `freshness`, `loaded_at_field`, `loaded_at_query` move unless the config
 *   sets them. Both places are allowed, so never a problem.
 * - metrics, semantic models, saved queries: as above, plus `group` moves unless set in config.
 * - generic tests (the test's argument mapping): dbt's CONFIG_ARGS (`severity`, `where`,
 *   `tags`, `meta`, `enabled`, …) move; a truthy top-level value also under `config:` is a problem.
 * - unit tests, macros: the config as written.
 */
export function normalizeEntryConfig(
  entry: Record<string, unknown>,
  resourceType: string,
): { config: Record<string, unknown>; problems: string[]; moved: string[]; ignored: string[] } {
  const problems: string[] = [];
  const moved: string[] = [];
  const ignored: string[] = [];
  if (!isMapping(entry)) {
    return { config: dict(), problems: ['properties entry must be a mapping'], moved, ignored };
  }
  const label = entryLabel(entry);
  const rawConfig = get(entry, 'config');
  let config = dict();
  if (isMapping(rawConfig)) config = cloneValue(rawConfig);
  else if (rawConfig !== undefined && rawConfig !== null) {
    problems.push(`${label}: config must be a mapping, got ${typeName(rawConfig)}`);
  }
  const kind = ENTRY_KINDS.get(resourceType) ?? 'plain';

  const moveMeta = (): void => {
    if (!has(entry, 'meta')) return;
    const top = entry.meta;
    if (top === null) return;
    if (!isMapping(top)) {
      problems.push(`${label}: meta must be a mapping, got ${typeName(top)}`);
      return;
    }
    const inConfig = get(config, 'meta');
    const merged = cloneValue(top);
    if (isMapping(inConfig)) for (const k of keysOf(inConfig)) merged[k] = cloneValue(inConfig[k]);
    config.meta = merged;
    moved.push('meta');
  };
  const moveTags = (): void => {
    if (!has(entry, 'tags')) return;
    const top = entry.tags;
    if (top === null) return;
    const inConfig = get(config, 'tags');
    config.tags = [
      ...listify(top),
      ...(inConfig === undefined || inConfig === null ? [] : listify(inConfig)),
    ];
    moved.push('tags');
  };
  const moveUnlessSet = (key: string): void => {
    if (!has(entry, key)) return;
    if (!has(config, key)) config[key] = cloneValue(entry[key]);
    moved.push(key);
  };

  switch (kind) {
    case 'node':
      for (const key of NODE_MOVED_KEYS) {
        if (!has(entry, key)) continue;
        if (has(config, key)) {
          problems.push(
            `${label}: "${key}" is set both at the top level and under config:; dbt refuses this — keep config.${key} only`,
          );
          continue;
        }
        config[key] = cloneValue(entry[key]);
        moved.push(key);
      }
      for (const key of keysOf(entry)) if (NODE_CONFIG_ONLY_KEYS.has(key)) ignored.push(key);
      break;
    case 'version':
      for (const key of ['access', 'docs']) if (has(entry, key)) ignored.push(key);
      for (const key of keysOf(entry)) if (NODE_CONFIG_ONLY_KEYS.has(key)) ignored.push(key);
      break;
    case 'source':
      moveMeta();
      moveTags();
      for (const key of ['freshness', 'loaded_at_field', 'loaded_at_query']) moveUnlessSet(key);
      break;
    case 'merge':
      moveMeta();
      moveTags();
      break;
    case 'semantic':
      moveMeta();
      moveTags();
      moveUnlessSet('group');
      break;
    case 'test':
      for (const key of TEST_CONFIG_ARGS) {
        if (!has(entry, key)) continue;
        const top = entry[key];
        if (truthy(top) && has(config, key)) {
          problems.push(
            `${label}: "${key}" is set both as a test argument and under config:; dbt refuses this — keep config.${key} only`,
          );
          continue;
        }
        // dbt reads a falsy argument only when there is no config: block at all.
        if (!truthy(top) && isMapping(rawConfig)) continue;
        if (top !== null) {
          config[key] = cloneValue(top);
          moved.push(key);
        }
      }
      break;
    default:
      break;
  }
  return { config, problems, moved, ignored };
}

/**
 * The properties-YAML config of one source table (dbt ≥1.10.5): the source's config with the
 * table's over it, except `meta` (source's then table's keys, shallow) and `tags` (source's then
 * table's). Both arguments are normalizeEntryConfig results (top-level meta/tags already in).
 */
export function sourceTableConfig(
  sourceConfig: Record<string, unknown> | null | undefined,
  tableConfig: Record<string, unknown> | null | undefined,
): Record<string, unknown> {
  const out = dict();
  const meta = dict();
  const tags: unknown[] = [];
  for (const part of [sourceConfig, tableConfig]) {
    if (!isMapping(part)) continue;
    for (const key of keysOf(part)) {
      const value = part[key];
      if (key === 'meta' && isMapping(value)) {
        for (const k of keysOf(value)) meta[k] = cloneValue(value[k]);
      } else if (key === 'tags') {
        if (value !== null && value !== undefined) tags.push(...listify(value));
      } else {
        out[key] = cloneValue(value);
      }
    }
  }
  if (keysOf(meta).length > 0) out.meta = meta;
  if (tags.length > 0) out.tags = tags;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Node fields

export type Access = 'public' | 'protected' | 'private';

const ACCESS_VALUES = new Set<string>(['public', 'protected', 'private']);

/** Resource types that carry node-level `docs`, `contract`, `materialized`, `group`. */
const HAS_DOCS = new Set(['model', 'seed', 'snapshot', 'analysis', 'test']);
const HAS_CONTRACT = new Set(['model', 'snapshot', 'analysis', 'test']);
const HAS_MATERIALIZED = new Set(['model', 'seed', 'snapshot', 'analysis', 'test']);
const HAS_GROUP = new Set([
  'model',
  'seed',
  'snapshot',
  'analysis',
  'test',
  'metric',
  'semantic_model',
  'saved_query',
]);
/** Node `tags` dbt stores sorted (a set union) rather than in configuration order. */
const SORTED_TAGS = new Set(['source', 'exposure']);

/**
 * The node-level fields dbt copies from the final config (`update_parsed_node_config`, section
 * 3.3 end): tags deduped in order (sources and exposures: sorted), meta, group, access (models
 * only; default protected — `+access` is ignored for other types), docs, contract {enforced,
 * alias_types}, materialized, enabled (only a boolean `false` disables: a Jinja string cannot be
 * evaluated here). Values dbt would refuse are described in `problems`.
 */
export function nodeFields(
  config: Record<string, unknown>,
  resourceType: string,
): {
  tags: string[];
  meta: Record<string, unknown>;
  group: string | null;
  access: Access | null;
  contract: { enforced: boolean; aliasTypes: boolean } | null;
  materialized: string | null;
  enabled: boolean;
  docs: unknown;
  problems: string[];
} {
  const problems: string[] = [];
  const cfg: Dict = isMapping(config) ? config : dict();

  const tags: string[] = [];
  const rawTags = get(cfg, 'tags');
  if (rawTags !== undefined && rawTags !== null) {
    for (const tag of listify(rawTags)) {
      let text: string | null = null;
      if (typeof tag === 'string') text = tag;
      else if (typeof tag === 'number' || typeof tag === 'boolean') text = String(tag);
      else problems.push(`tags: ${typeName(tag)} is not a tag name, ignored`);
      if (text !== null && !tags.includes(text)) tags.push(text);
    }
  }
  if (SORTED_TAGS.has(resourceType)) tags.sort();

  const rawMeta = get(cfg, 'meta');
  const meta = isMapping(rawMeta) ? cloneValue(rawMeta) : dict();
  if (rawMeta !== undefined && rawMeta !== null && !isMapping(rawMeta))
    problems.push(`meta must be a mapping, got ${typeName(rawMeta)}`);

  let group: string | null = null;
  if (HAS_GROUP.has(resourceType)) {
    const g = get(cfg, 'group');
    if (typeof g === 'string' && g !== '') group = g;
    else if (g !== undefined && g !== null && g !== '')
      problems.push(`group must be a group name, got ${show(g)}`);
  }

  const materializedRaw = get(cfg, 'materialized');
  const materialized =
    HAS_MATERIALIZED.has(resourceType) && typeof materializedRaw === 'string'
      ? materializedRaw
      : null;

  let access: Access | null = null;
  if (resourceType === 'model') {
    access = 'protected';
    const a = get(cfg, 'access');
    if (truthy(a)) {
      if (typeof a === 'string' && ACCESS_VALUES.has(a)) access = a as Access;
      else
        problems.push(
          `access must be one of public, protected, private; got ${show(a)} (dbt refuses this)`,
        );
    }
    if (access === 'public' && materialized === 'ephemeral')
      problems.push('an ephemeral model cannot be public (dbt refuses this since 1.7)');
  }

  let docs: unknown = null;
  if (HAS_DOCS.has(resourceType)) {
    const d = get(cfg, 'docs');
    const out: Dict = assignInto(dict(), { show: true, node_color: null });
    if (isMapping(d)) {
      if (has(d, 'show')) out.show = cloneValue(d.show);
      if (has(d, 'node_color')) out.node_color = cloneValue(d.node_color);
    }
    docs = out;
  }

  let contract: { enforced: boolean; aliasTypes: boolean } | null = null;
  if (HAS_CONTRACT.has(resourceType)) {
    contract = { enforced: false, aliasTypes: true };
    const c = get(cfg, 'contract');
    if (isMapping(c)) {
      const enforced = get(c, 'enforced');
      const aliasTypes = get(c, 'alias_types');
      if (typeof enforced === 'boolean') contract.enforced = enforced;
      else if (enforced !== undefined && enforced !== null)
        problems.push(`contract.enforced must be true or false, got ${show(enforced)}`);
      if (typeof aliasTypes === 'boolean') contract.aliasTypes = aliasTypes;
      else if (aliasTypes !== undefined && aliasTypes !== null)
        problems.push(`contract.alias_types must be true or false, got ${show(aliasTypes)}`);
    } else if (c !== undefined && c !== null) {
      problems.push(`contract must be a mapping, got ${typeName(c)}`);
    }
  }

  const enabledRaw = get(cfg, 'enabled');
  const enabled = enabledRaw !== false;
  if (
    enabledRaw !== undefined &&
    enabledRaw !== null &&
    typeof enabledRaw !== 'boolean' &&
    !(typeof enabledRaw === 'string' && /\{[{%]/.test(enabledRaw))
  )
    problems.push(`enabled must be true or false, got ${show(enabledRaw)}`);

  return { tags, meta, group, access, contract, materialized, enabled, docs, problems };
}

// ---------------------------------------------------------------------------------------------
// fqn and vars

/**
 * A node's fqn as dbt's parsers build it (`get_fqn`, `get_fqn_prefix`): the package, the
 * directories of `path` (the file's path relative to its resource path, `/` or `\`
 * separators), then:
 * - models, seeds, singular tests, generic tests, exposures, metrics, semantic models, saved
 *   queries: the name; a versioned model: the model name then `v<version as written>`;
 * - analyses: `analysis` is put before the directories;
 * - SQL snapshots: the file stem, then the snapshot block's name;
 * - sources: the source name, then the table name (`name`);
 * - unit tests: the tested model's name (`model`), then the test's name.
 */
export function nodeFqn(args: {
  resourceType: ConfigResourceType;
  packageName: string;
  path: string;
  name: string;
  sourceName?: string;
  version?: string | number | null;
  model?: string;
  sqlSnapshot?: boolean;
}): string[] {
  const parts = args.path.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  const file = parts.pop() ?? '';
  const stem = file.replace(/\.[^.]*$/, '');
  const fqn = [args.packageName];
  if (args.resourceType === 'analysis') fqn.push('analysis');
  fqn.push(...parts);
  switch (args.resourceType) {
    case 'source':
      fqn.push(args.sourceName ?? '', args.name);
      break;
    case 'unit_test':
      fqn.push(args.model ?? '', args.name);
      break;
    case 'snapshot':
      if (args.sqlSnapshot) fqn.push(stem);
      fqn.push(args.name);
      break;
    default:
      fqn.push(args.name);
      if (args.resourceType === 'model' && args.version !== undefined && args.version !== null)
        fqn.push(`v${String(args.version)}`);
  }
  return fqn;
}

/**
 * The vars a node of `packageName` sees (dbt's `ModelConfiguredVar`), lowest first: the node's
 * package's global vars, that package's vars scoped under its own name, then (for a package
 * node) the root project's global vars and the root's vars scoped under the package's name,
 * then `cliVars`. Each var is looked up whole (no deep merge).
 */
export function varsFor(args: {
  packageName: string;
  ownProject: DbtProjectFile;
  rootProject: DbtProjectFile;
  cliVars?: Record<string, unknown> | null;
}): Record<string, unknown> {
  const out = dict();
  const add = (source: unknown): void => {
    if (!isMapping(source)) return;
    for (const key of keysOf(source)) out[key] = cloneValue(source[key]);
  };
  const projects =
    args.ownProject.name === args.rootProject.name
      ? [args.rootProject]
      : [args.ownProject, args.rootProject];
  for (const project of projects) {
    add(project.vars);
    add(get(project.vars, args.packageName));
  }
  add(args.cliVars);
  return out;
}
