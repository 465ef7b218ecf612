/**
 * YAML selectors: dbt's `selectors.yml` (beside dbt_project.yml, a `selectors:` list) read
 * into the keyed form manifest.json stores (`{name: {name, definition, default?,
 * description?}}`), and the checks both forms share. Definitions are kept as written and
 * checked when a selector is used (src/graph/select.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { InputError } from '../errors.js';
import type { ManifestSelector, ManifestSelectors } from '../model.js';
import { describeFsError } from './read-file.js';

/** The file name dbt reads (only this spelling: dbt ignores `selectors.yaml`). */
export const SELECTORS_FILE = 'selectors.yml';

const DOCS = 'https://docs.getdbt.com/reference/node-selection/yaml-selectors';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An empty selectors map that no key (not even `__proto__`) can turn into something else. */
export function emptySelectors(): ManifestSelectors {
  return Object.create(null) as ManifestSelectors;
}

/**
 * One selector entry, copied field by field from untrusted input (manifest JSON or YAML);
 * a string describing the problem when it is not one. `name` is checked by the caller.
 */
export function selectorEntry(value: unknown): ManifestSelector | string {
  if (!isRecord(value)) return 'a selector is a mapping with "name" and "definition"';
  if (!Object.hasOwn(value, 'definition') || value.definition == null)
    return 'it has no "definition"';
  const entry: ManifestSelector = { definition: value.definition };
  const { name, description } = value;
  if (name != null) {
    if (typeof name !== 'string') return '"name" must be a string';
    entry.name = name;
  }
  if (description != null) {
    if (typeof description !== 'string') return '"description" must be a string';
    entry.description = description;
  }
  const dflt = value.default;
  if (dflt != null) {
    if (typeof dflt === 'boolean') entry.default = dflt;
    else if (typeof dflt === 'string' && /^\s*(true|false)\s*$/i.test(dflt))
      entry.default = dflt.trim().toLowerCase() === 'true';
    // A Jinja expression ("{{ target.name == 'prod' | as_bool }}"): kept, read as not default.
    else if (typeof dflt === 'string' && dflt.includes('{{')) entry.default = dflt;
    else return '"default" must be true or false';
  }
  return entry;
}

/**
 * Reads `selectors.yml` in the dbt project directory `projectDir`: null when there is none.
 * A file that is not valid YAML, or not a `selectors:` list of `{name, definition}` entries
 * with unique names, is an InputError naming `file:line` and the fix. Parsed as YAML 1.1,
 * as dbt does (`yes`/`no` booleans, `<<` merge keys, anchors).
 *
 * `cwd`: messages name the file relative to it (default: as joined from `projectDir`).
 */
export function readSelectorsFile(
  projectDir: string,
  options: { cwd?: string } = {},
): ManifestSelectors | null {
  const file = path.join(projectDir, SELECTORS_FILE);
  const shown = options.cwd === undefined ? file : path.relative(options.cwd, file) || file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw describeFsError(err, shown);
  }
  return parseSelectorsYaml(text, shown);
}

/** The `selectors.yml` text `text`; messages name the file `shown`. */
export function parseSelectorsYaml(text: string, shown: string): ManifestSelectors {
  const lines = new LineCounter();
  const source = text.replace(/^\uFEFF/, '');
  const doc = parseDocument(source, {
    lineCounter: lines,
    prettyErrors: false,
    version: '1.1',
    uniqueKeys: true,
  });
  // An error at the end of the file (an unclosed bracket) points at its last written line.
  const lastLine = Math.max(1, source.trimEnd().split('\n').length);
  const lineAt = (offset: number): number => Math.min(lines.linePos(offset).line, lastLine);
  const lineOf = (node: YamlNode | null | undefined, fallback = 1): number =>
    node?.range ? lineAt(node.range[0]) : fallback;
  const error = (line: number, message: string, fix: string): InputError =>
    new InputError(`${shown}:${line}: ${message}; ${fix}`, shown);

  const syntax = doc.errors[0];
  if (syntax) {
    const message = syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw error(lineAt(syntax.pos[0]), message, 'fix the YAML syntax');
  }
  const out = emptySelectors();
  const root = doc.contents;
  if (root === null || (!isMap(root) && isEmptyScalar(root))) return out;
  const shape = `write \`selectors:\` followed by a list of \`- name: …\` / \`definition: …\` entries (${DOCS})`;
  if (!isMap(root)) throw error(lineOf(root), 'not a mapping with a `selectors:` list', shape);
  const list = root.get('selectors', true) as YamlNode | undefined;
  if (list === undefined && !root.has('selectors'))
    throw error(lineOf(root), 'no top-level `selectors:` key', shape);
  if (list === undefined || (!isSeq(list) && isEmptyScalar(list))) return out;
  if (!isSeq(list)) throw error(lineOf(list), '`selectors:` must be a list', shape);

  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    // Excessive aliases (a "billion laughs" file) and the like.
    throw error(1, (err as Error).message, 'simplify the anchors and aliases');
  }
  const items = isRecord(js) && Array.isArray(js.selectors) ? (js.selectors as unknown[]) : [];
  const firstLine = new Map<string, number>();
  list.items.forEach((node, i) => {
    const line = lineOf(node as YamlNode | null, lineOf(list));
    const value = items[i];
    const name = isRecord(value) ? value.name : undefined;
    if (typeof name !== 'string' || name.trim() === '')
      throw error(
        line,
        name == null ? 'a selector has no "name"' : '"name" must be a non-empty string',
        `give each selector a \`name:\` (${DOCS})`,
      );
    const entry = selectorEntry(value);
    if (typeof entry === 'string')
      throw error(
        line,
        `selector "${name}": ${entry}`,
        `each selector needs a \`definition:\`; \`default:\` is true or false (${DOCS})`,
      );
    const first = firstLine.get(name);
    if (first !== undefined)
      throw error(
        line,
        `selector "${name}" is defined twice (first at line ${first})`,
        'rename or remove one of them',
      );
    firstLine.set(name, line);
    out[name] = entry;
  });
  return out;
}

function isEmptyScalar(node: unknown): boolean {
  return (
    typeof node === 'object' && node !== null && 'value' in node && (node.value ?? null) === null
  );
}
