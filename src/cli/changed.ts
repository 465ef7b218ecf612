/**
 * `check --changed-files FILE…` / `check --changed-from GITREF`: the pre-commit scope. The
 * whole project still loads (edges need both ends); findings are limited to the resources
 * the changed files touch and both ends of their edges (src/engine/changed.ts decides which).
 *
 * This module does the I/O: it asks git what changed, maps the paths from the repository
 * root to each project directory, reads dbt_project.yml before and after, and scans macro
 * and docs files for the resources that use them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { parse as parseYaml } from 'yaml';
import {
  changedResources,
  InputError,
  isMacroPath,
  scopeOf,
  type ChangedScopeOptions,
  type LoadedConfig,
  type Project,
  type Resource,
} from '../index.js';
import { UsageError, type CliIO } from './common.js';

export interface ChangedArgs {
  changedFiles: string[] | undefined;
  changedFrom: string | undefined;
}

/** --changed-files / --changed-from. */
export function changedOptions(y: Argv): Argv {
  return y
    .option('changed-files', {
      type: 'string',
      array: true,
      describe:
        'report only on resources these files change (SQL, YAML, dbt_project.yml, macros, docs) and their direct neighbours; for pre-commit, put it last',
    })
    .option('changed-from', {
      type: 'string',
      describe:
        'like --changed-files, with the files changed since GITREF (git diff GITREF...HEAD, plus uncommitted and untracked files)',
    })
    .conflicts('changed-files', 'changed-from');
}

/** A changed file: where it is, and how to read it before the change (git only). */
interface ChangedFile {
  abs: string;
  /** The file in git (--changed-from): the repository root, the merge base, the path from the root. */
  git: { root: string; base: string; path: string } | null;
}

function realish(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    // a deleted file: resolve its folder
    try {
      return path.join(fs.realpathSync(path.dirname(p)), path.basename(p));
    } catch {
      return path.resolve(p);
    }
  }
}

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 2 ** 20,
  });
}

function gitError(err: unknown): { missing: boolean; message: string } {
  const e = err as NodeJS.ErrnoException & { stderr?: string | Buffer };
  if (e.code === 'ENOENT') return { missing: true, message: '' };
  const stderr = typeof e.stderr === 'string' ? e.stderr : (e.stderr?.toString('utf8') ?? '');
  const line = stderr
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  return { missing: false, message: (line ?? e.message ?? String(err)).replace(/^fatal: /, '') };
}

/** Files changed since `ref` in the git repository holding `dir`: committed, staged, unstaged, untracked. */
export function gitChangedFiles(ref: string, dir: string): ChangedFile[] {
  const fixRef = `check the ref name, or fetch it first (git fetch origin ${ref}; a shallow CI clone needs the full history)`;
  let root: string;
  try {
    root = git(['rev-parse', '--show-toplevel'], dir).trim();
  } catch (err) {
    const e = gitError(err);
    if (e.missing)
      throw new InputError(
        `--changed-from ${ref}: git is not installed or not on PATH; install git, or list the files with --changed-files`,
      );
    throw new InputError(
      `--changed-from ${ref}: ${dir} is not in a git repository (${e.message}); run inside the clone, or list the files with --changed-files`,
    );
  }
  let base: string;
  let names: string[];
  let status: string;
  try {
    base = git(['merge-base', ref, 'HEAD'], root).trim();
    names = git(['diff', '--name-only', '--no-renames', '-z', `${ref}...HEAD`], root)
      .split('\0')
      .filter(Boolean);
    status = git(['status', '--porcelain', '-z', '--untracked-files=all', '--no-renames'], root);
  } catch (err) {
    const e = gitError(err);
    throw new InputError(
      `--changed-from ${ref}: git cannot compare it with HEAD (${e.message}); ${fixRef}`,
    );
  }
  // porcelain v1 -z: "XY path\0" (no rename pairs with --no-renames), paths from the root
  for (const entry of status.split('\0')) if (entry.length > 3) names.push(entry.slice(3));
  const realRoot = realish(root);
  return [...new Set(names)].sort().map((p) => ({
    abs: path.join(realRoot, p),
    git: { root, base, path: p },
  }));
}

/** What dbt_project.yml says about where things live (defaults when unreadable). */
interface ProjectPaths {
  macroPaths: string[];
  testPaths: string[];
  packagesPath: string;
}

function strings(v: unknown, fallback: string[]): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  return fallback;
}

function readYaml(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return parseYaml(text, { version: '1.1', uniqueKeys: false });
  } catch {
    return null; // unparsable: compares unequal to anything, so every resource is in scope
  }
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function projectPaths(config: unknown): ProjectPaths {
  const c =
    config !== null && typeof config === 'object' ? (config as Record<string, unknown>) : {};
  return {
    macroPaths: strings(c['macro-paths'], ['macros']),
    testPaths: strings(c['test-paths'], ['tests']),
    packagesPath:
      typeof c['packages-install-path'] === 'string' ? c['packages-install-path'] : 'dbt_packages',
  };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const MACRO_DEF = /\{%-?\s*(macro|test|materialization)\s+([A-Za-z_]\w*)/g;

/** Macro names a file defines (generic tests as `test_<name>`), with their dispatch bases. */
function macroNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(MACRO_DEF)) {
    const name = m[1] === 'test' ? `test_${m[2]!}` : m[2]!;
    names.add(name);
    const base = /^[a-z0-9]+__(.+)$/.exec(name);
    if (base) names.add(base[1]!); // default__x / snowflake__x implement x
  }
  return names;
}

function listFiles(dir: string, exts: RegExp, out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) listFiles(p, exts, out);
    else if (exts.test(e.name)) out.push(p);
  }
  return out;
}

/**
 * Who uses the macros of each changed macro file: names defined there, closed over the
 * project's macros that call them, then the resources whose SQL or YAML calls one (generic
 * tests by name). A file that cannot be read, or names called from dbt_project.yml (hooks),
 * gets no entry: the engine then takes every model.
 */
function findMacroUsers(
  rootDir: string,
  macroFiles: string[],
  paths: ProjectPaths,
  own: Resource[],
): Map<string, string[]> {
  const result = new Map<string, string[]>();
  // every macro of the project: name -> body text
  const bodies = new Map<string, string>();
  for (const dir of [...paths.macroPaths, ...paths.testPaths.map((t) => path.join(t, 'generic'))]) {
    for (const file of listFiles(path.join(rootDir, dir), /\.(sql|jinja2?)$/i)) {
      const text = readText(file) ?? '';
      const defs = [...text.matchAll(MACRO_DEF)];
      defs.forEach((m, i) => {
        const end = defs[i + 1]?.index ?? text.length;
        const name = m[1] === 'test' ? `test_${m[2]!}` : m[2]!;
        bodies.set(name, text.slice(m.index, end));
      });
    }
  }
  const fileText = new Map<string, string | null>();
  const textOf = (rel: string) => {
    if (!fileText.has(rel)) fileText.set(rel, readText(path.join(rootDir, rel)));
    return fileText.get(rel) ?? null;
  };
  const projectYml = textOf('dbt_project.yml') ?? '';
  for (const rel of macroFiles) {
    const text = textOf(rel);
    if (text === null) continue;
    const names = macroNames(text);
    if (names.size === 0) {
      result.set(rel, []);
      continue;
    }
    // close over callers
    let frontier = [...names];
    while (frontier.length > 0) {
      const re = new RegExp(
        `\\b(${frontier.map(escapeRe).join('|')})\\s*\\(|dispatch\\(\\s*['"](${frontier.map(escapeRe).join('|')})['"]`,
      );
      frontier = [];
      for (const [name, body] of bodies) {
        if (names.has(name)) continue;
        if (re.test(body)) {
          names.add(name);
          frontier.push(name);
        }
      }
    }
    const list = [...names].map(escapeRe).join('|');
    const call = new RegExp(`\\b(${list})\\s*\\(`);
    if (call.test(projectYml)) continue; // used by project-wide config or hooks: everything
    const users: string[] = [];
    for (const r of own) {
      if (r.test?.name && names.has(`test_${r.test.name}`)) {
        users.push(r.uniqueId);
        continue;
      }
      for (const f of [r.filePath, r.patchPath]) {
        if (!f) continue;
        const t = textOf(f);
        if (t !== null && call.test(t)) {
          users.push(r.uniqueId);
          break;
        }
      }
    }
    result.set(rel, users);
  }
  return result;
}

const DOCS_DEF = /\{%-?\s*docs\s+([A-Za-z_]\w*)\s*-?%\}/g;

/** Who uses the docs blocks of each changed .md file: resources whose YAML calls doc('name'). */
function findDocUsers(rootDir: string, docFiles: string[], own: Resource[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  const fileText = new Map<string, string | null>();
  const textOf = (rel: string) => {
    if (!fileText.has(rel)) fileText.set(rel, readText(path.join(rootDir, rel)));
    return fileText.get(rel) ?? null;
  };
  for (const rel of docFiles) {
    const text = textOf(rel);
    if (text === null) continue;
    const names = [...text.matchAll(DOCS_DEF)].map((m) => m[1]!);
    if (names.length === 0) {
      result.set(rel, []);
      continue;
    }
    const re = new RegExp(`doc\\(\\s*['"](${names.map(escapeRe).join('|')})['"]\\s*\\)`);
    const users: string[] = [];
    for (const r of own) {
      for (const f of [r.patchPath, r.filePath]) {
        if (!f || !/\.ya?ml$/i.test(f)) continue;
        const t = textOf(f);
        if (t !== null && re.test(t)) {
          users.push(r.uniqueId);
          break;
        }
      }
    }
    result.set(rel, users);
  }
  return result;
}

/** Top-level keys of properties files whose entries can be told apart by their lines. */
const FLAT_SECTIONS = new Set(['version', 'models', 'seeds', 'snapshots', 'analyses', 'exposures']);
const TOP_LEVEL_KEY = /^(?:["']?)([A-Za-z_][\w-]*)(?:["']?)\s*:/;

/**
 * Changed line ranges of YAML files since the merge base (committed and uncommitted), for
 * files where entries can be told apart: only flat sections (models, seeds, snapshots,
 * analyses, exposures) and no top-level key among the changed lines. Other files get no
 * entry, so every resource of theirs counts as changed.
 */
function yamlLineChanges(
  rootDir: string,
  files: Array<{ rel: string; git: { root: string; base: string; path: string } | null }>,
): Map<string, Array<[number, number]>> {
  const out = new Map<string, Array<[number, number]>>();
  const first = files[0]!.git!;
  const byRepoPath = new Map(files.map((f) => [f.git!.path, f.rel]));
  let diff: string;
  try {
    diff = git(
      [
        '-c',
        'core.quotepath=off',
        'diff',
        '-U0',
        '--no-color',
        '--no-ext-diff',
        '--no-renames',
        first.base,
        '--',
        ...byRepoPath.keys(),
      ],
      first.root,
    );
  } catch {
    return out; // whole files
  }
  let current: string | null = null;
  let ranges: Array<[number, number]> | null = null;
  const flush = () => {
    if (current !== null && ranges !== null && ranges.length > 0) out.set(current, ranges);
  };
  for (const line of diff.split('\n')) {
    if (line.startsWith('diff --git ')) {
      flush();
      current = null;
      ranges = null;
    } else if (line.startsWith('+++ ')) {
      const rel = line.startsWith('+++ b/') ? byRepoPath.get(line.slice(6)) : undefined;
      const text = rel !== undefined ? readText(path.join(rootDir, rel)) : null;
      const flat =
        text !== null &&
        text
          .split(/\r?\n/)
          .every((l) => !TOP_LEVEL_KEY.test(l) || FLAT_SECTIONS.has(TOP_LEVEL_KEY.exec(l)![1]!));
      current = flat && rel !== undefined ? rel : null;
      ranges = current !== null ? [] : null;
    } else if (ranges !== null && line.startsWith('@@')) {
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!m) {
        ranges = null;
        continue;
      }
      const start = Number(m[1]);
      const count = m[2] === undefined ? 1 : Number(m[2]);
      ranges.push(count > 0 ? [start, start + count - 1] : [Math.max(1, start), start + 1]);
    } else if (ranges !== null && (line.startsWith('+') || line.startsWith('-'))) {
      // a top-level key added, removed or renamed: the whole file
      if (TOP_LEVEL_KEY.test(line.slice(1))) ranges = null;
    }
  }
  flush();
  return out;
}

export interface ChangedScopeResult {
  /** null: no restriction (a full run), e.g. the dbt-steward config itself changed. */
  scope: Set<string> | null;
  /** Resources changed directly, before adding neighbours. */
  changed: number;
  /** One line for stderr. */
  note: string;
}

/**
 * The scope for --changed-files / --changed-from, or undefined when neither is given.
 * Paths of --changed-files are relative to the working directory (pre-commit passes them
 * relative to the repository root, where it runs hooks).
 */
export function changedScopeFor(
  args: ChangedArgs,
  project: Project,
  config: Pick<LoadedConfig, 'file'>,
  io: Pick<CliIO, 'cwd'>,
): ChangedScopeResult | undefined {
  const { changedFiles, changedFrom } = args;
  if (changedFiles === undefined && changedFrom === undefined) return undefined;
  if (changedFrom !== undefined && changedFrom.trim() === '')
    throw new UsageError('--changed-from takes a git ref (a branch, tag or commit)');
  const projects = project.projects.filter((p) => p.rootDir !== null);
  if (projects.length === 0)
    throw new InputError(
      `${changedFrom !== undefined ? '--changed-from' : '--changed-files'} needs a dbt project directory to map paths to resources; pass the project directory instead of a manifest file`,
    );

  const files: ChangedFile[] =
    changedFrom !== undefined
      ? gitChangedFiles(changedFrom, projects[0]!.rootDir!)
      : (changedFiles ?? []).map((f) => ({ abs: realish(path.resolve(io.cwd, f)), git: null }));
  const label = changedFrom !== undefined ? `--changed-from ${changedFrom}` : '--changed-files';

  if (config.file !== null) {
    const cfg = realish(config.file);
    if (files.some((f) => f.abs === cfg))
      return {
        scope: null,
        changed: project.resources.size,
        note: `${label}: ${path.relative(io.cwd, config.file) || config.file} changed, checking everything`,
      };
  }

  const changedIds = new Set<string>();
  for (const info of projects) {
    const rootDir = realish(info.rootDir!);
    const mine = files
      .map((f) => ({ ...f, rel: path.relative(rootDir, f.abs) }))
      .filter((f) => f.rel !== '' && !f.rel.startsWith('..') && !path.isAbsolute(f.rel))
      .map((f) => ({ ...f, rel: f.rel.split(path.sep).join('/') }));
    if (mine.length === 0) continue;
    const afterText = readText(path.join(rootDir, 'dbt_project.yml'));
    const after = readYaml(afterText);
    const paths = projectPaths(after);
    const options: ChangedScopeOptions = {
      projectName: info.name,
      macroPaths: paths.macroPaths,
      testPaths: paths.testPaths,
      packagesPath: paths.packagesPath,
    };
    const projectFile = mine.find((f) => f.rel === 'dbt_project.yml');
    if (projectFile?.git) {
      const { root, base, path: inRepo } = projectFile.git;
      let beforeText: string | null;
      try {
        beforeText = git(['show', `${base}:${inRepo}`], root);
      } catch {
        beforeText = null; // new in this change: every resource
      }
      if (beforeText !== null) options.projectFile = { before: readYaml(beforeText), after };
    }
    const own = [...project.resources.values()].filter(
      (r) => r.projectName === info.name && r.packageName === info.name && !r.external,
    );
    const macroFiles = mine
      .filter((f) => isMacroPath(f.rel, paths.macroPaths, paths.testPaths))
      .map((f) => f.rel);
    if (macroFiles.length) options.macroUsers = findMacroUsers(rootDir, macroFiles, paths, own);
    const yamlInGit = mine.filter(
      (f) => f.git !== null && /\.ya?ml$/i.test(f.rel) && f.rel !== 'dbt_project.yml',
    );
    if (yamlInGit.length) options.changedLines = yamlLineChanges(rootDir, yamlInGit);
    const docFiles = mine.filter((f) => /\.md$/i.test(f.rel)).map((f) => f.rel);
    if (docFiles.length) options.docUsers = findDocUsers(rootDir, docFiles, own);
    for (const id of changedResources(
      project,
      mine.map((f) => f.rel),
      options,
    ).keys())
      changedIds.add(id);
  }
  const scope = scopeOf(project, changedIds);
  return {
    scope,
    changed: changedIds.size,
    note: `${label}: ${files.length} changed file(s), ${changedIds.size} changed resource(s), ${scope.size} in scope with their direct neighbours`,
  };
}

/** The run's selection: the changed scope intersected with --select/--exclude when both. */
export function intersectSelection(
  selected: Set<string> | null,
  scope: Set<string> | null,
): Set<string> | null {
  if (scope === null) return selected;
  if (selected === null) return scope;
  const out = new Set<string>();
  for (const id of scope) if (selected.has(id)) out.add(id);
  return out;
}
