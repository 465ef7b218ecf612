/**
 * Finding, reading and validating the config file (dbt-steward.yml / .yaml / .json), its
 * `extends` chain and its plugins, into the EngineConfig the engine runs with. Every
 * problem is a ConfigError of one line per problem: `file:line:col: key.path: what; fix`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { ConfigError, type CheckResult } from '../engine/check.js';
import {
  emptyEngineConfig,
  type CentralWaiver,
  type DomainDeclaration,
  type DomainStep,
  type EngineConfig,
  type Override,
  type OverrideMatch,
  type OwnerStep,
  type RuleEntry,
} from '../engine/config.js';
import { PRESETS, Registry, type PresetName } from '../engine/registry.js';
import { parseRuleOptions, type AnyRule, type SeverityOrOff } from '../engine/rule.js';
import { checkReporters } from '../report/index.js';
import { findCodeowners, readCodeownersFile } from './codeowners-file.js';
import {
  importModule,
  isPathSpecifier,
  loadPlugin,
  ModuleProblem,
  resolveModule,
  type LoadedPlugin,
  type PluginReporter,
} from './plugins.js';
import {
  configFileSchema,
  formatKeyPath,
  kindOf,
  presetSchema,
  validateWith,
  type ConfigFile,
  type DomainStepInput,
  type KeyPath,
  type OwnerStepInput,
  type RuleSettingInput,
} from './schema.js';
import { suggestion } from './suggest.js';

/** Config file names looked for in each directory, in this order. */
export const CONFIG_FILE_NAMES: readonly string[] = [
  'dbt-steward.yml',
  'dbt-steward.yaml',
  'dbt-steward.json',
];

const BUILTIN_PREFIX = 'dbt-steward:';

export interface LoadedConfig {
  /** The engine's configuration; `engine.file` is the config path relative to cwd, or null. */
  engine: EngineConfig;
  /** Every finding id: built-in rules, plugin rules, engine findings. */
  registry: Registry;
  /** Plugin reporters by format name. */
  reporters: Record<string, (result: CheckResult) => string>;
  /** Absolute path from the `baseline` key, or null. */
  baseline: string | null;
  /** The `mesh:` section's projects (empty when none). */
  mesh: MeshProject[];
  /** Absolute path of the config file, null when none. */
  file: string | null;
  /** The presets and files applied, in order (labels as in origins). */
  chain: string[];
  /** The plugins loaded. */
  plugins: LoadedPlugin[];
}

// ---------------------------------------------------------------------------------------
// Problems and sources

interface Pos {
  line: number;
  col: number;
}

/** One configuration read from somewhere: a file, a JS module or a plugin preset. */
interface Source {
  /** Index in reading order, to sort problems. */
  index: number;
  /** How it is named in messages and origins: a path relative to cwd, or `plugin:preset`. */
  label: string;
  /** Absolute path, null for plugin presets. */
  file: string | null;
  /** Directory relative paths in it are resolved against. */
  dir: string;
  data: ConfigFile;
  /** Key path (JSON) → position of the key, for YAML and JSON files. */
  positions: Map<string, Pos> | null;
  preset: boolean;
}

interface Problem {
  source: number;
  line: number;
  col: number;
  seq: number;
  text: string;
}

class Problems {
  private readonly list: Problem[] = [];

  add(source: Source | null, keyPath: KeyPath, message: string): void {
    const pos = source ? positionOf(source, keyPath) : null;
    const label = source?.label ?? '';
    const where = `${label}${pos ? `:${pos.line}:${pos.col}` : ''}`;
    const key = formatKeyPath(keyPath);
    const parts = [where, key, message].filter((s) => s !== '');
    this.list.push({
      source: source?.index ?? -1,
      line: pos?.line ?? 0,
      col: pos?.col ?? 0,
      seq: this.list.length,
      text: parts.join(': '),
    });
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    const sorted = [...this.list].sort(
      (a, b) => a.source - b.source || a.line - b.line || a.col - b.col || a.seq - b.seq,
    );
    throw new ConfigError(sorted.map((p) => p.text).join('\n'));
  }
}

function positionOf(source: Source, keyPath: KeyPath): Pos | null {
  if (!source.positions) return null;
  for (let n = keyPath.length; n > 0; n--) {
    const pos = source.positions.get(JSON.stringify(keyPath.slice(0, n)));
    if (pos) return pos;
  }
  return null;
}

/** Problems found while building: thrown at once. */
function fail(source: Source | null, keyPath: KeyPath, message: string): never {
  const p = new Problems();
  p.add(source, keyPath, message);
  p.throwIfAny();
  throw new Error('unreachable');
}

interface Ctx {
  cwd: string;
  problems: Problems;
  nextIndex: number;
}

function rel(ctx: { cwd: string }, abs: string): string {
  const r = path.relative(ctx.cwd, abs);
  return r === '' ? '.' : r.split(path.sep).join('/');
}

// ---------------------------------------------------------------------------------------
// Reading data safely

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

type Report = (keyPath: KeyPath, message: string) => void;

function isoDate(d: Date): string | null {
  return Number.isNaN(d.getTime()) ? null : d.toISOString().slice(0, 10);
}

/**
 * Copies parsed data into prototype-less objects and plain arrays, rejecting keys that could
 * pollute prototypes, non-data values (functions, class instances) and non-string keys.
 * Dates (from YAML timestamps or JS configs) become YYYY-MM-DD strings.
 */
function toPlainData(value: unknown, keyPath: KeyPath, report: Report): unknown {
  if (value === null || value === undefined) return value;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      report(keyPath, `expected data, got a ${typeof value}`);
      return undefined;
  }
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const put = (key: unknown, v: unknown) => {
    if (typeof key !== 'string' && typeof key !== 'number') {
      report(keyPath, `keys must be strings, got ${kindOf(key)}`);
      return;
    }
    const k = String(key);
    if (FORBIDDEN_KEYS.has(k)) {
      report([...keyPath, k], `the key "${k}" is not allowed`);
      return;
    }
    out[k] = toPlainData(v, [...keyPath, k], report);
  };
  if (Array.isArray(value)) return value.map((v, i) => toPlainData(v, [...keyPath, i], report));
  if (value instanceof Date) {
    const d = isoDate(value);
    if (d === null) report(keyPath, 'invalid date');
    return d;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) put(k, v);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== null && proto !== Object.prototype) {
    report(keyPath, 'expected plain data (a mapping, list, string, number or boolean)');
    return undefined;
  }
  for (const k of Object.keys(value)) put(k, (value as Record<string, unknown>)[k]);
  return out;
}

function yamlPositions(text: string): {
  data: unknown;
  positions: Map<string, Pos>;
  error: { pos: Pos; message: string } | null;
} {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const positions = new Map<string, Pos>();
  const at = (offset: number): Pos => lineCounter.linePos(offset);
  const first = doc.errors[0];
  if (first)
    return { data: undefined, positions, error: { pos: at(first.pos[0]), message: first.message } };
  const walk = (node: unknown, keyPath: KeyPath) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof key !== 'string' && typeof key !== 'number') continue;
        const p = [...keyPath, String(key)];
        const range = isNode(pair.key) ? pair.key.range : undefined;
        if (range) positions.set(JSON.stringify(p), at(range[0]));
        walk(pair.value, p);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const p = [...keyPath, i];
        if (isNode(item) && item.range) positions.set(JSON.stringify(p), at(item.range[0]));
        walk(item, p);
      });
    }
  };
  walk(doc.contents, []);
  let data: unknown;
  try {
    data = doc.toJS({ mapAsMap: true, maxAliasCount: 1000 });
  } catch (err) {
    return {
      data: undefined,
      positions,
      error: { pos: { line: 1, col: 1 }, message: (err as Error).message },
    };
  }
  return { data, positions, error: null };
}

const DATA_EXTENSIONS = new Set(['.yml', '.yaml', '.json']);
const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);

/** Reads a file's raw data and key positions; YAML and JSON syntax errors are thrown. */
async function readRaw(
  abs: string,
  label: string,
): Promise<{ data: unknown; positions: Map<string, Pos> | null }> {
  const ext = path.extname(abs).toLowerCase();
  if (MODULE_EXTENSIONS.has(ext)) {
    let ns: Record<string, unknown>;
    try {
      ns = await importModule(abs);
    } catch (err) {
      throw new ConfigError(`${label}: ${(err as Error).message}`);
    }
    if (!('default' in ns))
      throw new ConfigError(
        `${label}: a JS config module must export its configuration as default`,
      );
    return { data: ns.default, positions: null };
  }
  return readDataFile(abs, label);
}

function readDataFile(
  abs: string,
  label: string,
): { data: unknown; positions: Map<string, Pos> | null } {
  const ext = path.extname(abs).toLowerCase();
  if (!DATA_EXTENSIONS.has(ext))
    throw new ConfigError(
      `${label}: unsupported config file type ${ext || '(no extension)'}; use .yml, .yaml, .json or a JS module`,
    );
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `${label}: ${code === 'ENOENT' ? 'file not found' : `cannot read the file: ${(err as Error).message}`}`,
    );
  }
  if (ext === '.json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`${label}: invalid JSON: ${(err as Error).message}`);
    }
    // JSON is YAML: the YAML parser gives the key positions.
    const { positions, error } = yamlPositions(text);
    return { data, positions: error ? null : positions };
  }
  const { data, positions, error } = yamlPositions(text);
  if (error)
    throw new ConfigError(
      `${label}:${error.pos.line}:${error.pos.col}: invalid YAML: ${error.message}`,
    );
  return { data, positions };
}

/** Makes a Source from raw data: safe copy, then the structural (zod) validation. */
function makeSource(
  ctx: Ctx,
  raw: unknown,
  init: {
    label: string;
    file: string | null;
    dir: string;
    positions: Map<string, Pos> | null;
    preset: boolean;
  },
): Source {
  const source: Source = {
    index: ctx.nextIndex++,
    ...init,
    data: {},
  };
  const problems = new Problems();
  const plain = toPlainData(raw, [], (p, m) => problems.add(source, p, m));
  problems.throwIfAny();
  // An empty YAML file is an empty configuration.
  const res = validateWith(init.preset ? presetSchema : configFileSchema, plain ?? {});
  if (!res.ok) {
    for (const { path: p, message } of res.problems) problems.add(source, p, message);
    problems.throwIfAny();
  } else {
    source.data = res.data;
  }
  return source;
}

// ---------------------------------------------------------------------------------------
// Discovery

function existingFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function findIn(dir: string, cwd: string): string | null {
  const found = CONFIG_FILE_NAMES.map((n) => path.join(dir, n)).filter(existingFile);
  if (found.length > 1) {
    throw new ConfigError(
      `${rel({ cwd }, dir)}: two config files, ${found.map((f) => path.basename(f)).join(' and ')}; keep one`,
    );
  }
  return found[0] ?? null;
}

function findUp(startDir: string, cwd: string, stopAt?: string): string | null {
  let dir = path.resolve(cwd, startDir);
  const stop = stopAt === undefined ? null : path.resolve(cwd, stopAt);
  for (;;) {
    const found = findIn(dir, cwd);
    if (found) return found;
    if (dir === stop) return null;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * The config file for a project directory: dbt-steward.yml, .yaml or .json in `startDir`
 * or the nearest ancestor (up to `stopAt`, if given, else the filesystem root). Two config
 * files in one directory are a ConfigError. Null when there is none.
 */
export function findConfigFile(startDir: string, stopAt?: string): string | null {
  return findUp(startDir, path.resolve(), stopAt);
}

// ---------------------------------------------------------------------------------------
// The extends tree

type ExtendsItem =
  | { kind: 'builtin'; name: PresetName }
  | { kind: 'plugin'; plugin: string; preset: string; from: Source; keyPath: KeyPath }
  | { kind: 'node'; node: TreeNode };

interface TreeNode {
  source: Source;
  extends: ExtendsItem[];
}

function listOf(v: string | string[] | undefined | null): string[] {
  if (v === undefined || v === null) return [];
  return typeof v === 'string' ? [v] : v;
}

/** `extends` or `extends[i]`, as the file wrote it. */
function listItemPath(data: Record<string, unknown>, key: string, i: number): KeyPath {
  return Array.isArray(data[key]) ? [key, i] : [key];
}

type ExtendsRef =
  | { kind: 'builtin'; name: PresetName }
  | { kind: 'plugin'; plugin: string; preset: string }
  | { kind: 'path'; spec: string }
  | { kind: 'package'; spec: string };

const BUILTIN_NAMES = PRESETS.map((p) => `${BUILTIN_PREFIX}${p}`);

/** Classifies an `extends` entry; an unknown built-in preset is reported. */
function classifyExtends(
  spec: string,
  source: Source,
  keyPath: KeyPath,
  problems: Problems,
): ExtendsRef | null {
  if (spec.startsWith(BUILTIN_PREFIX)) {
    const name = spec.slice(BUILTIN_PREFIX.length);
    if ((PRESETS as readonly string[]).includes(name))
      return { kind: 'builtin', name: name as PresetName };
    problems.add(
      source,
      keyPath,
      `unknown preset ${JSON.stringify(spec)}${suggestion(spec, BUILTIN_NAMES)} (built-in presets: ${BUILTIN_NAMES.join(', ')})`,
    );
    return null;
  }
  if (isPathSpecifier(spec)) return { kind: 'path', spec };
  const colon = spec.lastIndexOf(':');
  if (colon > 0 && colon < spec.length - 1)
    return { kind: 'plugin', plugin: spec.slice(0, colon), preset: spec.slice(colon + 1) };
  if (spec === '' || colon >= 0) {
    problems.add(
      source,
      keyPath,
      `${JSON.stringify(spec)} is not a preset, file or package; write dbt-steward:PRESET, PLUGIN:PRESET, ./file.yml or a package name`,
    );
    return null;
  }
  if ((PRESETS as readonly string[]).includes(spec)) {
    problems.add(
      source,
      keyPath,
      `${JSON.stringify(spec)} is read as an npm package; did you mean "${BUILTIN_PREFIX}${spec}"?`,
    );
    return null;
  }
  return { kind: 'package', spec };
}

/** The config file an `extends` path names: a file, or a directory holding a config file. */
function resolveExtendsPath(spec: string, source: Source, keyPath: KeyPath, cwd: string): string {
  const abs = path.resolve(source.dir, spec);
  const stat = fs.statSync(abs, { throwIfNoEntry: false }) ?? null;
  if (stat?.isDirectory()) {
    const found = findIn(abs, cwd);
    if (found) return found;
    fail(source, keyPath, `${spec} is a directory without ${CONFIG_FILE_NAMES.join(', ')}`);
  }
  if (!stat) fail(source, keyPath, `${spec} not found (looked for ${rel({ cwd }, abs)})`);
  return abs;
}

async function readTree(abs: string, ctx: Ctx, stack: readonly string[]): Promise<TreeNode> {
  const label = rel(ctx, abs);
  const raw = await readRaw(abs, label);
  const source = makeSource(ctx, raw.data, {
    label,
    file: abs,
    dir: path.dirname(abs),
    positions: raw.positions,
    preset: false,
  });
  const node: TreeNode = { source, extends: [] };
  const specs = listOf(source.data.extends);
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const keyPath = listItemPath(source.data, 'extends', i);
    const ref = classifyExtends(spec, source, keyPath, ctx.problems);
    if (!ref) continue;
    if (ref.kind === 'builtin') {
      node.extends.push(ref);
      continue;
    }
    if (ref.kind === 'plugin') {
      node.extends.push({ ...ref, from: source, keyPath });
      continue;
    }
    let target: string;
    if (ref.kind === 'path') {
      target = resolveExtendsPath(ref.spec, source, keyPath, ctx.cwd);
    } else {
      try {
        target = resolveModule(ref.spec, source.dir).file;
      } catch (err) {
        if (err instanceof ModuleProblem) fail(source, keyPath, err.message);
        throw err;
      }
    }
    if (stack.includes(target)) {
      const cycle = [...stack.slice(stack.indexOf(target)), target].map((f) => rel(ctx, f));
      fail(source, keyPath, `extends cycle: ${cycle.join(' -> ')}`);
    }
    node.extends.push({ kind: 'node', node: await readTree(target, ctx, [...stack, target]) });
  }
  return node;
}

// ---------------------------------------------------------------------------------------
// Plugins

interface PluginSet {
  plugins: LoadedPlugin[];
  byName: Map<string, LoadedPlugin>;
}

function* sourcesOf(node: TreeNode): Generator<Source> {
  yield node.source;
  for (const item of node.extends) if (item.kind === 'node') yield* sourcesOf(item.node);
}

async function loadPlugins(
  tree: TreeNode | null,
  ctx: Ctx,
  builtinRules: readonly AnyRule[],
): Promise<PluginSet> {
  const set: PluginSet = { plugins: [], byName: new Map() };
  if (!tree) return set;
  const byFile = new Map<string, LoadedPlugin>();
  const ruleOwner = new Map<string, string>();
  for (const id of new Registry([]).ids()) ruleOwner.set(id, "dbt-steward's own findings");
  for (const r of builtinRules) ruleOwner.set(r.id, 'the built-in rules');
  const reporterOwner = new Map<string, string>();
  for (const f of Object.keys(checkReporters)) reporterOwner.set(f, 'the built-in reporters');

  for (const source of sourcesOf(tree)) {
    const specs = listOf(source.data.plugins);
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]!;
      const keyPath = listItemPath(source.data, 'plugins', i);
      let plugin: LoadedPlugin;
      try {
        const file = resolveModule(spec, source.dir).file;
        const known = byFile.get(file);
        if (known) continue;
        plugin = await loadPlugin(spec, source.dir);
        byFile.set(file, plugin);
      } catch (err) {
        if (err instanceof ModuleProblem) fail(source, keyPath, `plugin ${spec}: ${err.message}`);
        throw err;
      }
      const desc = `plugin "${plugin.name}" (${rel(ctx, plugin.file)})`;
      for (const name of [plugin.name, ...plugin.aliases]) {
        const other = set.byName.get(name);
        if (other && other !== plugin) {
          fail(
            source,
            keyPath,
            `${desc}: the name "${name}" is taken by plugin "${other.name}" (${rel(ctx, other.file)}); give one of them another name`,
          );
        }
      }
      for (const r of plugin.rules) {
        const owner = ruleOwner.get(r.id);
        if (owner)
          fail(source, keyPath, `${desc}: rule id "${r.id}" is already defined by ${owner}`);
        ruleOwner.set(r.id, desc);
      }
      for (const f of Object.keys(plugin.reporters)) {
        const owner = reporterOwner.get(f);
        if (owner) fail(source, keyPath, `${desc}: reporter "${f}" is already defined by ${owner}`);
        reporterOwner.set(f, desc);
      }
      set.plugins.push(plugin);
      for (const name of [plugin.name, ...plugin.aliases]) set.byName.set(name, plugin);
    }
  }
  return set;
}

function buildRegistry(rules: readonly AnyRule[], plugins: PluginSet): Registry {
  try {
    return new Registry([...rules, ...plugins.plugins.flatMap((p) => p.rules)]);
  } catch (err) {
    throw new ConfigError(`rules: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------
// Flattening the chain

type ChainItem = { kind: 'builtin'; name: PresetName } | { kind: 'source'; source: Source };

interface FlattenCtx extends Ctx {
  plugins: PluginSet;
  presetNodes: Map<string, TreeNode>;
}

function presetNode(
  item: { plugin: string; preset: string; from: Source; keyPath: KeyPath },
  ctx: FlattenCtx,
): TreeNode | null {
  const plugin = ctx.plugins.byName.get(item.plugin);
  const refName = `${item.plugin}:${item.preset}`;
  if (!plugin) {
    const names = [...ctx.plugins.byName.keys()];
    const hint = suggestion(item.plugin, names);
    ctx.problems.add(
      item.from,
      item.keyPath,
      `${JSON.stringify(refName)}: no plugin named "${item.plugin}" is loaded${hint}${names.length > 0 ? ` (plugins: ${names.join(', ')})` : '; add it to plugins'}`,
    );
    return null;
  }
  const label = `${plugin.name}:${item.preset}`;
  const cached = ctx.presetNodes.get(label);
  if (cached) return cached;
  if (!Object.prototype.hasOwnProperty.call(plugin.presets, item.preset)) {
    const names = Object.keys(plugin.presets);
    ctx.problems.add(
      item.from,
      item.keyPath,
      `unknown preset ${JSON.stringify(refName)}${suggestion(item.preset, names)} (presets of plugin "${plugin.name}": ${names.join(', ') || 'none'})`,
    );
    return null;
  }
  const source = makeSource(ctx, plugin.presets[item.preset], {
    label,
    file: null,
    dir: path.dirname(plugin.file),
    positions: null,
    preset: true,
  });
  const node: TreeNode = { source, extends: [] };
  ctx.presetNodes.set(label, node);
  const specs = listOf(source.data.extends);
  for (let i = 0; i < specs.length; i++) {
    const keyPath = listItemPath(source.data, 'extends', i);
    const ref = classifyExtends(specs[i]!, source, keyPath, ctx.problems);
    if (!ref) continue;
    if (ref.kind === 'builtin') node.extends.push(ref);
    else if (ref.kind === 'plugin') node.extends.push({ ...ref, from: source, keyPath });
    else
      ctx.problems.add(
        source,
        keyPath,
        'a plugin preset can only extend presets (dbt-steward:PRESET or PLUGIN:PRESET)',
      );
  }
  return node;
}

function flatten(
  node: TreeNode,
  ctx: FlattenCtx,
  stack: readonly string[],
  out: ChainItem[],
): void {
  for (const item of node.extends) {
    if (item.kind === 'builtin') out.push(item);
    else if (item.kind === 'node') flatten(item.node, ctx, [...stack, item.node.source.label], out);
    else {
      const child = presetNode(item, ctx);
      if (!child) continue;
      if (stack.includes(child.source.label)) {
        const cycle = [...stack.slice(stack.indexOf(child.source.label)), child.source.label];
        ctx.problems.add(item.from, item.keyPath, `extends cycle: ${cycle.join(' -> ')}`);
        continue;
      }
      flatten(child, ctx, [...stack, child.source.label], out);
    }
  }
  out.push({ kind: 'source', source: node.source });
}

function chainOf(tree: TreeNode | null, ctx: FlattenCtx): ChainItem[] {
  const out: ChainItem[] = [];
  if (tree) flatten(tree, ctx, [tree.source.label], out);
  ctx.problems.throwIfAny();
  // Without a built-in preset anywhere in the chain, start from recommended.
  if (!out.some((i) => i.kind === 'builtin')) out.unshift({ kind: 'builtin', name: 'recommended' });
  return out;
}

// ---------------------------------------------------------------------------------------
// From validated sources to the EngineConfig

interface BuildState {
  engine: EngineConfig;
  baseline: string | null;
  chain: string[];
  mesh: MeshProject[];
}

/** One project of the config's `mesh:` section. */
export interface MeshProject {
  /** Absolute path of the project (or manifest) the entry names. */
  path: string;
  /** Its default domain; null: the project name. */
  domain: string | null;
  /** The base `check --base` compares it with by default, as written; null when none. */
  base: string | null;
  /** The directory `base` is relative to (the config file's). */
  baseDir: string;
  /** `dbt-steward.yml: mesh.projects[0]`, for messages. */
  origin: string;
  line?: number;
}

function ruleEntry(
  source: Source,
  keyPath: KeyPath,
  id: string,
  setting: RuleSettingInput,
  registry: Registry,
  problems: Problems,
): RuleEntry | null {
  const origin = `${source.label}: ${formatKeyPath(keyPath)}`;
  const entry = registry.get(id);
  if (!entry) {
    problems.add(
      source,
      keyPath,
      `unknown rule id${suggestion(id, registry.ids())} (run \`dbt-steward rules\` to list them)`,
    );
    return null;
  }
  if (typeof setting === 'string') return { severity: setting, origin };
  const [severity, rawOptions] = setting;
  const out: RuleEntry = { severity, origin };
  if (rawOptions === undefined) return out;
  const optionsPath = [...keyPath, 1];
  const { messageSeverities, ...options } = rawOptions as Record<string, unknown> & {
    messageSeverities?: Record<string, SeverityOrOff>;
  };
  let ok = true;
  if (messageSeverities !== undefined) {
    const ids = Object.keys(entry.messages);
    for (const mid of Object.keys(messageSeverities)) {
      if (!ids.includes(mid)) {
        ok = false;
        problems.add(
          source,
          [...optionsPath, 'messageSeverities', mid],
          `unknown messageId of ${id}${suggestion(mid, ids)} (messageIds: ${ids.join(', ')})`,
        );
      }
    }
    if (ok) out.messageSeverities = { ...messageSeverities };
  }
  const keys = Object.keys(options);
  if (!entry.rule) {
    for (const k of keys) {
      ok = false;
      problems.add(
        source,
        [...optionsPath, k],
        `${id} is an engine finding and takes no options (only messageSeverities)`,
      );
    }
    return ok ? out : null;
  }
  // Only messageSeverities given: the options set by earlier layers stay.
  if (keys.length === 0 && messageSeverities !== undefined) return ok ? out : null;
  const rule = entry.rule;
  const schema = rule.options as { shape?: Record<string, unknown> } | undefined;
  const allowed = schema?.shape ? Object.keys(schema.shape) : schema ? null : [];
  if (allowed) {
    for (const k of keys) {
      if (!allowed.includes(k)) {
        ok = false;
        problems.add(
          source,
          [...optionsPath, k],
          allowed.length === 0
            ? `rule ${id} takes no options (only messageSeverities)`
            : `unknown option of rule ${id}${suggestion(k, allowed)} (options: ${allowed.join(', ')})`,
        );
      }
    }
  }
  if (!ok) return null;
  try {
    parseRuleOptions(rule, options);
  } catch (err) {
    problems.add(source, optionsPath, (err as Error).message);
    return null;
  }
  out.options = options;
  return out;
}

function rulesOf(
  source: Source,
  basePath: KeyPath,
  rules: Record<string, RuleSettingInput> | null | undefined,
  registry: Registry,
  problems: Problems,
): Record<string, RuleEntry> {
  const out: Record<string, RuleEntry> = {};
  for (const [id, setting] of Object.entries(rules ?? {})) {
    const e = ruleEntry(source, [...basePath, id], id, setting, registry, problems);
    if (e) out[id] = e;
  }
  return out;
}

function domainStep(step: DomainStepInput): DomainStep {
  if (typeof step === 'string') return { kind: step };
  if ('meta' in step) return { kind: 'meta', key: step.meta };
  if ('path' in step) return { kind: 'path', pattern: step.path };
  return { kind: 'tag', prefix: step.tag };
}

function ownerStep(
  step: OwnerStepInput,
  source: Source,
  keyPath: KeyPath,
  ctx: Ctx,
): OwnerStep | null {
  if (typeof step === 'string') {
    if (step !== 'codeowners') return { kind: step };
    const found = findCodeowners(source.dir);
    if (!found) {
      ctx.problems.add(
        source,
        keyPath,
        `no CODEOWNERS file found in .github/, the root or docs/ of ${rel(ctx, source.dir)} or its parent directories; name it: {codeowners: PATH}`,
      );
      return null;
    }
    return codeownersStep(found, source, keyPath, ctx);
  }
  if ('meta' in step) return { kind: 'meta', key: step.meta };
  return codeownersStep(
    path.resolve(source.dir, step.codeowners),
    source,
    [...keyPath, 'codeowners'],
    ctx,
  );
}

function codeownersStep(abs: string, source: Source, keyPath: KeyPath, ctx: Ctx): OwnerStep | null {
  try {
    const read = readCodeownersFile(abs);
    return {
      kind: 'codeowners',
      file: read.file,
      root: read.root,
      entries: read.entries,
    };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    ctx.problems.add(
      source,
      keyPath,
      code === 'ENOENT'
        ? `CODEOWNERS file ${rel(ctx, abs)} not found`
        : `cannot read ${rel(ctx, abs)}: ${(err as Error).message}`,
    );
    return null;
  }
}

function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Applies one source to the state: its rule layers, overrides, domains, owners, waivers. */
function applySource(source: Source, state: BuildState, registry: Registry, ctx: Ctx): void {
  const { data } = source;
  const { engine } = state;
  const { problems } = ctx;
  state.chain.push(source.label);

  for (const [id, entry] of Object.entries(
    rulesOf(source, ['rules'], data.rules, registry, problems),
  )) {
    (engine.rules[id] ??= []).push(entry);
  }

  (data.overrides ?? []).forEach((o, i) => {
    const base: KeyPath = ['overrides', i];
    const match: OverrideMatch = {};
    if (o.files !== undefined) match.files = listOf(o.files);
    if (o.domains !== undefined) match.domains = listOf(o.domains);
    if (o.tags !== undefined) match.tags = listOf(o.tags);
    if (o.packages !== undefined) match.packages = listOf(o.packages);
    if (o.resourceTypes !== undefined)
      match.resourceTypes =
        typeof o.resourceTypes === 'string' ? [o.resourceTypes] : o.resourceTypes;
    if (o.select !== undefined) match.select = o.select;
    if (Object.keys(match).length === 0) {
      problems.add(
        source,
        base,
        'an override needs at least one of files, domains, tags, packages, resourceTypes, select',
      );
    }
    const override: Override = {
      match,
      rules: rulesOf(source, [...base, 'rules'], o.rules, registry, problems),
      origin: `${source.label}: ${formatKeyPath(base)}`,
    };
    engine.overrides.push(override);
  });

  if (data.domains) {
    if (data.domains.resolution !== undefined) {
      engine.domains.resolution = data.domains.resolution.map(domainStep);
      engine.domains.resolutionConfigured = true;
    }
    for (const [name, d] of Object.entries(data.domains.declared ?? {})) {
      const decl: DomainDeclaration = {
        name,
        description: d.description ?? '',
        owners: listOf(d.owners),
        public: listOf(d.public),
        origin: `${source.label}: ${formatKeyPath(['domains', 'declared', name])}`,
      };
      engine.domains.declared[name] = decl;
    }
  }

  if (data.owners) {
    const o = data.owners;
    if (o.resolution !== undefined) {
      const steps: OwnerStep[] = [];
      o.resolution.forEach((step, i) => {
        const s = ownerStep(step, source, ['owners', 'resolution', i], ctx);
        if (s) steps.push(s);
      });
      engine.owners.resolution = steps;
    }
    if (o.formats !== undefined) engine.owners.formats = [...new Set(o.formats)];
    if (o.registry !== undefined)
      engine.owners.registry =
        o.registry === null
          ? null
          : { known: [...o.registry.known], require: o.registry.require ?? true };
  }

  (data.waivers ?? []).forEach((w, i) => {
    const base: KeyPath = ['waivers', i];
    const entry = registry.get(w.rule);
    if (!entry) {
      problems.add(
        source,
        [...base, 'rule'],
        `unknown rule id${suggestion(w.rule, registry.ids())} (run \`dbt-steward rules\` to list them)`,
      );
    } else if (w.messageId !== undefined && !(w.messageId in entry.messages)) {
      const ids = Object.keys(entry.messages);
      problems.add(
        source,
        [...base, 'messageId'],
        `unknown messageId of ${w.rule}${suggestion(w.messageId, ids)} (messageIds: ${ids.join(', ')})`,
      );
    }
    const expires = w.expires ?? null;
    if (expires !== null && !isRealDate(expires))
      problems.add(source, [...base, 'expires'], `${expires} is not a real date (YYYY-MM-DD)`);
    const waiver: CentralWaiver = {
      rule: w.rule,
      reason: w.reason ?? null,
      expires,
      origin: `${source.label}: ${formatKeyPath(base)}`,
      file: source.file === null ? null : source.label,
    };
    if (w.messageId !== undefined) waiver.messageId = w.messageId;
    if (w.select !== undefined) waiver.select = w.select;
    if (w.paths !== undefined) waiver.paths = listOf(w.paths);
    if (w.domains !== undefined) waiver.domains = listOf(w.domains);
    if (w.to !== undefined) waiver.to = listOf(w.to);
    const line = positionOf(source, base)?.line;
    if (line !== undefined) waiver.line = line;
    engine.waivers.push(waiver);
  });

  if (data.baseline !== undefined)
    state.baseline = data.baseline === null ? null : path.resolve(source.dir, data.baseline);

  if (data.mesh !== undefined)
    state.mesh = (data.mesh?.projects ?? []).map((m, i) => {
      const keyPath = ['mesh', 'projects', i];
      const entry: MeshProject = {
        path: path.resolve(source.dir, m.path),
        domain: m.domain?.trim() || null,
        base: m.base ?? null,
        baseDir: source.dir,
        origin: `${source.label}: ${formatKeyPath(keyPath)}`,
      };
      const line = positionOf(source, keyPath)?.line;
      if (line !== undefined) entry.line = line;
      return entry;
    });
}

function build(
  chain: readonly ChainItem[],
  registry: Registry,
  ctx: Ctx,
  file: string | null,
): BuildState {
  const engine = emptyEngineConfig();
  engine.file = file === null ? null : rel(ctx, file);
  const state: BuildState = { engine, baseline: null, chain: [], mesh: [] };
  for (const item of chain) {
    if (item.kind === 'builtin') {
      const origin = `${BUILTIN_PREFIX}${item.name}`;
      state.chain.push(origin);
      for (const [id, entry] of Object.entries(registry.presetLayer(item.name, origin))) {
        (engine.rules[id] ??= []).push(entry);
      }
    } else {
      applySource(item.source, state, registry, ctx);
    }
  }
  ctx.problems.throwIfAny();
  return state;
}

function reportersOf(plugins: PluginSet): Record<string, PluginReporter> {
  const out: Record<string, PluginReporter> = {};
  for (const p of plugins.plugins) Object.assign(out, p.reporters);
  return out;
}

// ---------------------------------------------------------------------------------------
// Entry points

export interface LoadConfigOptions {
  /** Working directory: relative paths and labels are relative to it. */
  cwd: string;
  /** An explicit config file (--config). */
  configFile?: string;
  /** Project directories to look for a config file from (the first that finds one wins). */
  startDirs: readonly string[];
  /** The built-in rules. */
  rules: readonly AnyRule[];
}

/**
 * Finds and loads the configuration: the config file (given, or found from the project
 * directories), its extends chain and plugins. Without a file: the recommended preset and
 * the default resolution chains.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const cwd = path.resolve(options.cwd);
  const ctx: Ctx = { cwd, problems: new Problems(), nextIndex: 0 };
  let file: string | null = null;
  if (options.configFile !== undefined) {
    file = path.resolve(cwd, options.configFile);
    if (!existingFile(file)) throw new ConfigError(`${options.configFile}: config file not found`);
  } else {
    const dirs = options.startDirs.length > 0 ? options.startDirs : [cwd];
    for (const d of dirs) {
      let dir = path.resolve(cwd, d);
      if (existingFile(dir)) dir = path.dirname(dir);
      file = findUp(dir, cwd);
      if (file) break;
    }
  }
  const tree = file ? await readTree(file, ctx, [file]) : null;
  ctx.problems.throwIfAny();
  const plugins = await loadPlugins(tree, ctx, options.rules);
  const registry = buildRegistry(options.rules, plugins);
  const fctx: FlattenCtx = { ...ctx, plugins, presetNodes: new Map() };
  const chain = chainOf(tree, fctx);
  ctx.nextIndex = fctx.nextIndex;
  const state = build(chain, registry, ctx, file);
  return {
    engine: state.engine,
    registry,
    reporters: reportersOf(plugins),
    baseline: state.baseline,
    mesh: state.mesh,
    file,
    chain: state.chain,
    plugins: plugins.plugins,
  };
}

/**
 * Builds a configuration from an object shaped like a config file, synchronously: built-in
 * presets may be extended, files, packages and plugins may not. `file` names the object in
 * messages and origins (relative paths in it resolve against its directory).
 */
export function configFromObject(
  obj: unknown,
  options: { rules: readonly AnyRule[]; file?: string; cwd?: string },
): LoadedConfig {
  const cwd = path.resolve(options.cwd ?? '.');
  const ctx: Ctx = { cwd, problems: new Problems(), nextIndex: 0 };
  const abs = options.file === undefined ? null : path.resolve(cwd, options.file);
  const source = makeSource(ctx, obj, {
    label: abs === null ? '<config>' : rel(ctx, abs),
    file: abs,
    dir: abs === null ? cwd : path.dirname(abs),
    positions: null,
    preset: false,
  });
  const tree: TreeNode = { source, extends: [] };
  const specs = listOf(source.data.extends);
  for (let i = 0; i < specs.length; i++) {
    const keyPath = listItemPath(source.data, 'extends', i);
    const ref = classifyExtends(specs[i]!, source, keyPath, ctx.problems);
    if (!ref) continue;
    if (ref.kind === 'builtin') tree.extends.push(ref);
    else
      ctx.problems.add(
        source,
        keyPath,
        'configFromObject extends built-in presets only; use loadConfig for files, packages and plugins',
      );
  }
  if (source.data.plugins !== undefined)
    ctx.problems.add(source, ['plugins'], 'configFromObject loads no plugins; use loadConfig');
  ctx.problems.throwIfAny();
  const plugins: PluginSet = { plugins: [], byName: new Map() };
  const registry = buildRegistry(options.rules, plugins);
  const fctx: FlattenCtx = { ...ctx, plugins, presetNodes: new Map() };
  const chain = chainOf(tree, fctx);
  const state = build(chain, registry, ctx, abs);
  if (abs === null) state.engine.file = null;
  return {
    engine: state.engine,
    registry,
    reporters: {},
    baseline: state.baseline,
    mesh: state.mesh,
    file: abs,
    chain: state.chain,
    plugins: [],
  };
}

// ---------------------------------------------------------------------------------------
// The resolved view

export interface ResolvedRuleSetting {
  severity: SeverityOrOff;
  /** Options as last set (undefined: the rule's defaults). */
  options: Record<string, unknown> | undefined;
  /** Per-messageId severities, merged over the layers. */
  messageSeverities: Record<string, SeverityOrOff>;
  /** Origins of the layers that set something, in order. */
  origins: string[];
}

/**
 * Folds one id's layers: the last severity set wins, options are replaced as a whole by
 * the last layer that sets them, messageSeverities merge by messageId.
 */
export function resolveRuleEntries(layers: readonly RuleEntry[]): ResolvedRuleSetting {
  const out: ResolvedRuleSetting = {
    severity: 'off',
    options: undefined,
    messageSeverities: {},
    origins: [],
  };
  for (const layer of layers) {
    if (layer.severity !== undefined) out.severity = layer.severity;
    if (layer.options !== undefined) out.options = layer.options;
    if (layer.messageSeverities) Object.assign(out.messageSeverities, layer.messageSeverities);
    out.origins.push(layer.origin);
  }
  return out;
}

function sortedRecord<T, U>(rec: Record<string, T>, f: (v: T, k: string) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const k of Object.keys(rec).sort()) out[k] = f(rec[k]!, k);
  return out;
}

function printableEntry(e: RuleEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (e.severity !== undefined) out.severity = e.severity;
  if (e.options !== undefined) out.options = e.options;
  if (e.messageSeverities !== undefined)
    out.messageSeverities = sortedRecord(e.messageSeverities, (v) => v);
  out.origin = e.origin;
  return out;
}

/**
 * The fully resolved configuration as plain JSON data with a fixed key order: the final
 * setting of every rule (options with their defaults), overrides, domains, owners, waivers,
 * baseline, the chain applied and the plugins loaded. Used by --print-config.
 */
export function printableConfig(config: LoadedConfig): unknown {
  const { engine, registry } = config;
  const rules = sortedRecord(engine.rules, (layers, id) => {
    const r = resolveRuleEntries(layers);
    const rule = registry.get(id)?.rule;
    let options: unknown = r.options;
    if (rule?.options) {
      try {
        options = parseRuleOptions(rule, r.options);
      } catch {
        options = r.options;
      }
    }
    const out: Record<string, unknown> = { severity: r.severity };
    if (options !== undefined) out.options = options;
    if (Object.keys(r.messageSeverities).length > 0)
      out.messageSeverities = sortedRecord(r.messageSeverities, (v) => v);
    out.origins = r.origins;
    return out;
  });
  return {
    file: engine.file,
    chain: [...config.chain],
    plugins: config.plugins.map((p) => ({
      name: p.name,
      file: p.file,
      rules: p.rules.map((r) => r.id),
      presets: Object.keys(p.presets).sort(),
      reporters: Object.keys(p.reporters).sort(),
    })),
    rules,
    overrides: engine.overrides.map((o) => ({
      origin: o.origin,
      match: { ...o.match },
      rules: sortedRecord(o.rules, printableEntry),
    })),
    domains: {
      resolution: engine.domains.resolution.map((s) => ({ ...s })),
      declared: sortedRecord(engine.domains.declared, (d) => ({
        description: d.description,
        owners: [...d.owners],
        public: [...d.public],
        origin: d.origin,
      })),
    },
    owners: {
      resolution: engine.owners.resolution.map((s) =>
        s.kind === 'codeowners'
          ? { kind: s.kind, file: s.file, root: s.root, entries: s.entries.map((e) => ({ ...e })) }
          : { ...s },
      ),
      formats: [...engine.owners.formats],
      registry: engine.owners.registry
        ? { known: [...engine.owners.registry.known], require: engine.owners.registry.require }
        : null,
    },
    waivers: engine.waivers.map((w) => {
      const out: Record<string, unknown> = { rule: w.rule };
      for (const k of ['messageId', 'select', 'paths', 'domains', 'to'] as const)
        if (w[k] !== undefined) out[k] = w[k];
      out.reason = w.reason;
      out.expires = w.expires;
      out.origin = w.origin;
      out.file = w.file;
      if (w.line !== undefined) out.line = w.line;
      return out;
    }),
    baseline: config.baseline,
    ...(config.mesh.length > 0
      ? {
          mesh: {
            projects: config.mesh.map((m) => ({
              path: m.path,
              domain: m.domain,
              base: m.base,
              origin: m.origin,
            })),
          },
        }
      : {}),
  };
}
