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
import { loadManifestBuffer, loadManifestFile } from './manifest.js';
import { describeFsError, readFileChunked } from './read-file.js';
import { discoverFiles } from './source/discover.js';
import { manifestFreshness } from './source/freshness.js';
import { loadSourceProject, readProjectFile } from './source/project.js';
import { YamlSyntaxError } from './source/yaml.js';

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
    `${input}: no manifest.json found; pass a manifest.json, a directory holding one, or a dbt project directory`,
    input,
  );
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
  const list = inputs.length > 0 ? inputs : ['.'];
  if (options.manifest !== undefined && list.length > 1)
    throw new InputError(
      `--manifest names the manifest of one project, and ${list.length} inputs were given; pass one project directory`,
      options.manifest,
    );
  const projects: ProjectInfo[] = [];
  const resources = new Map<string, Resource>();
  const groups = new Map<string, Group>();
  const warnings: LoadWarning[] = [];
  const diagnostics: LoadDiagnostic[] = [];
  const seen = new Set<string>();
  for (const input of list) {
    const resolved = resolve(input, cwd, options);
    const key = resolved.kind === 'source' ? `source:${resolved.rootDir!}` : resolved.manifest!;
    if (seen.has(key)) continue;
    seen.add(key);
    const { buffer, ...publicPart } = resolved;
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
      const source = loadSourceProject(dir, {
        shown: shownPath(cwd, dir),
        ...(options.vars ? { vars: options.vars } : {}),
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
          ? loadManifestBuffer(buffer, shown, resolved.rootDir)
          : loadManifestFile(manifest, resolved.rootDir, shown);
      loaded.warnings = loaded.warnings.map((w) => ({
        ...w,
        file: path.relative(cwd, w.file) || w.file,
      }));
    }
    projects.push(loaded.info);
    warnings.push(...loaded.warnings);
    diagnostics.push(...(loaded.diagnostics ?? []));
    for (const r of loaded.resources) {
      const prev = resources.get(r.uniqueId);
      // A real node beats an injected placeholder of the same id from another input.
      if (prev === undefined || (prev.external && !r.external)) resources.set(r.uniqueId, r);
    }
    for (const g of loaded.groups) if (!groups.has(g.uniqueId)) groups.set(g.uniqueId, g);
  }
  const graph = LineageGraph.fromResources(resources.values());
  return { projects, resources, groups, graph, warnings, diagnostics };
}
