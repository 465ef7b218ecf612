/**
 * Source mode, step one: which files of a dbt project are read. Mirrors dbt's own search
 * (`core/dbt/parser/read_files.py`): models are `.sql`/`.py` under the model paths, seeds
 * `.csv` under the seed paths, snapshots and analyses `.sql`, singular tests `.sql` under the
 * test paths (generic test definitions under `generic/` are macros), macros `.sql` under the
 * macro paths, properties YAML (`.yml`/`.yaml`, any name) under every one of those paths, and
 * docs blocks (`.md`) under the docs paths. `.dbtignore` at the project root (gitignore
 * syntax) takes files out.
 *
 * The tree is untrusted: resource paths that leave the project directory are refused, symbolic
 * links to directories are not followed (no cycles), the walk is depth-bounded, and the
 * packages folder, `target/` and `.git/` are never searched.
 */
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import picomatch from 'picomatch';

/** One discovered file. */
export interface SourceFile {
  /** Relative to the project directory, `/` separators (dbt's original_file_path). */
  rel: string;
  /** The resource path it was found under (`models`), as written in dbt_project.yml. */
  resourcePath: string;
  /** Relative to its resource path (`staging/stg_x.sql`). */
  sub: string;
}

export interface ProjectPaths {
  modelPaths: readonly string[];
  seedPaths: readonly string[];
  snapshotPaths: readonly string[];
  analysisPaths: readonly string[];
  testPaths: readonly string[];
  macroPaths: readonly string[];
  /** dbt 1.11 UDF folders: properties YAML only. */
  functionPaths?: readonly string[];
  docsPaths: readonly string[] | null;
  packagesInstallPath: string;
  /** target-path; searched never. */
  targetPath?: string;
}

export interface DiscoveredFiles {
  models: SourceFile[];
  seeds: SourceFile[];
  snapshots: SourceFile[];
  analyses: SourceFile[];
  /** Singular data tests. */
  tests: SourceFile[];
  /** Macro files, including generic test definitions (`tests/generic/*.sql`). */
  macros: SourceFile[];
  /** Properties YAML under any resource path. */
  yaml: SourceFile[];
  /** `.md` files under the docs paths (docs blocks). */
  docs: SourceFile[];
  /** Problems with the paths themselves (a path outside the project, …). */
  problems: string[];
}

/** Deeper trees than this are not walked (a dbt project is rarely 10 levels deep). */
const MAX_DEPTH = 40;

/** A path from dbt_project.yml that stays inside the project: normalized, `/` separators. */
function safeRelative(p: string): string | null {
  if (typeof p !== 'string' || p === '' || p.includes('\0')) return null;
  if (path.isAbsolute(p) || /^[A-Za-z]:/.test(p)) return null;
  const norm = path.posix.normalize(p.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (norm === '..' || norm.startsWith('../')) return null;
  return norm === '' ? '.' : norm;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A `.dbtignore` (gitignore syntax): later lines win, `!` re-includes, `/` anchors. */
export class IgnoreRules {
  private readonly rules: Array<{
    negate: boolean;
    dirOnly: boolean;
    match: (p: string) => boolean;
  }> = [];

  constructor(text: string) {
    for (const raw of text.split(/\r?\n/)) {
      let line = raw.replace(/(?<!\\)\s+$/, '');
      if (line === '' || line.startsWith('#')) continue;
      let negate = false;
      if (line.startsWith('!')) {
        negate = true;
        line = line.slice(1);
      } else if (line.startsWith('\\!') || line.startsWith('\\#')) line = line.slice(1);
      let dirOnly = false;
      if (line.endsWith('/')) {
        dirOnly = true;
        line = line.replace(/\/+$/, '');
      }
      if (line === '') continue;
      const anchored = line.startsWith('/') || line.slice(0, -1).includes('/');
      if (line.startsWith('/')) line = line.slice(1);
      const glob = anchored ? line : `**/${line}`;
      let match: (p: string) => boolean;
      try {
        match = picomatch(glob, { dot: true });
      } catch {
        continue;
      }
      this.rules.push({ negate, dirOnly, match });
    }
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Whether `rel` (a file, relative to the project) is ignored, itself or by a parent folder. */
  ignores(rel: string): boolean {
    if (this.rules.length === 0) return false;
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const isDir = i < parts.length;
      let ignored = false;
      for (const r of this.rules) {
        if (r.dirOnly && !isDir) continue;
        if (r.match(prefix)) ignored = !r.negate;
      }
      // As in git, nothing under an ignored folder can be re-included.
      if (ignored) return true;
    }
    return false;
  }
}

export function readIgnoreFile(dir: string): IgnoreRules | null {
  const file = path.join(dir, '.dbtignore');
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > 1024 * 1024) return null;
    const rules = new IgnoreRules(fs.readFileSync(file, 'utf8'));
    return rules.empty ? null : rules;
  } catch {
    return null;
  }
}

interface Walk {
  dir: string;
  ignore: IgnoreRules | null;
  /** Folders (relative to the project) never searched. */
  skip: string[];
  problems: string[];
  /** `rel` → already listed, so that overlapping paths list a file once per kind. */
  cache: Map<string, string[]>;
}

/** Every file under one resource path, relative to the project, sorted. */
function listUnder(w: Walk, resourcePath: string): string[] {
  const cached = w.cache.get(resourcePath);
  if (cached) return cached;
  const rel = safeRelative(resourcePath);
  let out: string[] = [];
  if (rel === null) {
    w.problems.push(
      `${JSON.stringify(resourcePath)}: a resource path must be a relative path inside the project; it is not searched`,
    );
  } else {
    const abs = path.join(w.dir, rel);
    if (isDirectory(abs)) {
      const found = fg.sync('**/*', {
        cwd: abs,
        onlyFiles: true,
        dot: true,
        followSymbolicLinks: false,
        deep: MAX_DEPTH,
        suppressErrors: true,
        ignore: ['**/.git/**', '**/node_modules/**'],
      });
      const prefix = rel === '.' ? '' : `${rel}/`;
      out = found
        .map((f) => prefix + f)
        .filter((f) => !w.skip.some((s) => f === s || f.startsWith(`${s}/`)))
        .filter((f) => !w.ignore?.ignores(f))
        .sort();
    }
  }
  w.cache.set(resourcePath, out);
  return out;
}

function collect(
  w: Walk,
  paths: readonly string[],
  accept: (sub: string) => boolean,
  seen?: Set<string>,
): SourceFile[] {
  const out: SourceFile[] = [];
  const local = seen ?? new Set<string>();
  for (const rp of paths) {
    const rel = safeRelative(rp);
    const files = listUnder(w, rp);
    if (rel === null) continue;
    const prefix = rel === '.' ? '' : `${rel}/`;
    for (const f of files) {
      const sub = f.slice(prefix.length);
      if (local.has(f) || !accept(sub)) continue;
      local.add(f);
      out.push({ rel: f, resourcePath: rel, sub });
    }
  }
  return out;
}

const ext = (f: string): string => {
  const base = f.slice(f.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
};

/** Lists the files of the project in `dir` (absolute) the way dbt would find them. */
export function discoverFiles(dir: string, paths: ProjectPaths): DiscoveredFiles {
  const skip = ['.git', 'target', 'dbt_packages', 'logs'];
  for (const p of [paths.packagesInstallPath, paths.targetPath]) {
    const rel = p === undefined ? null : safeRelative(p);
    if (rel !== null && rel !== '.') skip.push(rel);
  }
  const w: Walk = { dir, ignore: readIgnoreFile(dir), skip, problems: [], cache: new Map() };
  const isSql = (f: string) => ext(f) === '.sql';
  const isYaml = (f: string) => ext(f) === '.yml' || ext(f) === '.yaml';
  const inGeneric = (sub: string) => sub.startsWith('generic/');
  const models = collect(w, paths.modelPaths, (f) => isSql(f) || ext(f) === '.py');
  const seeds = collect(w, paths.seedPaths, (f) => ext(f) === '.csv');
  const snapshots = collect(w, paths.snapshotPaths, isSql);
  const analyses = collect(w, paths.analysisPaths, isSql);
  const tests = collect(w, paths.testPaths, (f) => isSql(f) && !inGeneric(f));
  const macros = [
    ...collect(w, paths.macroPaths, isSql),
    ...collect(w, paths.testPaths, (f) => isSql(f) && inGeneric(f)),
  ];
  const yamlSeen = new Set<string>();
  const yaml = collect(
    w,
    [
      ...paths.modelPaths,
      ...paths.seedPaths,
      ...paths.snapshotPaths,
      ...paths.analysisPaths,
      ...paths.macroPaths,
      ...paths.testPaths,
      ...(paths.functionPaths ?? []),
    ],
    isYaml,
    yamlSeen,
  );
  const docsPaths = paths.docsPaths ?? [
    ...paths.modelPaths,
    ...paths.seedPaths,
    ...paths.snapshotPaths,
    ...paths.analysisPaths,
    ...paths.macroPaths,
    ...paths.testPaths,
  ];
  const docs = collect(w, docsPaths, (f) => ext(f) === '.md');
  return { models, seeds, snapshots, analyses, tests, macros, yaml, docs, problems: w.problems };
}

/** The file name without its extension (dbt's node name for a file). */
export function fileStem(rel: string): string {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? base : base.slice(0, dot);
}

/** The folders between the resource path and the file (`staging/x.sql` → [`staging`]). */
export function subDirs(f: SourceFile): string[] {
  const parts = f.sub.split('/');
  return parts.slice(0, -1);
}
