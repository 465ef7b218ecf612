/**
 * Plugins: ES modules that add rules, presets and reporters. Resolving a module specifier
 * (a path relative to the config file, or an npm package found from the config file's
 * directory), importing it, and checking the shape of what it exports.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckResult } from '../engine/check.js';
import { defineRule, SEVERITIES, type AnyRule } from '../engine/rule.js';
import { RESOURCE_TYPES } from '../model.js';

export type PluginReporter = (result: CheckResult) => string;

export interface LoadedPlugin {
  /** The plugin's name, used in `PLUGIN:PRESET`. */
  name: string;
  /** Other names it answers to: its package name, its name without a `dbt-steward-plugin-` prefix. */
  aliases: string[];
  /** The specifier as written in the config. */
  spec: string;
  /** Absolute path of the module. */
  file: string;
  rules: AnyRule[];
  /** Preset configurations by name, as exported (validated when used). */
  presets: Record<string, unknown>;
  reporters: Record<string, PluginReporter>;
}

/** A problem with a module or plugin; the caller adds where it was referenced. */
export class ModuleProblem extends Error {}

/** A path rather than a package name: `./x`, `../x`, `/x`, `.`, `..`. */
export function isPathSpecifier(spec: string): boolean {
  return (
    spec === '.' ||
    spec === '..' ||
    spec.startsWith('./') ||
    spec.startsWith('../') ||
    path.isAbsolute(spec)
  );
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

interface PackageJson {
  name?: unknown;
  main?: unknown;
  exports?: unknown;
}

function readPackageJson(dir: string): PackageJson | null {
  const file = path.join(dir, 'package.json');
  if (!isFile(file)) return null;
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return parsed !== null && typeof parsed === 'object' ? parsed : null;
  } catch (err) {
    throw new ModuleProblem(`cannot read ${file}: ${(err as Error).message}`);
  }
}

const CONDITIONS = ['import', 'node', 'default'];

/** The target of a package.json `exports` entry for an import (conditions in key order). */
function exportTarget(entry: unknown): string | null {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) {
    for (const e of entry) {
      const t = exportTarget(e);
      if (t !== null) return t;
    }
    return null;
  }
  if (entry !== null && typeof entry === 'object') {
    const obj = entry as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (CONDITIONS.includes(key)) {
        const t = exportTarget(obj[key]);
        if (t !== null) return t;
      }
    }
    if ('require' in obj) return exportTarget(obj.require);
  }
  return null;
}

/** A file path, completing a missing extension or directory index as CommonJS does. */
function completeFile(p: string): string | null {
  if (isFile(p)) return p;
  for (const ext of ['.js', '.mjs', '.cjs', '.json']) if (isFile(p + ext)) return p + ext;
  if (isDirectory(p)) {
    for (const index of ['index.js', 'index.mjs', 'index.cjs', 'index.json']) {
      if (isFile(path.join(p, index))) return path.join(p, index);
    }
  }
  return null;
}

/** The entry file of a package directory (exports `.`, then main, then index.js). */
function packageEntry(dir: string, pkg: PackageJson, subpath: string): string | null {
  const { exports } = pkg;
  if (exports !== undefined && exports !== null) {
    const isSubpathMap =
      typeof exports === 'object' &&
      !Array.isArray(exports) &&
      Object.keys(exports).some((k) => k.startsWith('.'));
    const key = subpath === '' ? '.' : `./${subpath}`;
    const entry = isSubpathMap
      ? (exports as Record<string, unknown>)[key]
      : key === '.'
        ? exports
        : undefined;
    const target = exportTarget(entry);
    if (target === null) return null;
    const file = path.resolve(dir, target);
    return isFile(file) ? file : null;
  }
  if (subpath !== '') return completeFile(path.join(dir, subpath));
  if (typeof pkg.main === 'string' && pkg.main !== '') {
    const main = completeFile(path.resolve(dir, pkg.main));
    if (main) return main;
  }
  return completeFile(path.join(dir, 'index'));
}

export interface ResolvedModule {
  file: string;
  /** The package name, for packages and package directories. */
  packageName: string | null;
}

/** `@scope/name/sub/path` → [`@scope/name`, `sub/path`]. */
function splitPackageSpecifier(spec: string): [string, string] {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  return [parts.slice(0, n).join('/'), parts.slice(n).join('/')];
}

/**
 * Resolves a module specifier from `fromDir`: a path (a file, or a directory holding a
 * package.json or an index file) or an npm package looked up in node_modules directories
 * from `fromDir` upwards. Throws ModuleProblem when nothing is found.
 */
export function resolveModule(spec: string, fromDir: string): ResolvedModule {
  if (isPathSpecifier(spec)) {
    const abs = path.resolve(fromDir, spec);
    if (isDirectory(abs)) {
      const pkg = readPackageJson(abs);
      const entry = pkg ? packageEntry(abs, pkg, '') : completeFile(path.join(abs, 'index'));
      if (!entry)
        throw new ModuleProblem(`${abs} has no entry file (package.json main or index.js)`);
      return { file: entry, packageName: pkg && typeof pkg.name === 'string' ? pkg.name : null };
    }
    const file = completeFile(abs);
    if (!file) throw new ModuleProblem(`${spec} not found (looked for ${abs})`);
    return { file, packageName: null };
  }
  const [name, subpath] = splitPackageSpecifier(spec);
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name)) {
    throw new ModuleProblem(
      `${JSON.stringify(spec)} is neither a relative path nor a package name`,
    );
  }
  let dir = path.resolve(fromDir);
  for (;;) {
    const pkgDir = path.join(dir, 'node_modules', name);
    const pkg = readPackageJson(pkgDir);
    if (pkg) {
      const entry = packageEntry(pkgDir, pkg, subpath);
      if (!entry)
        throw new ModuleProblem(
          `package ${spec} (${pkgDir}) has no ${subpath ? `export ./${subpath}` : 'entry file'}`,
        );
      return { file: entry, packageName: name };
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new ModuleProblem(
    `package ${name} is not installed (looked in node_modules from ${path.resolve(fromDir)} up); install it, e.g. npm install --save-dev ${name}`,
  );
}

/** Imports an ES (or CommonJS) module by absolute path; a failure becomes a ModuleProblem. */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new ModuleProblem(`failed to import: ${message.split('\n')[0]}`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

/** Checks the shape of a rule object from a plugin, then validates it with defineRule. */
function checkRule(raw: unknown, where: string): AnyRule {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ModuleProblem(`${where}: expected a rule object`);
  const r = raw as Record<string, unknown>;
  const fail = (what: string) => {
    const id = typeof r.id === 'string' ? ` (${r.id})` : '';
    throw new ModuleProblem(`${where}${id}: ${what}`);
  };
  if (typeof r.id !== 'string') fail('id must be a string');
  for (const key of ['description', 'category'] as const)
    if (typeof r[key] !== 'string') fail(`${key} must be a string`);
  if (r.scope !== 'node' && r.scope !== 'edge' && r.scope !== 'project')
    fail('scope must be node, edge or project');
  if (
    !Array.isArray(r.resourceTypes) ||
    !r.resourceTypes.every((t) => (RESOURCE_TYPES as readonly unknown[]).includes(t))
  )
    fail(`resourceTypes must be a list of ${RESOURCE_TYPES.join(', ')}`);
  if (!(SEVERITIES as readonly unknown[]).includes(r.severity))
    fail(`severity must be one of ${SEVERITIES.join(', ')}`);
  if (typeof r.recommended !== 'boolean') fail('recommended must be a boolean');
  if (!isPlainObject(r.messages) || !Object.values(r.messages).every((m) => typeof m === 'string'))
    fail('messages must map messageIds to strings');
  if (r.messageSeverities !== undefined) {
    if (
      !isPlainObject(r.messageSeverities) ||
      !Object.values(r.messageSeverities).every((s) =>
        (SEVERITIES as readonly unknown[]).includes(s),
      )
    )
      fail('messageSeverities must map messageIds to severities');
  }
  if (typeof r.check !== 'function') fail('check must be a function');
  if (
    r.options !== undefined &&
    (r.options === null ||
      typeof r.options !== 'object' ||
      typeof (r.options as { safeParse?: unknown }).safeParse !== 'function')
  )
    fail('options must be a zod schema');
  try {
    return defineRule(raw as AnyRule);
  } catch (err) {
    throw new ModuleProblem(`${where}: ${(err as Error).message}`);
  }
}

const PREFIX = 'dbt-steward-plugin-';

/** Default plugin name: the package name, else the file name without its extension. */
function defaultName(resolved: ResolvedModule): string {
  if (resolved.packageName) return resolved.packageName;
  return path.basename(resolved.file).replace(/\.[^.]*$/, '');
}

/**
 * Loads a plugin. Its exports: the default export when it is an object, else the module
 * namespace, with optional `name`, `rules`, `presets` and `reporters`.
 */
export async function loadPlugin(spec: string, fromDir: string): Promise<LoadedPlugin> {
  const resolved = resolveModule(spec, fromDir);
  const ns = await importModule(resolved.file);
  const def = ns.default;
  const mod: Record<string, unknown> =
    def !== null && typeof def === 'object' && !Array.isArray(def)
      ? (def as Record<string, unknown>)
      : ns;

  const name = mod.name === undefined ? defaultName(resolved) : mod.name;
  if (typeof name !== 'string' || name === '' || name.includes(':'))
    throw new ModuleProblem('name must be a non-empty string without ":"');

  const rules: AnyRule[] = [];
  if (mod.rules !== undefined) {
    if (!Array.isArray(mod.rules)) throw new ModuleProblem('rules must be an array of rules');
    mod.rules.forEach((r: unknown, i) => rules.push(checkRule(r, `rules[${i}]`)));
    const seen = new Set<string>();
    for (const r of rules) {
      if (seen.has(r.id)) throw new ModuleProblem(`rule id "${r.id}" is exported twice`);
      seen.add(r.id);
    }
  }

  const presets: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (mod.presets !== undefined) {
    if (!isPlainObject(mod.presets))
      throw new ModuleProblem('presets must be an object of configurations by name');
    for (const [key, value] of Object.entries(mod.presets)) {
      if (!isPlainObject(value))
        throw new ModuleProblem(`presets.${key} must be a configuration object`);
      presets[key] = value;
    }
  }

  const reporters: Record<string, PluginReporter> = Object.create(null) as Record<
    string,
    PluginReporter
  >;
  if (mod.reporters !== undefined) {
    if (!isPlainObject(mod.reporters))
      throw new ModuleProblem('reporters must be an object of functions by format name');
    for (const [key, value] of Object.entries(mod.reporters)) {
      if (typeof value !== 'function')
        throw new ModuleProblem(`reporters.${key} must be a function (result) => string`);
      reporters[key] = value as PluginReporter;
    }
  }

  const aliases = new Set<string>();
  if (name.startsWith(PREFIX) && name.length > PREFIX.length)
    aliases.add(name.slice(PREFIX.length));
  if (resolved.packageName) aliases.add(resolved.packageName);
  aliases.delete(name);
  return { name, aliases: [...aliases], spec, file: resolved.file, rules, presets, reporters };
}
