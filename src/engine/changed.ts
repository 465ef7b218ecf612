/**
 * Pre-commit scope: which resources a set of changed files touches. Pure: the caller reads the
 * files (git, the file system) and passes what it learned; nothing here does I/O.
 *
 * A resource is *changed* when
 * - its SQL/Python/CSV file or the YAML file that defines or documents it changed (a YAML
 *   file counts as a whole: every resource it defines or documents is changed);
 * - `dbt_project.yml` changed in a way that reaches its effective config. Given the file
 *   before and after, only resources under a changed part of a config tree (`models:`,
 *   `seeds:`, `sources:`, …) count: a `+key` changed at `models: pkg: core:` changes every
 *   model whose fqn starts with `pkg/core`; a change at the top of `models:` changes every
 *   model. A change to any other key (`vars`, `model-paths`, `name`, `dispatch`, …) changes
 *   every resource of the project, except keys that cannot change what dbt-steward checks
 *   (`profile`, `version`, `target-path`, hooks, …). Without the file's previous content,
 *   every resource of the project is changed;
 * - a macro it uses changed: the callers the caller found for that macro file, or when it
 *   could not tell (the option is missing for that file), every model and snapshot;
 * - a docs block (`.md`) its description uses changed: the users the caller found, or when
 *   it could not tell, every resource documented in YAML;
 * - `packages.yml`, `dependencies.yml` or `package-lock.yml` changed and it depends on a
 *   resource of another package or project (or is one);
 * - the loader reported a fault in one of the changed files about it;
 * - one of its parents was deleted (a changed path that no longer matches a resource: its
 *   children now hold a dangling dependency or a fault naming it).
 *
 * The scope is the changed resources plus both ends of every edge touching them: their
 * direct parents and direct children (tests and exposures included), since edge findings
 * (a cross-domain ref, a ref to a deprecated model) sit on one end and are caused by the
 * other.
 */
import type { Resource, ResourceType } from '../model.js';
import type { Project } from '../project.js';

export interface ChangedScopeOptions {
  /** The loaded project the paths belong to (default: the first one). */
  projectName?: string;
  /** `dbt_project.yml` before and after the change, parsed (undefined: it did not exist). */
  projectFile?: { before: unknown; after: unknown };
  /** The project's macro-paths (default `["macros"]`). */
  macroPaths?: readonly string[];
  /** The project's test-paths (default `["tests"]`): `<test-path>/generic/` holds macros. */
  testPaths?: readonly string[];
  /** The project's packages-install-path (default `dbt_packages`). */
  packagesPath?: string;
  /** For a changed macro file: the unique_ids of the resources that use its macros. */
  macroUsers?: ReadonlyMap<string, Iterable<string>>;
  /** For a changed docs file: the unique_ids of the resources whose descriptions use it. */
  docUsers?: ReadonlyMap<string, Iterable<string>>;
  /**
   * For a changed YAML file: the changed line ranges of its new version (1-based, inclusive;
   * a deletion between lines L and L+1 as [L, L+1]). Only the entries those lines fall in are
   * changed, when that can be told safely: the resources of the file form one flat list
   * (all positioned, one column) and every range starts at or after the first entry.
   * Otherwise, and for files not in the map, every resource of the file is changed. The
   * caller leaves out files where a top-level key changed or that hold other sections.
   */
  changedLines?: ReadonlyMap<string, ReadonlyArray<readonly [number, number]>>;
}

/** Why each resource is changed, keyed by unique_id: the first reason found. */
export type ChangedReasons = Map<string, string>;

/** Config trees of dbt_project.yml and the resource types they configure. */
const CONFIG_TREES: Readonly<Record<string, readonly ResourceType[]>> = {
  models: ['model'],
  seeds: ['seed'],
  snapshots: ['snapshot'],
  sources: ['source'],
  data_tests: ['test'],
  tests: ['test'],
  unit_tests: ['unit_test'],
  analyses: ['analysis'],
  exposures: ['exposure'],
  metrics: ['metric'],
  'semantic-models': ['semantic_model'],
  'saved-queries': ['saved_query'],
  functions: ['function'],
};

/** dbt_project.yml keys that change nothing dbt-steward reads. */
const INERT_KEYS = new Set([
  'version',
  'config-version',
  'profile',
  'require-dbt-version',
  'target-path',
  'log-path',
  'clean-targets',
  'on-run-start',
  'on-run-end',
  'query-comment',
  'flags',
  'dbt-cloud',
]);

const PACKAGE_FILES = new Set(['packages.yml', 'dependencies.yml', 'package-lock.yml']);
const MACRO_USER_TYPES = new Set<ResourceType>(['model', 'snapshot']);

/** `/` separators, no leading `./`. */
export function normalizePath(p: string): string {
  let s = p.replace(/\\/g, '/');
  while (s.startsWith('./')) s = s.slice(2);
  return s.replace(/\/{2,}/g, '/');
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue(a[k], b[k]));
  }
  return false;
}

/** A key of a config tree level that names a folder (or node): no `+`, a mapping value. */
function isFolder(key: string, v: unknown): boolean {
  return !key.startsWith('+') && isMap(v);
}

/** fqn prefixes under which the effective config differs between two config trees. */
function diffConfigTree(a: unknown, b: unknown, at: string[], out: string[][]): void {
  if (!isMap(a) || !isMap(b)) {
    out.push(at);
    return;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const va = a[key];
    const vb = b[key];
    if (sameValue(va, vb)) continue;
    const folderA = va === undefined || isFolder(key, va);
    const folderB = vb === undefined || isFolder(key, vb);
    if (!folderA || !folderB) {
      // a config at this level changed: everything under this level
      out.push(at);
      return;
    }
    diffConfigTree(va ?? {}, vb ?? {}, [...at, key], out);
  }
}

export interface ProjectFileChange {
  /** Every resource of the project. */
  all: boolean;
  /** Otherwise: the resource types and fqn prefixes whose config changed. */
  prefixes: Array<{ types: readonly ResourceType[]; fqn: string[] }>;
}

/** What a change of dbt_project.yml reaches. */
export function projectFileChange(before: unknown, after: unknown): ProjectFileChange {
  if (!isMap(before) || !isMap(after)) return { all: true, prefixes: [] };
  const prefixes: ProjectFileChange['prefixes'] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    if (sameValue(before[key], after[key]) || INERT_KEYS.has(key)) continue;
    const types = CONFIG_TREES[key];
    if (!types) return { all: true, prefixes: [] };
    const out: string[][] = [];
    diffConfigTree(before[key] ?? {}, after[key] ?? {}, [], out);
    for (const fqn of out) prefixes.push({ types, fqn });
  }
  return { all: false, prefixes };
}

function startsWith(fqn: readonly string[], prefix: readonly string[]): boolean {
  if (prefix.length > fqn.length) return false;
  for (let i = 0; i < prefix.length; i++) if (fqn[i] !== prefix[i]) return false;
  return true;
}

function under(p: string, dirs: readonly string[]): boolean {
  return dirs.some((d) => {
    const dir = normalizePath(d).replace(/\/$/, '');
    return dir === '' || dir === '.' || p.startsWith(`${dir}/`);
  });
}

/** Resources of a YAML file whose entries the changed lines touch; null: cannot tell. */
function entriesTouched(
  inFile: readonly Resource[],
  file: string,
  ranges: ReadonlyArray<readonly [number, number]>,
): Resource[] | null {
  const starts = new Map<number, Resource[]>();
  const columns = new Set<number>();
  for (const r of inFile) {
    const pos = r.yamlPosition;
    const at =
      r.patchPath !== null ? normalizePath(r.patchPath) : r.filePath && normalizePath(r.filePath);
    if (!pos || at !== file) {
      // tests and unit tests come with the entry they sit in (edges); anything else: unsure
      if (r.resourceType === 'test' || r.resourceType === 'unit_test') continue;
      return null;
    }
    columns.add(pos.column);
    const list = starts.get(pos.line);
    if (list) list.push(r);
    else starts.set(pos.line, [r]);
  }
  if (columns.size !== 1 || starts.size === 0) return null;
  const lines = [...starts.keys()].sort((a, b) => a - b);
  const out: Resource[] = [];
  for (const [from, to] of ranges) {
    if (from < lines[0]!) return null; // before the first entry: the file's header or keys
    for (let i = 0; i < lines.length; i++) {
      const start = lines[i]!;
      const end = i + 1 < lines.length ? lines[i + 1]! - 1 : Infinity;
      if (start <= to && from <= end) out.push(...starts.get(start)!);
    }
  }
  return out;
}

/** Is the path a macro file of the project (under macro-paths or `<test-path>/generic/`)? */
export function isMacroPath(
  p: string,
  macroPaths: readonly string[],
  testPaths: readonly string[],
): boolean {
  if (!/\.(sql|jinja2?)$/i.test(p)) return false;
  return (
    under(p, macroPaths) ||
    under(
      p,
      testPaths.map((t) => `${normalizePath(t).replace(/\/$/, '')}/generic`),
    )
  );
}

const YAML_FILE = /\.ya?ml$/i;

/**
 * The resources directly changed by the paths (relative to the project directory), each with
 * the reason it is in: the pure core of `changedScope`.
 */
export function changedResources(
  project: Project,
  changedPaths: readonly string[],
  options: ChangedScopeOptions = {},
): ChangedReasons {
  const projectName = options.projectName ?? project.projects[0]?.name ?? '';
  const macroPaths = options.macroPaths ?? ['macros'];
  const testPaths = options.testPaths ?? ['tests'];
  const packagesPath = normalizePath(options.packagesPath ?? 'dbt_packages').replace(/\/$/, '');
  const own: Resource[] = [];
  for (const r of project.resources.values()) if (r.projectName === projectName) own.push(r);

  // file -> resources defined or documented in it
  const byFile = new Map<string, Resource[]>();
  const index = (file: string | null, r: Resource) => {
    if (!file) return;
    const list = byFile.get(file);
    if (list) {
      if (list[list.length - 1] !== r) list.push(r);
    } else byFile.set(file, [r]);
  };
  for (const r of own) {
    if (r.external) continue;
    const pkgDir = r.packageName === projectName ? '' : `${packagesPath}/${r.packageName}/`;
    index(r.filePath && pkgDir + normalizePath(r.filePath), r);
    index(r.patchPath && pkgDir + normalizePath(r.patchPath), r);
  }

  const reasons: ChangedReasons = new Map();
  const add = (id: string, why: string) => {
    if (!reasons.has(id) && project.resources.has(id)) reasons.set(id, why);
  };
  const addAll = (pred: (r: Resource) => boolean, why: string) => {
    for (const r of own) if (pred(r)) add(r.uniqueId, why);
  };
  /** The project's own resources (not installed packages' nor injected ones). */
  const mine = (r: Resource) => r.packageName === projectName && !r.external;

  const paths = [...new Set(changedPaths.map(normalizePath))].filter((p) => p !== '');
  const changedSet = new Set(paths);
  for (const p of paths) {
    const direct = byFile.get(p);
    if (direct) {
      const ranges = options.changedLines?.get(p);
      const entries = ranges ? entriesTouched(direct, p, ranges) : null;
      if (entries) for (const r of entries) add(r.uniqueId, `${p}: its entry changed`);
      else for (const r of direct) add(r.uniqueId, `${p} changed`);
    }

    if (p === 'dbt_project.yml') {
      const change = options.projectFile
        ? projectFileChange(options.projectFile.before, options.projectFile.after)
        : { all: true, prefixes: [] };
      if (change.all) addAll(() => true, `${p} changed`);
      for (const { types, fqn } of change.prefixes) {
        const why = `${p}: config of ${fqn.length ? fqn.join('/') : 'every resource'} changed`;
        addAll((r) => types.includes(r.resourceType) && startsWith(r.fqn, fqn), why);
      }
    } else if (PACKAGE_FILES.has(p)) {
      const foreign = (id: string) => {
        const d = project.resources.get(id);
        return d === undefined || d.external || d.packageName !== projectName;
      };
      addAll((r) => mine(r) && r.dependsOn.some(foreign), `${p} changed (packages)`);
    } else if (isMacroPath(p, macroPaths, testPaths)) {
      const users = options.macroUsers?.get(p);
      if (users) for (const id of users) add(id, `uses a macro of ${p}`);
      else addAll((r) => mine(r) && MACRO_USER_TYPES.has(r.resourceType), `${p} changed (macros)`);
    } else if (/\.md$/i.test(p)) {
      const users = options.docUsers?.get(p);
      if (users) for (const id of users) add(id, `uses a docs block of ${p}`);
      else
        addAll(
          (r) =>
            mine(r) &&
            (r.patchPath !== null || (r.filePath !== null && YAML_FILE.test(r.filePath))),
          `${p} changed (docs)`,
        );
    } else if (!direct && /\.(sql|py|csv)$/i.test(p)) {
      // a resource file that no longer matches a resource: deleted or renamed
      const stem = p.slice(p.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '');
      const names = new Set([stem, stem.replace(/_v[^_]+$/, '')]);
      for (const id of project.graph.ids()) {
        if (!project.graph.isDangling(id)) continue;
        const parts = id.split('.');
        if (parts[2] !== undefined && names.has(parts[2]))
          for (const child of project.graph.children(id)) add(child, `depends on ${stem}, gone`);
      }
      for (const d of project.diagnostics)
        if (d.nodeId !== undefined && Object.values(d.data).some((v) => names.has(String(v))))
          add(d.nodeId, `depends on ${stem}, gone`);
    }
  }
  for (const d of project.diagnostics)
    if (d.nodeId !== undefined && changedSet.has(normalizePath(d.file)))
      add(d.nodeId, `${d.file}: ${d.id}`);
  return reasons;
}

/**
 * The unique_ids in scope for changed files (paths relative to the project directory): the
 * resources they change and both ends of every edge touching those.
 */
export function changedScope(
  project: Project,
  changedPaths: readonly string[],
  options: ChangedScopeOptions = {},
): Set<string> {
  return scopeOf(project, changedResources(project, changedPaths, options).keys());
}

/** The ids plus their direct parents and children that are resources. */
export function scopeOf(project: Project, ids: Iterable<string>): Set<string> {
  const scope = new Set<string>();
  for (const id of ids) {
    scope.add(id);
    for (const p of project.graph.parents(id)) if (project.resources.has(p)) scope.add(p);
    for (const c of project.graph.children(id)) if (project.resources.has(c)) scope.add(c);
  }
  return scope;
}
