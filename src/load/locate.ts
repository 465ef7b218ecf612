/**
 * Line numbers for YAML declarations: where a resource's entry (or a key inside it, such as
 * `meta.domain`) is written in its properties file. Files are read from the dbt project
 * directory and parsed once; they are untrusted, so anything unreadable, too large,
 * malformed or outside the project gives null instead of an error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Pair, type YAMLMap } from 'yaml';
import type { Group, Resource, ResourceType } from '../model.js';

/** A place in a YAML file; `file` is relative to the dbt project, `/` separators, 1-based line and column. */
export interface YamlPosition {
  file: string;
  line: number;
  column: number;
  /** True when the position is the asked key's own line; false when it is the entry's (the key is not written there). */
  atKey: boolean;
}

/** Properties files larger than this are not read (dbt YAML files are a few hundred KB at most). */
export const MAX_YAML_BYTES = 8 * 1024 * 1024;

/** The top-level section of a properties file that holds each resource type. */
const SECTIONS: Partial<Record<ResourceType, readonly string[]>> = {
  model: ['models'],
  seed: ['seeds'],
  snapshot: ['snapshots'],
  source: ['sources'],
  exposure: ['exposures'],
  metric: ['metrics'],
  semantic_model: ['semantic_models'],
  saved_query: ['saved_queries'],
  unit_test: ['unit_tests'],
  analysis: ['analyses'],
  function: ['functions'],
  // Singular data tests can be documented in a `data_tests:` section.
  test: ['data_tests', 'tests'],
};

interface Entry {
  map: YAMLMap;
  /** Sources: the source entry around the table's. */
  parent: YAMLMap | null;
}

interface ParsedFile {
  lines: LineCounter;
  /** `section\0name` (sources: `sources\0source\0table`) → entry; the first of duplicates. */
  entries: Map<string, Entry>;
}

function scalarText(node: unknown): string | null {
  if (!isScalar(node) || node.value === null || node.value === undefined) return null;
  const v = node.value;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v)
    : null;
}

function pairOf(map: YAMLMap, key: string): Pair | null {
  for (const item of map.items) if (scalarText(item.key) === key) return item;
  return null;
}

/** The pair at a dotted key path; a literal dotted key (`"steward.waive":`) also counts. */
function findKey(map: YAMLMap, parts: readonly string[], depth = 0): Pair | null {
  if (depth > 32) return null;
  for (let i = parts.length; i >= 1; i--) {
    const pair = pairOf(map, parts.slice(0, i).join('.'));
    if (!pair) continue;
    if (i === parts.length) return pair;
    if (isMap(pair.value)) {
      const found = findKey(pair.value, parts.slice(i), depth + 1);
      if (found) return found;
    }
  }
  return null;
}

/** `meta.x` and `config.meta.x` (config first: it wins in dbt) for either spelling. */
function keyCandidates(keyPath: string): string[][] {
  const rest = keyPath.replace(/^config\./, '');
  if (rest === '') return [];
  return [['config', ...rest.split('.')], rest.split('.')];
}

function indexEntries(root: YAMLMap): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  const add = (key: string, entry: Entry) => {
    if (!entries.has(key)) entries.set(key, entry);
  };
  for (const section of root.items) {
    const name = scalarText(section.key);
    if (name === null || !isSeq(section.value)) continue;
    for (const item of section.value.items) {
      if (!isMap(item)) continue;
      const itemName = scalarText(item.get('name', true));
      if (itemName === null) continue;
      add(`${name}\0${itemName}`, { map: item, parent: null });
      if (name !== 'sources') continue;
      const tables = item.get('tables', true);
      if (!isSeq(tables)) continue;
      for (const t of tables.items) {
        if (!isMap(t)) continue;
        const table = scalarText(t.get('name', true));
        if (table !== null) add(`sources\0${itemName}\0${table}`, { map: t, parent: item });
      }
    }
  }
  return entries;
}

/** The YAML file that documents a resource, relative to its project: its patch file, or the YAML that defines it. */
export function yamlFileOf(resource: Resource): string | null {
  if (resource.patchPath) return resource.patchPath;
  const f = resource.filePath;
  return f && /\.ya?ml$/i.test(f) ? f : null;
}

/** Finds the lines of YAML declarations in the project directories, caching parsed files. */
export class Locator {
  private readonly files = new Map<string, ParsedFile | null>();

  /**
   * @param rootDirOf the dbt project directory a resource's paths are relative to (null: unknown)
   * @param groupRootDirOf the same for dbt groups (without it, `groupLine` gives null)
   */
  constructor(
    private readonly rootDirOf: (resource: Resource) => string | null,
    private readonly groupRootDirOf: ((group: Group) => string | null) | null = null,
  ) {}

  /**
   * The line of the resource's entry in its YAML file (`- name: …`), or with `keyPath`
   * (`meta.domain`, `config.meta.owner`, `meta.steward.waive`) the line of that key inside
   * the entry when it is written there (both the `meta.` and `config.meta.` forms are
   * tried), else the entry's line. Null when there is no YAML file or entry to point at.
   */
  lineOf(resource: Resource, keyPath?: string): YamlPosition | null {
    const rel = yamlFileOf(resource);
    const sections = SECTIONS[resource.resourceType];
    if (!rel || !sections) return null;
    const parsed = this.parse(this.rootDirOf(resource), rel);
    if (!parsed) return null;
    let entry: Entry | undefined;
    if (resource.resourceType === 'source') {
      if (resource.sourceName !== null)
        entry = parsed.entries.get(`sources\0${resource.sourceName}\0${resource.name}`);
    } else {
      for (const s of sections) {
        entry = parsed.entries.get(`${s}\0${resource.name}`);
        if (entry) break;
      }
    }
    if (!entry) return null;
    if (keyPath) {
      const scopes: YAMLMap[] = [];
      if (resource.version !== null) {
        const v = versionEntry(entry.map, resource.version);
        if (v) scopes.push(v);
      }
      scopes.push(entry.map);
      if (entry.parent) scopes.push(entry.parent);
      for (const scope of scopes) {
        for (const parts of keyCandidates(keyPath)) {
          const pair = findKey(scope, parts);
          if (pair) {
            const at = position(parsed, rel, pair.key, true);
            if (at) return at;
          }
        }
      }
    }
    return position(parsed, rel, pairOf(entry.map, 'name')?.key ?? entry.map, false);
  }

  /**
   * The line of a dbt group's entry in its YAML file (`groups:` → `- name: …`), or with
   * `keyPath` (`owner`, `owner.email`) the line of that key inside it when written there.
   */
  groupLine(group: Group, keyPath?: string): YamlPosition | null {
    if (!group.filePath || !this.groupRootDirOf) return null;
    const parsed = this.parse(this.groupRootDirOf(group), group.filePath);
    const entry = parsed?.entries.get(`groups\0${group.name}`);
    if (!parsed || !entry) return null;
    if (keyPath) {
      for (const parts of keyCandidates(keyPath)) {
        const pair = findKey(entry.map, parts);
        const at = pair ? position(parsed, group.filePath, pair.key, true) : null;
        if (at) return at;
      }
    }
    return position(parsed, group.filePath, pairOf(entry.map, 'name')?.key ?? entry.map, false);
  }

  private parse(rootDir: string | null, rel: string): ParsedFile | null {
    if (rootDir === null) return null;
    const root = path.resolve(rootDir);
    const abs = path.resolve(root, rel);
    const inside = path.relative(root, abs);
    if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) return null;
    let parsed = this.files.get(abs);
    if (parsed === undefined) {
      parsed = readYaml(abs);
      this.files.set(abs, parsed);
    }
    return parsed;
  }
}

function versionEntry(model: YAMLMap, version: string): YAMLMap | null {
  const versions = model.get('versions', true);
  if (!isSeq(versions)) return null;
  for (const v of versions.items)
    if (isMap(v) && scalarText(v.get('v', true)) === version) return v;
  return null;
}

function position(
  parsed: ParsedFile,
  file: string,
  node: unknown,
  atKey: boolean,
): YamlPosition | null {
  const range = (node as { range?: [number, number, number] | null } | null)?.range;
  if (!range) return null;
  const { line, col } = parsed.lines.linePos(range[0]);
  return { file, line, column: col, atKey };
}

function readYaml(abs: string): ParsedFile | null {
  try {
    const stat = fs.statSync(abs);
    // Only regular files: a FIFO or device would block or never end.
    if (!stat.isFile() || stat.size > MAX_YAML_BYTES) return null;
    const text = fs.readFileSync(abs, 'utf8');
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
    if (doc.errors.length > 0 || !isMap(doc.contents)) return null;
    return { lines, entries: indexEntries(doc.contents) };
  } catch {
    // Unreadable, or too deeply nested for the parser.
    return null;
  }
}
