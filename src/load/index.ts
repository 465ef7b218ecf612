import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { LineageGraph } from '../graph/lineage.js';
import type {
  Group,
  InputKind,
  LoadDiagnostic,
  LoadWarning,
  ProjectInfo,
  Resource,
} from '../model.js';
import type { Project } from '../project.js';
import { loadManifestBuffer, loadManifestFile, type ManifestReuse } from './manifest.js';
import { describeFsError, readFileChunked } from './read-file.js';
import { discoverFiles } from './source/discover.js';
import { manifestFreshness } from './source/freshness.js';
import { loadSourceProject, readProjectFile } from './source/project.js';
import { parseDbtYaml, YamlSyntaxError } from './source/yaml.js';

/**
 * dbt's `--vars` argument: a YAML (or JSON) mapping, read as dbt reads it (PyYAML's
 * safe_load rules: YAML 1.1 booleans, the last duplicate key wins).
 */
export function parseVars(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseDbtYaml(text, '--vars').value;
  } catch (err) {
    if (err instanceof YamlSyntaxError)
      throw new InputError(
        `--vars: not valid YAML (${err.message.replace(/^--vars:\s*/, '')}); write a mapping such as '{start_date: "2024-01-01"}'`,
        '--vars',
      );
    throw err;
  }
  if (value === null || value === undefined) return Object.create(null) as Record<string, unknown>;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new InputError(
      `--vars: expected a mapping of variable names to values, such as '{start_date: "2024-01-01"}'`,
      '--vars',
    );
  return value as Record<string, unknown>;
}

/** Which input a dbt project directory is read from. */
export type LoadMode = 'auto' | 'source' | 'manifest';

export interface LoadOptions {
  /** Directory that relative inputs are resolved against (default: the current directory). */
  cwd?: string;
  /**
   * For a dbt project directory: `auto` (default) reads target/manifest.json when it is fresh
   * and the project's files otherwise; `source` always reads the files; `manifest` always
   * reads the manifest.
   */
  mode?: LoadMode;
  /** A manifest file to read for the (single) input, instead of its target/manifest.json. */
  manifest?: string;
  /** Told what each input was read from (the CLI prints it as the first line on stderr). */
  onInput?: (note: InputNote) => void;
  /** Source mode: variables as dbt's `--vars` gives them (they beat dbt_project.yml `vars:`). */
  vars?: Record<string, unknown>;
  /**
   * Manifest inputs: record what a later load of another manifest of the same project may
   * reuse, or reuse what an earlier load recorded (`check --base`: the base shares every
   * resource whose entry did not change). See ManifestMemo.
   */
  manifestReuse?: ManifestReuse;
  /**
   * Contents of manifest files already read (readFileInBackground), by absolute path: used
   * instead of reading the file again.
   */
  prefetched?: ReadonlyMap<string, Buffer>;
}

/** What one input was read from, and why. */
export interface InputNote {
  input: string;
  kind: InputKind;
  /** The file read (manifest), or the project directory (source). */
  path: string;
  /** Why the source was read, or why the manifest was (`--manifest`); null when it goes without saying. */
  reason: string | null;
  /** One line for people: `reading fixtures/x from source (target/manifest.json is stale: …)`. */
  message: string;
  /**
   * False for a plain manifest file or a directory that only holds manifest.json: there was no
   * choice to report. The CLI prints only notes that are true here.
   */
  chosen: boolean;
}

/** A positional input resolved to what is read: a manifest file, or a project's source. */
export interface ResolvedInput {
  input: string;
  kind: InputKind;
  /** The manifest file to read (kind `manifest`); null for kind `source`. */
  manifest: string | null;
  /** The dbt project directory, when the input is or sits in one. */
  rootDir: string | null;
  reason: string | null;
  chosen: boolean;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function projectDirOf(manifestDir: string): string | null {
  if (isFile(path.join(manifestDir, 'dbt_project.yml'))) return manifestDir;
  const up = path.dirname(manifestDir);
  if (path.basename(manifestDir) === 'target' && isFile(path.join(up, 'dbt_project.yml')))
    return up;
  return null;
}

const shownPath = (cwd: string, p: string): string => path.relative(cwd, p) || '.';

/** Internal: also the manifest bytes already read for the freshness check. */
interface Resolution extends ResolvedInput {
  buffer: Buffer | null;
}

/**
 * A file is a manifest; a directory with dbt_project.yml is a dbt project, read from its
 * target/manifest.json when that is fresh (see source/freshness.ts) and from source
 * otherwise; any other directory must hold manifest.json or target/manifest.json.
 */
export function resolveInput(
  input: string,
  cwd: string,
  options: Pick<LoadOptions, 'mode' | 'manifest'> = {},
): ResolvedInput {
  const { buffer, ...resolved } = resolve(input, cwd, options);
  void buffer;
  return resolved;
}

function resolve(
  input: string,
  cwd: string,
  options: Pick<LoadOptions, 'mode' | 'manifest'>,
): Resolution {
  const mode = options.mode ?? 'auto';
  const abs = path.resolve(cwd, input);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch (err) {
    throw describeFsError(err, input);
  }
  const base = { input, buffer: null };
  if (options.manifest !== undefined) {
    const manifest = path.resolve(cwd, options.manifest);
    const rootDir =
      stat.isDirectory() && isFile(path.join(abs, 'dbt_project.yml'))
        ? abs
        : projectDirOf(path.dirname(manifest));
    return { ...base, kind: 'manifest', manifest, rootDir, reason: '--manifest', chosen: true };
  }
  if (stat.isFile()) {
    const rootDir = projectDirOf(path.dirname(abs));
    if (mode === 'source') {
      if (rootDir === null)
        throw new InputError(
          `${input}: --source reads a dbt project, and no dbt_project.yml is beside this file or above its target/ folder; pass the project directory`,
          input,
        );
      return { ...base, kind: 'source', manifest: null, rootDir, reason: '--source', chosen: true };
    }
    return { ...base, kind: 'manifest', manifest: abs, rootDir, reason: null, chosen: false };
  }
  if (!stat.isDirectory())
    throw new InputError(
      `${input}: not a regular file or directory (a pipe, socket or device?); pass a manifest.json file, a directory holding one, or a dbt project directory`,
      input,
    );
  const direct = path.join(abs, 'manifest.json');
  const target = path.join(abs, 'target', 'manifest.json');
  if (isFile(path.join(abs, 'dbt_project.yml'))) {
    const project = { ...base, manifest: null, rootDir: abs, chosen: true };
    if (mode === 'source') return { ...project, kind: 'source', reason: '--source' };
    const hasTarget = isFile(target);
    if (mode === 'manifest') {
      if (hasTarget) return { ...project, kind: 'manifest', manifest: target, reason: null };
      if (isFile(direct)) return { ...project, kind: 'manifest', manifest: direct, reason: null };
      throw new InputError(
        `${input}: no manifest.json found; this dbt project has no target/manifest.json yet: run \`dbt parse\` in it first, or drop the manifest mode to read it from source`,
        input,
      );
    }
    if (!hasTarget) return { ...project, kind: 'source', reason: 'no target/manifest.json' };
    const buffer = readFileChunked(target, shownPath(cwd, target));
    const fresh = freshnessOf(abs, target, buffer);
    if (fresh === null)
      return { ...project, kind: 'manifest', manifest: target, reason: null, buffer };
    return { ...project, kind: 'source', reason: `target/manifest.json is stale: ${fresh}` };
  }
  if (mode === 'source')
    throw new InputError(
      `${input}: --source reads a dbt project, and this directory has no dbt_project.yml`,
      input,
    );
  if (isFile(direct))
    return {
      ...base,
      kind: 'manifest',
      manifest: direct,
      rootDir: projectDirOf(abs),
      reason: null,
      chosen: false,
    };
  if (isFile(target))
    return {
      ...base,
      kind: 'manifest',
      manifest: target,
      rootDir: abs,
      reason: null,
      chosen: false,
    };
  throw new InputError(
    `${input}: no manifest.json and no dbt_project.yml found in it or below it; pass a manifest.json, a directory holding one, a dbt project directory or a monorepo holding dbt projects`,
    input,
  );
}

/** Folders a monorepo scan never enters: installed packages, build output, tooling. */
const SCAN_SKIP = new Set(['dbt_packages', 'dbt_modules', 'target', 'node_modules', 'logs']);

/**
 * The dbt projects under a directory that is neither a project nor holds a manifest (a
 * monorepo): every folder with a dbt_project.yml, sorted, relative to `dir` with `/`. A
 * project's own subfolders are not searched (nested projects are usually a package's
 * integration_tests), nor are hidden folders and SCAN_SKIP.
 */
export function findProjectDirs(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string, depth: number): void => {
    // Bounded: a symlink loop or a huge tree must not hang the scan.
    if (depth > 12 || out.length >= 1000) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith('.') || SCAN_SKIP.has(e.name)) continue;
      const sub = rel === '' ? e.name : `${rel}/${e.name}`;
      if (isFile(path.join(dir, sub, 'dbt_project.yml'))) out.push(sub);
      else walk(sub, depth + 1);
    }
  };
  walk('', 0);
  return out;
}

/** Whether `input` names a directory to scan as a monorepo (no project, no manifest of its own). */
function isMonorepoDir(abs: string): boolean {
  try {
    if (!fs.statSync(abs).isDirectory()) return false;
  } catch {
    return false;
  }
  return (
    !isFile(path.join(abs, 'dbt_project.yml')) &&
    !isFile(path.join(abs, 'manifest.json')) &&
    !isFile(path.join(abs, 'target', 'manifest.json'))
  );
}

/**
 * The inputs with every monorepo directory replaced by the projects found under it
 * (`mono/a`, `mono/b`, as given plus the relative path). A monorepo without projects stays
 * as given, so that resolving it explains what is missing.
 */
export function expandInputs(inputs: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    const abs = path.resolve(cwd, input);
    const found = isMonorepoDir(abs) ? findProjectDirs(abs) : [];
    if (found.length === 0) out.push(input);
    else for (const rel of found) out.push(path.join(input, rel));
  }
  return out;
}

/** Null when the manifest is fresh, else why not. */
function freshnessOf(dir: string, manifest: string, buffer: Buffer): string | null {
  let project;
  try {
    project = readProjectFile(dir, 'dbt_project.yml');
  } catch (err) {
    if (err instanceof InputError || err instanceof YamlSyntaxError)
      return `dbt_project.yml cannot be read (${err.message})`;
    throw err;
  }
  const files = discoverFiles(dir, {
    modelPaths: project.modelPaths,
    seedPaths: [],
    snapshotPaths: [],
    analysisPaths: [],
    testPaths: [],
    macroPaths: [],
    docsPaths: [],
    packagesInstallPath: project.packagesInstallPath,
  });
  const yaml = discoverFiles(dir, {
    modelPaths: project.modelPaths,
    seedPaths: project.seedPaths,
    snapshotPaths: project.snapshotPaths,
    analysisPaths: project.analysisPaths,
    testPaths: project.testPaths,
    macroPaths: project.macroPaths,
    functionPaths: project.functionPaths,
    docsPaths: [],
    packagesInstallPath: project.packagesInstallPath,
  }).yaml;
  const result = manifestFreshness({
    projectDir: dir,
    projectName: project.name,
    modelFiles: files.models,
    yamlFiles: yaml,
    manifestFile: manifest,
    manifest: buffer,
  });
  return result.fresh ? null : result.reason;
}

function noteOf(resolved: ResolvedInput, cwd: string): InputNote {
  const shownInput = resolved.input;
  if (resolved.kind === 'source') {
    const dir = resolved.rootDir ?? path.resolve(cwd, resolved.input);
    return {
      input: resolved.input,
      kind: 'source',
      path: dir,
      reason: resolved.reason,
      message: `reading ${shownPath(cwd, dir)} from source${resolved.reason ? ` (${resolved.reason})` : ''}`,
      chosen: resolved.chosen,
    };
  }
  const manifest = resolved.manifest!;
  const inputAbs = path.resolve(cwd, shownInput);
  const isDir = manifest !== inputAbs;
  const file =
    isDir && manifest.startsWith(inputAbs + path.sep)
      ? path.relative(inputAbs, manifest).split(path.sep).join('/')
      : shownPath(cwd, manifest);
  return {
    input: resolved.input,
    kind: 'manifest',
    path: manifest,
    reason: resolved.reason,
    message: isDir
      ? `reading ${shownPath(cwd, inputAbs)} from ${file}${resolved.reason ? ` (${resolved.reason})` : ''}`
      : `reading ${file}`,
    chosen: resolved.chosen,
  };
}

/** Loads the inputs (manifest files or directories) into one project and lineage graph. */
export function loadProject(
  inputs: readonly string[],
  options: LoadOptions = {},
): Promise<Project> {
  // Synchronous work behind a promise: source mode and git inputs will need real I/O waits.
  return new Promise((resolve, reject) => {
    try {
      resolve(loadProjectSync(inputs, options));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

export function loadProjectSync(inputs: readonly string[], options: LoadOptions = {}): Project {
  const cwd = options.cwd ?? path.resolve();
  const list = expandInputs(inputs.length > 0 ? inputs : ['.'], cwd);
  if (options.manifest !== undefined && list.length > 1)
    throw new InputError(
      `--manifest names the manifest of one project, and ${list.length} inputs were given; pass one project directory`,
      options.manifest,
    );
  // Source loads must know the other projects of the run, so that their two-argument refs
  // into them wait for the real models instead of being unresolved. (Each input is resolved
  // in the loop below, so that only one manifest is held in memory at a time.)
  const names =
    list.length > 1
      ? list.map((input) => {
          const dir = projectDirGuess(path.resolve(cwd, input));
          return dir !== null ? projectNameIn(dir) : null;
        })
      : [];
  const projects: ProjectInfo[] = [];
  const resources = new Map<string, Resource>();
  const groups = new Map<string, Group>();
  const warnings: LoadWarning[] = [];
  const diagnostics: LoadDiagnostic[] = [];
  const seen = new Set<string>();
  for (const [index, input] of list.entries()) {
    const resolved = resolve(input, cwd, options);
    const key = resolved.kind === 'source' ? `source:${resolved.rootDir!}` : resolved.manifest!;
    if (seen.has(key)) continue;
    seen.add(key);
    const { buffer: read, ...publicPart } = resolved;
    const buffer =
      read ??
      (resolved.manifest !== null ? options.prefetched?.get(resolved.manifest) : null) ??
      null;
    options.onInput?.(noteOf(publicPart, cwd));
    let loaded: {
      info: ProjectInfo;
      resources: Resource[];
      groups: Group[];
      warnings: LoadWarning[];
      diagnostics?: LoadDiagnostic[];
    };
    if (resolved.kind === 'source') {
      const dir = resolved.rootDir!;
      const own = names[index] ?? null;
      const others = [...new Set(names.filter((n): n is string => n !== null && n !== own))];
      const source = loadSourceProject(dir, {
        shown: shownPath(cwd, dir),
        ...(options.vars ? { vars: options.vars } : {}),
        ...(others.length > 0 ? { meshProjects: others.sort() } : {}),
      });
      loaded = {
        ...source,
        warnings: source.warnings.map((w) => ({
          ...w,
          file: shownPath(cwd, path.join(dir, w.file)),
        })),
      };
    } else {
      const manifest = resolved.manifest!;
      const shown = path.relative(cwd, manifest) || manifest;
      loaded =
        buffer !== null
          ? loadManifestBuffer(buffer, shown, resolved.rootDir, options.manifestReuse)
          : loadManifestFile(manifest, resolved.rootDir, shown, options.manifestReuse);
      loaded.warnings = loaded.warnings.map((w) => ({
        ...w,
        file: path.relative(cwd, w.file) || w.file,
      }));
    }
    projects.push(loaded.info);
    warnings.push(...loaded.warnings);
    const projectName = loaded.info.name;
    for (const d of loaded.diagnostics ?? []) diagnostics.push({ ...d, project: projectName });
    for (const r of loaded.resources) {
      const prev = resources.get(r.uniqueId);
      if (prev === undefined || outranks(r, prev)) resources.set(r.uniqueId, r);
    }
    // A project's own definition of a group beats a copy installed as a package elsewhere.
    for (const g of loaded.groups)
      if (!groups.has(g.uniqueId) || g.packageName === projectName) groups.set(g.uniqueId, g);
  }
  if (projects.length > 1) diagnostics.push(...linkMesh(resources, projects));
  else for (const d of diagnostics) delete d.project;
  const graph = LineageGraph.fromResources(resources.values());
  return { projects, resources, groups, graph, warnings, diagnostics };
}

/**
 * Which of two resources of one unique_id the graph keeps: a real node beats an injected
 * placeholder, and a project's own node beats the copy of it installed as a package in
 * another project of the mesh.
 */
function outranks(r: Resource, prev: Resource): boolean {
  if (prev.external !== r.external) return prev.external;
  const own = (x: Resource) => x.packageName === x.projectName;
  return own(r) && !own(prev);
}

/** The dbt project directory an input belongs to, without reading any manifest; null if none. */
function projectDirGuess(abs: string): string | null {
  if (isFile(path.join(abs, 'dbt_project.yml'))) return abs;
  if (isFile(abs)) return projectDirOf(path.dirname(abs));
  return projectDirOf(abs);
}

/** The `name:` of dbt_project.yml in `dir`; null when it cannot be read (the load says why). */
function projectNameIn(dir: string): string | null {
  try {
    return readProjectFile(dir, 'dbt_project.yml').name;
  } catch {
    return null;
  }
}

/** What a two-argument ref can point at in another project (dbt-loom injects seeds too). */
const REFABLE: ReadonlySet<string> = new Set(['model', 'seed', 'snapshot']);

/**
 * Joins the projects of a mesh: a placeholder for another project's model (a two-argument
 * ref, or a dbt-loom injected node) whose project is loaded too is replaced by the real
 * model (an unpinned ref follows the latest version, as dbt resolves it). When that project
 * has no such model, each consumer gets a `ref-unresolved` finding naming the project and
 * the model. Placeholders of projects that are not loaded stay.
 */
export function linkMesh(
  resources: Map<string, Resource>,
  projects: readonly ProjectInfo[],
): LoadDiagnostic[] {
  const loaded = new Set(projects.map((p) => p.name));
  const byName = new Map<string, Resource[]>();
  for (const r of resources.values()) {
    if (r.external || !REFABLE.has(r.resourceType) || r.packageName !== r.projectName) continue;
    const key = `${r.projectName}\0${r.name}`;
    const list = byName.get(key);
    if (list) list.push(r);
    else byName.set(key, [r]);
  }
  const remap = new Map<string, string | null>();
  for (const r of resources.values()) {
    if (!r.external || r.resourceType !== 'model' || !loaded.has(r.projectName)) continue;
    const cands = byName.get(`${r.projectName}\0${r.name}`) ?? [];
    const hit = pickVersion(cands, r.version);
    remap.set(r.uniqueId, hit?.uniqueId ?? null);
  }
  if (remap.size === 0) return [];
  const diagnostics: LoadDiagnostic[] = [];
  for (const id of remap.keys()) resources.delete(id);
  for (const r of resources.values()) {
    if (!r.dependsOn.some((d) => remap.has(d))) continue;
    const deps: string[] = [];
    for (const d of r.dependsOn) {
      if (!remap.has(d)) deps.push(d);
      else {
        const to = remap.get(d);
        if (to) deps.push(to);
        else if (r.resourceType !== 'test' && r.resourceType !== 'unit_test') {
          const target = d.split('.');
          diagnostics.push({
            id: 'ref-unresolved',
            messageId: 'unresolved',
            data: {
              name: r.name,
              target: `ref('${target[1] ?? ''}', '${target.slice(2).join('.')}') (project '${target[1] ?? ''}' is loaded and has no such model)`,
            },
            nodeId: r.uniqueId,
            file: r.filePath ?? 'dbt_project.yml',
            project: r.projectName,
          });
        }
      }
    }
    // A new object: a resource may be shared with another load (ManifestMemo).
    resources.set(r.uniqueId, { ...r, dependsOn: [...new Set(deps)] });
  }
  return diagnostics;
}

/** The model a ref names: the version asked for, else the latest (dbt's unpinned ref). */
function pickVersion(cands: readonly Resource[], version: string | null): Resource | undefined {
  if (cands.length === 0) return undefined;
  if (version !== null) return cands.find((c) => c.version === version);
  const unversioned = cands.find((c) => c.version === null);
  if (unversioned) return unversioned;
  const latest = cands.find((c) => c.latestVersion !== null && c.version === c.latestVersion);
  if (latest) return latest;
  return [...cands].sort((a, b) => versionOrder(b.version!, a.version!))[0];
}

function versionOrder(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}
