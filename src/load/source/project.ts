/**
 * Source mode: a dbt project read straight from its files — dbt_project.yml, properties YAML,
 * SQL and Python models, snapshots, seeds, macros and installed packages — into the same
 * Resources a manifest load gives (src/load/normalize.ts), so that every rule, finding and
 * fingerprint is the same in both modes.
 *
 * What dbt's `parse` would refuse or warn about becomes a LoadDiagnostic (a finding), not an
 * exception: a YAML file that cannot be read (`parse-error`), a ref or source that names
 * nothing (`ref-unresolved`), a properties entry for a file that does not exist
 * (`orphan-properties`), a name defined twice (`duplicate-resource`), refs whose arguments are
 * computed (`ref-dynamic`). Only an unusable root dbt_project.yml stops the load.
 *
 * Every path in a Resource is relative to the package that defines it (as dbt's
 * original_file_path is); diagnostics name files relative to the root project directory.
 */
import crypto from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors.js';
import type {
  Column,
  Constraint,
  Group,
  LoadDiagnostic,
  LoadWarning,
  Meta,
  ProjectInfo,
  Resource,
  ResourceType,
  TestInfo,
} from '../../model.js';
import { discoverFiles, fileStem, type DiscoveredFiles, type SourceFile } from './discover.js';
import { DbtJinja, pythonDeps, scanDeps, type MacroSource, type ModelDeps } from './jinja.js';
import { isStaticResult } from './jinja-scan.js';
import {
  effectiveConfig,
  isMapping,
  nodeFields,
  nodeFqn,
  normalizeEntryConfig,
  readDbtProject,
  sourceTableConfig,
  TEST_CONFIG_ARGS,
  type ConfigResourceType,
  type DbtProjectFile,
} from './project-config.js';
import { nullObject, parseDbtYaml, YamlSyntaxError, type YamlDocument } from './yaml.js';
import { pyStrip } from './py-text.js';

/** The schema version a source load claims: it reads a project the way dbt 1.10/1.11 does. */
export const SOURCE_SCHEMA_VERSION = 12;

/** Files larger than this are not read (a warning says so). */
const MAX_FILE_BYTES = 8 * 1024 * 1024;

type Dict = Record<string, unknown>;

/** How one node's dependencies were found (for the parity test and `--debug`). */
export interface DependencyMethod {
  method: 'render' | 'scan' | 'yaml';
  renderError: string | null;
  /** Macros the render called that no loaded package defines (their refs are unknown). */
  unknownMacros: string[];
  /** Refs and sources added by a literal scan because of unknown macros (`package.name`, `source.table`). */
  scanned: string[];
}

export interface SourceLoad {
  info: ProjectInfo;
  resources: Resource[];
  groups: Group[];
  warnings: LoadWarning[];
  diagnostics: LoadDiagnostic[];
  /** unique_id → how its dependencies were read (models, snapshots, analyses, singular tests). */
  dependencyMethods: Map<string, DependencyMethod>;
  /** Files whose contents are unknown (parse-error): their resources are neither fixed nor removed. */
  unparsedFiles: string[];
}

export interface SourceLoadOptions {
  /** The project directory as the user gave it, for ProjectInfo.path and messages. */
  shown: string;
  /** The directory diagnostics' file paths are relative to (default: `dir`). */
  rootDir?: string;
  /** Variables given on dbt's command line (`--vars`): they beat every dbt_project.yml `vars:`. */
  vars?: Record<string, unknown>;
  /**
   * Names of the other dbt projects loaded in the same run (a mesh): two-argument refs into
   * them become placeholders that the mesh linker replaces with the real models.
   */
  meshProjects?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Small helpers over untrusted values

function dict(): Dict {
  return nullObject(); // fast properties, unlike Object.create(null)
}

function get(obj: unknown, key: string): unknown {
  // isMapping() in the order of cost: the `instanceof Date` test only for a key that is there.
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  if (!Object.prototype.hasOwnProperty.call(obj, key)) return undefined;
  return obj instanceof Date ? undefined : (obj as Dict)[key];
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}

/** A YAML name as dbt sees it (Python str of a scalar). */
function nameOf(entry: unknown): string | null {
  const n = get(entry, 'name');
  if (typeof n === 'string') return n;
  if (typeof n === 'number') return String(n);
  if (typeof n === 'boolean') return n ? 'True' : 'False';
  return null;
}

/**
 * One-shot hashing (crypto.hash, Node >= 20.12) where there is one: a Hash object per generic
 * test costs more than the digest itself.
 */
const oneShotHash = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

/** Seeds above this size get a path checksum from dbt (MAXIMUM_SEED_SIZE), not a hash. */
const MAXIMUM_SEED_SIZE = 1024 * 1024;

/**
 * dbt's checksum of a seed: sha256 of its text read with Python's universal newlines
 * (CRLF and CR become LF), stripped; null for a seed over 1 MiB (dbt hashes its path) or
 * one that cannot be read (the load reports nothing more: seeds are not parsed).
 */
function seedChecksum(file: string): string | null {
  try {
    if (fs.statSync(file).size > MAXIMUM_SEED_SIZE) return null;
    const text = fs.readFileSync(file, 'utf8').replace(/\r\n?/g, '\n');
    return sha256(pyStrip(text));
  } catch {
    return null;
  }
}

/** dbt's `checksum` of a node's file: sha256 of its text as read, stripped (null: not read). */
function fileChecksum(text: string | null): string | null {
  return text === null ? null : sha256(pyStrip(text));
}

function sha256(s: string): string {
  return oneShotHash
    ? oneShotHash('sha256', s, 'hex')
    : crypto.createHash('sha256').update(s, 'utf8').digest('hex');
}

function md5(s: string): string {
  return oneShotHash
    ? oneShotHash('md5', s, 'hex')
    : crypto.createHash('md5').update(s, 'utf8').digest('hex');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Object.keys(obj).sort(compare), without a sort (and its work array) when already in order. */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return keys.sort(compare);
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Python str()/repr(), for generic test names and ids

const NEEDS_ESCAPE = /[\\\n\r\t]/;

function pyStrLiteral(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  // Most names and arguments need no escape.
  if (!NEEDS_ESCAPE.test(s) && !s.includes(q)) return q + s + q;
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return q + out + q;
}

function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return pyStrLiteral(v);
  if (typeof v === 'number') return pyNumber(v);
  if (Array.isArray(v)) return `[${(v as unknown[]).map(pyRepr).join(', ')}]`;
  if (isMapping(v))
    return `{${Object.keys(v)
      .map((k) => `${pyStrLiteral(k)}: ${pyRepr(v[k])}`)
      .join(', ')}}`;
  if (v instanceof Date) return pyStrLiteral(v.toISOString());
  return pyStrLiteral(typeof v === 'bigint' ? v.toString() : '');
}

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

/** Python `str(x)`. */
function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** dbt's get_hashable_md: keys sorted recursively, every leaf str()-ed. */
function hashableMd(v: unknown): unknown {
  if (Array.isArray(v)) return (v as unknown[]).map(hashableMd);
  if (isMapping(v)) {
    const out = dict();
    for (const k of Object.keys(v).sort(compare)) out[k] = hashableMd(v[k]);
    return out;
  }
  return pyStr(v);
}

/** Whether `Object.keys` lists `k` first, in numeric order, whatever the insertion order. */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;

/**
 * `pyRepr(hashableMd(v))` without building the sorted copy (once per generic test). Keys that
 * are array indices come first in a copy's Object.keys: those mappings take the long way.
 */
function hashableRepr(v: unknown): string {
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ', ') + hashableRepr(v[i]);
    return out + ']';
  }
  if (isMapping(v)) {
    const keys = sortedKeys(v);
    let out = '{';
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (ARRAY_INDEX.test(k) && Number(k) < 4294967295) return pyRepr(hashableMd(v));
      out += (i === 0 ? '' : ', ') + pyStrLiteral(k) + ': ' + hashableRepr(v[k]);
    }
    return out + '}';
  }
  return pyStrLiteral(pyStr(v));
}

// ---------------------------------------------------------------------------------------------
// Packages

/** A relative path with `/` separators and no empty, `.` or `..` segment (POSIX only). */
const NORMAL_REL =
  path.sep === '/' ? /^(?!\.\.?(?:\/|$))[^/]+(?:\/(?!\.\.?(?:\/|$))[^/]+)*$/ : /(?!)/;

interface Pkg {
  name: string;
  /** Absolute directory. */
  dir: string;
  /** Path from the root project directory to this package, `/` separators, '' for the root. */
  prefix: string;
  project: DbtProjectFile;
  isRoot: boolean;
  files: DiscoveredFiles;
}

/** A package named in packages.yml / dependencies.yml. */
interface Declared {
  /** Best guess at its project name (the registry or repository name). */
  name: string;
  /** `local:` packages: the absolute folder. */
  local: string | null;
}

function readText(file: string): { text: string } | { error: string } {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return { error: 'not a regular file' };
    if (st.size > MAX_FILE_BYTES)
      return { error: `${st.size} bytes, more than the ${MAX_FILE_BYTES} read in source mode` };
    return { text: fs.readFileSync(file, 'utf8') };
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
}

function readBuffer(file: string): { buf: Buffer } | { error: string } {
  // One open, fstat and read (not a stat by path, then readFileSync's own open and fstat).
  let fd: number;
  try {
    // Non-blocking: a FIFO must not hang the open (fstat then refuses it, as stat did).
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { error: 'not a regular file' };
    if (st.size > MAX_FILE_BYTES)
      return { error: `${st.size} bytes, more than the ${MAX_FILE_BYTES} read in source mode` };
    // Read the size fstat gave, as readFileSync(fd) does, without its second fstat.
    const buf = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < buf.length) {
      const n = fs.readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
    }
    return { buf: got < buf.length ? buf.subarray(0, got) : buf };
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? String(err) };
  } finally {
    fs.closeSync(fd);
  }
}

/** Strict UTF-8 with a leading BOM dropped (TextDecoder's default), or null when invalid. */
function decodeStrict(buf: Buffer): string | null {
  // isUtf8 + toString is much quicker than a fatal TextDecoder and gives the same text.
  if (!isUtf8(buf)) return null;
  const text = buf.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The pieces of dbt_project.yml a discovery needs, as discoverFiles takes them. */
function pathsOf(p: DbtProjectFile) {
  return {
    modelPaths: p.modelPaths,
    seedPaths: p.seedPaths,
    snapshotPaths: p.snapshotPaths,
    analysisPaths: p.analysisPaths,
    testPaths: p.testPaths,
    macroPaths: p.macroPaths,
    functionPaths: p.functionPaths,
    docsPaths: p.docsPaths,
    packagesInstallPath: p.packagesInstallPath,
  };
}

/** Reads and checks a dbt_project.yml; throws YamlSyntaxError or ProjectFileError. */
export function readProjectFile(dir: string, shownFile: string): DbtProjectFile {
  const file = path.join(dir, 'dbt_project.yml');
  const read = readBuffer(file);
  if ('error' in read)
    throw new InputError(`${shownFile}: cannot be read (${read.error})`, shownFile);
  // The same file is read twice per load (the project's name for the mesh first, then the
  // load itself): the second time, the parsed value of identical bytes is reused.
  // readDbtProject() only reads the value (it copies what it keeps).
  let value: unknown;
  const last = lastProjectFile;
  if (last !== null && last.file === file && last.buf.equals(read.buf)) value = last.value;
  else {
    value = parseDbtYaml(read.buf, shownFile).value;
    lastProjectFile = { file, buf: read.buf, value };
  }
  return readDbtProject(value, shownFile);
}

/** The last dbt_project.yml parsed by readProjectFile(): its path, bytes and value. */
let lastProjectFile: { file: string; buf: Buffer; value: unknown } | null = null;

// ---------------------------------------------------------------------------------------------
// The loader

interface YamlEntry {
  pkg: Pkg;
  file: SourceFile;
  doc: YamlDocument;
  text: string;
  entry: Dict;
  name: string;
}

interface Candidate {
  pkg: Pkg;
  type: ResourceType;
  name: string;
  version: string | null;
  file: SourceFile | null;
  /** YAML-defined snapshots (dbt 1.9): the properties file defines the node. */
  yamlDefined: boolean;
  entry: YamlEntry | null;
  versionEntry: Dict | null;
  deps: ModelDeps | null;
  fqn: string[];
  language: 'sql' | 'python';
  /** dbt's checksum of the file (sha256 of its stripped text); null for YAML-defined nodes and seeds. */
  checksum?: string | null;
}

/** A reference as read from code or YAML. */
interface RefCall {
  package: string | null;
  name: string;
  version: string | null;
}

const REFABLE: ReadonlySet<ResourceType> = new Set<ResourceType>(['model', 'seed', 'snapshot']);

class Loader {
  readonly warnings: LoadWarning[] = [];
  readonly diagnostics: LoadDiagnostic[] = [];
  readonly resources = new Map<string, Resource>();
  readonly groups: Group[] = [];
  readonly methods = new Map<string, DependencyMethod>();
  /**
   * parseTestDefinition() of plain-name tests (`- unique`), which every column repeats; the
   * results are only read, so one per name is shared.
   */
  readonly namedTests = new Map<string, ReturnType<typeof parseTestDefinition>>();
  readonly unparsed = new Set<string>();
  /** Placeholders for refs into packages not installed and into other projects. */
  readonly placeholders = new Map<string, Resource>();
  packages: Pkg[] = [];
  root!: Pkg;
  jinja!: DbtJinja;
  /** Declared packages that are not installed, by guessed name. */
  missingPackages: string[] = [];
  /** Projects this one may ref (dependencies.yml `projects:`, dbt-loom manifests). */
  crossProjects = new Set<string>();
  /** `pkg\0name` → docs block text. */
  readonly docs = new Map<string, string>();
  /** Disabled refable nodes: `pkg\0name` → their files, for better messages. */
  readonly disabled = new Map<string, string>();
  /** Refable nodes by name. */
  readonly byName = new Map<string, Resource[]>();
  /** Sources by `source\0table`. */
  readonly sourcesByName = new Map<string, Resource[]>();

  constructor(
    readonly dir: string,
    readonly shown: string,
    readonly rootDir: string,
    readonly cliVars: Record<string, unknown> | null,
  ) {}

  /** A path relative to the root project directory, for diagnostics. */
  shownFile(pkg: Pkg, rel: string): string {
    // Asked for the same file many times (each test, column, warning): path.relative is slow.
    let byRel = this.shownFiles.get(pkg.dir);
    if (byRel === undefined) {
      byRel = new Map();
      this.shownFiles.set(pkg.dir, byRel);
    }
    let shown = byRel.get(rel);
    if (shown === undefined && pkg.dir === this.rootDir && NORMAL_REL.test(rel)) {
      // A normalized path inside the root project (every file discovery found there) is
      // already what path.relative would give.
      shown = rel;
      byRel.set(rel, shown);
    } else if (shown === undefined) {
      const abs = path.join(pkg.dir, rel);
      const r = path.relative(this.rootDir, abs).split(path.sep).join('/');
      shown = r === '' ? rel : r;
      byRel.set(rel, shown);
    }
    return shown;
  }

  /** shownFile() results: package directory → relative path → shown path. */
  private readonly shownFiles = new Map<string, Map<string, string>>();

  warn(file: string, message: string): void {
    this.warnings.push({ file, message });
  }

  diag(d: LoadDiagnostic): void {
    this.diagnostics.push(d);
  }

  // --- packages ------------------------------------------------------------------------------

  loadPackages(): void {
    const rootProject = this.readRootProject();
    const rootFiles = discoverFiles(this.dir, pathsOf(rootProject));
    this.root = {
      name: rootProject.name,
      dir: this.dir,
      prefix: '',
      project: rootProject,
      isRoot: true,
      files: rootFiles,
    };
    for (const w of rootProject.warnings)
      this.warn(this.shownFile(this.root, 'dbt_project.yml'), w);
    for (const p of rootFiles.problems) this.warn(this.shownFile(this.root, 'dbt_project.yml'), p);
    this.packages = [this.root];
    const seenNames = new Set([rootProject.name]);
    const seenDirs = new Set([fs.realpathSync(this.dir)]);

    const addPackage = (pkgDir: string) => {
      let real: string;
      try {
        real = fs.realpathSync(pkgDir);
      } catch {
        return;
      }
      if (seenDirs.has(real) || !isFile(path.join(pkgDir, 'dbt_project.yml'))) return;
      seenDirs.add(real);
      const shownFile =
        path
          .relative(this.rootDir, path.join(pkgDir, 'dbt_project.yml'))
          .split(path.sep)
          .join('/') || 'dbt_project.yml';
      let project: DbtProjectFile;
      try {
        project = readProjectFile(pkgDir, shownFile);
      } catch (err) {
        this.projectFileFault(shownFile, err);
        return;
      }
      if (seenNames.has(project.name)) {
        this.warn(
          shownFile,
          `a package named '${project.name}' is already loaded; this copy is ignored`,
        );
        return;
      }
      seenNames.add(project.name);
      const pkg: Pkg = {
        name: project.name,
        dir: pkgDir,
        prefix: path.relative(this.rootDir, pkgDir).split(path.sep).join('/'),
        project,
        isRoot: false,
        files: discoverFiles(pkgDir, pathsOf(project)),
      };
      for (const p of pkg.files.problems) this.warn(shownFile, p);
      this.packages.push(pkg);
    };

    // Installed packages: <packages-install-path>/<name>/dbt_project.yml (dbt_modules for very old projects).
    const installDirs = [rootProject.packagesInstallPath];
    if (!rootProject.packagesInstallPathExplicit) installDirs.push('dbt_modules');
    for (const rel of installDirs) {
      const base = path.resolve(this.dir, rel);
      let names: string[];
      try {
        names = fs.readdirSync(base).sort(compare);
      } catch {
        continue;
      }
      for (const n of names) addPackage(path.join(base, n));
      break;
    }

    // Declared packages: local ones are read from their folder when not installed; the
    // others that are missing make refs into them placeholders.
    const declared: Declared[] = [];
    for (const pkg of [...this.packages]) declared.push(...this.declaredPackages(pkg));
    for (const d of declared) if (d.local !== null) addPackage(d.local);
    const loaded = new Set(this.packages.map((p) => p.name));
    const norm = (s: string) => s.toLowerCase().replace(/-/g, '_');
    const loadedNorm = new Set([...loaded].map(norm));
    this.missingPackages = [
      ...new Set(
        declared
          .filter((d) => d.local === null && !loadedNorm.has(norm(d.name)))
          .map((d) => d.name.replace(/-/g, '_')),
      ),
    ].sort(compare);
  }

  private readRootProject(): DbtProjectFile {
    // Named as the user gave the project directory: this error stops the load.
    const shownFile =
      this.shown === '.' || this.shown === ''
        ? 'dbt_project.yml'
        : `${this.shown.replace(/[\\/]+$/, '')}/dbt_project.yml`;
    try {
      return readProjectFile(this.dir, shownFile);
    } catch (err) {
      if (err instanceof YamlSyntaxError) throw new InputError(err.message, shownFile);
      throw err;
    }
  }

  private projectFileFault(shownFile: string, err: unknown): void {
    if (err instanceof YamlSyntaxError) {
      this.unparsed.add(shownFile);
      this.diag({
        id: 'parse-error',
        messageId: 'parse',
        data: { file: shownFile, error: err.reason },
        file: shownFile,
        line: err.line,
        column: err.column,
      });
    } else {
      const message = err instanceof Error ? err.message : String(err);
      this.unparsed.add(shownFile);
      this.diag({
        id: 'parse-error',
        messageId: 'parse',
        data: {
          file: shownFile,
          error: message.startsWith(`${shownFile}: `)
            ? message.slice(shownFile.length + 2)
            : message,
        },
        file: shownFile,
      });
    }
  }

  /** packages.yml / dependencies.yml of one package; also the cross-project names. */
  private declaredPackages(pkg: Pkg): Declared[] {
    const out: Declared[] = [];
    for (const fileName of ['packages.yml', 'dependencies.yml']) {
      const abs = path.join(pkg.dir, fileName);
      if (!isFile(abs)) continue;
      const shownFile = this.shownFile(pkg, fileName);
      const read = readBuffer(abs);
      if ('error' in read) {
        this.warn(shownFile, `cannot be read (${read.error})`);
        continue;
      }
      let value: unknown;
      try {
        value = parseDbtYaml(read.buf, shownFile).value;
      } catch (err) {
        if (err instanceof YamlSyntaxError) this.projectFileFault(shownFile, err);
        else throw err;
        continue;
      }
      for (const item of list(get(value, 'packages'))) {
        if (!isMapping(item)) continue;
        const local = str(get(item, 'local'));
        if (local !== null) {
          const abs2 = path.resolve(pkg.dir, local);
          out.push({ name: path.basename(abs2), local: abs2 });
          continue;
        }
        const hub = str(get(item, 'package'));
        const git = str(get(item, 'git')) ?? str(get(item, 'private'));
        const tarballName = str(get(item, 'name'));
        let name: string | null = null;
        if (hub !== null) name = hub.slice(hub.lastIndexOf('/') + 1);
        else if (git !== null) {
          const sub = str(get(item, 'subdirectory'));
          name = (sub ?? git).replace(/\/+$/, '').replace(/\.git$/, '');
          name = name.slice(name.lastIndexOf('/') + 1);
        } else if (tarballName !== null) name = tarballName;
        if (name && !/\{[{%]/.test(name)) out.push({ name, local: null });
      }
      if (pkg.isRoot && fileName === 'dependencies.yml') {
        for (const item of list(get(value, 'projects'))) {
          const n = nameOf(item);
          if (n !== null) this.crossProjects.add(n);
        }
      }
    }
    if (pkg.isRoot) this.readLoomConfig();
    return out;
  }

  /** dbt-loom: `dbt_loom.config.yml` names the upstream projects a project refs. */
  private readLoomConfig(): void {
    const abs = path.join(this.dir, 'dbt_loom.config.yml');
    if (!isFile(abs)) return;
    const read = readBuffer(abs);
    if ('error' in read) return;
    try {
      const value = parseDbtYaml(read.buf, 'dbt_loom.config.yml').value;
      for (const m of list(get(value, 'manifests'))) {
        const n = nameOf(m);
        if (n !== null) this.crossProjects.add(n);
        // dbt-loom keys a manifest by its project_name: for a file beside its project
        // (`../upstream/target/manifest.json`), that project's dbt_project.yml names it.
        const file = str(get(get(m, 'config'), 'path'));
        if (file !== null && !/\{[{%]|\$/.test(file)) {
          const upstream = path.resolve(this.dir, file, '..', '..');
          try {
            const project = readProjectFile(upstream, 'dbt_project.yml');
            this.crossProjects.add(project.name);
          } catch {
            // No readable project there: the configured name is all there is.
          }
        }
      }
    } catch {
      // Not dbt's file: a broken one only loses the cross-project hint.
    }
  }

  // --- macros, docs, Jinja ---------------------------------------------------------------------

  setUpJinja(): void {
    const macros: MacroSource[] = [];
    for (const pkg of this.packages) {
      for (const f of pkg.files.macros) {
        const read = readText(path.join(pkg.dir, f.rel));
        if ('error' in read) {
          this.warn(this.shownFile(pkg, f.rel), `macro file not read: ${read.error}`);
          continue;
        }
        macros.push({ package: pkg.name, file: this.shownFile(pkg, f.rel), text: read.text });
      }
      for (const f of pkg.files.docs) {
        const read = readText(path.join(pkg.dir, f.rel));
        if ('error' in read) continue;
        this.readDocs(pkg, read.text);
      }
    }
    const packageVars: Record<string, Record<string, unknown>> = dict() as Record<
      string,
      Record<string, unknown>
    >;
    for (const pkg of this.packages) packageVars[pkg.name] = pkg.project.vars;
    // Command-line vars beat the root project's, global and package-scoped alike.
    let vars = this.root.project.vars;
    if (this.cliVars) {
      vars = dict();
      for (const k of Object.keys(this.root.project.vars)) vars[k] = this.root.project.vars[k];
      for (const k of Object.keys(this.cliVars)) {
        vars[k] = this.cliVars[k];
        for (const pkg of this.packages) {
          const scoped = vars[pkg.name];
          if (isMapping(scoped) && k in scoped) {
            const copy = dict();
            for (const kk of Object.keys(scoped)) copy[kk] = scoped[kk];
            copy[k] = this.cliVars[k];
            vars[pkg.name] = copy;
          }
        }
      }
    }
    const dispatch = Array.isArray(this.root.project.dispatch)
      ? (this.root.project.dispatch as unknown[]).flatMap((d) => {
          const ns = str(get(d, 'macro_namespace'));
          const order = list(get(d, 'search_order')).filter(
            (x): x is string => typeof x === 'string',
          );
          return ns !== null ? [{ macro_namespace: ns, search_order: order }] : [];
        })
      : undefined;
    this.jinja = new DbtJinja({
      rootProject: this.root.name,
      macros,
      vars,
      packageVars,
      ...(dispatch ? { dispatch } : {}),
    });
  }

  private readDocs(pkg: Pkg, text: string): void {
    const re = /\{%-?\s*docs\s+([A-Za-z_][\w]*)\s*-?%\}([\s\S]*?)\{%-?\s*enddocs\s*-?%\}/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const key = `${pkg.name}\0${m[1]!}`;
      if (!this.docs.has(key)) this.docs.set(key, m[2]!.trim());
    }
  }

  /** `{{ doc('x') }}` in a description, replaced by the docs block (as dbt renders it). */
  description(v: unknown, pkg: Pkg): string {
    if (typeof v !== 'string') return v === null || v === undefined ? '' : pyStr(v);
    if (!v.includes('{{') || !v.includes('doc')) return v;
    return v.replace(
      /\{\{-?\s*doc\(\s*(['"])([^'"]*)\1\s*(?:,\s*(['"])([^'"]*)\3\s*)?\)\s*-?\}\}/g,
      (whole, _q1: string, a: string, _q2: string | undefined, b: string | undefined) => {
        const [p, n] = b === undefined ? [null, a] : [a, b];
        const hit =
          (p === null
            ? (this.docs.get(`${pkg.name}\0${n}`) ?? this.docs.get(`${this.root.name}\0${n}`))
            : this.docs.get(`${p}\0${n}`)) ??
          (p === null
            ? [...this.docs.entries()].find(([k]) => k.endsWith(`\0${n}`))?.[1]
            : undefined);
        return hit ?? whole;
      },
    );
  }

  // --- properties YAML -------------------------------------------------------------------------

  /** Parsed properties files of every package: section → entries, in file order. */
  readonly yaml = new Map<Pkg, Map<string, YamlEntry[]>>();

  readYaml(): void {
    for (const pkg of this.packages) {
      const sections = new Map<string, YamlEntry[]>();
      this.yaml.set(pkg, sections);
      for (const f of pkg.files.yaml) {
        const shownFile = this.shownFile(pkg, f.rel);
        const read = readBuffer(path.join(pkg.dir, f.rel));
        if ('error' in read) {
          this.unparsed.add(shownFile);
          this.diag({
            id: 'parse-error',
            messageId: 'parse',
            data: { file: shownFile, error: `cannot be read (${read.error})` },
            file: shownFile,
          });
          continue;
        }
        // Decoded once: valid UTF-8 goes in as text (the Buffer only to report a bad byte).
        const text = read.buf.toString('utf8');
        let doc: YamlDocument;
        try {
          doc = parseDbtYaml(isUtf8(read.buf) ? text : read.buf, shownFile);
        } catch (err) {
          if (!(err instanceof YamlSyntaxError)) throw err;
          this.unparsed.add(shownFile);
          this.diag({
            id: 'parse-error',
            messageId: 'parse',
            data: { file: shownFile, error: err.reason },
            file: shownFile,
            line: err.line,
            column: err.column,
          });
          continue;
        }
        const value = doc.value;
        if (value === null || value === undefined) continue;
        if (!isMapping(value)) {
          this.unparsed.add(shownFile);
          this.diag({
            id: 'parse-error',
            messageId: 'parse',
            data: {
              file: shownFile,
              error: 'a properties file must be a mapping of sections (models:, sources:, …)',
            },
            file: shownFile,
            line: 1,
            column: 1,
          });
          continue;
        }
        for (const section of Object.keys(value)) {
          if (section === 'version' || section === 'anchors') continue;
          const items = value[section];
          if (items === null || items === undefined) continue;
          if (!Array.isArray(items)) {
            this.warn(
              shownFile,
              `"${section}" must be a list of entries (- name: …); it is ignored, as dbt refuses the file`,
            );
            continue;
          }
          const bucket = sections.get(section) ?? [];
          sections.set(section, bucket);
          for (const item of items as unknown[]) {
            const name = nameOf(item);
            if (!isMapping(item) || name === null) {
              this.warn(shownFile, `an entry of "${section}" has no name; it is ignored`);
              continue;
            }
            bucket.push({ pkg, file: f, doc, text, entry: item, name });
          }
        }
      }
    }
  }

  entries(pkg: Pkg, section: string): YamlEntry[] {
    return this.yaml.get(pkg)?.get(section) ?? [];
  }

  /** Entries of one section by name; a second entry for a name is a duplicate. */
  entriesByName(pkg: Pkg, section: string, kind: string): Map<string, YamlEntry> {
    const out = new Map<string, YamlEntry>();
    const alt = section === 'data_tests' ? this.entries(pkg, 'tests') : [];
    for (const e of [...this.entries(pkg, section), ...alt]) {
      const prev = out.get(e.name);
      if (prev) {
        this.duplicate(kind, e.name, prev, e);
        continue;
      }
      out.set(e.name, e);
    }
    return out;
  }

  private duplicate(kind: string, name: string, first: YamlEntry, second: YamlEntry): void {
    const pos = second.doc.positionOf(second.entry);
    const file = this.shownFile(second.pkg, second.file.rel);
    this.diag({
      id: 'duplicate-resource',
      messageId: 'duplicate',
      data: {
        kind: `properties of ${kind}`,
        name,
        file,
        other: this.shownFile(first.pkg, first.file.rel),
      },
      file,
      ...(pos ? { line: pos.line, column: pos.column } : {}),
    });
  }

  yamlPosition(e: YamlEntry | null): { line: number; column: number } | null {
    if (!e) return null;
    return e.doc.positionOf(e.entry);
  }

  normalize(e: YamlEntry | null, kind: string, entry?: Dict): Dict | null {
    if (!e) return null;
    const { config, problems } = normalizeEntryConfig(entry ?? e.entry, kind);
    for (const p of problems) this.warn(this.shownFile(e.pkg, e.file.rel), p);
    return config;
  }

  // --- nodes from files ---------------------------------------------------------------------------

  readSql(pkg: Pkg, f: SourceFile): string | null {
    const read = readBuffer(path.join(pkg.dir, f.rel));
    const shownFile = this.shownFile(pkg, f.rel);
    if ('error' in read) {
      this.warn(shownFile, `not read: ${read.error}`);
      return null;
    }
    const text = decodeStrict(read.buf);
    if (text !== null) return text;
    this.unparsed.add(shownFile);
    this.diag({
      id: 'parse-error',
      messageId: 'parse',
      data: { file: shownFile, error: 'invalid UTF-8: dbt reads project files as UTF-8' },
      file: shownFile,
    });
    return null;
  }

  modelDeps(pkg: Pkg, f: SourceFile, text: string): ModelDeps {
    if (f.rel.toLowerCase().endsWith('.py')) return pythonDeps(text);
    return withScan(this.jinja.modelDeps(text, this.shownFile(pkg, f.rel), pkg.name), text);
  }

  /** Models (versioned ones by their YAML), seeds, snapshots, analyses and singular tests. */
  collectCandidates(): Candidate[] {
    const out: Candidate[] = [];
    for (const pkg of this.packages) {
      out.push(...this.modelCandidates(pkg));
      out.push(...this.seedCandidates(pkg));
      out.push(...this.snapshotCandidates(pkg));
      out.push(...this.simpleCandidates(pkg, 'analysis', pkg.files.analyses, 'analyses'));
      out.push(...this.simpleCandidates(pkg, 'test', pkg.files.tests, 'data_tests'));
    }
    return out;
  }

  private modelCandidates(pkg: Pkg): Candidate[] {
    const out: Candidate[] = [];
    const entries = this.entriesByName(pkg, 'models', 'model');
    const byStem = new Map<string, SourceFile[]>();
    for (const f of pkg.files.models) {
      const stem = fileStem(f.rel);
      byStem.set(stem, [...(byStem.get(stem) ?? []), f]);
    }
    const consumed = new Set<string>();
    // Versioned models: each version's file is `<name>_v<v>` (or defined_in, or <name> for the latest).
    for (const e of entries.values()) {
      const versions = list(get(e.entry, 'versions'));
      if (versions.length === 0) continue;
      const vs: Array<{ v: string; entry: Dict }> = [];
      for (const ve of versions) {
        if (!isMapping(ve)) continue;
        const v = this.versionText(e, ve);
        if (v !== null) vs.push({ v, entry: ve });
      }
      const latest = this.latestVersion(
        e,
        vs.map((x) => x.v),
      );
      for (const { v, entry: ve } of vs) {
        const definedIn = str(get(ve, 'defined_in'));
        let files = byStem.get(definedIn ?? `${e.name}_v${v}`) ?? [];
        if (files.length === 0 && definedIn === null && v === latest)
          files = byStem.get(e.name) ?? [];
        const f = files[0];
        if (!f) {
          const pos = e.doc.positionOf(ve) ?? e.doc.positionOf(e.entry);
          const file = this.shownFile(pkg, e.file.rel);
          this.diag({
            id: 'orphan-properties',
            messageId: 'orphan',
            data: { file, kind: 'model version', name: `${e.name} v${v}` },
            file,
            ...(pos ? { line: pos.line, column: pos.column } : {}),
          });
          continue;
        }
        consumed.add(f.rel);
        out.push(this.fileCandidate(pkg, 'model', e.name, v, f, e, ve));
      }
    }
    for (const f of pkg.files.models) {
      if (consumed.has(f.rel)) continue;
      const stem = fileStem(f.rel);
      const e = entries.get(stem);
      const entry = e && list(get(e.entry, 'versions')).length === 0 ? e : null;
      out.push(this.fileCandidate(pkg, 'model', stem, null, f, entry, null));
    }
    return out;
  }

  private fileCandidate(
    pkg: Pkg,
    type: ResourceType,
    name: string,
    version: string | null,
    f: SourceFile,
    entry: YamlEntry | null,
    versionEntry: Dict | null,
  ): Candidate {
    const text = this.readSql(pkg, f);
    const deps = text === null ? null : this.modelDeps(pkg, f, text);
    return {
      pkg,
      type,
      name,
      version,
      file: f,
      checksum: fileChecksum(text),
      yamlDefined: false,
      entry,
      versionEntry,
      deps,
      fqn: nodeFqn({
        resourceType: type as ConfigResourceType,
        packageName: pkg.name,
        path: f.sub,
        name,
        version,
      }),
      language: f.rel.toLowerCase().endsWith('.py') ? 'python' : 'sql',
    };
  }

  private readonly fileLines = new Map<YamlDocument, string[]>();

  /** The version as dbt writes it in ids: Python str() of the YAML value (`2.0` stays `2.0`). */
  private versionText(e: YamlEntry, ve: Dict): string | null {
    const v = get(ve, 'v');
    if (typeof v === 'string') return v;
    if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    if (Number.isInteger(v)) {
      const pos = e.doc.keyPosition(ve, 'v');
      if (pos) {
        // The file's lines, split once per file (not once per version of every model).
        let lines = this.fileLines.get(e.doc);
        if (lines === undefined) {
          lines = e.text.split(/\r\n|\r|\n/);
          this.fileLines.set(e.doc, lines);
        }
        const line = lines[pos.line - 1] ?? '';
        const m = /^v\s*:\s*([-+]?[0-9_]*\.[0-9_]*(?:[eE][-+]?\d+)?)\s*(?:#.*)?$/.exec(
          line.slice(pos.column - 1).replace(/[,}\s]+$/, ''),
        );
        if (m) return `${v}.0`;
      }
      return String(v);
    }
    return String(v);
  }

  private latestVersion(e: YamlEntry, versions: string[]): string | null {
    const lv = get(e.entry, 'latest_version');
    if (typeof lv === 'string' || typeof lv === 'number') {
      const s = String(lv);
      return versions.find((v) => v === s || Number(v) === Number(s)) ?? s;
    }
    if (versions.length === 0) return null;
    const numeric = versions.every((v) => !Number.isNaN(Number(v)));
    return [...versions].sort((a, b) => (numeric ? Number(a) - Number(b) : compare(a, b))).at(-1)!;
  }

  private seedCandidates(pkg: Pkg): Candidate[] {
    const entries = this.entriesByName(pkg, 'seeds', 'seed');
    return pkg.files.seeds.map((f) => {
      const name = fileStem(f.rel);
      return {
        pkg,
        type: 'seed',
        name,
        version: null,
        file: f,
        checksum: seedChecksum(path.join(pkg.dir, f.rel)),
        yamlDefined: false,
        entry: entries.get(name) ?? null,
        versionEntry: null,
        deps: null,
        fqn: nodeFqn({ resourceType: 'seed', packageName: pkg.name, path: f.sub, name }),
        language: 'sql' as const,
      };
    });
  }

  private snapshotCandidates(pkg: Pkg): Candidate[] {
    const out: Candidate[] = [];
    const entries = this.entriesByName(pkg, 'snapshots', 'snapshot');
    for (const f of pkg.files.snapshots) {
      const text = this.readSql(pkg, f);
      if (text === null) continue;
      for (const block of this.jinja.snapshotBlocks(text, this.shownFile(pkg, f.rel), pkg.name)) {
        out.push({
          pkg,
          type: 'snapshot',
          name: block.name,
          version: null,
          file: f,
          checksum: fileChecksum(text),
          yamlDefined: false,
          entry: entries.get(block.name) ?? null,
          versionEntry: null,
          deps: block.deps,
          fqn: nodeFqn({
            resourceType: 'snapshot',
            packageName: pkg.name,
            path: f.sub,
            name: block.name,
            sqlSnapshot: true,
          }),
          language: 'sql',
        });
      }
    }
    // dbt 1.9: a snapshot defined in YAML (`relation:`), with no SQL file.
    for (const e of entries.values()) {
      const relation = str(get(e.entry, 'relation'));
      if (relation === null) continue;
      if (out.some((c) => c.name === e.name)) continue;
      out.push({
        pkg,
        type: 'snapshot',
        name: e.name,
        version: null,
        file: e.file,
        yamlDefined: true,
        entry: e,
        versionEntry: null,
        deps: scanDeps(asJinja(relation)),
        fqn: nodeFqn({
          resourceType: 'snapshot',
          packageName: pkg.name,
          path: e.file.sub,
          name: e.name,
        }),
        language: 'sql',
      });
    }
    return out;
  }

  private simpleCandidates(
    pkg: Pkg,
    type: 'analysis' | 'test',
    files: SourceFile[],
    section: string,
  ): Candidate[] {
    const entries = this.entriesByName(pkg, section, type === 'test' ? 'data test' : 'analysis');
    const out: Candidate[] = [];
    for (const f of files) {
      const name = fileStem(f.rel);
      const text = this.readSql(pkg, f);
      out.push({
        pkg,
        type,
        name,
        version: null,
        file: f,
        checksum: fileChecksum(text),
        yamlDefined: false,
        entry: entries.get(name) ?? null,
        versionEntry: null,
        deps: text === null ? null : this.modelDeps(pkg, f, text),
        fqn: nodeFqn({ resourceType: type, packageName: pkg.name, path: f.sub, name }),
        language: 'sql',
      });
    }
    return out;
  }

  // --- building resources ------------------------------------------------------------------------

  columnsOf(e: YamlEntry | null, columns: unknown[]): Column[] {
    const out: Column[] = [];
    const index = new Map<string, number>();
    for (const c of columns) {
      const name = nameOf(c);
      if (!isMapping(c) || name === null) continue;
      const config = get(c, 'config');
      const meta = dict();
      copyInto(meta, get(c, 'meta'));
      copyInto(meta, get(config, 'meta'));
      const tags: string[] = [];
      addTags(tags, get(c, 'tags'));
      addTags(tags, get(config, 'tags'));
      const dataType = get(c, 'data_type');
      const column: Column = {
        name,
        description: e ? this.description(get(c, 'description'), e.pkg) : '',
        dataType:
          typeof dataType === 'string' ? dataType : dataType == null ? null : pyStr(dataType),
        constraints: constraintsOf(get(c, 'constraints')),
        meta,
        tags,
        line: e?.doc.positionOf(c)?.line ?? null,
      };
      const at = index.get(name);
      if (at === undefined) {
        index.set(name, out.length);
        out.push(column);
      } else out[at] = column;
    }
    return out;
  }

  /** A version's columns: the model's, filtered by include/exclude, then the version's own. */
  versionColumns(e: YamlEntry, ve: Dict): unknown[] {
    const base = list(get(e.entry, 'columns'));
    let include: 'all' | string[] = 'all';
    let exclude: string[] = [];
    const own: unknown[] = [];
    for (const c of list(get(ve, 'columns'))) {
      if (isMapping(c) && (get(c, 'include') !== undefined || get(c, 'exclude') !== undefined)) {
        const inc = get(c, 'include');
        include =
          inc === undefined || inc === 'all' || inc === '*'
            ? 'all'
            : list(inc).map((x) => pyStr(x));
        exclude = list(get(c, 'exclude')).map((x) => pyStr(x));
        continue;
      }
      own.push(c);
    }
    const kept = base.filter((c) => {
      const n = nameOf(c);
      if (n === null) return false;
      return (include === 'all' || include.includes(n)) && !exclude.includes(n);
    });
    return [...kept, ...own];
  }

  makeNode(c: Candidate): { resource: Resource; enabled: boolean } {
    const { pkg } = c;
    const e = c.entry;
    const isModel = c.type === 'model';
    const yamlConfig = this.normalize(e, sectionKind(c.type));
    let versionConfig = c.versionEntry && e ? this.normalize(e, 'version', c.versionEntry) : null;
    // A version's top-level `access` is a property of that version, under its own config.
    const versionAccess = c.versionEntry ? get(c.versionEntry, 'access') : undefined;
    if (typeof versionAccess === 'string' && get(versionConfig, 'access') === undefined) {
      const copy = dict();
      if (versionConfig) for (const k of Object.keys(versionConfig)) copy[k] = versionConfig[k];
      copy.access = versionAccess;
      versionConfig = copy;
    }
    const problems: string[] = [];
    const config = effectiveConfig({
      readOnly: true,
      resourceType: c.type as ConfigResourceType,
      fqn: c.fqn,
      ownProject: pkg.project,
      rootProject: this.root.project,
      yamlConfig,
      versionConfig,
      sqlConfigs: c.deps?.configs ?? [],
      language: c.language,
      problems,
    });
    const fields = nodeFields(config, c.type);
    const where = c.file ? this.shownFile(pkg, c.file.rel) : pkg.prefix;
    for (const p of [...problems, ...fields.problems]) this.warn(where, p);
    let columns: Column[] = [];
    if (e) {
      const raw =
        c.versionEntry !== null
          ? this.versionColumns(e, c.versionEntry)
          : list(get(e.entry, 'columns'));
      columns = this.columnsOf(e, raw);
    }
    const constraints = e
      ? constraintsOf(
          c.versionEntry && get(c.versionEntry, 'constraints') !== undefined
            ? get(c.versionEntry, 'constraints')
            : get(e.entry, 'constraints'),
        )
      : [];
    const description = e
      ? this.description(
          c.versionEntry && typeof get(c.versionEntry, 'description') === 'string'
            ? get(c.versionEntry, 'description')
            : get(e.entry, 'description'),
          pkg,
        )
      : '';
    let latest: string | null = null;
    let deprecation: string | null = null;
    if (isModel && e && c.version !== null) {
      const versions = list(get(e.entry, 'versions'))
        .filter(isMapping)
        .map((ve) => this.versionText(e, ve))
        .filter((v): v is string => v !== null);
      latest = this.latestVersion(e, versions);
    }
    if (isModel && e) {
      const d = c.versionEntry ? get(c.versionEntry, 'deprecation_date') : undefined;
      deprecation = dateText(d ?? get(e.entry, 'deprecation_date'));
    }
    const uniqueId = `${c.type}.${pkg.name}.${c.name}${c.version !== null ? `.v${c.version}` : ''}`;
    const patchPath = e && !c.yamlDefined ? e.file.rel : null;
    const resource: Resource = {
      uniqueId,
      resourceType: c.type,
      name: c.name,
      packageName: pkg.name,
      filePath: c.file ? c.file.rel : null,
      patchPath,
      yamlPosition: this.yamlPosition(e),
      fqn: c.fqn,
      description,
      meta: fields.meta,
      tags: fields.tags,
      group: fields.group,
      access: isModel ? (fields.access ?? 'protected') : null,
      contract:
        fields.contract ?? (c.type === 'seed' ? { enforced: false, aliasTypes: true } : null),
      materialized: fields.materialized,
      columns,
      constraints,
      version: c.version,
      latestVersion: latest,
      deprecationDate: deprecation,
      dependsOn: [],
      external: false,
      sourceName: null,
      owner: null,
      test:
        c.type === 'test'
          ? { name: null, namespace: null, columnName: null, attachedNode: null }
          : null,
      projectName: this.root.name,
      checksum: c.checksum ?? null,
    };
    return { resource, enabled: fields.enabled };
  }

  // --- references ---------------------------------------------------------------------------------

  addRefable(r: Resource): void {
    if (!REFABLE.has(r.resourceType)) return;
    this.byName.set(r.name, [...(this.byName.get(r.name) ?? []), r]);
  }

  addSource(r: Resource): void {
    const key = `${r.sourceName ?? ''}\0${r.name}`;
    this.sourcesByName.set(key, [...(this.sourcesByName.get(key) ?? []), r]);
  }

  /** Packages to search for an unqualified name, in dbt's order. */
  private searchOrder(fromPkg: string): string[] {
    return fromPkg === this.root.name ? [this.root.name] : [this.root.name, fromPkg];
  }

  private pickVersion(cands: Resource[], version: string | null): Resource | undefined {
    if (version !== null)
      return cands.find(
        (r) =>
          r.version === version || (r.version !== null && Number(r.version) === Number(version)),
      );
    return (
      cands.find((r) => r.version === null) ??
      cands.find((r) => r.version !== null && r.version === r.latestVersion) ??
      cands[0]
    );
  }

  /** The unique_id a ref points at; a placeholder id; or why it cannot be resolved. */
  resolveRef(fromPkg: string, ref: RefCall): { id: string } | { unresolved: string } {
    const cands = (this.byName.get(ref.name) ?? []).filter((r) => !r.external);
    if (ref.package !== null) {
      const inPkg = cands.filter((r) => r.packageName === ref.package);
      const hit = this.pickVersion(inPkg, ref.version);
      if (hit) return { id: hit.uniqueId };
      const loaded = this.packages.some((p) => p.name === ref.package);
      if (
        !loaded &&
        (this.crossProjects.has(ref.package) || this.missingPackages.includes(ref.package))
      )
        return {
          id: this.placeholder(
            'model',
            ref.package,
            ref.name,
            ref.version,
            this.crossProjects.has(ref.package),
          ),
        };
      return { unresolved: this.unresolvedText(ref, loaded) };
    }
    for (const p of this.searchOrder(fromPkg)) {
      const hit = this.pickVersion(
        cands.filter((r) => r.packageName === p),
        ref.version,
      );
      if (hit) return { id: hit.uniqueId };
    }
    const anyPkg = [...new Set(cands.map((r) => r.packageName))].sort(compare);
    for (const p of anyPkg) {
      const hit = this.pickVersion(
        cands.filter((r) => r.packageName === p),
        ref.version,
      );
      if (hit) return { id: hit.uniqueId };
    }
    return { unresolved: this.unresolvedText(ref, true) };
  }

  private unresolvedText(ref: RefCall, loaded: boolean): string {
    const args = [ref.package, ref.name].filter((x) => x !== null).map((x) => `'${x}'`);
    if (ref.version !== null) args.push(`v=${ref.version}`);
    let text = `ref(${args.join(', ')})`;
    const disabledIn =
      ref.package !== null
        ? this.disabled.get(`${ref.package}\0${ref.name}`)
        : this.disabled.get(`\0${ref.name}`);
    if (disabledIn !== undefined) text += ` (disabled in ${disabledIn})`;
    else if (ref.package !== null && !loaded)
      text += ` (no package or project '${ref.package}' is installed or declared)`;
    else if (this.missingPackages.length > 0)
      text += ` (perhaps in a package that is not installed: ${this.missingPackages.join(', ')}; run dbt deps)`;
    return text;
  }

  resolveSource(
    fromPkg: string,
    source: string,
    table: string,
  ): { id: string } | { unresolved: string } {
    const cands = this.sourcesByName.get(`${source}\0${table}`) ?? [];
    for (const p of this.searchOrder(fromPkg)) {
      const hit = cands.find((r) => r.packageName === p);
      if (hit) return { id: hit.uniqueId };
    }
    const any = [...cands].sort((a, b) => compare(a.packageName, b.packageName))[0];
    if (any) return { id: any.uniqueId };
    let text = `source('${source}', '${table}')`;
    if (this.missingPackages.length > 0)
      text += ` (perhaps in a package that is not installed: ${this.missingPackages.join(', ')}; run dbt deps)`;
    return { unresolved: text };
  }

  private placeholder(
    type: 'model',
    pkg: string,
    name: string,
    version: string | null,
    crossProject: boolean,
  ): string {
    const id = `${type}.${pkg}.${name}${version !== null ? `.v${version}` : ''}`;
    if (!this.placeholders.has(id))
      this.placeholders.set(
        id,
        placeholderResource(id, type, pkg, name, version, null, crossProject),
      );
    return id;
  }

  /** Resolves a node's refs and sources into dependsOn; faults become diagnostics. */
  wire(r: Resource, deps: ModelDeps, fromPkg: string, file: string): void {
    const out: string[] = [];
    const unresolved: string[] = [];
    for (const s of deps.sources) {
      const res = this.resolveSource(fromPkg, s.source, s.table);
      if ('id' in res) out.push(res.id);
      else unresolved.push(res.unresolved);
    }
    for (const ref of deps.refs) {
      const res = this.resolveRef(fromPkg, {
        package: ref.package ?? null,
        name: ref.name,
        version: ref.version === null || ref.version === undefined ? null : String(ref.version),
      });
      if ('id' in res) out.push(res.id);
      else unresolved.push(res.unresolved);
    }
    r.dependsOn = [...new Set(out)];
    for (const target of [...new Set(unresolved)]) {
      this.diag({
        id: 'ref-unresolved',
        messageId: 'unresolved',
        data: { name: r.name, target },
        nodeId: r.uniqueId,
        file,
      });
    }
    const dynamic = deps.dynamic.filter((d) => /^(?:dbt\.)?(?:ref|source)\b/.test(d));
    if (dynamic.length > 0) {
      // Descriptions end with `at <file>:<line>` when the renderer knows the place.
      const at = / at (.+):(\d+)$/.exec(dynamic[0]!);
      this.diag({
        id: 'ref-dynamic',
        messageId: 'dynamic',
        data: { name: r.name, calls: [...new Set(dynamic)].join(', ') },
        nodeId: r.uniqueId,
        file,
        ...(at && at[1] === file ? { line: Number(at[2]) } : {}),
      });
    }
  }
}

/**
 * A render that called macros no loaded package defines (a package not installed) may have
 * skipped branches those macros guard (`{% if fivetran_utils.enabled_vars(…) %}`): the refs and
 * sources written literally in the model are added, as dbt would see them with the package.
 */
function withScan(deps: ModelDeps, text: string): ModelDeps {
  if (deps.method !== 'render' || !deps.unknownMacros || deps.unknownMacros.length === 0)
    return deps;
  // The static path read every tag: a scan would add nothing.
  if (isStaticResult(deps)) return deps;
  const scan = scanDeps(text);
  const refKey = (r: { package: string | null; name: string; version: string | null }) =>
    `${r.package ?? ''}\0${r.name}\0${r.version ?? ''}`;
  const haveRefs = new Set(deps.refs.map(refKey));
  const haveSources = new Set(deps.sources.map((x) => `${x.source}\0${x.table}`));
  const refs = scan.refs.filter((r) => !haveRefs.has(refKey(r)));
  const sources = scan.sources.filter((x) => !haveSources.has(`${x.source}\0${x.table}`));
  if (refs.length === 0 && sources.length === 0) return deps;
  const out: ModelDeps & { scanned?: string[] } = {
    ...deps,
    refs: [...deps.refs, ...refs],
    sources: [...deps.sources, ...sources],
  };
  out.scanned = [
    ...refs.map((r) => (r.package ? `${r.package}.${r.name}` : r.name)),
    ...sources.map((x) => `${x.source}.${x.table}`),
  ];
  return out;
}

/** A YAML value such as `ref('x')` as the Jinja expression it stands for. */
function asJinja(v: string): string {
  return /\{[{%]/.test(v) ? v : `{{ ${v} }}`;
}

function sectionKind(type: ResourceType): string {
  switch (type) {
    case 'model':
      return 'models';
    case 'seed':
      return 'seeds';
    case 'snapshot':
      return 'snapshots';
    case 'analysis':
      return 'analyses';
    case 'test':
      return 'data_tests';
    default:
      return type;
  }
}

function constraintsOf(v: unknown): Constraint[] {
  const out: Constraint[] = [];
  for (const c of list(v)) {
    const type = str(get(c, 'type'));
    if (type === null) continue;
    out.push({
      type,
      name: str(get(c, 'name')),
      expression:
        str(get(c, 'expression')) ??
        (get(c, 'expression') == null ? null : pyStr(get(c, 'expression'))),
      columns: list(get(c, 'columns')).map((x) => pyStr(x)),
    });
  }
  return out;
}

/** deprecation_date as dbt writes it: a bare YAML date is midnight UTC. */
function dateText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const s = String(v).trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return `${s}T00:00:00+00:00`;
  return s;
}

function placeholderResource(
  id: string,
  type: 'model' | 'source',
  pkg: string,
  name: string,
  version: string | null,
  sourceName: string | null,
  crossProject: boolean,
): Resource {
  return {
    uniqueId: id,
    resourceType: type,
    name,
    packageName: pkg,
    filePath: null,
    patchPath: null,
    yamlPosition: null,
    fqn:
      type === 'source'
        ? [pkg, sourceName ?? '', name]
        : version !== null
          ? [pkg, name, `v${version}`]
          : [pkg, name],
    description: '',
    meta: dict(),
    tags: [],
    group: null,
    // Another project's models can be referenced only when public; a package's are protected.
    access: type === 'model' ? (crossProject ? 'public' : 'protected') : null,
    contract: type === 'model' ? { enforced: false, aliasTypes: true } : null,
    materialized: null,
    columns: [],
    constraints: [],
    version,
    latestVersion: null,
    deprecationDate: null,
    dependsOn: [],
    external: true,
    sourceName,
    owner: null,
    test: null,
    projectName: pkg,
    checksum: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Entry point

/**
 * Reads the dbt project in `dir` (absolute) from source. Throws InputError only when its own
 * dbt_project.yml is missing or unusable; every other fault is a diagnostic.
 */
export function loadSourceProject(dir: string, options: SourceLoadOptions): SourceLoad {
  const rootDir = options.rootDir ?? dir;
  const L = new Loader(dir, options.shown, rootDir, options.vars ?? null);
  for (const name of options.meshProjects ?? []) L.crossProjects.add(name);
  L.loadPackages();
  L.setUpJinja();
  L.readYaml();
  buildAll(L);
  const resources = [...L.resources.values(), ...L.placeholders.values()];
  const counts: Partial<Record<ResourceType, number>> = {};
  for (const r of resources)
    if (!r.external) counts[r.resourceType] = (counts[r.resourceType] ?? 0) + 1;
  L.diagnostics.sort(
    (a, b) =>
      compare(a.file, b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      compare(a.id, b.id) ||
      compare(a.nodeId ?? '', b.nodeId ?? ''),
  );
  return {
    info: {
      name: L.root.name,
      schemaVersion: SOURCE_SCHEMA_VERSION,
      dbtVersion: 'source',
      generatedAt: null,
      input: 'source',
      path: options.shown,
      rootDir: dir,
      counts,
      selectors: null,
      unparsedFiles: [...L.unparsed].sort(compare),
    },
    resources,
    groups: L.groups,
    warnings: L.warnings,
    diagnostics: L.diagnostics,
    dependencyMethods: L.methods,
    unparsedFiles: [...L.unparsed].sort(compare),
  };
}

function buildAll(L: Loader): void {
  const candidates = L.collectCandidates();
  // Enabled nodes; disabled ones are remembered for messages; duplicates reported.
  const built: Array<{ c: Candidate; r: Resource }> = [];
  const seen = new Map<string, { c: Candidate; r: Resource }>();
  for (const c of candidates) {
    const { resource, enabled } = L.makeNode(c);
    if (!enabled) {
      if (REFABLE.has(c.type))
        L.disabled.set(`${c.pkg.name}\0${c.name}`, L.shownFile(c.pkg, c.file?.rel ?? ''));
      if (!L.disabled.has(`\0${c.name}`) && REFABLE.has(c.type))
        L.disabled.set(`\0${c.name}`, L.shownFile(c.pkg, c.file?.rel ?? ''));
      continue;
    }
    // Within a package, refable names (models, seeds, snapshots) are unique.
    const key = REFABLE.has(c.type)
      ? `refable\0${c.pkg.name}\0${c.name}\0${c.version ?? ''}`
      : `${resource.uniqueId}`;
    const prev = seen.get(key);
    if (prev) {
      const file = L.shownFile(c.pkg, c.file?.rel ?? '');
      L.diag({
        id: 'duplicate-resource',
        messageId: 'duplicate',
        data: {
          kind: c.type,
          name: c.version !== null ? `${c.name} v${c.version}` : c.name,
          file,
          other: L.shownFile(prev.c.pkg, prev.c.file?.rel ?? ''),
        },
        nodeId: prev.r.uniqueId,
        file,
      });
      continue;
    }
    seen.set(key, { c, r: resource });
    built.push({ c, r: resource });
  }
  for (const { r } of built) {
    L.resources.set(r.uniqueId, r);
    L.addRefable(r);
  }

  // Sources first (refs and tests need them), then exposures & co.
  for (const pkg of L.packages) buildSources(L, pkg);

  // Orphan properties: YAML entries for models, seeds, snapshots, analyses with no file.
  const defined = new Set(candidates.map((c) => `${c.pkg.name}\0${c.type}\0${c.name}`));
  for (const pkg of L.packages) {
    for (const [section, type] of [
      ['models', 'model'],
      ['seeds', 'seed'],
      ['snapshots', 'snapshot'],
      ['analyses', 'analysis'],
    ] as const) {
      for (const e of L.entries(pkg, section)) {
        if (type === 'model' && list(get(e.entry, 'versions')).length > 0) continue;
        if (type === 'snapshot' && str(get(e.entry, 'relation')) !== null) continue;
        if (defined.has(`${pkg.name}\0${type}\0${e.name}`)) continue;
        const file = L.shownFile(pkg, e.file.rel);
        const pos = e.doc.positionOf(e.entry);
        L.diag({
          id: 'orphan-properties',
          messageId: 'orphan',
          data: { file, kind: type, name: e.name },
          file,
          ...(pos ? { line: pos.line, column: pos.column } : {}),
        });
      }
    }
  }

  // Dependencies of SQL/Python nodes.
  for (const { c, r } of built) {
    if (!c.deps) continue;
    L.methods.set(r.uniqueId, {
      method: c.yamlDefined ? 'yaml' : c.deps.method,
      renderError: c.deps.renderError ?? null,
      unknownMacros: c.deps.unknownMacros ?? [],
      scanned: (c.deps as ModelDeps & { scanned?: string[] }).scanned ?? [],
    });
    L.wire(r, c.deps, c.pkg.name, L.shownFile(c.pkg, c.file?.rel ?? ''));
  }

  for (const pkg of L.packages) {
    buildGroups(L, pkg);
    buildGenericTests(L, pkg, built);
    buildUnitTests(L, pkg);
  }
  // Semantic models before metrics (measures), metrics before saved queries and exposures.
  for (const pkg of L.packages) buildSemanticModels(L, pkg);
  for (const pkg of L.packages) buildMetrics(L, pkg);
  for (const pkg of L.packages) {
    buildSavedQueries(L, pkg);
    buildExposures(L, pkg);
  }
}

// --- sources ----------------------------------------------------------------------------------

function buildSources(L: Loader, pkg: Pkg): void {
  const seen = new Map<string, YamlEntry>();
  for (const e of L.entries(pkg, 'sources')) {
    const sourceName = e.name;
    const overrides = str(get(e.entry, 'overrides'));
    const sourceConfig = L.normalize(e, 'sources');
    for (const t of list(get(e.entry, 'tables'))) {
      const table = nameOf(t);
      if (!isMapping(t) || table === null) continue;
      const targetPkg = overrides !== null ? overrides : pkg.name;
      const id = `source.${targetPkg}.${sourceName}.${table}`;
      if (overrides !== null) {
        const target = L.resources.get(id);
        if (target) patchSource(L, e, t, target);
        continue;
      }
      const key = `${sourceName}\0${table}`;
      const prev = seen.get(key);
      if (prev) {
        const file = L.shownFile(pkg, e.file.rel);
        const pos = e.doc.positionOf(t);
        L.diag({
          id: 'duplicate-resource',
          messageId: 'duplicate',
          data: {
            kind: 'source',
            name: `${sourceName}.${table}`,
            file,
            other: L.shownFile(pkg, prev.file.rel),
          },
          nodeId: id,
          file,
          ...(pos ? { line: pos.line, column: pos.column } : {}),
        });
        continue;
      }
      seen.set(key, e);
      const tableConfig = normalizeEntryConfig(t, 'tables').config;
      const fqn = nodeFqn({
        resourceType: 'source',
        packageName: pkg.name,
        path: e.file.sub,
        name: table,
        sourceName,
      });
      const problems: string[] = [];
      const config = effectiveConfig({
        readOnly: true,
        resourceType: 'source',
        fqn,
        ownProject: pkg.project,
        rootProject: L.root.project,
        yamlConfig: sourceTableConfig(sourceConfig, tableConfig),
        problems,
      });
      const fields = nodeFields(config, 'source');
      for (const p of [...problems, ...fields.problems]) L.warn(L.shownFile(pkg, e.file.rel), p);
      if (!fields.enabled) continue;
      const r: Resource = {
        uniqueId: id,
        resourceType: 'source',
        name: table,
        packageName: pkg.name,
        filePath: e.file.rel,
        patchPath: null,
        yamlPosition: e.doc.positionOf(t),
        fqn,
        description: L.description(get(t, 'description'), pkg),
        meta: fields.meta,
        tags: fields.tags,
        group: null,
        access: null,
        contract: null,
        materialized: null,
        columns: L.columnsOf(e, list(get(t, 'columns'))),
        constraints: [],
        version: null,
        latestVersion: null,
        deprecationDate: null,
        dependsOn: [],
        external: false,
        sourceName,
        owner: null,
        test: null,
        projectName: L.root.name,
        checksum: null,
      };
      L.resources.set(id, r);
      L.addSource(r);
    }
  }
}

/** A root-project `overrides:` source entry patching a package's source table. */
function patchSource(L: Loader, e: YamlEntry, t: Dict, target: Resource): void {
  const d = get(t, 'description');
  if (typeof d === 'string') target.description = L.description(d, e.pkg);
  const cols = list(get(t, 'columns'));
  if (cols.length > 0) target.columns = L.columnsOf(e, cols);
}

// --- groups ----------------------------------------------------------------------------------------

function buildGroups(L: Loader, pkg: Pkg): void {
  const seen = new Set<string>();
  for (const e of L.entries(pkg, 'groups')) {
    const id = `group.${pkg.name}.${e.name}`;
    if (seen.has(id)) {
      const file = L.shownFile(pkg, e.file.rel);
      const pos = e.doc.positionOf(e.entry);
      L.diag({
        id: 'duplicate-resource',
        messageId: 'duplicate',
        data: { kind: 'group', name: e.name, file, other: file },
        file,
        ...(pos ? { line: pos.line, column: pos.column } : {}),
      });
      continue;
    }
    seen.add(id);
    const owner = get(e.entry, 'owner');
    const config = L.normalize(e, 'groups') ?? dict();
    const meta = get(config, 'meta');
    L.groups.push({
      uniqueId: id,
      name: e.name,
      packageName: pkg.name,
      owner: isMapping(owner) ? ownerOf(owner) : null,
      description: L.description(get(e.entry, 'description'), pkg),
      meta: isMapping(meta) ? meta : dict(),
      filePath: e.file.rel,
    });
  }
}

/** An owner as dbt serialises it: name and email always present (null when absent). */
function ownerOf(owner: Dict): Meta {
  const out = dict();
  out.email = get(owner, 'email') ?? null;
  out.name = get(owner, 'name') ?? null;
  for (const k of Object.keys(owner)) if (k !== 'email' && k !== 'name') out[k] = owner[k];
  return out;
}

// --- generic tests ---------------------------------------------------------------------------------

interface TestTargetNode {
  kind: 'node' | 'source';
  resource: Resource;
  /** The name in the test's name: `orders`, `orders_v2`, `raw_orders` (source_table). */
  targetName: string;
  /** The Jinja in kwargs.model. */
  modelArg: string;
}

function buildGenericTests(L: Loader, pkg: Pkg, built: Array<{ c: Candidate; r: Resource }>): void {
  // Models, seeds, snapshots (and versions) with their YAML entries.
  for (const { c, r } of built) {
    if (c.pkg !== pkg || !c.entry) continue;
    if (c.type !== 'model' && c.type !== 'seed' && c.type !== 'snapshot') continue;
    const e = c.entry;
    const target: TestTargetNode = {
      kind: 'node',
      resource: r,
      targetName: r.version !== null ? `${r.name}_v${r.version}` : r.name,
      modelArg:
        r.version !== null ? `ref('${r.name}', version='${r.version}')` : `ref('${r.name}')`,
    };
    const modelTests = [...testsOf(e.entry)];
    let columns = list(get(e.entry, 'columns'));
    if (c.versionEntry) {
      // A version's tests: its own (model-level ones replace the model's when given), its columns'.
      const vt = testsOf(c.versionEntry);
      if (
        get(c.versionEntry, 'tests') !== undefined ||
        get(c.versionEntry, 'data_tests') !== undefined
      )
        modelTests.splice(0, modelTests.length, ...vt);
      columns = L.versionColumns(e, c.versionEntry);
    }
    for (const t of modelTests) addGenericTest(L, e, t, target, null, [], r.group);
    for (const col of columns) {
      // Most columns have no tests: nothing more to read for them.
      const colTests = testsOf(col);
      if (colTests.length === 0) continue;
      const colName = nameOf(col);
      if (colName === null) continue;
      const colTags = tagList(get(col, 'tags'), get(get(col, 'config'), 'tags'));
      for (const t of colTests) addGenericTest(L, e, t, target, colName, colTags, r.group);
    }
  }
  // Source tables.
  for (const e of L.entries(pkg, 'sources')) {
    if (str(get(e.entry, 'overrides')) !== null) continue;
    const sourceTags = tagList(get(e.entry, 'tags'), get(get(e.entry, 'config'), 'tags'));
    for (const t of list(get(e.entry, 'tables'))) {
      const table = nameOf(t);
      if (table === null || !isMapping(t)) continue;
      const r = L.resources.get(`source.${pkg.name}.${e.name}.${table}`);
      if (!r) continue;
      const target: TestTargetNode = {
        kind: 'source',
        resource: r,
        targetName: `${e.name}_${table}`,
        modelArg: `source('${e.name}', '${table}')`,
      };
      const tableTags = [...sourceTags, ...tagList(get(t, 'tags'), get(get(t, 'config'), 'tags'))];
      for (const test of testsOf(t)) addGenericTest(L, e, test, target, null, tableTags, null);
      for (const col of list(get(t, 'columns'))) {
        const colTests = testsOf(col);
        if (colTests.length === 0) continue;
        const colName = nameOf(col);
        if (colName === null) continue;
        const colTags = tagList(get(col, 'tags'), get(get(col, 'config'), 'tags'));
        for (const test of colTests)
          addGenericTest(L, e, test, target, colName, [...tableTags, ...colTags], null);
      }
    }
  }
}

// Column helpers: run for every column of every model, so no temporary arrays.

/** Copies a mapping's keys into `out` (a later copy wins); anything else adds nothing. */
function copyInto(out: Dict, src: unknown): void {
  if (isMapping(src)) for (const k of Object.keys(src)) out[k] = src[k];
}

/** Adds a tag or list of tags not already in `tags` (strings only). */
function addTags(tags: string[], src: unknown): void {
  if (typeof src === 'string') {
    if (!tags.includes(src)) tags.push(src);
    return;
  }
  for (const t of list(src)) if (typeof t === 'string' && !tags.includes(t)) tags.push(t);
}

function tagList(...sources: unknown[]): string[] {
  const out: string[] = [];
  for (const s of sources)
    for (const t of typeof s === 'string' ? [s] : list(s)) if (typeof t === 'string') out.push(t);
  return out;
}

/** A shared empty list: testsOf() of the many entries without tests (callers only read it). */
const NO_TESTS: readonly unknown[] = Object.freeze([]);

function testsOf(entry: unknown): readonly unknown[] {
  const dataTests = get(entry, 'data_tests');
  const tests = get(entry, 'tests');
  if (!Array.isArray(dataTests) && !Array.isArray(tests)) return NO_TESTS;
  return [...list(dataTests), ...list(tests)];
}

/** dbt's test-builder: the definition's test name, namespace, arguments and config. */
function parseTestDefinition(def: unknown): {
  testName: string;
  namespace: string | null;
  args: Dict;
  config: Dict;
  customName: string | null;
  description: unknown;
} | null {
  let full: string;
  let args: Dict;
  if (typeof def === 'string') {
    full = def;
    args = dict();
  } else if (isMapping(def)) {
    const testNameKey = str(get(def, 'test_name'));
    if (testNameKey !== null) {
      full = testNameKey;
      args = dict();
      for (const k of Object.keys(def)) if (k !== 'test_name') args[k] = def[k];
    } else {
      const keys = Object.keys(def);
      if (keys.length !== 1) return null;
      full = keys[0]!;
      const v = def[full];
      args = dict();
      if (isMapping(v)) for (const k of Object.keys(v)) args[k] = v[k];
      else if (v !== null && v !== undefined) return null;
    }
  } else return null;
  const dot = full.lastIndexOf('.');
  const namespace = dot > 0 ? full.slice(0, dot) : null;
  const testName = dot > 0 ? full.slice(dot + 1) : full;
  const { config } = normalizeEntryConfig(args, 'test');
  const rest = dict();
  for (const k of Object.keys(args)) {
    if (
      k === 'config' ||
      k === 'name' ||
      k === 'description' ||
      k === 'arguments' ||
      TEST_CONFIG_ARG_SET.has(k)
    )
      continue;
    rest[k] = args[k];
  }
  const nested = get(args, 'arguments');
  if (isMapping(nested)) for (const k of Object.keys(nested)) rest[k] = nested[k];
  return {
    testName,
    namespace,
    args: rest,
    config,
    customName: str(get(args, 'name')),
    description: get(args, 'description'),
  };
}

/** Text that synthesize_generic_test_names keeps as it is. */
const PLAIN_NAME = /^[0-9a-zA-Z_]*$/;

/** TEST_CONFIG_ARGS as a set, for the per-argument test in hot loops. */
const TEST_CONFIG_ARG_SET: ReadonlySet<string> = new Set(TEST_CONFIG_ARGS);

function addGenericTest(
  L: Loader,
  e: YamlEntry,
  def: unknown,
  target: TestTargetNode,
  columnName: string | null,
  inheritedTags: string[],
  group: string | null,
): void {
  let parsed: ReturnType<typeof parseTestDefinition>;
  if (typeof def === 'string') {
    parsed = L.namedTests.get(def) ?? parseTestDefinition(def);
    L.namedTests.set(def, parsed);
  } else parsed = parseTestDefinition(def);
  const file = L.shownFile(e.pkg, e.file.rel);
  if (!parsed) {
    L.warn(file, `a test definition of '${target.resource.name}' is not understood; it is ignored`);
    return;
  }
  const { testName, namespace, config } = parsed;
  const kwargs = dict();
  if (columnName !== null) kwargs.column_name = columnName;
  for (const k of Object.keys(parsed.args)) kwargs[k] = parsed.args[k];
  kwargs.model = `{{ get_where_subquery(${target.modelArg}) }}`;
  // synthesize_generic_test_names
  const flat: string[] = [];
  for (const key of sortedKeys(kwargs)) {
    if (key === 'model') continue;
    const v = kwargs[key];
    const parts = Array.isArray(v) ? (v as unknown[]) : isMapping(v) ? Object.values(v) : [v];
    for (const p of parts) {
      const text = pyStr(p);
      flat.push(PLAIN_NAME.test(text) ? text : text.replace(/[^0-9a-zA-Z_]+/g, '_'));
    }
  }
  const testType = `${target.kind === 'source' ? 'source_' : ''}${namespace !== null ? `${namespace}_` : ''}${testName}`;
  const fullName = parsed.customName ?? `${testType}_${target.targetName}_${flat.join('__')}`;
  const metadata = dict();
  metadata.name = testName;
  metadata.kwargs = kwargs;
  metadata.namespace = namespace;
  const hash = md5(fullName + hashableRepr(metadata)).slice(-10);
  const pkg = e.pkg;
  const uniqueId = `test.${pkg.name}.${fullName}.${hash}`;
  if (L.resources.has(uniqueId)) return;
  const fqn = nodeFqn({
    resourceType: 'test',
    packageName: pkg.name,
    path: e.file.sub,
    name: fullName,
  });
  const yamlConfig = dict();
  for (const k of Object.keys(config)) yamlConfig[k] = config[k];
  const ownTags = config.tags;
  yamlConfig.tags = [
    ...inheritedTags,
    ...(ownTags === undefined || ownTags === null
      ? []
      : typeof ownTags === 'string'
        ? [ownTags]
        : list(ownTags)),
  ];
  const problems: string[] = [];
  const cfg = effectiveConfig({
    readOnly: true,
    resourceType: 'test',
    fqn,
    ownProject: pkg.project,
    rootProject: L.root.project,
    yamlConfig,
    problems,
  });
  const fields = nodeFields(cfg, 'test');
  if (!fields.enabled) return;
  // Dependencies: the tested node, then refs/sources in the arguments (relationships' `to`).
  const deps: string[] = [target.resource.uniqueId];
  const unresolved: string[] = [];
  const scan = (v: unknown): void => {
    if (typeof v === 'string') {
      if (!/\b(ref|source)\s*\(/.test(v)) return;
      const d = scanDeps(asJinja(v));
      for (const s of d.sources) {
        const res = L.resolveSource(pkg.name, s.source, s.table);
        if ('id' in res) deps.push(res.id);
        else unresolved.push(res.unresolved);
      }
      for (const ref of d.refs) {
        const res = L.resolveRef(pkg.name, {
          package: ref.package ?? null,
          name: ref.name,
          version: ref.version === null || ref.version === undefined ? null : String(ref.version),
        });
        if ('id' in res) deps.push(res.id);
        else unresolved.push(res.unresolved);
      }
    } else if (Array.isArray(v)) (v as unknown[]).forEach(scan);
    else if (isMapping(v)) Object.values(v).forEach(scan);
  };
  scan(parsed.args);
  const test: TestInfo = {
    name: testName,
    namespace,
    columnName,
    attachedNode: target.kind === 'node' ? target.resource.uniqueId : null,
  };
  const r: Resource = {
    uniqueId,
    resourceType: 'test',
    name: fullName,
    packageName: pkg.name,
    filePath: e.file.rel,
    patchPath: null,
    yamlPosition: null,
    fqn,
    description: L.description(parsed.description, pkg),
    meta: fields.meta,
    tags: fields.tags,
    group: fields.group ?? group,
    access: null,
    contract: fields.contract,
    materialized: fields.materialized,
    columns: [],
    constraints: [],
    version: null,
    latestVersion: null,
    deprecationDate: null,
    dependsOn: [...new Set(deps)],
    external: false,
    sourceName: null,
    owner: null,
    test,
    projectName: L.root.name,
    checksum: null,
  };
  L.resources.set(uniqueId, r);
  for (const target2 of [...new Set(unresolved)])
    L.diag({
      id: 'ref-unresolved',
      messageId: 'unresolved',
      data: { name: r.name, target: target2 },
      nodeId: target.resource.uniqueId,
      file,
    });
}

// --- unit tests, semantic layer, exposures ----------------------------------------------------------

function simpleResource(
  L: Loader,
  e: YamlEntry,
  type: ResourceType,
  uniqueId: string,
  fqn: string[],
  fields: ReturnType<typeof nodeFields>,
  extra: Partial<Resource>,
): Resource {
  return {
    uniqueId,
    resourceType: type,
    name: e.name,
    packageName: e.pkg.name,
    filePath: e.file.rel,
    patchPath: null,
    yamlPosition: e.doc.positionOf(e.entry),
    fqn,
    description: L.description(get(e.entry, 'description'), e.pkg),
    meta: fields.meta,
    tags: fields.tags,
    group: fields.group,
    access: null,
    contract: null,
    materialized: null,
    columns: [],
    constraints: [],
    version: null,
    latestVersion: null,
    deprecationDate: null,
    dependsOn: [],
    external: false,
    sourceName: null,
    owner: null,
    test: null,
    projectName: L.root.name,
    checksum: null,
    ...extra,
  };
}

function configFor(
  L: Loader,
  e: YamlEntry,
  type: ConfigResourceType,
  section: string,
  fqn: string[],
): ReturnType<typeof nodeFields> {
  const problems: string[] = [];
  const config = effectiveConfig({
    readOnly: true,
    resourceType: type,
    fqn,
    ownProject: e.pkg.project,
    rootProject: L.root.project,
    yamlConfig: L.normalize(e, section),
    problems,
  });
  const fields = nodeFields(config, type);
  for (const p of [...problems, ...fields.problems]) L.warn(L.shownFile(e.pkg, e.file.rel), p);
  return fields;
}

/** Dependencies written as Jinja strings in YAML ("ref('x')", "source('a', 'b')", "metric('m')"). */
function yamlDeps(L: Loader, e: YamlEntry, items: unknown[], nodeId: string): string[] {
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') continue;
    const metric = /\bmetric\s*\(\s*(['"])([^'"]+)\1\s*(?:,\s*(['"])([^'"]+)\3\s*)?\)/.exec(item);
    if (metric) {
      const name = metric[4] ?? metric[2]!;
      const id = findByName(L, 'metric', name, e.pkg.name);
      if (id) out.push(id);
      continue;
    }
    const d = scanDeps(asJinja(item));
    for (const s of d.sources) {
      const res = L.resolveSource(e.pkg.name, s.source, s.table);
      if ('id' in res) out.push(res.id);
      else unresolvedYaml(L, e, nodeId, res.unresolved);
    }
    for (const ref of d.refs) {
      const res = L.resolveRef(e.pkg.name, {
        package: ref.package ?? null,
        name: ref.name,
        version: ref.version === null || ref.version === undefined ? null : String(ref.version),
      });
      if ('id' in res) out.push(res.id);
      else unresolvedYaml(L, e, nodeId, res.unresolved);
    }
  }
  return [...new Set(out)];
}

function unresolvedYaml(L: Loader, e: YamlEntry, nodeId: string, target: string): void {
  const file = L.shownFile(e.pkg, e.file.rel);
  const pos = e.doc.positionOf(e.entry);
  L.diag({
    id: 'ref-unresolved',
    messageId: 'unresolved',
    data: { name: e.name, target },
    nodeId,
    file,
    ...(pos ? { line: pos.line, column: pos.column } : {}),
  });
}

function findByName(L: Loader, type: ResourceType, name: string, fromPkg: string): string | null {
  const own = L.resources.get(`${type}.${fromPkg}.${name}`);
  if (own) return own.uniqueId;
  const root = L.resources.get(`${type}.${L.root.name}.${name}`);
  if (root) return root.uniqueId;
  for (const r of L.resources.values())
    if (r.resourceType === type && r.name === name) return r.uniqueId;
  return null;
}

function buildUnitTests(L: Loader, pkg: Pkg): void {
  for (const e of L.entries(pkg, 'unit_tests')) {
    const model = str(get(e.entry, 'model'));
    if (model === null) {
      L.warn(L.shownFile(pkg, e.file.rel), `unit test '${e.name}' names no model; it is ignored`);
      continue;
    }
    const res = L.resolveRef(pkg.name, { package: null, name: model, version: null });
    if (!('id' in res)) {
      unresolvedYaml(L, e, `unit_test.${pkg.name}.${model}.${e.name}`, res.unresolved);
      continue;
    }
    const tested = L.resources.get(res.id);
    // One unit test per tested version of a versioned model.
    const versions =
      tested?.version != null
        ? [...L.resources.values()].filter(
            (r) =>
              r.resourceType === 'model' &&
              r.packageName === tested.packageName &&
              r.name === tested.name,
          )
        : [tested];
    const include = get(get(e.entry, 'versions'), 'include');
    const exclude = get(get(e.entry, 'versions'), 'exclude');
    const givenDeps = yamlDeps(
      L,
      e,
      list(get(e.entry, 'given')).map((g) => get(g, 'input')),
      `unit_test.${pkg.name}.${model}.${e.name}`,
    );
    for (const target of versions) {
      if (!target) continue;
      if (target.version !== null) {
        if (Array.isArray(include) && !include.map((x) => pyStr(x)).includes(target.version))
          continue;
        if (Array.isArray(exclude) && exclude.map((x) => pyStr(x)).includes(target.version))
          continue;
      }
      const name = target.version !== null ? `${e.name}_v${target.version}` : e.name;
      const fqn = nodeFqn({
        resourceType: 'unit_test',
        packageName: pkg.name,
        path: e.file.sub,
        name,
        model,
      });
      const fields = configFor(L, e, 'unit_test', 'unit_tests', fqn);
      if (!fields.enabled) continue;
      const id = `unit_test.${pkg.name}.${model}.${name}`;
      L.resources.set(
        id,
        simpleResource(L, e, 'unit_test', id, fqn, fields, {
          name,
          group: null,
          dependsOn: [...new Set([target.uniqueId, ...givenDeps])],
          test: { name: null, namespace: null, columnName: null, attachedNode: null },
        }),
      );
    }
  }
}

function buildExposures(L: Loader, pkg: Pkg): void {
  for (const e of L.entries(pkg, 'exposures')) {
    const id = `exposure.${pkg.name}.${e.name}`;
    const fqn = nodeFqn({
      resourceType: 'exposure',
      packageName: pkg.name,
      path: e.file.sub,
      name: e.name,
    });
    const fields = configFor(L, e, 'exposure', 'exposures', fqn);
    if (!fields.enabled) continue;
    const owner = get(e.entry, 'owner');
    const group = str(get(get(e.entry, 'config'), 'group')) ?? str(get(e.entry, 'group'));
    L.resources.set(
      id,
      simpleResource(L, e, 'exposure', id, fqn, fields, {
        group,
        owner: isMapping(owner) ? ownerOf(owner) : null,
        dependsOn: yamlDeps(L, e, list(get(e.entry, 'depends_on')), id),
      }),
    );
  }
}

function buildSemanticModels(L: Loader, pkg: Pkg): void {
  for (const e of L.entries(pkg, 'semantic_models')) {
    const id = `semantic_model.${pkg.name}.${e.name}`;
    const fqn = nodeFqn({
      resourceType: 'semantic_model',
      packageName: pkg.name,
      path: e.file.sub,
      name: e.name,
    });
    const fields = configFor(L, e, 'semantic_model', 'semantic_models', fqn);
    if (!fields.enabled) continue;
    const model = get(e.entry, 'model');
    L.resources.set(
      id,
      simpleResource(L, e, 'semantic_model', id, fqn, fields, {
        dependsOn: yamlDeps(L, e, [model], id),
      }),
    );
  }
}

/** Measure name → semantic model id, for metric dependencies. */
function measureIndex(L: Loader): Map<string, string> {
  const out = new Map<string, string>();
  for (const pkg of L.packages)
    for (const e of L.entries(pkg, 'semantic_models'))
      for (const m of list(get(e.entry, 'measures'))) {
        const n = nameOf(m);
        const id = `semantic_model.${pkg.name}.${e.name}`;
        if (n !== null && !out.has(n) && L.resources.has(id)) out.set(n, id);
      }
  return out;
}

function buildMetrics(L: Loader, pkg: Pkg): void {
  const measures = measureIndex(L);
  const entries = L.entries(pkg, 'metrics');
  const metricNames = new Set(entries.map((e) => e.name));
  for (const e of entries) {
    const id = `metric.${pkg.name}.${e.name}`;
    const fqn = nodeFqn({
      resourceType: 'metric',
      packageName: pkg.name,
      path: e.file.sub,
      name: e.name,
    });
    const fields = configFor(L, e, 'metric', 'metrics', fqn);
    if (!fields.enabled) continue;
    const deps: string[] = [];
    // Legacy metrics (dbt ≤1.5): `model: ref('x')`.
    const model = get(e.entry, 'model');
    if (typeof model === 'string') deps.push(...yamlDeps(L, e, [model], id));
    const tp = get(e.entry, 'type_params');
    const measureNames: string[] = [];
    const metricRefs: string[] = [];
    const addMeasure = (m: unknown) => {
      const n = typeof m === 'string' ? m : nameOf(m);
      if (n !== null) measureNames.push(n);
    };
    addMeasure(get(tp, 'measure'));
    for (const m of list(get(tp, 'measures'))) addMeasure(m);
    addMeasure(get(get(tp, 'conversion_type_params'), 'base_measure'));
    addMeasure(get(get(tp, 'conversion_type_params'), 'conversion_measure'));
    for (const k of ['numerator', 'denominator']) {
      const v = get(tp, k);
      const n = typeof v === 'string' ? v : nameOf(v);
      if (n !== null) metricRefs.push(n);
    }
    for (const m of list(get(tp, 'metrics'))) {
      const n = typeof m === 'string' ? m : nameOf(m);
      if (n !== null) metricRefs.push(n);
    }
    for (const n of measureNames) {
      const sm = measures.get(n);
      if (sm) deps.push(sm);
    }
    for (const n of metricRefs)
      if (metricNames.has(n)) deps.push(`metric.${pkg.name}.${n}`);
      else {
        const other = findByName(L, 'metric', n, pkg.name);
        if (other) deps.push(other);
      }
    L.resources.set(
      id,
      simpleResource(L, e, 'metric', id, fqn, fields, { dependsOn: [...new Set(deps)] }),
    );
  }
}

function buildSavedQueries(L: Loader, pkg: Pkg): void {
  for (const e of L.entries(pkg, 'saved_queries')) {
    const id = `saved_query.${pkg.name}.${e.name}`;
    const fqn = nodeFqn({
      resourceType: 'saved_query',
      packageName: pkg.name,
      path: e.file.sub,
      name: e.name,
    });
    const fields = configFor(L, e, 'saved_query', 'saved_queries', fqn);
    if (!fields.enabled) continue;
    const deps: string[] = [];
    for (const m of list(get(get(e.entry, 'query_params'), 'metrics'))) {
      const n = typeof m === 'string' ? m : nameOf(m);
      if (n === null) continue;
      const other = findByName(L, 'metric', n, pkg.name);
      if (other) deps.push(other);
    }
    L.resources.set(
      id,
      simpleResource(L, e, 'saved_query', id, fqn, fields, { dependsOn: [...new Set(deps)] }),
    );
  }
}

/** Exposed for tests: the sha256 dbt would store for a text. */
export const _internal = { sha256, pyRepr, hashableMd, hashableRepr };
