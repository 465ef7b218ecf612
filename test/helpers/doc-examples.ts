/**
 * The examples of a rule's documentation, as tests: every rule doc (rules/<id>.md) shows
 * failing and passing dbt code, and this module turns each example into a small project, runs
 * the rule on it alone and returns its findings.
 *
 * How a doc writes examples:
 *
 * - Examples live under `## Failing` and `## Passing`. The code blocks directly under the
 *   `##` heading (before its first `###`) form one example; each `###` subsection is one
 *   more example (deeper headings stay in their `###` example). The `###` heading is the
 *   example's title.
 * - Every ```yaml / ```yml / ```sql block of an example names its file on its first line:
 *   `# models/growth/_growth__models.yml`, `-- models/growth/growth_ltv.sql`. Text after the
 *   path (`# dbt_project.yml: folder-level meta`) is a comment. The blocks of one example
 *   together are one dbt project named `example`. Blocks in other languages are ignored.
 * - File kinds: `dbt-steward.yml` (the rule's settings: `rules: {<id>: severity | [severity,
 *   options]}`, `domains: {resolution, declared}`, `owners: {resolution, formats,
 *   registry}`), `dbt_project.yml` (folder-level `+meta`, `+tags`, `+group`, `+access`,
 *   `+materialized`, `+contract` under `models:`, `seeds:`, `snapshots:`), any other YAML
 *   file (dbt properties: models, sources, seeds, snapshots, exposures, groups, metrics,
 *   semantic_models, unit_tests), SQL files (a model, named by its file; under
 *   `snapshots/` a snapshot, under `tests/` a singular test, under `analyses/` an analysis;
 *   `ref()` and `source()` calls become dependencies; simple `{{ config(...) }}` arguments
 *   are read).
 * - Several projects (a mesh): a `dbt_project.yml` block in a folder (`# platform/dbt_project.yml`
 *   with `name: platform`) makes the blocks under that folder another dbt project, their paths
 *   relative to it; the blocks outside every such folder are the checked project (which gives
 *   the dbt-steward.yml). All projects are loaded, as `dbt-steward check a b` loads them, and
 *   `ref('platform', 'x')` resolves to platform's model; a ref into a project the example does
 *   not contain stays a placeholder (external, public).
 *
 * A failing example must produce at least one finding of the rule, a passing one none.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  createProject,
  emptyEngineConfig,
  getBuiltinRules,
  Registry,
  runRules,
  type AnyRule,
  type CheckResult,
  type Column,
  type Constraint,
  type DomainStep,
  type EngineConfig,
  type Finding,
  type Group,
  type OwnerFormat,
  type OwnerStep,
  type Project,
  type ResourceInit,
  type ResourceType,
  type RuleEntry,
  type SeverityOrOff,
} from '../../src/index.js';

/** The name of every example's dbt project. */
export const DOC_EXAMPLE_PROJECT = 'example';
/** The clock of every example run. */
export const DOC_EXAMPLE_NOW = new Date('2026-06-01T00:00:00Z');

const RULES_DIR = new URL('../../rules/', import.meta.url);

export interface DocBlock {
  lang: 'yaml' | 'sql';
  /** The file the block stands for, relative to the dbt project (`models/x.yml`). */
  file: string;
  /** The block's text, its first (file) line included. */
  content: string;
  /** 1-based line of the opening fence in the doc. */
  line: number;
}

export interface DocExample {
  ruleId: string;
  kind: 'failing' | 'passing';
  /** The `###` heading, or `Failing` / `Passing` for the blocks directly under the section. */
  title: string;
  /** 1-based line of the example's first block in the doc. */
  line: number;
  blocks: DocBlock[];
}

export interface DocExamples {
  failing: DocExample[];
  passing: DocExample[];
}

/** An error in a doc example: names the doc, the line and what is wrong. */
export class DocExampleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocExampleError';
  }
}

/** The file of a rule's documentation. */
export function docFile(ruleId: string): string {
  return new URL(`${ruleId}.md`, RULES_DIR).pathname;
}

/** The examples of a built-in rule's doc, rules/<id>.md. */
export function docExamples(ruleId: string): DocExamples {
  return parseDocExamples(readFileSync(docFile(ruleId), 'utf8'), ruleId);
}

/** A short label for test titles and errors: `owner-present.md:42 failing "No owner"`. */
export function exampleLabel(example: DocExample): string {
  return `${example.ruleId}.md:${example.line} ${example.kind} "${example.title}"`;
}

const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const CHECKED_LANGS: Record<string, 'yaml' | 'sql'> = { yaml: 'yaml', yml: 'yaml', sql: 'sql' };

/** Parses the examples of a rule doc's markdown. */
export function parseDocExamples(markdown: string, ruleId = 'doc'): DocExamples {
  const lines = markdown.split(/\r?\n/);
  const out: DocExamples = { failing: [], passing: [] };
  let section: 'failing' | 'passing' | null = null;
  let current: DocExample | null = null;
  const flush = () => {
    if (current && current.blocks.length > 0) out[current.kind].push(current);
    current = null;
  };
  const start = (kind: 'failing' | 'passing', title: string) => {
    flush();
    current = { ruleId, kind, title, line: 0, blocks: [] };
  };
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const fence = FENCE.exec(text);
    if (fence) {
      const marker = fence[2]!;
      const lang = fence[3]!.toLowerCase();
      const body: string[] = [];
      const open = i;
      i++;
      for (; i < lines.length; i++) {
        const l = lines[i]!.trim();
        if (l.startsWith(marker[0]!.repeat(marker.length)) && /^(`+|~+)$/.test(l)) break;
        body.push(lines[i]!);
      }
      if (i >= lines.length)
        throw new DocExampleError(`${ruleId}.md:${open + 1}: code block is never closed`);
      const kind = CHECKED_LANGS[lang];
      if (section === null || kind === undefined) continue;
      const where = `${ruleId}.md:${open + 1}`;
      const file = blockFile(body[0] ?? '', kind, where);
      const example: DocExample = current ?? {
        ruleId,
        kind: section,
        title: section === 'failing' ? 'Failing' : 'Passing',
        line: 0,
        blocks: [],
      };
      current = example;
      if (example.line === 0) example.line = open + 1;
      if (example.blocks.some((b) => b.file === file))
        throw new DocExampleError(
          `${where}: ${file} appears twice in the example "${example.title}"; start a new example with a ### heading`,
        );
      example.blocks.push({ lang: kind, file, content: body.join('\n'), line: open + 1 });
      continue;
    }
    const heading = HEADING.exec(text);
    if (!heading) continue;
    const level = heading[1]!.length;
    const title = heading[2]!;
    if (level <= 2) {
      flush();
      const name = title.toLowerCase();
      section = level === 2 && (name === 'failing' || name === 'passing') ? name : null;
      if (section) start(section, section === 'failing' ? 'Failing' : 'Passing');
    } else if (level === 3 && section) {
      start(section, title);
    }
  }
  flush();
  return out;
}

function blockFile(first: string, lang: 'yaml' | 'sql', where: string): string {
  const m = lang === 'yaml' ? /^\s*#\s*(\S+)/.exec(first) : /^\s*--\s*(\S+)/.exec(first);
  const file = m?.[1]?.replace(/:$/, '');
  const comment = lang === 'yaml' ? '#' : '--';
  if (!file || !/\.(ya?ml|sql)$/.test(file))
    throw new DocExampleError(
      `${where}: a ${lang} example must name its file on its first line (\`${comment} models/growth/${lang === 'yaml' ? '_growth__models.yml' : 'growth_orders.sql'}\`), got ${JSON.stringify(first)}`,
    );
  if (lang === 'sql' && !file.endsWith('.sql'))
    throw new DocExampleError(`${where}: a sql block must name a .sql file, got ${file}`);
  if (lang === 'yaml' && file.endsWith('.sql'))
    throw new DocExampleError(`${where}: a yaml block must name a .yml file, got ${file}`);
  return file.replace(/^\.\//, '');
}

// ---------------------------------------------------------------------------------------
// Building the project

type Json = Record<string, unknown>;

function isMap(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

function tagsOf(...vs: unknown[]): string[] {
  const out: string[] = [];
  for (const v of vs)
    for (const t of asList(v)) if (typeof t === 'string' && !out.includes(t)) out.push(t);
  return out;
}

function metaOf(...vs: unknown[]): Json {
  const out: Json = Object.create(null) as Json;
  for (const v of vs) if (isMap(v)) Object.assign(out, v);
  return out;
}

/** A model/seed/snapshot's settings, gathered from every layer (later wins). */
interface Settings {
  meta: Json;
  tags: string[];
  group?: string | null;
  access?: string | null;
  materialized?: string | null;
  contract?: boolean;
}

function emptySettings(): Settings {
  return { meta: metaOf(), tags: [] };
}

/** Applies one layer of config (`+meta`, `config: {...}` or `{{ config(...) }}` arguments). */
function applyConfig(s: Settings, config: Json, plus: boolean): void {
  const get = (k: string): unknown => (plus ? (config[`+${k}`] ?? config[k]) : config[k]);
  const meta = get('meta');
  if (isMap(meta)) Object.assign(s.meta, meta);
  s.tags = tagsOf(s.tags, get('tags'));
  const group = get('group');
  if (group !== undefined) s.group = str(group);
  const access = get('access');
  if (access !== undefined) s.access = str(access);
  const materialized = get('materialized');
  if (materialized !== undefined) s.materialized = str(materialized);
  const contract = get('contract');
  if (isMap(contract) && contract.enforced !== undefined)
    s.contract = contract.enforced === true || contract.enforced === 'true';
}

/** The resource's own YAML entry: top-level keys then `config:` (config wins). */
function applyEntry(s: Settings, entry: Json): void {
  applyConfig(s, entry, false);
  if (isMap(entry.config)) applyConfig(s, entry.config, false);
}

const PROJECT_CONFIG_KEYS = new Set([
  'meta',
  'tags',
  'group',
  'access',
  'materialized',
  'contract',
  'enabled',
  'schema',
  'database',
  'alias',
  'docs',
  'persist_docs',
  'post-hook',
  'pre-hook',
  'full_refresh',
  'grants',
  'on_schema_change',
  'quoting',
  'column_types',
]);

interface RefCall {
  package: string | null;
  name: string;
  version: string | null;
}

interface SourceCall {
  source: string;
  table: string;
}

type Dependency = { kind: 'ref'; ref: RefCall } | { kind: 'source'; source: SourceCall };

const REF =
  /\bref\s*\(\s*(['"])(.*?)\1\s*(?:,\s*(['"])(.*?)\3\s*)?(?:,\s*(?:v|version)\s*=\s*(['"]?)([^'"\s)]+)\5\s*)?\)/g;
const SOURCE = /\bsource\s*\(\s*(['"])(.*?)\1\s*,\s*(['"])(.*?)\3\s*\)/g;
const METRIC = /\bmetric\s*\(\s*(['"])(.*?)\1\s*\)/g;

function stripComments(sql: string): string {
  return sql.replace(/\{#[\s\S]*?#\}/g, ' ').replace(/--[^\n]*/g, ' ');
}

function dependenciesIn(text: string): Dependency[] {
  const out: Dependency[] = [];
  for (const m of text.matchAll(REF)) {
    const two = m[4] !== undefined;
    out.push({
      kind: 'ref',
      ref: { package: two ? m[2]! : null, name: two ? m[4]! : m[2]!, version: m[6] ?? null },
    });
  }
  for (const m of text.matchAll(SOURCE))
    out.push({ kind: 'source', source: { source: m[2]!, table: m[4]! } });
  return out;
}

/** `{{ config(meta={'a': 1}, tags=['x'], access='public') }}` → its arguments, when simple. */
function sqlConfig(sql: string, where: string): Json {
  const out: Json = {};
  for (const m of sql.matchAll(/\{\{-?\s*config\s*\(([\s\S]*?)\)\s*-?\}\}/g)) {
    for (const arg of splitTopLevel(m[1]!)) {
      const eq = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([\s\S]*)$/.exec(arg);
      if (!eq) continue;
      let value: unknown;
      try {
        value = parseYaml(
          eq[2]!
            .trim()
            .replace(/\bTrue\b/g, 'true')
            .replace(/\bFalse\b/g, 'false')
            .replace(/\bNone\b/g, 'null'),
        );
      } catch {
        throw new DocExampleError(`${where}: cannot read config argument ${eq[1]}`);
      }
      out[eq[1]!] = value;
    }
  }
  return out;
}

function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    else if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim() !== '') out.push(cur);
  return out;
}

/** Everything read from an example's blocks, before resources are built. */
interface Collected {
  projectName: string;
  /** dbt_project.yml config trees by resource kind (`models`, `seeds`, `snapshots`). */
  folderConfig: Record<string, Json>;
  sqlFiles: Array<{ file: string; sql: string; where: string }>;
  yaml: Array<{ file: string; doc: Json; where: string }>;
  steward: { doc: Json; where: string } | null;
}

function collect(example: DocExample): Collected {
  const c: Collected = {
    projectName: DOC_EXAMPLE_PROJECT,
    folderConfig: {},
    sqlFiles: [],
    yaml: [],
    steward: null,
  };
  for (const block of example.blocks) {
    const where = `${example.ruleId}.md:${block.line} (${block.file})`;
    if (block.lang === 'sql') {
      c.sqlFiles.push({ file: block.file, sql: block.content, where });
      continue;
    }
    let doc: unknown;
    try {
      doc = parseYaml(block.content);
    } catch (err) {
      throw new DocExampleError(`${where}: invalid YAML: ${(err as Error).message}`);
    }
    if (doc === null || doc === undefined) doc = {};
    if (!isMap(doc)) throw new DocExampleError(`${where}: expected a YAML mapping`);
    const base = path.posix.basename(block.file);
    if (/^dbt-steward\.ya?ml$/.test(base)) c.steward = { doc, where };
    else if (/^dbt_project\.ya?ml$/.test(base)) {
      if (typeof doc.name === 'string') c.projectName = doc.name;
      for (const kind of ['models', 'seeds', 'snapshots']) {
        const tree = doc[kind];
        if (tree === undefined || tree === null) continue;
        if (!isMap(tree)) throw new DocExampleError(`${where}: ${kind} must be a mapping`);
        c.folderConfig[kind] = tree;
      }
    } else c.yaml.push({ file: block.file, doc, where });
  }
  // Folder configs are keyed by the project name first.
  for (const [kind, tree] of Object.entries(c.folderConfig)) {
    for (const key of Object.keys(tree)) {
      if (key.startsWith('+') || PROJECT_CONFIG_KEYS.has(key) || key === c.projectName) continue;
      throw new DocExampleError(
        `${example.ruleId}.md: dbt_project.yml ${kind}.${key}: folder configs go under the project name (${kind}: {${c.projectName}: {<folder>: {+meta: …}}})`,
      );
    }
  }
  return c;
}

/** Folder-level settings for a file under `models/` (or `seeds/`, `snapshots/`). */
function folderSettings(c: Collected, kind: string, file: string): Settings {
  const s = emptySettings();
  const tree = c.folderConfig[kind];
  if (!tree) return s;
  applyConfig(s, tree, true);
  const root = tree[c.projectName];
  if (!isMap(root)) return s;
  applyConfig(s, root, true);
  const segments = file.split('/').slice(1, -1); // below models/, without the file name
  let node: Json = root;
  for (const seg of segments) {
    const next = node[seg];
    if (!isMap(next)) break;
    applyConfig(s, next, true);
    node = next;
  }
  return s;
}

function dirOf(file: string): string {
  const d = path.posix.dirname(file);
  return d === '.' ? '' : d;
}

function fqnOf(project: string, file: string, name: string): string[] {
  const dirs = dirOf(file).split('/').filter(Boolean).slice(1);
  return [project, ...dirs, name];
}

function toColumns(raw: unknown, where: string): Column[] {
  const out: Column[] = [];
  for (const c of asList(raw)) {
    if (!isMap(c)) throw new DocExampleError(`${where}: a column must be a mapping`);
    const name = str(c.name);
    if (name === null) continue;
    const config = isMap(c.config) ? c.config : {};
    out.push({
      name,
      description: str(c.description) ?? '',
      dataType: str(c.data_type),
      constraints: toConstraints(c.constraints),
      meta: metaOf(c.meta, config.meta),
      tags: tagsOf(c.tags, config.tags),
    });
  }
  return out;
}

function toConstraints(raw: unknown): Constraint[] {
  return asList(raw)
    .filter(isMap)
    .map((k) => ({
      type: str(k.type) ?? '',
      name: str(k.name),
      expression: str(k.expression),
      columns: asList(k.columns).filter((x): x is string => typeof x === 'string'),
    }));
}

interface TestDecl {
  name: string;
  namespace: string | null;
  column: string | null;
  args: Json;
}

/** The generic tests of a `tests:` / `data_tests:` list. */
function testsOf(entry: Json, column: string | null, where: string): TestDecl[] {
  const out: TestDecl[] = [];
  for (const t of [...asList(entry.data_tests), ...asList(entry.tests)]) {
    let full: string | null = null;
    let args: Json = {};
    if (typeof t === 'string') full = t;
    else if (isMap(t)) {
      if (typeof t.test_name === 'string') {
        full = t.test_name;
        args = t;
      } else {
        const keys = Object.keys(t);
        if (keys.length !== 1)
          throw new DocExampleError(`${where}: a test must be a name or {name: {arguments}}`);
        full = keys[0]!;
        const value = t[full];
        args = isMap(value) ? value : {};
      }
    }
    if (full === null) throw new DocExampleError(`${where}: cannot read test ${JSON.stringify(t)}`);
    const dot = full.lastIndexOf('.');
    out.push({
      name: dot >= 0 ? full.slice(dot + 1) : full,
      namespace: dot >= 0 ? full.slice(0, dot) : null,
      column,
      args: isMap(args.arguments) ? { ...args, ...args.arguments } : args,
    });
  }
  return out;
}

interface Pending {
  init: ResourceInit;
  deps: Dependency[];
  /** `metric('x')` dependencies, and a metric's measures (resolved to semantic models). */
  metrics?: string[];
  measures?: string[];
  where: string;
}

/**
 * The dbt projects of an example (a mesh): the checked project, made of the blocks outside
 * any other project's folder, first; then one project per folder holding a
 * `dbt_project.yml` block (`# platform/dbt_project.yml` with `name: platform`), made of the
 * blocks under that folder, their paths relative to it. A two-argument
 * `ref('platform', 'x')` resolves to that project's model.
 */
export function splitProjects(example: DocExample): DocExample[] {
  const roots = [
    ...new Set(
      example.blocks
        .map((b) => /^(.+)\/dbt_project\.ya?ml$/.exec(b.file)?.[1])
        .filter((d): d is string => d !== undefined),
    ),
  ].sort();
  if (roots.length === 0) return [example];
  for (const r of roots)
    if (roots.some((o) => o !== r && r.startsWith(`${o}/`)))
      throw new DocExampleError(`${example.ruleId}.md: project folder ${r} is inside another one`);
  const rootOf = (file: string) => roots.find((r) => file.startsWith(`${r}/`)) ?? null;
  const out: DocExample[] = [
    { ...example, blocks: example.blocks.filter((b) => rootOf(b.file) === null) },
  ];
  for (const r of roots) {
    const blocks = example.blocks
      .filter((b) => rootOf(b.file) === r)
      .map((b) => ({ ...b, file: b.file.slice(r.length + 1) }));
    for (const b of blocks)
      if (/^dbt-steward\.ya?ml$/.test(path.posix.basename(b.file)))
        throw new DocExampleError(
          `${example.ruleId}.md:${b.line}: dbt-steward.yml belongs to the checked project, not to ${r}/`,
        );
    out.push({ ...example, blocks });
  }
  return out;
}

/** Builds the dbt project an example describes (several, as one mesh; see splitProjects). */
export function projectOfExample(example: DocExample): Project {
  const parts = splitProjects(example).map((e, i) => {
    const c = collect(e);
    if (i > 0 && c.projectName === DOC_EXAMPLE_PROJECT)
      throw new DocExampleError(
        `${example.ruleId}.md:${e.blocks[0]!.line}: the dbt_project.yml of another project must give its name`,
      );
    return pendingOf(c);
  });
  const names = parts.map((p) => p.project);
  if (new Set(names).size !== names.length)
    throw new DocExampleError(
      `${example.ruleId}.md: two projects are named alike: ${names.join(', ')}`,
    );
  const project = parts[0]!.project;

  // Resolve dependencies.
  const byId = new Map<string, ResourceInit>();
  for (const part of parts)
    for (const p of part.pending) {
      if (byId.has(p.init.uniqueId))
        throw new DocExampleError(`${p.where}: ${p.init.uniqueId} is defined twice`);
      p.init.packageName = part.project;
      p.init.projectName = part.project;
      byId.set(p.init.uniqueId, p.init);
    }
  const external = new Map<string, ResourceInit>();
  const resolveRef = (r: RefCall, from: string, where: string): string => {
    const pkg = r.package ?? from;
    const candidates = [...byId.values()].filter(
      (x) =>
        x.packageName === pkg &&
        x.name === r.name &&
        (x.resourceType === 'model' || x.resourceType === 'seed' || x.resourceType === 'snapshot'),
    );
    if (pkg !== from && candidates.length === 0) {
      const id = `model.${pkg}.${r.name}${r.version ? `.v${r.version}` : ''}`;
      if (!external.has(id))
        external.set(id, {
          uniqueId: id,
          resourceType: 'model',
          name: r.name,
          packageName: pkg,
          projectName: pkg,
          fqn: [pkg, r.name],
          access: 'public',
          external: true,
          version: r.version,
        });
      return id;
    }
    if (candidates.length === 0)
      throw new DocExampleError(
        `${where}: ref('${r.name}') names no model, seed or snapshot of the example; add it`,
      );
    const wanted = r.version ?? candidates[0]!.latestVersion ?? null;
    const hit = candidates.find((x) => (x.version ?? null) === wanted) ?? candidates[0]!;
    if (r.version && hit.version !== r.version)
      throw new DocExampleError(`${where}: ref('${r.name}', v=${r.version}): no such version`);
    return hit.uniqueId;
  };
  for (const { project: from, pending } of parts)
    for (const p of pending) {
      const ids = [...(p.init.dependsOn ?? [])];
      for (const d of p.deps) {
        let id: string;
        if (d.kind === 'ref') id = resolveRef(d.ref, from, p.where);
        else {
          id = `source.${from}.${d.source.source}.${d.source.table}`;
          if (!byId.has(id))
            throw new DocExampleError(
              `${p.where}: source('${d.source.source}', '${d.source.table}') is not defined in the example`,
            );
        }
        ids.push(id);
      }
      for (const m of p.metrics ?? []) {
        const id = `metric.${from}.${m}`;
        if (!byId.has(id))
          throw new DocExampleError(`${p.where}: metric ${m} is not defined in the example`);
        ids.push(id);
      }
      for (const m of p.measures ?? []) {
        const sm = [...byId.values()].find(
          (x) =>
            x.packageName === from &&
            x.resourceType === 'semantic_model' &&
            x.columns?.some((col) => col.name === m),
        );
        if (!sm)
          throw new DocExampleError(`${p.where}: no semantic model of the example defines ${m}`);
        ids.push(sm.uniqueId);
      }
      p.init.dependsOn = [...new Set(ids)];
    }
  // Semantic models kept their measures as columns only for the lookup above.
  for (const { pending } of parts)
    for (const p of pending) if (p.init.resourceType === 'semantic_model') p.init.columns = [];

  const out = createProject({
    name: project,
    resources: [...parts.flatMap((part) => part.pending.map((p) => p.init)), ...external.values()],
    groups: parts.flatMap((part) =>
      part.groups.map((g) => ({
        ...g,
        uniqueId: `group.${part.project}.${g.name}`,
        packageName: part.project,
      })),
    ),
  });
  // The other projects of a mesh are loaded (checked) too, as `dbt-steward check a b` does.
  for (const part of parts.slice(1)) {
    const counts: Partial<Record<ResourceType, number>> = {};
    for (const p of part.pending)
      counts[p.init.resourceType] = (counts[p.init.resourceType] ?? 0) + 1;
    out.projects.push({ ...out.projects[0]!, name: part.project, counts });
  }
  if (parts.length > 1) {
    const counts: Partial<Record<ResourceType, number>> = {};
    for (const r of out.resources.values())
      if (r.packageName === project) counts[r.resourceType] = (counts[r.resourceType] ?? 0) + 1;
    out.projects[0] = { ...out.projects[0]!, counts };
  }
  return out;
}

/** One project of an example: its resources, dependencies not yet resolved, and its groups. */
function pendingOf(c: Collected): {
  project: string;
  pending: Pending[];
  groups: Array<Pick<Group, 'name'> & Partial<Group>>;
} {
  const project = c.projectName;
  const pending: Pending[] = [];
  const groups: Array<Pick<Group, 'name'> & Partial<Group>> = [];
  const tests: Array<{
    decl: TestDecl;
    attached: string;
    label: string;
    file: string;
    where: string;
  }> = [];

  // SQL files.
  const sqlByName = new Map<string, { file: string; sql: string; where: string }>();
  const modelSql: Array<{ file: string; sql: string; where: string }> = [];
  for (const f of c.sqlFiles) {
    const top = f.file.split('/')[0];
    const base = path.posix.basename(f.file, '.sql');
    const body = stripComments(f.sql);
    if (top === 'macros') continue;
    if (top === 'snapshots') {
      const name = /\{%-?\s*snapshot\s+([A-Za-z0-9_]+)\s*-?%\}/.exec(f.sql)?.[1] ?? base;
      const s = folderSettings(c, 'snapshots', f.file);
      applyConfig(s, sqlConfig(f.sql, f.where), false);
      pending.push({
        init: {
          uniqueId: `snapshot.${project}.${name}`,
          resourceType: 'snapshot',
          name,
          filePath: f.file,
          fqn: fqnOf(project, f.file, name),
          meta: s.meta,
          tags: s.tags,
          group: s.group ?? null,
          materialized: 'snapshot',
        },
        deps: dependenciesIn(body),
        where: f.where,
      });
      continue;
    }
    if (top === 'tests' || top === 'analyses') {
      const type: ResourceType = top === 'tests' ? 'test' : 'analysis';
      pending.push({
        init: {
          uniqueId: `${type}.${project}.${base}`,
          resourceType: type,
          name: base,
          filePath: f.file,
          fqn: fqnOf(project, f.file, base),
          test:
            type === 'test'
              ? { name: null, namespace: null, columnName: null, attachedNode: null }
              : null,
        },
        deps: dependenciesIn(body),
        where: f.where,
      });
      continue;
    }
    if (sqlByName.has(base))
      throw new DocExampleError(`${f.where}: two SQL files define the model ${base}`);
    sqlByName.set(base, f);
    modelSql.push(f);
  }

  // YAML properties.
  const modelEntries = new Map<string, { entry: Json; file: string; where: string }>();
  const snapshotEntries: Array<{ entry: Json; file: string; where: string }> = [];
  for (const y of c.yaml) {
    for (const key of Object.keys(y.doc)) {
      if (
        ![
          'version',
          'models',
          'sources',
          'seeds',
          'snapshots',
          'exposures',
          'groups',
          'metrics',
          'semantic_models',
          'unit_tests',
          'saved_queries',
          'macros',
          'analyses',
        ].includes(key)
      )
        throw new DocExampleError(`${y.where}: unknown top-level key ${key}`);
    }
    for (const m of asList(y.doc.models)) {
      if (!isMap(m) || typeof m.name !== 'string')
        throw new DocExampleError(`${y.where}: every model needs a name`);
      if (modelEntries.has(m.name))
        throw new DocExampleError(`${y.where}: model ${m.name} is described twice`);
      modelEntries.set(m.name, { entry: m, file: y.file, where: y.where });
    }
    for (const g of asList(y.doc.groups)) {
      if (!isMap(g) || typeof g.name !== 'string')
        throw new DocExampleError(`${y.where}: every group needs a name`);
      const config = isMap(g.config) ? g.config : {};
      groups.push({
        name: g.name,
        owner: isMap(g.owner) ? g.owner : null,
        description: str(g.description) ?? '',
        meta: metaOf(g.meta, config.meta),
        filePath: y.file,
      });
    }
    for (const s of asList(y.doc.sources)) {
      if (!isMap(s) || typeof s.name !== 'string')
        throw new DocExampleError(`${y.where}: every source needs a name`);
      const sconfig = isMap(s.config) ? s.config : {};
      for (const t of asList(s.tables)) {
        if (!isMap(t) || typeof t.name !== 'string')
          throw new DocExampleError(`${y.where}: every source table needs a name`);
        const tconfig = isMap(t.config) ? t.config : {};
        const id = `source.${project}.${s.name}.${t.name}`;
        pending.push({
          init: {
            uniqueId: id,
            resourceType: 'source',
            name: t.name,
            sourceName: s.name,
            filePath: y.file,
            fqn: [...fqnOf(project, y.file, s.name), t.name],
            description: str(t.description) ?? '',
            meta: metaOf(s.meta, sconfig.meta, t.meta, tconfig.meta),
            tags: tagsOf(s.tags, sconfig.tags, t.tags, tconfig.tags),
            columns: toColumns(t.columns, y.where),
          },
          deps: [],
          where: y.where,
        });
        const label = `source_${s.name}_${t.name}`;
        for (const d of testsOf(t, null, y.where))
          tests.push({ decl: d, attached: id, label, file: y.file, where: y.where });
        for (const col of asList(t.columns))
          if (isMap(col) && typeof col.name === 'string')
            for (const d of testsOf(col, col.name, y.where))
              tests.push({ decl: d, attached: id, label, file: y.file, where: y.where });
      }
    }
    for (const s of asList(y.doc.seeds)) {
      if (!isMap(s) || typeof s.name !== 'string')
        throw new DocExampleError(`${y.where}: every seed needs a name`);
      const file = y.file.startsWith('seeds/')
        ? path.posix.join(dirOf(y.file), `${s.name}.csv`)
        : `seeds/${s.name}.csv`;
      const settings = folderSettings(c, 'seeds', file);
      applyEntry(settings, s);
      const id = `seed.${project}.${s.name}`;
      pending.push({
        init: {
          uniqueId: id,
          resourceType: 'seed',
          name: s.name,
          filePath: file,
          patchPath: y.file,
          fqn: fqnOf(project, file, s.name),
          description: str(s.description) ?? '',
          meta: settings.meta,
          tags: settings.tags,
          group: settings.group ?? null,
          materialized: 'seed',
          columns: toColumns(s.columns, y.where),
        },
        deps: [],
        where: y.where,
      });
      addTests(tests, s, id, s.name, y.file, y.where);
    }
    for (const s of asList(y.doc.snapshots)) {
      if (!isMap(s) || typeof s.name !== 'string')
        throw new DocExampleError(`${y.where}: every snapshot needs a name`);
      snapshotEntries.push({ entry: s, file: y.file, where: y.where });
    }
    for (const e of asList(y.doc.exposures)) {
      if (!isMap(e) || typeof e.name !== 'string')
        throw new DocExampleError(`${y.where}: every exposure needs a name`);
      const config = isMap(e.config) ? e.config : {};
      const refs = asList(e.depends_on)
        .map((d) => str(d) ?? '')
        .join('\n');
      pending.push({
        init: {
          uniqueId: `exposure.${project}.${e.name}`,
          resourceType: 'exposure',
          name: e.name,
          filePath: y.file,
          fqn: fqnOf(project, y.file, e.name),
          description: str(e.description) ?? '',
          meta: metaOf(e.meta, config.meta),
          tags: tagsOf(e.tags, config.tags),
          owner: isMap(e.owner) ? e.owner : null,
        },
        deps: dependenciesIn(refs),
        metrics: [...refs.matchAll(METRIC)].map((m) => m[2]!),
        where: y.where,
      });
    }
    for (const sm of asList(y.doc.semantic_models)) {
      if (!isMap(sm) || typeof sm.name !== 'string')
        throw new DocExampleError(`${y.where}: every semantic model needs a name`);
      const config = isMap(sm.config) ? sm.config : {};
      pending.push({
        init: {
          uniqueId: `semantic_model.${project}.${sm.name}`,
          resourceType: 'semantic_model',
          name: sm.name,
          filePath: y.file,
          fqn: fqnOf(project, y.file, sm.name),
          description: str(sm.description) ?? '',
          meta: metaOf(sm.meta, config.meta),
          tags: tagsOf(sm.tags, config.tags),
          group: str(config.group ?? sm.group),
          // The measures it defines, for metrics to find it.
          columns: asList(sm.measures)
            .filter(isMap)
            .map((m) => ({
              name: str(m.name) ?? '',
              description: str(m.description) ?? '',
              dataType: null,
              constraints: [],
              meta: metaOf(),
              tags: [],
            })),
        },
        deps: dependenciesIn(str(sm.model) ?? ''),
        where: y.where,
      });
    }
    for (const mt of asList(y.doc.metrics)) {
      if (!isMap(mt) || typeof mt.name !== 'string')
        throw new DocExampleError(`${y.where}: every metric needs a name`);
      const config = isMap(mt.config) ? mt.config : {};
      const tp = isMap(mt.type_params) ? mt.type_params : {};
      const measureName = (v: unknown): string | null => (isMap(v) ? str(v.name) : str(v));
      const measures = [tp.measure, ...asList(tp.input_measures)]
        .map(measureName)
        .filter((x): x is string => x !== null);
      const metrics = [tp.numerator, tp.denominator, ...asList(tp.metrics)]
        .map(measureName)
        .filter((x): x is string => x !== null);
      pending.push({
        init: {
          uniqueId: `metric.${project}.${mt.name}`,
          resourceType: 'metric',
          name: mt.name,
          filePath: y.file,
          fqn: fqnOf(project, y.file, mt.name),
          description: str(mt.description) ?? '',
          meta: metaOf(mt.meta, config.meta),
          tags: tagsOf(mt.tags, config.tags),
          group: str(config.group ?? mt.group),
        },
        deps: [],
        metrics,
        measures,
        where: y.where,
      });
    }
    for (const u of asList(y.doc.unit_tests)) {
      if (!isMap(u) || typeof u.name !== 'string' || typeof u.model !== 'string')
        throw new DocExampleError(`${y.where}: every unit test needs a name and a model`);
      pending.push({
        init: {
          uniqueId: `unit_test.${project}.${u.model}.${u.name}`,
          resourceType: 'unit_test',
          name: u.name,
          filePath: y.file,
          fqn: [...fqnOf(project, y.file, u.model), u.name],
          test: { name: null, namespace: null, columnName: null, attachedNode: null },
        },
        deps: [{ kind: 'ref', ref: { package: null, name: u.model, version: null } }],
        where: y.where,
      });
    }
  }

  // Models: every SQL file under models/ and every YAML entry.
  const usedSql = new Set<string>();
  for (const [name, { entry, file, where }] of modelEntries) {
    const versions = asList(entry.versions).filter(isMap);
    if (versions.length === 0) {
      const sql = sqlByName.get(name);
      if (sql) usedSql.add(name);
      pending.push(
        modelOf(c, name, null, null, sql ?? null, { entry, version: null, file, where }, tests),
      );
      continue;
    }
    const values = versions.map((v) => str(v.v));
    if (values.some((v) => v === null))
      throw new DocExampleError(`${where}: every version of ${name} needs a v`);
    const latest =
      str(entry.latest_version) ??
      [...(values as string[])].sort((a, b) => Number(a) - Number(b)).at(-1)!;
    for (const v of versions) {
      const vs = str(v.v)!;
      const sqlName = str(v.defined_in) ?? `${name}_v${vs}`;
      const sql = sqlByName.get(sqlName) ?? (vs === latest ? sqlByName.get(name) : undefined);
      if (sql) usedSql.add(path.posix.basename(sql.file, '.sql'));
      pending.push(
        modelOf(c, name, vs, latest, sql ?? null, { entry, version: v, file, where }, tests),
      );
    }
  }
  for (const f of modelSql) {
    const base = path.posix.basename(f.file, '.sql');
    if (usedSql.has(base)) continue;
    pending.push(modelOf(c, base, null, null, f, null, tests));
  }
  for (const { entry, file, where } of snapshotEntries) {
    const name = entry.name as string;
    const id = `snapshot.${project}.${name}`;
    const existing = pending.find((p) => p.init.uniqueId === id);
    const s = folderSettings(c, 'snapshots', existing?.init.filePath ?? file);
    if (existing) {
      Object.assign(s.meta, existing.init.meta);
      s.tags = tagsOf(s.tags, existing.init.tags);
    }
    applyEntry(s, entry);
    const init: ResourceInit = {
      uniqueId: id,
      resourceType: 'snapshot',
      name,
      filePath: existing?.init.filePath ?? file,
      patchPath: existing ? file : null,
      fqn: existing?.init.fqn ?? fqnOf(project, file, name),
      description: str(entry.description) ?? '',
      meta: s.meta,
      tags: s.tags,
      group: s.group ?? existing?.init.group ?? null,
      materialized: 'snapshot',
      columns: toColumns(entry.columns, where),
    };
    const deps = existing ? existing.deps : dependenciesIn(str(entry.relation) ?? '');
    if (existing) Object.assign(existing, { init, deps });
    else pending.push({ init, deps, where });
    addTests(tests, entry, id, name, file, where);
  }

  // Generic tests.
  const testIds = new Set<string>();
  for (const t of tests) {
    const prefix = t.decl.namespace ? `${t.decl.namespace}_${t.decl.name}` : t.decl.name;
    let name = [prefix, t.label, t.decl.column].filter(Boolean).join('_');
    const base = name;
    for (let n = 2; testIds.has(name); n++) name = `${base}_${n}`;
    testIds.add(name);
    const deps: Dependency[] = [];
    const to = str(t.decl.args.to);
    if (to) deps.push(...dependenciesIn(to));
    pending.push({
      init: {
        uniqueId: `test.${project}.${name}`,
        resourceType: 'test',
        name,
        filePath: t.file,
        fqn: [...fqnOf(project, t.file, name)],
        test: {
          name: t.decl.name,
          namespace: t.decl.namespace,
          columnName: t.decl.column,
          attachedNode: t.attached,
        },
        dependsOn: [t.attached],
      },
      deps,
      where: t.where,
    });
  }

  return { project, pending, groups };
}

function addTests(
  tests: Array<{ decl: TestDecl; attached: string; label: string; file: string; where: string }>,
  entry: Json,
  attached: string,
  label: string,
  file: string,
  where: string,
): void {
  for (const d of testsOf(entry, null, where))
    tests.push({ decl: d, attached, label, file, where });
  for (const col of asList(entry.columns))
    if (isMap(col) && typeof col.name === 'string')
      for (const d of testsOf(col, col.name, where))
        tests.push({ decl: d, attached, label, file, where });
}

/** One model (or one version of a model) from its SQL file and/or its YAML entry. */
function modelOf(
  c: Collected,
  name: string,
  version: string | null,
  latest: string | null,
  sql: { file: string; sql: string; where: string } | null,
  yaml: { entry: Json; version: Json | null; file: string; where: string } | null,
  tests: Array<{ decl: TestDecl; attached: string; label: string; file: string; where: string }>,
): Pending {
  const project = c.projectName;
  const file =
    sql?.file ??
    path.posix.join(
      dirOf(yaml!.file) || 'models',
      `${version === null ? name : `${name}_v${version}`}.sql`,
    );
  if (!file.startsWith('models/'))
    throw new DocExampleError(
      `${(sql ?? yaml)!.where}: model ${name} must live under models/ (its file would be ${file})`,
    );
  const s = folderSettings(c, 'models', file);
  let description = '';
  let columns: Column[] = [];
  let constraints: Constraint[] = [];
  let deprecationDate: string | null = null;
  const id = `model.${project}.${name}${version === null ? '' : `.v${version}`}`;
  if (yaml) {
    const { entry, version: v, where } = yaml;
    applyEntry(s, entry);
    description = str(entry.description) ?? '';
    columns = toColumns(entry.columns, where);
    constraints = toConstraints(entry.constraints);
    deprecationDate = str(entry.deprecation_date);
    const label = version === null ? name : `${name}_v${version}`;
    if (v) {
      applyEntry(s, v);
      if (v.description !== undefined) description = str(v.description) ?? '';
      if (v.deprecation_date !== undefined) deprecationDate = str(v.deprecation_date);
      if (v.constraints !== undefined) constraints = toConstraints(v.constraints);
      if (v.columns !== undefined) columns = versionColumns(columns, v.columns, where);
      const scoped = {
        tests: v.tests ?? entry.tests,
        data_tests: v.data_tests ?? entry.data_tests,
        columns: versionTestColumns(entry.columns, v.columns),
      };
      addTests(tests, scoped, id, label, yaml.file, where);
    } else addTests(tests, entry, id, label, yaml.file, where);
  }
  if (sql) applyConfig(s, sqlConfig(sql.sql, sql.where), false);
  const access = s.access ?? 'protected';
  if (!['public', 'protected', 'private'].includes(access))
    throw new DocExampleError(`${(sql ?? yaml)!.where}: access ${access} is not valid`);
  return {
    init: {
      uniqueId: id,
      resourceType: 'model',
      name,
      filePath: file,
      patchPath: yaml?.file ?? null,
      fqn: [...fqnOf(project, file, name), ...(version === null ? [] : [`v${version}`])],
      description,
      meta: s.meta,
      tags: s.tags,
      group: s.group ?? null,
      access: access as 'public' | 'protected' | 'private',
      contract: { enforced: s.contract ?? false, aliasTypes: true },
      materialized: s.materialized ?? 'view',
      columns,
      constraints,
      version,
      latestVersion: latest,
      deprecationDate,
    },
    deps: sql ? dependenciesIn(stripComments(sql.sql)) : [],
    where: (sql ?? yaml)!.where,
  };
}

/** A version's columns: `include`/`exclude` over the model's columns, plus its own. */
function versionColumns(base: Column[], raw: unknown, where: string): Column[] {
  let out: Column[] = [];
  const own: unknown[] = [];
  for (const c of asList(raw)) {
    if (isMap(c) && c.include !== undefined) {
      const include = c.include;
      const exclude = asList(c.exclude).filter((x): x is string => typeof x === 'string');
      const all = include === 'all' || include === '*';
      const names = all ? null : asList(include).filter((x): x is string => typeof x === 'string');
      out = base.filter(
        (col) => (names === null || names.includes(col.name)) && !exclude.includes(col.name),
      );
    } else own.push(c);
  }
  for (const col of toColumns(own, where)) {
    out = out.filter((x) => x.name !== col.name);
    out.push(col);
  }
  return out;
}

/** The column entries whose tests a version keeps: the model's included ones and its own. */
function versionTestColumns(baseRaw: unknown, raw: unknown): unknown[] {
  if (raw === undefined) return asList(baseRaw);
  const own = asList(raw).filter((c) => isMap(c) && c.include === undefined);
  const inc = asList(raw).find((c) => isMap(c) && c.include !== undefined) as Json | undefined;
  if (!inc) return own;
  const exclude = asList(inc.exclude);
  const all = inc.include === 'all' || inc.include === '*';
  const names = all ? null : asList(inc.include);
  const ownNames = new Set(own.map((c) => (c as Json).name));
  const kept = asList(baseRaw).filter(
    (c) =>
      isMap(c) &&
      (names === null || names.includes(c.name)) &&
      !exclude.includes(c.name) &&
      !ownNames.has(c.name),
  );
  return [...kept, ...own];
}

// ---------------------------------------------------------------------------------------
// The configuration and the run

function domainStepOf(raw: unknown, where: string): DomainStep {
  if (raw === 'group' || raw === 'package' || raw === 'project') return { kind: raw };
  if (isMap(raw)) {
    if (typeof raw.meta === 'string') return { kind: 'meta', key: raw.meta };
    if (typeof raw.path === 'string') return { kind: 'path', pattern: raw.path };
    if (typeof raw.tag === 'string') return { kind: 'tag', prefix: raw.tag };
  }
  throw new DocExampleError(`${where}: unsupported domain step ${JSON.stringify(raw)}`);
}

function ownerStepOf(raw: unknown, where: string): OwnerStep {
  if (raw === 'exposure' || raw === 'group' || raw === 'domain') return { kind: raw };
  if (isMap(raw) && typeof raw.meta === 'string') return { kind: 'meta', key: raw.meta };
  throw new DocExampleError(
    `${where}: unsupported owner step ${JSON.stringify(raw)} (CODEOWNERS cannot be shown in an example)`,
  );
}

function strings(v: unknown): string[] {
  return asList(v).filter((x): x is string => typeof x === 'string');
}

/**
 * The engine configuration of an example: only `rule` on (at the severity and with the
 * options its dbt-steward.yml block gives, else its default severity), every other id off,
 * with the block's `domains` and `owners`.
 */
export function exampleConfig(example: DocExample, rule: AnyRule): EngineConfig {
  const c = collect(splitProjects(example)[0]!);
  const config = emptyEngineConfig();
  let severity: SeverityOrOff = rule.severity;
  let options: Record<string, unknown> | undefined;
  if (c.steward) {
    const { doc, where } = c.steward;
    const rules = isMap(doc.rules) ? doc.rules : {};
    const setting = rules[rule.id];
    if (setting !== undefined) {
      const [sev, opts] = Array.isArray(setting) ? setting : [setting];
      if (!['off', 'info', 'warn', 'error'].includes(sev as string))
        throw new DocExampleError(`${where}: rules.${rule.id}: bad severity ${String(sev)}`);
      severity = sev as SeverityOrOff;
      if (opts !== undefined) {
        if (!isMap(opts))
          throw new DocExampleError(`${where}: rules.${rule.id}: options must be a mapping`);
        options = opts;
      }
    }
    const domains = isMap(doc.domains) ? doc.domains : {};
    if (domains.resolution !== undefined)
      config.domains.resolution = asList(domains.resolution).map((s) => domainStepOf(s, where));
    const declared = isMap(domains.declared) ? domains.declared : {};
    for (const [name, d] of Object.entries(declared)) {
      const decl = isMap(d) ? d : {};
      config.domains.declared[name] = {
        name,
        description: str(decl.description) ?? '',
        owners: strings(decl.owners),
        public: strings(decl.public),
        origin: `${where}: domains.declared.${name}`,
      };
    }
    const owners = isMap(doc.owners) ? doc.owners : {};
    if (owners.resolution !== undefined)
      config.owners.resolution = asList(owners.resolution).map((s) => ownerStepOf(s, where));
    if (owners.formats !== undefined)
      config.owners.formats = strings(owners.formats) as OwnerFormat[];
    if (isMap(owners.registry))
      config.owners.registry = {
        known: strings(owners.registry.known),
        require: owners.registry.require !== false,
      };
  }
  const entry: RuleEntry = { severity, origin: 'doc example' };
  if (options) entry.options = options;
  config.rules[rule.id] = [entry];
  return config;
}

function ruleById(ruleId: string, rule?: AnyRule): AnyRule {
  if (rule) return rule;
  const found = getBuiltinRules().find((r) => r.id === ruleId);
  if (!found) throw new Error(`no built-in rule ${ruleId}`);
  return found;
}

/** Runs one rule on an example: the whole check result (findings of the rule only). */
export function runDocExampleResult(
  ruleId: string,
  example: DocExample,
  rule?: AnyRule,
): CheckResult {
  const r = ruleById(ruleId, rule);
  const project = projectOfExample(example);
  const others = getBuiltinRules().filter((x) => x.id !== r.id);
  const result = runRules(project, {
    registry: new Registry([...others, r]),
    config: exampleConfig(example, r),
    now: DOC_EXAMPLE_NOW,
    selected: null,
  });
  if (result.ruleFailures.length > 0) {
    const f = result.ruleFailures[0]!;
    throw new Error(`${exampleLabel(example)}: ${f.ruleId} failed on ${f.subject}: ${f.error}`);
  }
  return { ...result, findings: result.findings.filter((f) => f.ruleId === r.id) };
}

/**
 * Runs only rule `ruleId` (a built-in one, or `rule` for one not registered yet) on an
 * example, with the options of its dbt-steward.yml block, at 2026-06-01: its findings.
 */
export function runDocExample(ruleId: string, example: DocExample, rule?: AnyRule): Finding[] {
  return runDocExampleResult(ruleId, example, rule).findings;
}
