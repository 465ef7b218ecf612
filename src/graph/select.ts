/**
 * Resource selection with dbt's node selection syntax
 * (https://docs.getdbt.com/reference/node-selection/syntax):
 *
 * - methods: `tag:nightly`, `path:models/staging`, `config.materialized:table`, … and bare
 *   values resolved as dbt does (a path when the value holds `/`, a file name when it ends
 *   with `.sql`/`.py`/`.csv`/`.yml`, else an fqn: a name, a folder or a package); and two
 *   of our own, `domain:` and `owner:`, on the resolved domain and owner the caller supplies;
 * - graph operators: `+x`, `x+`, `2+x`, `x+1`, `@x`;
 * - set operators: space-separated terms are a union, `a,b` an intersection, `--exclude` a
 *   difference;
 * - indirect test selection ("eager" by default): a term that selects a node also selects
 *   the tests on it;
 * - YAML selectors as stored in manifest.json `selectors` (or read from selectors.yml).
 *
 * Every method is one pass over the resources (bare names go through an index built once
 * per resource map), graph operators are single BFS traversals over the CSR graph, set
 * operators work on Sets: a selection costs O(terms × (resources + edges)) at worst.
 */
import { RESOURCE_TYPES, type ManifestSelector, type Resource } from '../model.js';
import type { LineageGraph } from './lineage.js';

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

/**
 * dbt's `--indirect-selection` modes: which tests a term that selects their parents adds.
 * eager: tests with any parent selected; cautious: tests with all parents selected;
 * buildable: tests whose parents are all selected or upstream of the selection; empty: none.
 */
export type IndirectSelection = 'eager' | 'cautious' | 'buildable' | 'empty';
const INDIRECT_MODES: readonly IndirectSelection[] = ['eager', 'cautious', 'buildable', 'empty'];

/**
 * What the `domain:` and `owner:` methods read: each resource's resolved domain (null when
 * it has none) and its resolved owner as declared (a string such as "a@x.com" or
 * "@org/team", a list, or an object such as {name, email}; null or undefined when none).
 * Without them, those methods are a SelectorError.
 */
export interface SelectionExtras {
  domainOf?: (id: string) => string | null;
  ownerOf?: (id: string) => unknown;
}

/** What selection needs of a project (a `Project` will do, plus the extras for domain:/owner:). */
export interface SelectionContext extends SelectionExtras {
  resources: ReadonlyMap<string, Resource>;
  graph: LineageGraph;
}

/**
 * One YAML selector as manifest.json stores it (`selectors: {name: {name, definition}}`).
 * A string `default` is an unrendered Jinja expression: not default.
 */
export type SelectorEntry = ManifestSelector;

/** The manifest's `selectors` map, keyed by selector name. */
export type Selectors = Readonly<Record<string, SelectorEntry>>;

export interface Selection {
  select?: readonly string[];
  exclude?: readonly string[];
  /** YAML selectors that `selector:NAME` terms refer to. */
  selectors?: Selectors | null;
  /** Default: eager, as in dbt. */
  indirectSelection?: IndirectSelection;
  /**
   * A term that matches nothing selects nothing instead of being an error: for selectors
   * written in configuration (overrides, rule options, waivers), not typed on a command line.
   */
  allowEmpty?: boolean;
}

// ---------------------------------------------------------------------------------------
// Parsed selection specs

const METHODS = [
  'access',
  'config',
  'domain',
  'exposure',
  'file',
  'fqn',
  'group',
  'metric',
  'owner',
  'package',
  'path',
  'resource_type',
  'result',
  'saved_query',
  'selector',
  'semantic_model',
  'source',
  'source_status',
  'state',
  'tag',
  'test_name',
  'test_type',
  'unit_test',
  'version',
] as const;
type MethodName = (typeof METHODS)[number];

interface Criteria {
  kind: 'criteria';
  /** The term as written, for messages. */
  raw: string;
  method: MethodName;
  /** `config.meta.domain` → ['meta', 'domain']. */
  args: string[];
  value: string;
  /** The method was written out (`fqn:x`), not inferred from a bare value. */
  explicit: boolean;
  childrensParents: boolean;
  parents: boolean;
  parentsDepth: number | undefined;
  children: boolean;
  childrenDepth: number | undefined;
  /** Per-term override (YAML `indirect_selection`). */
  indirect: IndirectSelection | undefined;
  /** Prefix of messages about this term: `--select "tag:x"`, `selector "s" term "tag:x"`. */
  label: string;
}

type Spec =
  | Criteria
  | { kind: 'union' | 'intersection'; parts: Spec[] }
  | { kind: 'difference'; base: Spec; minus: Spec };

/** dbt's RAW_SELECTOR_PATTERN: `@`, `n+`, `method.args:`, value, `+n`. */
const RAW_SELECTOR = /^(@)?(?:(\d*)\+)?(?:([\w.]+):)?(.*?)(?:\+(\d*))?$/s;

function fail(label: string, message: string): SelectorError {
  return new SelectorError(`${label}: ${oneLine(message)}`);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function termLabel(context: string, raw: string): string {
  return `${context} ${JSON.stringify(raw)}`;
}

function defaultMethod(value: string): MethodName {
  if (value.includes('/') || value.includes('\\')) return 'path';
  if (/\.(sql|py|csv|ya?ml)$/i.test(value)) return 'file';
  return 'fqn';
}

function parseMethod(raw: string, label: string): { method: MethodName; args: string[] } {
  const parts = raw.split('.');
  const name = parts[0]!;
  if (!(METHODS as readonly string[]).includes(name)) {
    const hint = closest(name, METHODS);
    throw fail(
      label,
      `unknown selector method "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; methods: ${METHODS.join(', ')}`,
    );
  }
  return { method: name as MethodName, args: parts.slice(1) };
}

/** One CLI-style term without set operators: `@`, `n+`, `method:value`, `+n`. */
function parseCriteria(raw: string, context: string): Criteria {
  const label = termLabel(context, raw);
  const m = RAW_SELECTOR.exec(raw);
  if (m?.[3] !== undefined && !m[4])
    throw fail(label, `"${m[3]}:" has no value; write ${m[3]}:VALUE`);
  if (!m || !m[4]) throw fail(label, 'empty selector');
  const [, at, up, rawMethod, value, down] = m as unknown as [
    string,
    string | undefined,
    string | undefined,
    string | undefined,
    string,
    string | undefined,
  ];
  if (at !== undefined && up !== undefined)
    throw fail(label, 'the "@" operator and a "+" prefix cannot be combined');
  const { method, args } =
    rawMethod === undefined
      ? { method: defaultMethod(value), args: [] }
      : parseMethod(rawMethod, label);
  return {
    kind: 'criteria',
    raw,
    method,
    args,
    value,
    explicit: rawMethod !== undefined,
    childrensParents: at !== undefined,
    parents: up !== undefined,
    parentsDepth: up ? Number(up) : undefined,
    children: down !== undefined,
    childrenDepth: down ? Number(down) : undefined,
    indirect: undefined,
    label,
  };
}

/** CLI arguments: each splits on whitespace (union), each term on commas (intersection). */
function parseArgs(args: readonly string[], context: string): Spec | null {
  const union: Spec[] = [];
  for (const arg of args) {
    for (const term of arg.split(/\s+/)) {
      if (term === '') continue;
      const parts = term.split(',');
      if (parts.some((p) => p === ''))
        throw fail(termLabel(context, term), 'empty selector in an intersection');
      const criteria = parts.map((p) => parseCriteria(p, context));
      union.push(criteria.length === 1 ? criteria[0]! : { kind: 'intersection', parts: criteria });
    }
  }
  if (union.length === 0) return null;
  return union.length === 1 ? union[0]! : { kind: 'union', parts: union };
}

// ---------------------------------------------------------------------------------------
// YAML selector definitions

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** dbt's parse_from_definition: a string, {union}, {intersection}, {method, value} or {method: value}. */
function parseDefinition(def: unknown, selector: string, root: boolean): Spec {
  const label = `selector ${JSON.stringify(selector)}`;
  if (typeof def === 'string') {
    const spec = parseArgs([def], `${label} term`);
    if (!spec) throw fail(label, 'empty definition');
    return spec;
  }
  if (!isRecord(def))
    throw fail(label, `a definition must be a string or a mapping, not ${describe(def)}`);
  const keys = Object.keys(def);
  const has = (key: string): boolean => Object.hasOwn(def, key);
  if (root && (has('union') || has('intersection')) && keys.length > 1)
    throw fail(
      label,
      `a root definition takes a single "union" or "intersection" key; found ${keys.join(', ')}`,
    );
  for (const op of ['union', 'intersection'] as const) {
    if (!has(op)) continue;
    const items = def[op];
    if (!Array.isArray(items)) throw fail(label, `"${op}" must be a list`);
    const parts: Spec[] = [];
    let minus: Spec | null = null;
    for (const item of items as unknown[]) {
      if (isRecord(item) && Object.hasOwn(item, 'exclude')) {
        if (minus) throw fail(label, `only one "exclude" is allowed in a "${op}" list`);
        minus = parseExclusions(item.exclude, selector);
      } else parts.push(parseDefinition(item, selector, false));
    }
    if (parts.length === 0) throw fail(label, `"${op}" needs at least one definition to include`);
    const base: Spec = parts.length === 1 ? parts[0]! : { kind: op, parts };
    return minus ? { kind: 'difference', base, minus } : base;
  }
  let dict: Record<string, unknown>;
  let minus: Spec | null = null;
  if (keys.length === 1) {
    dict = { method: keys[0], value: def[keys[0]!] };
  } else if (has('method') && has('value')) {
    dict = def;
    if (has('exclude')) minus = parseExclusions(def.exclude, selector);
  } else {
    throw fail(
      label,
      `expected one "method: value" key, or "method" and "value" keys; got ${keys.join(', ') || 'none'}`,
    );
  }
  const base = criteriaFromDict(dict, label);
  return minus ? { kind: 'difference', base, minus } : base;
}

function parseExclusions(list: unknown, selector: string): Spec {
  if (!Array.isArray(list))
    throw fail(`selector ${JSON.stringify(selector)}`, '"exclude" must be a list');
  const parts = (list as unknown[]).map((d) => parseDefinition(d, selector, false));
  return parts.length === 1 ? parts[0]! : { kind: 'union', parts };
}

function criteriaFromDict(dict: Record<string, unknown>, label: string): Criteria {
  const { method: rawMethod, value: rawValue } = dict;
  if (typeof rawMethod !== 'string' || rawMethod === '')
    throw fail(label, `"method" must be a method name, not ${describe(rawMethod)}`);
  let value: string;
  if (typeof rawValue === 'string') value = rawValue;
  else if (typeof rawValue === 'number' || typeof rawValue === 'boolean') value = String(rawValue);
  else
    throw fail(label, `"value" of method ${rawMethod} must be a string, not ${describe(rawValue)}`);
  const raw = `${rawMethod}:${value}`;
  const termLbl = `${label} term ${JSON.stringify(raw)}`;
  if (value === '') throw fail(termLbl, 'empty value');
  const { method, args } = parseMethod(rawMethod, termLbl);
  const depth = (key: string): number | undefined => {
    const v = dict[key];
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
      throw fail(termLbl, `"${key}" must be a whole number, not ${describe(v)}`);
    return n;
  };
  let indirect: IndirectSelection | undefined;
  if (dict.indirect_selection !== undefined) {
    const v = dict.indirect_selection;
    if (!(INDIRECT_MODES as readonly unknown[]).includes(v))
      throw fail(
        termLbl,
        `"indirect_selection" must be one of ${INDIRECT_MODES.join(', ')}, not ${describe(v)}`,
      );
    indirect = v as IndirectSelection;
  }
  return {
    kind: 'criteria',
    raw,
    method,
    args,
    value,
    explicit: true,
    childrensParents: dict.childrens_parents === true,
    parents: dict.parents === true,
    parentsDepth: depth('parents_depth'),
    children: dict.children === true,
    childrenDepth: depth('children_depth'),
    indirect,
    label: termLbl,
  };
}

/** `label`: the term that names the selector (`--select "selector:x"`), if any. */
function lookupSelector(
  name: string,
  selectors: Selectors | null | undefined,
  label: string | null,
): SelectorEntry {
  const error = (message: string) =>
    new SelectorError(label === null ? message : `${label}: ${message}`);
  const entries = isRecord(selectors) ? selectors : {};
  const entry = Object.hasOwn(entries, name) ? entries[name] : undefined;
  if (isRecord(entry) && Object.hasOwn(entry, 'definition')) return entry;
  if (entry !== undefined) throw error(`selector "${name}" has no definition`);
  const names = Object.keys(entries);
  if (names.length === 0)
    throw error(`unknown selector "${name}": the project defines no selectors`);
  const hint = closest(name, names);
  throw error(
    `unknown selector "${name}"; ${hint ? `did you mean "${hint}"?` : `selectors: ${names.sort().join(', ')}`}`,
  );
}

/** The name of the selector marked `default: true`, null when none; several is an error. */
export function defaultSelector(selectors: Selectors | null | undefined): string | null {
  if (!isRecord(selectors)) return null;
  const names = Object.keys(selectors).filter((n) => selectors[n]?.default === true);
  if (names.length > 1)
    throw new SelectorError(
      `several selectors are marked default: ${names.join(', ')}; keep one default, or choose with --selector NAME or --select`,
    );
  return names[0] ?? null;
}

// ---------------------------------------------------------------------------------------
// Evaluation

interface Evaluator {
  ctx: SelectionContext;
  selectors: Selectors | null | undefined;
  mode: IndirectSelection;
  /** Add indirectly selected tests to each term (off for `selectTerm`). */
  indirect: boolean;
  /** Selector names being resolved, to report cycles. */
  resolving: string[];
  /** Ids some exclusion removed: the final cautious / buildable pass leaves them out. */
  removed: Set<string>;
  parsedSelectors: Map<string, Spec>;
}

function evaluator(
  ctx: SelectionContext,
  selectors: Selectors | null | undefined,
  mode: IndirectSelection | undefined,
  indirect: boolean,
): Evaluator {
  const m = mode ?? 'eager';
  if (!INDIRECT_MODES.includes(m))
    throw new SelectorError(
      `indirect selection must be one of ${INDIRECT_MODES.join(', ')}, not ${JSON.stringify(m)}`,
    );
  return {
    ctx,
    selectors,
    mode: m,
    indirect,
    resolving: [],
    removed: new Set(),
    parsedSelectors: new Map(),
  };
}

/** `expectExists`: a term (of --select) that matches nothing is an error. */
function evaluate(spec: Spec, ev: Evaluator, expectExists: boolean): Set<string> {
  switch (spec.kind) {
    case 'criteria':
      return evaluateCriteria(spec, ev, expectExists);
    case 'union': {
      const out = new Set<string>();
      for (const part of spec.parts) for (const id of evaluate(part, ev, expectExists)) out.add(id);
      return out;
    }
    case 'intersection': {
      const sets = spec.parts.map((p) => evaluate(p, ev, expectExists));
      sets.sort((a, b) => a.size - b.size);
      const [smallest, ...rest] = sets;
      const out = new Set<string>();
      for (const id of smallest ?? []) if (rest.every((s) => s.has(id))) out.add(id);
      return out;
    }
    case 'difference': {
      const out = evaluate(spec.base, ev, expectExists);
      for (const id of evaluate(spec.minus, ev, false)) {
        out.delete(id);
        ev.removed.add(id);
      }
      return out;
    }
  }
}

function evaluateCriteria(c: Criteria, ev: Evaluator, expectExists: boolean): Set<string> {
  const { graph } = ev.ctx;
  const hits = match(c, ev);
  if (expectExists && hits.size === 0) throw noMatch(c, ev.ctx);
  let selected = hits;
  if (c.childrensParents || c.parents || c.children) {
    selected = new Set(hits);
    const start = [...hits];
    if (c.childrensParents) {
      const down = graph.downstream(start);
      for (const id of down) selected.add(id);
      for (const id of graph.upstream(start.concat(down))) selected.add(id);
    }
    if (c.parents)
      for (const id of graph.upstream(start, depthOption(c.parentsDepth))) selected.add(id);
    if (c.children)
      for (const id of graph.downstream(start, depthOption(c.childrenDepth))) selected.add(id);
  }
  return ev.indirect ? withIndirectTests(selected, ev.ctx, c.indirect ?? ev.mode) : selected;
}

/**
 * dbt holds back the tests a cautious / buildable term could not select on its own and adds
 * them once the whole selection is known (a relationships test when both models are picked
 * by different terms): the same pass over the final set, minus what was excluded.
 */
function finish(chosen: Set<string>, ev: Evaluator): Set<string> {
  if (!ev.indirect || (ev.mode !== 'cautious' && ev.mode !== 'buildable')) return chosen;
  for (const id of withIndirectTests(chosen, ev.ctx, ev.mode))
    if (!ev.removed.has(id)) chosen.add(id);
  return chosen;
}

function depthOption(depth: number | undefined): { depth?: number } {
  return depth === undefined ? {} : { depth };
}

function resolveNamed(name: string, ev: Evaluator, label: string | null): Set<string> {
  const entry = lookupSelector(name, ev.selectors, label);
  if (ev.resolving.includes(name))
    throw new SelectorError(
      `selector "${name}" refers to itself: ${[...ev.resolving, name].join(' -> ')}`,
    );
  let spec = ev.parsedSelectors.get(name);
  if (!spec) {
    spec = parseDefinition(entry.definition, name, true);
    ev.parsedSelectors.set(name, spec);
  }
  ev.resolving.push(name);
  try {
    return evaluate(spec, ev, false);
  } finally {
    ev.resolving.pop();
  }
}

// ---------------------------------------------------------------------------------------
// Indirect test selection

function isTest(r: Resource | undefined): boolean {
  return r !== undefined && (r.resourceType === 'test' || r.resourceType === 'unit_test');
}

/**
 * `selected` plus the tests dbt selects indirectly with it: tests and unit tests that are
 * children of a selected node (or attached to one), and, in cautious / buildable mode, only
 * those whose parents are all selected (buildable: or upstream of the selection). Linear in
 * the edges around the selection.
 */
export function withIndirectTests(
  selected: ReadonlySet<string>,
  ctx: SelectionContext,
  mode: IndirectSelection = 'eager',
): Set<string> {
  const out = new Set(selected);
  if (mode === 'empty') return out;
  const { resources, graph } = ctx;
  const seen = new Set<string>();
  let buildable: Set<string> | null = null;
  const allowed = (): Set<string> => {
    if (buildable) return buildable;
    buildable = new Set(selected);
    for (const id of graph.upstream([...selected])) buildable.add(id);
    for (const r of resources.values()) if (r.resourceType === 'source') buildable.add(r.uniqueId);
    return buildable;
  };
  const consider = (id: string): void => {
    if (out.has(id) || seen.has(id)) return;
    seen.add(id);
    if (!isTest(resources.get(id))) return;
    if (mode === 'eager') {
      out.add(id);
      return;
    }
    const parents = graph.parents(id);
    if (parents.every((p) => selected.has(p))) out.add(id);
    else if (mode === 'buildable') {
      const ok = allowed();
      if (parents.every((p) => ok.has(p))) out.add(id);
    }
  };
  for (const id of selected) {
    for (const child of graph.children(id)) consider(child);
    for (const test of graph.testsOf(id)) consider(test);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Methods

/** fnmatch-style pattern: `*` any run, `?` one character, `[a-z]` / `[!a-z]` classes. */
function globSource(pattern: string, pathMode: boolean): string {
  const any = pathMode ? '[^/]*' : '[\\s\\S]*';
  const one = pathMode ? '[^/]' : '[\\s\\S]';
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pathMode && pattern[i + 1] === '*') {
        // `**/` spans any number of directories (none included); a trailing `**` anything.
        if (pattern[i + 2] === '/') {
          re += '(?:[^/]*/)*';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += any;
    } else if (c === '?') re += one;
    else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) re += '\\[';
      else {
        let body = pattern.slice(i + 1, j);
        let negate = false;
        if (body.startsWith('!')) {
          negate = true;
          body = body.slice(1);
        }
        body = body.replace(/[\\\]^[]/g, '\\$&');
        re += `[${negate ? '^' : ''}${body}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return re;
}

const globCache = new Map<string, RegExp>();

/** A matcher for a value with `*`, `?`, `[…]` wildcards (exact comparison without them). */
function glob(pattern: string, pathMode = false): (s: string) => boolean {
  if (!/[*?[]/.test(pattern)) return (s) => s === pattern;
  const key = `${pathMode ? 'p' : 'f'}${pattern}`;
  let re = globCache.get(key);
  if (!re) {
    re = new RegExp(`^${globSource(pattern, pathMode)}$`);
    if (globCache.size > 1000) globCache.clear();
    globCache.set(key, re);
  }
  const r = re;
  return (s) => r.test(s);
}

function hasWildcard(s: string): boolean {
  return /[*?[\]]/.test(s);
}

function scan(
  resources: ReadonlyMap<string, Resource>,
  pred: (r: Resource) => boolean,
): Set<string> {
  const out = new Set<string>();
  for (const r of resources.values()) if (pred(r)) out.add(r.uniqueId);
  return out;
}

/** manifest.nodes in dbt: everything but sources and the other top-level collections. */
const NOT_NODES = new Set<string>([
  'source',
  'exposure',
  'metric',
  'semantic_model',
  'saved_query',
  'unit_test',
]);
function isNode(r: Resource): boolean {
  return !NOT_NODES.has(r.resourceType);
}

function match(c: Criteria, ev: Evaluator): Set<string> {
  const { resources } = ev.ctx;
  const v = c.value;
  switch (c.method) {
    case 'fqn':
      return matchFqn(c, resources);
    case 'tag': {
      const m = glob(v);
      return scan(resources, (r) => r.tags.some(m));
    }
    case 'path':
      return matchPath(v, resources);
    case 'file': {
      const m = glob(v);
      return scan(resources, (r) => {
        if (r.filePath === null) return false;
        const base = r.filePath.slice(r.filePath.lastIndexOf('/') + 1);
        const dot = base.lastIndexOf('.');
        return m(base) || (dot > 0 && m(base.slice(0, dot)));
      });
    }
    case 'package': {
      if (v === 'this')
        return scan(resources, (r) => !r.external && r.packageName === r.projectName);
      const m = glob(v);
      return scan(resources, (r) => m(r.packageName));
    }
    case 'resource_type': {
      const known = new Set<string>(RESOURCE_TYPES);
      for (const r of resources.values()) known.add(r.resourceType);
      if (!known.has(v)) {
        const hint = closest(v, known);
        throw fail(
          c.label,
          `unknown resource type${hint ? `; did you mean "${hint}"?` : `; types: ${[...known].join(', ')}`}`,
        );
      }
      return scan(resources, (r) => r.resourceType === v);
    }
    case 'config':
      return matchConfig(c, resources);
    case 'access': {
      const m = glob(v);
      return scan(resources, (r) => r.resourceType === 'model' && r.access !== null && m(r.access));
    }
    case 'group': {
      const m = glob(v);
      return scan(
        resources,
        (r) => (isNode(r) || r.resourceType === 'metric') && r.group !== null && m(r.group),
      );
    }
    case 'version':
      return matchVersion(c, resources);
    case 'source': {
      const parts = v.split('.');
      if (parts.length > 3)
        throw fail(
          c.label,
          'a source is written source_name, source_name.table or package.source_name.table',
        );
      const [pkg, src, table] =
        parts.length === 3 ? parts : parts.length === 2 ? ['*', ...parts] : ['*', parts[0]!, '*'];
      const mp = glob(pkg!);
      const ms = glob(src!);
      const mt = glob(table!);
      return scan(
        resources,
        (r) =>
          r.resourceType === 'source' && mp(r.packageName) && ms(r.sourceName ?? '') && mt(r.name),
      );
    }
    case 'exposure':
    case 'metric':
    case 'semantic_model':
    case 'saved_query':
    case 'unit_test': {
      const parts = v.split('.');
      if (parts.length > 2) throw fail(c.label, `a ${c.method} is written name or package.name`);
      const [pkg, name] = parts.length === 2 ? parts : ['*', parts[0]!];
      const mp = glob(pkg!);
      const mn = glob(name!);
      const type = c.method;
      return scan(resources, (r) => r.resourceType === type && mp(r.packageName) && mn(r.name));
    }
    case 'test_type':
      return matchTestType(c, resources);
    case 'test_name': {
      const m = glob(v);
      const qualified = v.includes('.');
      return scan(resources, (r) => {
        if (r.resourceType === 'unit_test') return m(r.name);
        if (r.resourceType !== 'test' || !r.test?.name) return false;
        if (qualified) return r.test.namespace !== null && m(`${r.test.namespace}.${r.test.name}`);
        return m(r.test.name);
      });
    }
    case 'domain': {
      const domainOf = ev.ctx.domainOf;
      if (!domainOf) throw missingExtra(c, 'domainOf', 'domain');
      const m = glob(v);
      return scan(resources, (r) => {
        const d = domainOf(r.uniqueId);
        return d !== null && d !== undefined && m(d);
      });
    }
    case 'owner': {
      const ownerOf = ev.ctx.ownerOf;
      if (!ownerOf) throw missingExtra(c, 'ownerOf', 'owner');
      const test = ownerTest(v);
      return scan(resources, (r) => ownerStrings(ownerOf(r.uniqueId)).some(test));
    }
    case 'selector':
      return resolveNamed(v, ev, c.label);
    case 'state':
      throw fail(c.label, 'state: needs --base (not supported yet)');
    case 'result':
    case 'source_status':
      throw fail(c.label, `${c.method}: needs the artifacts of a dbt run (not supported)`);
  }
}

function missingExtra(c: Criteria, extra: string, what: string): SelectorError {
  return fail(
    c.label,
    `the ${c.method}: method needs each resource's resolved ${what}, which this caller does not provide (${extra} in the selection context)`,
  );
}

/** Every string in a declared owner: the owner itself, list items, object values (nested). */
function ownerStrings(owner: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (typeof v === 'string') {
      const t = v.trim();
      if (t !== '') out.push(t);
    } else if (depth < 8 && Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (depth < 8 && isRecord(v)) for (const k of Object.keys(v)) walk(v[k], depth + 1);
  };
  walk(owner, 0);
  return out;
}

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** Exact or glob; e-mail addresses compare case-insensitively (`A@X.com` is `a@x.com`). */
function ownerTest(pattern: string): (owner: string) => boolean {
  const exact = glob(pattern);
  const folded = glob(pattern.toLowerCase());
  return (s) => exact(s) || (EMAIL.test(s) && folded(s.toLowerCase()));
}

/** A compiled fqn selector (dbt's is_selected_node, evaluated against precomputed fqns). */
interface FqnSelector {
  raw: string;
  parts: string[];
  /** The last two parts joined with `_`: `dim_customers.v2` → `dim_customers_v2`. */
  lastTwo: string;
  /** Index of the first part with a wildcard, -1 when none. */
  slurp: number;
  /** Matches the flattened fqn from `slurp` on (joined with dots). */
  rest: ((s: string) => boolean) | null;
  /** dbt 1.11.16+: a bare wildcard (`stg_*`) also matches names at any folder depth. */
  leaf: ((s: string) => boolean) | null;
}

function compileFqn(selector: string): FqnSelector {
  const parts = selector.split('.');
  const slurp = parts.findIndex(hasWildcard);
  return {
    raw: selector,
    parts,
    lastTwo: parts.slice(-2).join('_'),
    slurp,
    rest: slurp < 0 ? null : glob(parts.slice(slurp).join('.')),
    leaf: parts.length === 1 && slurp === 0 ? glob(selector) : null,
  };
}

/** A resource's fqn, flattened (dots in segments split) with and without its package. */
interface FqnEntry {
  resource: Resource;
  flat: string[];
  joined: string;
  unscoped: string[];
  unscopedJoined: string;
}

interface FqnIndex {
  /** Every resource but sources (dbt's fqn method skips them). */
  entries: FqnEntry[];
  /** Every key a one-part selector without wildcards can match → entries. */
  byKey: Map<string, FqnEntry[]>;
}

const fqnIndexes = new WeakMap<ReadonlyMap<string, Resource>, FqnIndex>();

/** Built once per resource map. */
function fqnIndex(resources: ReadonlyMap<string, Resource>): FqnIndex {
  const cached = fqnIndexes.get(resources);
  if (cached) return cached;
  const entries: FqnEntry[] = [];
  const byKey = new Map<string, FqnEntry[]>();
  const add = (key: string | undefined, entry: FqnEntry): void => {
    if (key === undefined || key === '') return;
    const list = byKey.get(key);
    if (!list) byKey.set(key, [entry]);
    else if (list[list.length - 1] !== entry) list.push(entry);
  };
  for (const r of resources.values()) {
    if (r.resourceType === 'source') continue;
    const { fqn } = r;
    const n = fqn.length;
    if (n === 0) continue;
    const flat = fqn.some((s) => s.includes('.')) ? fqn.flatMap((s) => s.split('.')) : [...fqn];
    const head = fqn[0]!.split('.').length;
    const unscoped = flat.slice(head);
    const entry: FqnEntry = {
      resource: r,
      flat,
      joined: flat.join('.'),
      unscoped,
      unscopedJoined: unscoped.join('.'),
    };
    entries.push(entry);
    if (r.version !== null && n >= 2) {
      add(fqn[n - 2], entry);
      add(`${fqn[n - 2]}_${fqn[n - 1]}`, entry);
    } else add(fqn[n - 1], entry);
    add(flat[0], entry);
    add(unscoped[0], entry);
  }
  const index = { entries, byKey };
  fqnIndexes.set(resources, index);
  return index;
}

/** dbt's is_selected_node for one of the fqns (full or without the package). */
function fqnPrefixMatch(sel: FqnSelector, flat: readonly string[], joined: string): boolean {
  const { parts, slurp } = sel;
  if (flat.length === 0 || flat.length < parts.length) return false;
  const stop = slurp < 0 ? parts.length : slurp;
  for (let i = 0; i < stop; i++) if (flat[i] !== parts[i]) return false;
  if (slurp < 0) return true;
  return sel.rest!(slurp === 0 ? joined : flat.slice(slurp).join('.'));
}

function fqnMatches(sel: FqnSelector, e: FqnEntry): boolean {
  const { fqn } = e.resource;
  const n = fqn.length;
  const versioned = e.resource.version !== null && n >= 2;
  if (versioned) {
    if (fqn[n - 2] === sel.raw || `${fqn[n - 2]}_${fqn[n - 1]}` === sel.lastTwo) return true;
  } else if (fqn[n - 1] === sel.raw) return true;
  if (fqnPrefixMatch(sel, e.flat, e.joined) || fqnPrefixMatch(sel, e.unscoped, e.unscopedJoined))
    return true;
  return sel.leaf !== null && sel.leaf(versioned ? fqn[n - 2]! : fqn[n - 1]!);
}

function matchFqn(c: Criteria, resources: ReadonlyMap<string, Resource>): Set<string> {
  const v = c.value;
  const out = new Set<string>();
  // Not dbt: a bare unique_id selects that resource.
  if (!c.explicit && resources.has(v)) out.add(v);
  const index = fqnIndex(resources);
  const sel = compileFqn(v);
  const candidates =
    !v.includes('.') && !hasWildcard(v) ? (index.byKey.get(v) ?? []) : index.entries;
  for (const e of candidates) if (fqnMatches(sel, e)) out.add(e.resource.uniqueId);
  return out;
}

function matchPath(value: string, resources: ReadonlyMap<string, Resource>): Set<string> {
  let v = value.replace(/\\/g, '/');
  while (v.startsWith('./')) v = v.slice(2);
  v = v.replace(/\/+$/, '') || '.';
  const m = glob(v, true);
  return scan(resources, (r) => {
    if (r.patchPath !== null && m(r.patchPath)) return true;
    const fp = r.filePath;
    if (fp === null) return false;
    if (m(fp)) return true;
    // The file's folders, up to the project root ('.').
    for (let i = fp.lastIndexOf('/'); i > 0; i = fp.lastIndexOf('/', i - 1))
      if (m(fp.slice(0, i))) return true;
    return m('.');
  });
}

const CONFIG_KEYS = [
  'materialized',
  'access',
  'group',
  'tags',
  'meta.<key>',
  'contract.enforced',
  'contract.alias_types',
];

function matchConfig(c: Criteria, resources: ReadonlyMap<string, Resource>): Set<string> {
  const [key, ...rest] = c.args;
  const sub = rest.join('.');
  let read: (r: Resource) => unknown;
  if (key === 'materialized' && !sub) read = (r) => r.materialized;
  else if (key === 'access' && !sub) read = (r) => r.access;
  else if (key === 'group' && !sub) read = (r) => r.group;
  else if (key === 'tags' && !sub) read = (r) => r.tags;
  else if (key === 'meta' && rest.length > 0) read = (r) => descend(r.meta, rest);
  else if (key === 'contract' && sub === 'enforced') read = (r) => r.contract?.enforced;
  else if (key === 'contract' && sub === 'alias_types') read = (r) => r.contract?.aliasTypes;
  else
    throw fail(
      c.label,
      key === undefined
        ? `config needs a key, e.g. config.materialized:table; keys: ${CONFIG_KEYS.join(', ')}`
        : `config.${c.args.join('.')} is not available; keys: ${CONFIG_KEYS.join(', ')}`,
    );
  const test = configTest(c.value);
  // dbt's configurable nodes: manifest nodes and sources.
  return scan(resources, (r) => (isNode(r) || r.resourceType === 'source') && test(read(r)));
}

function descend(meta: unknown, path: readonly string[]): unknown {
  let value = meta;
  for (const key of path) {
    if (!isRecord(value) || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

/** dbt compares config values as strings, booleans case-insensitively, lists by membership. */
function configTest(pattern: string): (value: unknown) => boolean {
  const m = glob(pattern);
  const lower = pattern.toLowerCase();
  const scalar = (v: unknown): boolean => {
    if (typeof v === 'string') return m(v);
    if (typeof v === 'boolean') return lower === String(v);
    if (typeof v === 'number') return pattern === String(v);
    return false;
  };
  return (v) => (Array.isArray(v) ? v.some(scalar) : scalar(v));
}

/** dbt's UnparsedVersion order: numeric when both are numbers, else as strings. */
function compareVersions(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y))
    return x < y ? -1 : x > y ? 1 : 0;
  return a < b ? -1 : a > b ? 1 : 0;
}

function matchVersion(c: Criteria, resources: ReadonlyMap<string, Resource>): Set<string> {
  const models = (pred: (r: Resource) => boolean) =>
    scan(resources, (r) => r.resourceType === 'model' && pred(r));
  const cmp = (r: Resource): number | null =>
    r.version !== null && r.latestVersion !== null
      ? compareVersions(r.version, r.latestVersion)
      : null;
  switch (c.value) {
    case 'latest':
      return models((r) => cmp(r) === 0);
    case 'prerelease':
      return models((r) => (cmp(r) ?? 0) > 0);
    case 'old':
      return models((r) => (cmp(r) ?? 0) < 0);
    case 'none':
      return models((r) => r.version === null);
    default:
      throw fail(c.label, 'version must be latest, prerelease, old or none');
  }
}

function matchTestType(c: Criteria, resources: ReadonlyMap<string, Resource>): Set<string> {
  const generic = (r: Resource) => r.resourceType === 'test' && (r.test?.name ?? null) !== null;
  const singular = (r: Resource) => r.resourceType === 'test' && (r.test?.name ?? null) === null;
  switch (c.value) {
    case 'generic':
    case 'schema':
      return scan(resources, generic);
    case 'singular':
      return scan(resources, singular);
    case 'data':
      return scan(resources, (r) => r.resourceType === 'test');
    case 'unit':
      return scan(resources, (r) => r.resourceType === 'unit_test');
    default:
      throw fail(c.label, 'test_type must be generic, singular, data or unit');
  }
}

// ---------------------------------------------------------------------------------------
// Messages for terms that match nothing

function noMatch(c: Criteria, ctx: SelectionContext): SelectorError {
  const { resources } = ctx;
  const head = `${c.label} matches no resource`;
  if (c.method === 'fqn' && !c.explicit) {
    for (const r of resources.values())
      if (r.resourceType === 'source' && r.name === c.value)
        return new SelectorError(
          `${head}; sources are selected with source:${r.sourceName ?? '*'}.${r.name}`,
        );
  }
  const hint = suggestion(c, ctx);
  if (hint !== null) return new SelectorError(`${head}; did you mean ${JSON.stringify(hint)}?`);
  if (c.method !== 'owner' && c.value.includes('+'))
    return new SelectorError(
      `${head}; "+" is a graph operator only at the start (+x, 2+x) or the end (x+, x+1) of a term`,
    );
  return new SelectorError(`${head}; check the ${c.explicit ? 'value' : 'name'}`);
}

function suggestion(c: Criteria, ctx: SelectionContext): string | null {
  if (hasWildcard(c.value) || (c.method === 'fqn' && c.value.includes('.'))) return null;
  const values = new Set<string>();
  const prefix = c.explicit ? `${[c.method, ...c.args].join('.')}:` : '';
  const { domainOf, ownerOf } = ctx;
  for (const r of ctx.resources.values()) {
    switch (c.method) {
      case 'domain': {
        const d = domainOf?.(r.uniqueId);
        if (typeof d === 'string') values.add(d);
        break;
      }
      case 'owner':
        if (ownerOf) for (const o of ownerStrings(ownerOf(r.uniqueId))) values.add(o);
        break;
      case 'fqn':
        if (r.resourceType !== 'source') values.add(r.name);
        break;
      case 'tag':
        for (const t of r.tags) values.add(t);
        break;
      case 'package':
        values.add(r.packageName);
        break;
      case 'group':
        if (r.group !== null) values.add(r.group);
        break;
      case 'access':
        if (r.access !== null) values.add(r.access);
        break;
      case 'source':
        if (r.resourceType === 'source') {
          values.add(`${r.sourceName ?? ''}.${r.name}`);
          if (r.sourceName) values.add(r.sourceName);
        }
        break;
      case 'exposure':
      case 'metric':
      case 'semantic_model':
      case 'saved_query':
      case 'unit_test':
        if (r.resourceType === c.method) values.add(r.name);
        break;
      case 'test_name':
        if (r.test?.name) values.add(r.test.name);
        break;
      case 'file':
        if (r.filePath !== null) values.add(r.filePath.slice(r.filePath.lastIndexOf('/') + 1));
        break;
      case 'config':
        if (c.args[0] === 'materialized' && r.materialized !== null) values.add(r.materialized);
        break;
      default:
        return null;
    }
  }
  const hit = closest(c.value, values);
  return hit === null ? null : `${prefix}${hit}`;
}

/** The candidate closest to `word` within a third of its length in edits (not `word` itself). */
function closest(word: string, candidates: Iterable<string>): string | null {
  const lower = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    if (candidate === word || Math.abs(candidate.length - word.length) > bestDistance) continue;
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== null && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: edits, with a swap of neighbours counting as one. */
function editDistance(a: string, b: string): number {
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, prevPrev[j - 2]! + 1);
      cur[j] = d;
    }
    prevPrev = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

// ---------------------------------------------------------------------------------------
// Public entry points

function contextOf(
  resources: ReadonlyMap<string, Resource>,
  graph: LineageGraph,
  extra: SelectionExtras | undefined,
): SelectionContext {
  return { resources, graph, domainOf: extra?.domainOf, ownerOf: extra?.ownerOf };
}

/**
 * The ids one CLI argument picks (terms with their graph operators; spaces union, commas
 * intersect), without indirect test selection. A term that matches nothing adds nothing.
 * `extra` supplies the resolved domains and owners for `domain:` and `owner:`.
 */
export function selectTerm(
  term: string,
  resources: ReadonlyMap<string, Resource>,
  graph: LineageGraph,
  extra?: SelectionExtras,
): string[] {
  const spec = parseArgs([term], '--select');
  if (!spec) throw new SelectorError(`--select ${JSON.stringify(term)}: empty selector`);
  const ev = evaluator(contextOf(resources, graph, extra), null, 'eager', false);
  return [...evaluate(spec, ev, false)];
}

/**
 * The selected ids: the union of `select` arguments (everything when none) minus the union
 * of `exclude` arguments, each term with the tests dbt selects indirectly with it. Returns
 * null when nothing restricts the selection. A `select` term that matches no resource is an
 * error, as a typo would otherwise pass silently. `extra` supplies the resolved domains and
 * owners for `domain:` and `owner:`.
 */
export function selectResources(
  selection: Selection,
  resources: ReadonlyMap<string, Resource>,
  graph: LineageGraph,
  extra?: SelectionExtras,
): Set<string> | null {
  const include = parseArgs(selection.select ?? [], '--select');
  const exclude = parseArgs(selection.exclude ?? [], '--exclude');
  if (!include && !exclude) return null;
  const ev = evaluator(
    contextOf(resources, graph, extra),
    selection.selectors,
    selection.indirectSelection,
    true,
  );
  const chosen = include ? evaluate(include, ev, !selection.allowEmpty) : new Set(resources.keys());
  if (exclude)
    for (const id of evaluate(exclude, ev, false)) {
      chosen.delete(id);
      ev.removed.add(id);
    }
  return finish(chosen, ev);
}

/**
 * The ids a YAML selector picks (manifest.json `selectors`, keyed by name): CLI-style strings,
 * `method: value` pairs, full `{method, value, parents, children, parents_depth,
 * children_depth, childrens_parents, indirect_selection, exclude}` mappings, `union` and
 * `intersection` lists with an `{exclude: […]}` item, and `method: selector` references.
 * `options`: the indirect selection mode, the resolved domains and owners for `domain:` and
 * `owner:`, and `label`, how messages about an unknown name name it (e.g. `--selector "x"`).
 */
export function resolveSelector(
  name: string,
  selectors: Selectors | null | undefined,
  resources: ReadonlyMap<string, Resource>,
  graph: LineageGraph,
  options: ResolveOptions = {},
): Set<string> {
  const ctx = contextOf(resources, graph, options);
  const ev = evaluator(ctx, selectors, options.indirectSelection, true);
  return finish(resolveNamed(name, ev, options.label ?? null), ev);
}

export interface ResolveOptions extends SelectionExtras {
  /** Default: eager, as in dbt (a definition's own `indirect_selection` wins). */
  indirectSelection?: IndirectSelection;
  /** Prefix of messages about an unknown or undefined selector name, e.g. `--selector "x"`. */
  label?: string;
}
