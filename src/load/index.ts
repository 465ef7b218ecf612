import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { LineageGraph } from '../graph/lineage.js';
import type { Group, LoadWarning, ProjectInfo, Resource } from '../model.js';
import type { Project } from '../project.js';
import { loadManifestFile } from './manifest.js';
import { describeFsError } from './read-file.js';

export interface LoadOptions {
  /** Directory that relative inputs are resolved against (default: the current directory). */
  cwd?: string;
}

/** A positional input resolved to the manifest file to read. */
export interface ResolvedInput {
  input: string;
  manifest: string;
  /** The dbt project directory, when the manifest sits in one. */
  rootDir: string | null;
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

/**
 * A file is a manifest; a directory holding manifest.json is a manifest directory; one
 * holding target/manifest.json is a dbt project with a manifest.
 */
export function resolveInput(input: string, cwd: string): ResolvedInput {
  const abs = path.resolve(cwd, input);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch (err) {
    throw describeFsError(err, input);
  }
  if (stat.isFile()) return { input, manifest: abs, rootDir: projectDirOf(path.dirname(abs)) };
  if (!stat.isDirectory())
    throw new InputError(
      `${input}: not a regular file or directory (a pipe, socket or device?); pass a manifest.json file, a directory holding one, or a dbt project directory`,
      input,
    );
  const direct = path.join(abs, 'manifest.json');
  if (isFile(direct)) return { input, manifest: direct, rootDir: projectDirOf(abs) };
  const target = path.join(abs, 'target', 'manifest.json');
  if (isFile(target)) return { input, manifest: target, rootDir: abs };
  const hint = isFile(path.join(abs, 'dbt_project.yml'))
    ? 'this dbt project has no target/manifest.json yet: run `dbt parse` in it first'
    : 'pass a manifest.json, a directory holding one, or a dbt project directory with target/manifest.json';
  throw new InputError(`${input}: no manifest.json found; ${hint}`, input);
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
  const projects: ProjectInfo[] = [];
  const resources = new Map<string, Resource>();
  const groups = new Map<string, Group>();
  const warnings: LoadWarning[] = [];
  const seen = new Set<string>();
  for (const input of list) {
    const resolved = resolveInput(input, cwd);
    if (seen.has(resolved.manifest)) continue;
    seen.add(resolved.manifest);
    const shown = path.relative(cwd, resolved.manifest) || resolved.manifest;
    const loaded = loadManifestFile(resolved.manifest, resolved.rootDir, shown);
    projects.push(loaded.info);
    warnings.push(
      ...loaded.warnings.map((w) => ({ ...w, file: path.relative(cwd, w.file) || w.file })),
    );
    for (const r of loaded.resources) {
      const prev = resources.get(r.uniqueId);
      // A real node beats an injected placeholder of the same id from another input.
      if (prev === undefined || (prev.external && !r.external)) resources.set(r.uniqueId, r);
    }
    for (const g of loaded.groups) if (!groups.has(g.uniqueId)) groups.set(g.uniqueId, g);
  }
  const graph = LineageGraph.fromResources(resources.values());
  return { projects, resources, groups, graph, warnings };
}
