/**
 * A model's dependencies and `config()` calls, captured the way dbt captures them: by rendering
 * its Jinja at parse time (`execute` false) in a context whose `ref`, `source` and `config`
 * record their calls, with the project's and installed packages' macros available and dbt's
 * runtime objects stubbed as dbt's parser stubs them (`is_incremental()` false, `run_query`
 * nothing, adapter introspection empty, missing vars None). Where rendering fails the literal
 * scan of {@link scanDeps} is used instead, and the result says which method found the
 * dependencies.
 *
 * Rendering is nunjucks with the Jinja differences handled (see jinja-engine.ts); it is bounded
 * by a step budget and a wall-clock limit, reads no files, no network and no environment, and
 * templates can reach nothing but the values given to them.
 */
import crypto from 'node:crypto';
import vm from 'node:vm';
import { dump as yamlDump, load as yamlLoad } from 'js-yaml';
import {
  ENV,
  REWRITE_HELPERS,
  RenderFailure,
  TemplateContext,
  TemplateSyntaxError,
  Frame,
  compileTemplate,
  createRuntime,
  type RootFn,
  type Runtime,
} from './jinja-engine.js';
import {
  BudgetError,
  GETATTR,
  MAPPING,
  STR,
  callable,
  hasOwn,
  isDict,
  parseJson,
  pyRepr,
  pyStr,
  setAttr,
  setOwn,
  splitArgs,
  toList,
  MAX_SIZE,
  UNKNOWN,
  setMeter,
  type Callable,
  type Special,
} from './jinja-runtime.js';
import {
  DepsCollector,
  clip,
  scanInto,
  staticDeps,
  type StaticContext,
  type TagMemo,
} from './jinja-scan.js';
import { extractBlocks, lineOf, segment, tokenize, toNunjucks, type Tok } from './jinja-text.js';

export { scanDeps, pythonDeps } from './jinja-scan.js';

export interface RefCall {
  package: string | null;
  name: string;
  version: string | null;
}

export interface SourceCall {
  source: string;
  table: string;
}

export interface ModelDeps {
  /** In call order, duplicates removed. */
  refs: RefCall[];
  sources: SourceCall[];
  /** Each config(...) call's kwargs, in call order (values as plain JS: strings, numbers, booleans, null, lists, dicts). */
  configs: Array<Record<string, unknown>>;
  method: 'render' | 'scan';
  /** Calls whose arguments are not literals known at parse time (e.g. ref(var('x')) unresolved, ref(some_loop_var)) — one description each. */
  dynamic: string[];
  /** Why rendering failed, when method is 'scan'. */
  renderError: string | null;
  /**
   * Render only: macros called but not available, as written (`fivetran_utils.union_data`,
   * `dispatch:dbt_utils.star`): their own refs, if any, are not captured. Absent when none.
   */
  unknownMacros?: string[];
  /** Calls accepted although dbt would reject them (e.g. `source()` with keyword arguments). Absent when none. */
  warnings?: string[];
}

export interface MacroSource {
  package: string;
  file: string;
  text: string;
}

export interface DbtJinjaOptions {
  /** Name of the root project (its dbt_project.yml `name`). */
  rootProject: string;
  /** Read templates that need no engine without rendering them (default true; tests compare). */
  staticPath?: boolean;
  /** Every macro file of the root project and of installed packages. */
  macros: readonly MacroSource[];
  /**
   * The root project's `vars:` as written in dbt_project.yml: global entries, plus mappings
   * keyed by a package name that apply to that package's nodes.
   */
  vars?: Record<string, unknown>;
  /** Each installed package's own dbt_project.yml `vars:`, by package name (defaults under the root's). */
  packageVars?: Record<string, Record<string, unknown>>;
  /** The target dbt would run against; `type` picks `adapter.dispatch` implementations. Default: dev, postgres. */
  target?: { name?: string; type?: string; schema?: string; database?: string };
  /** dbt_project.yml `dispatch:` entries. */
  dispatch?: ReadonlyArray<{ macro_namespace: string; search_order: readonly string[] }>;
  /** Render budget per model: steps (calls plus loop iterations) and wall-clock milliseconds. */
  limits?: { steps?: number; timeMs?: number };
}

const DEFAULT_STEPS = 1_000_000;
const DEFAULT_TIME_MS = 10_000;
const MAX_MACRO_DEPTH = 200;
const BLOCK_TAGS = new Set(['macro', 'test', 'materialization']);
const SNAPSHOT_TAGS = new Set(['snapshot']);
/**
 * Macros of dbt's own global project that models call unqualified; they are not available here
 * (they render to nothing) and make no refs, so they are not reported as unknown.
 */
/**
 * Builtins a template can reach dependencies or graph state through: the static path renders
 * any template that names one (or a macro that does).
 */
const STATIC_TAINT: readonly string[] = [
  'ref',
  'source',
  'config',
  'adapter',
  'run_query',
  'graph',
  'caller',
  'statement',
  'load_result',
  'builtins',
  'context',
  'render',
  'submit_python_job',
  'store_result',
  'store_raw_result',
  // Parse-time failures a render must see (then the model falls back to the scan).
  'exceptions',
  'modules',
];

/** Jinja keywords that may stand before a parenthesis without being calls. */
const STATIC_KEYWORDS = new Set(['not', 'and', 'or', 'in', 'is', 'if', 'else']);

const DBT_GLOBAL_MACROS = new Set([
  'any_value',
  'array_append',
  'array_concat',
  'array_construct',
  'bool_or',
  'cast',
  'cast_bool_to_text',
  'concat',
  'current_timestamp',
  'current_timestamp_backcompat',
  'current_timestamp_in_utc_backcompat',
  'date',
  'date_spine',
  'date_trunc',
  'dateadd',
  'datediff',
  'escape_single_quotes',
  'except',
  'generate_alias_name',
  'generate_database_name',
  'generate_schema_name',
  'generate_series',
  'get_intervals_between',
  'get_powers_of_two',
  'hash',
  'intersect',
  'last_day',
  'length',
  'listagg',
  'position',
  'replace',
  'right',
  'safe_cast',
  'split_part',
  'string_literal',
  'type_bigint',
  'type_boolean',
  'type_float',
  'type_int',
  'type_numeric',
  'type_string',
  'type_timestamp',
]);

/** A fixed clock: rendering must not depend on when it runs. */
const PARSE_TIME = new Date(Date.UTC(2000, 0, 1, 0, 0, 0));

interface MacroEntry {
  package: string;
  name: string;
  file: string;
  /** nunjucks-ready text of the one macro, padded so line numbers match the file. */
  text: string;
  fn?: Callable;
  error?: Error;
}

/** What the current render records into and reads from. */
interface RenderState {
  out: DepsCollector;
  packageName: string;
  name: string;
  resourceType: 'model' | 'snapshot' | 'analysis';
  file: string;
  steps: number;
  maxSteps: number;
  /** performance.now() past which the render stops. */
  deadline: number;
  /** Steps counted at the last clock check. */
  checkedAt: number;
  site: { file: string; line: number } | null;
  thisRelation: Record<string, unknown>;
  model: Record<string, unknown>;
}

/** Errors raised on purpose by template code (`exceptions.raise_compiler_error`). */
class CompilerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompilationError';
  }
}

/**
 * Regular expressions from templates can backtrack for ever and are the one operation the step
 * budget cannot interrupt; they run under `vm`'s watchdog, which can.
 */
const watchdog = vm.createContext(Object.create(null) as object);
const runScript = new vm.Script('run()');
const REGEX_TIME_MS = 1000;

function withTimeout<T>(fn: () => T, ms: number): T {
  const ctx = watchdog as { run?: () => T };
  ctx.run = fn;
  try {
    return runScript.runInContext(watchdog, { timeout: ms }) as T;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new BudgetError('regular expression time');
    }
    throw e;
  } finally {
    delete ctx.run;
  }
}

function strKw(kw: Record<string, unknown>, key: string): string | undefined {
  const v = kw[key];
  return typeof v === 'string' ? v : undefined;
}

/** A relation as `ref()`, `source()` and `this` return it. */
function relation(database: string, schema: string, identifier: string): Record<string, unknown> {
  const rel: Record<string, unknown> & Special = {
    database,
    schema,
    identifier,
    name: identifier,
    table: identifier,
    type: null,
    is_table: false,
    is_view: false,
    is_cte: false,
    // dbt_utils checks `obj is mapping and obj.get('metadata', {}).get('type', '').endswith('Relation')`.
    metadata: { type: 'BaseRelation' },
  };
  const self = callable(() => rel);
  for (const m of ['include', 'quote', 'incorporate', 'replace_path', 'without_identifier']) {
    rel[m] = self;
  }
  rel.render = callable(() => pyStr(rel));
  rel.get = callable((key?: unknown, dflt: unknown = null) =>
    typeof key === 'string' && hasOwn(rel, key) ? rel[key] : dflt,
  );
  rel[STR] = () => [database, schema, identifier].map((p) => `"${p}"`).join('.');
  rel[GETATTR] = () => undefined;
  rel[MAPPING] = true;
  return rel;
}

/** Plain JS for a config value: undefined (unknown) stays undefined so the key can be dropped. */
function plain(v: unknown, depth = 0): unknown {
  if (depth > 50 || v === UNKNOWN) return undefined;
  if (v === undefined || v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (Array.isArray(v)) return v.map((x) => plain(x, depth + 1) ?? null);
  if (isDict(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      const p = plain(v[k], depth + 1);
      if (p !== undefined) setOwn(out, k, p);
    }
    return out;
  }
  if (typeof v === 'object' && STR in v) return pyStr(v);
  if (typeof v === 'function') return undefined;
  return pyStr(v);
}

/** An argument as shown in a dynamic-call description. */
function argText(v: unknown): string {
  if (v === undefined) return '<undefined>';
  if (v === UNKNOWN) return '<unknown>';
  return pyRepr(v);
}

function messageOf(e: unknown): string {
  if (e instanceof RenderFailure) {
    const inner = messageOf(e.cause);
    return e.line !== null && !(e.cause instanceof BudgetError)
      ? `${inner} (line ${e.line})`
      : inner;
  }
  if (e instanceof TemplateSyntaxError) {
    return e.line !== null ? `${e.message} (line ${e.line})` : e.message;
  }
  if (e instanceof Error) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      return 'render budget exceeded (recursion)';
    }
    return e.message.split('\n')[0] ?? e.name;
  }
  return String(e);
}

/** Runs a compiled template's root synchronously. */
function runRoot(root: RootFn, context: TemplateContext, runtime: Runtime): string {
  const outcome: { error?: Error; result?: string } = {};
  const frame = new Frame();
  frame.topLevel = true;
  root(ENV, context, frame, runtime, (err, res) => {
    if (err) outcome.error = err instanceof Error ? err : new Error(pyStr(err));
    outcome.result = res;
  });
  if (outcome.error) throw outcome.error;
  return outcome.result ?? '';
}

/**
 * Renders dbt models, snapshots and analyses at parse time to learn their refs, sources and
 * configs. One instance per project load: macros are compiled lazily, once, and reused.
 */
export class DbtJinja {
  private readonly rootProject: string;
  private readonly macros = new Map<string, Map<string, MacroEntry>>();
  private readonly vars: Record<string, unknown>;
  private readonly packageVars: Record<string, Record<string, unknown>>;
  private readonly target: Record<string, unknown>;
  private readonly adapterType: string;
  private readonly dispatchOrder = new Map<string, string[]>();
  private readonly maxSteps: number;
  private readonly timeMs: number;
  private readonly runtime: Runtime;
  private readonly builtins: Record<string, unknown>;
  private readonly namespaces = new Map<string, Record<string, unknown>>();
  private readonly stringTemplates = new Map<string, RootFn | TemplateSyntaxError>();
  private readonly macroLoadErrors: string[] = [];
  private state: RenderState | null = null;
  /** File of each compiled template, by the id compiled into its calls. */
  private readonly templateFiles: string[] = [];
  /** Names that may reach a ref, source or config, for the static path (computed on first use). */
  private taintedNames: Set<string> | null = null;
  /** StaticContext.memo: the macros, and so the verdicts, never change after construction. */
  private readonly staticVerdicts: TagMemo = { expr: new Map(), stmt: new Map() };
  private readonly staticPath: boolean;

  constructor(options: DbtJinjaOptions) {
    this.rootProject = options.rootProject;
    this.staticPath = options.staticPath ?? true;
    this.vars = options.vars ?? {};
    this.packageVars = options.packageVars ?? {};
    this.adapterType = options.target?.type ?? 'postgres';
    const schema = options.target?.schema ?? 'dbt';
    const database = options.target?.database ?? 'database';
    this.target = {
      name: options.target?.name ?? 'dev',
      target_name: options.target?.name ?? 'dev',
      type: this.adapterType,
      schema,
      dataset: schema,
      database,
      project: database,
      profile_name: options.rootProject,
      threads: 1,
      user: 'user',
      [GETATTR]: () => undefined,
    };
    for (const d of options.dispatch ?? []) {
      if (typeof d.macro_namespace === 'string' && Array.isArray(d.search_order)) {
        this.dispatchOrder.set(
          d.macro_namespace,
          d.search_order.filter((s) => typeof s === 'string'),
        );
      }
    }
    this.maxSteps = options.limits?.steps ?? DEFAULT_STEPS;
    this.timeMs = options.limits?.timeMs ?? DEFAULT_TIME_MS;
    this.runtime = createRuntime({
      unknownCall: (name) => {
        if (!name.startsWith('dbt.') && !DBT_GLOBAL_MACROS.has(name)) {
          this.state?.out.addUnknownMacro(name);
        }
      },
      callSite: (templateId, line) => {
        const st = this.state;
        if (st) st.site = { file: this.templateFiles[templateId] ?? st.file, line };
      },
      maxMacroDepth: MAX_MACRO_DEPTH,
    });
    for (const m of options.macros) this.addMacroFile(m);
    for (const [pkg, entries] of this.macros) {
      const ns: Record<string, unknown> = {};
      for (const [name, entry] of entries) {
        Object.defineProperty(ns, name, {
          get: () => this.macroFn(entry),
          enumerable: true,
        });
      }
      this.namespaces.set(pkg, ns);
    }
    this.builtins = this.makeBuiltins();
  }

  /** Macro files that could not be read (unclosed blocks), as `file: message`. */
  get macroErrors(): readonly string[] {
    return this.macroLoadErrors;
  }

  // -------------------------------------------------------------------------------------------
  // Macros

  private addMacroFile(m: MacroSource): void {
    const { blocks, errors } = extractBlocks(m.text, BLOCK_TAGS);
    for (const e of errors) this.macroLoadErrors.push(`${m.file}: ${e}`);
    let byName = this.macros.get(m.package);
    if (!byName) {
      byName = new Map();
      this.macros.set(m.package, byName);
    }
    for (const b of blocks) {
      const header = /^([A-Za-z_][A-Za-z0-9_]*)\s*([\s\S]*)$/.exec(b.header);
      if (!header || b.unclosed) continue;
      let name = header[1] as string;
      let signature = (header[2] as string).trim();
      if (b.tag === 'test') {
        name = `test_${name}`;
      } else if (b.tag === 'materialization') {
        const adapter = /adapter\s*=\s*['"]([A-Za-z0-9_]+)['"]/.exec(signature)?.[1] ?? 'default';
        name = `materialization_${name}_${adapter}`;
        signature = '()';
      }
      if (!signature.startsWith('(')) signature = `()${signature}`;
      const body = m.text.slice(b.bodyStart, b.bodyEnd);
      const pad = '\n'.repeat(lineOf(m.text, b.start) - 1);
      const text = `${pad}{% macro ${name}${signature} %}${body}{% endmacro %}`;
      // Within a package the first definition wins (dbt reports duplicates as an error).
      if (!byName.has(name)) byName.set(name, { package: m.package, name, file: m.file, text });
    }
  }

  private macroFn(entry: MacroEntry): Callable {
    if (entry.fn) return entry.fn;
    if (entry.error) throw entry.error;
    try {
      const id = this.templateFiles.push(entry.file) - 1;
      const root = compileTemplate(toNunjucks(entry.text), entry.file, id);
      const context = new TemplateContext((n) => this.lookupGlobal(n));
      runRoot(root, context, this.runtime);
      const fn = context.getVariable(entry.name);
      if (typeof fn !== 'function') throw new Error(`macro ${entry.name} did not load`);
      entry.fn = fn as Callable;
      return entry.fn;
    } catch (e) {
      entry.error = new Error(
        `macro ${entry.package}.${entry.name} (${entry.file}): ${messageOf(e)}`,
      );
      throw entry.error;
    }
  }

  private findMacro(pkg: string, name: string): MacroEntry | undefined {
    return this.macros.get(pkg)?.get(name);
  }

  /** Unqualified names, as dbt resolves them: the node's package, the root project, then dbt's context. */
  private lookupGlobal(name: string): unknown {
    const st = this.state;
    const local = st ? this.findMacro(st.packageName, name) : undefined;
    if (local) return this.macroFn(local);
    const root = this.findMacro(this.rootProject, name);
    if (root) return this.macroFn(root);
    if (name === 'this') return st?.thisRelation;
    if (name === 'model') return st?.model;
    if (hasOwn(this.builtins, name)) return this.builtins[name];
    return this.namespaces.get(name);
  }

  /** `adapter.dispatch(name, macro_namespace)`: the implementation dbt would pick, or null. */
  private dispatch(
    name: string,
    namespace: string | null,
    packages: string[] | null,
  ): Callable | null {
    const prefixes = [this.adapterType, 'default'];
    let search: Array<string | null>;
    if (packages) search = packages;
    else if (namespace === null) search = [null];
    else {
      const configured = this.dispatchOrder.get(namespace);
      search =
        configured ?? (this.macros.has(namespace) ? [this.rootProject, namespace] : [namespace]);
    }
    for (const pkg of search) {
      for (const prefix of prefixes) {
        const macroName = `${prefix}__${name}`;
        if (pkg === null) {
          const v = this.lookupGlobal(macroName);
          if (typeof v === 'function') return v as Callable;
        } else {
          const entry = this.findMacro(pkg, macroName);
          if (entry) return this.macroFn(entry);
        }
      }
    }
    // Adapter unknown to this project's macros: take any adapter's implementation, so the
    // refs it makes are still seen.
    for (const pkg of search) {
      const names =
        pkg === null ? [this.state?.packageName ?? this.rootProject, this.rootProject] : [pkg];
      for (const p of names) {
        const entries = this.macros.get(p);
        if (!entries) continue;
        const hit = [...entries.keys()].sort().find((k) => k.endsWith(`__${name}`));
        if (hit) return this.macroFn(entries.get(hit) as MacroEntry);
      }
    }
    return null;
  }

  // -------------------------------------------------------------------------------------------
  // dbt's context

  private get current(): RenderState {
    if (!this.state) throw new Error('no render in progress');
    return this.state;
  }

  private site(): string {
    const s = this.state?.site;
    return s ? ` at ${s.file}:${s.line}` : '';
  }

  private lookupVar(name: string): { found: boolean; value: unknown } {
    const pkg = this.current.packageName;
    const layers: unknown[] = [];
    // Lowest first: the package's own vars (global, then scoped to itself), then the root's.
    if (pkg !== this.rootProject) {
      const own = this.packageVars[pkg] ?? {};
      layers.push(own, own[pkg]);
    }
    layers.push(this.vars, this.vars[pkg]);
    let found = false;
    let value: unknown;
    for (const layer of layers) {
      if (isDict(layer) && hasOwn(layer, name)) {
        found = true;
        value = layer[name];
      }
    }
    return { found, value };
  }

  /** A string var holding Jinja is rendered where it is used, as dbt does. */
  private renderString(text: string): string {
    let root = this.stringTemplates.get(text);
    if (!root) {
      try {
        const id = this.templateFiles.push('a var or hook') - 1;
        root = compileTemplate(toNunjucks(text), 'var', id);
      } catch (e) {
        root = e instanceof TemplateSyntaxError ? e : new TemplateSyntaxError(String(e), null);
      }
      this.stringTemplates.set(text, root);
    }
    if (root instanceof TemplateSyntaxError) throw root;
    return runRoot(root, new TemplateContext((n) => this.lookupGlobal(n)), this.runtime);
  }

  private recordRef(args: unknown[]): Record<string, unknown> {
    const st = this.current;
    const { pos, kw } = splitArgs(args);
    const v = hasOwn(kw, 'version') ? kw.version : kw.v;
    const versionOk =
      v === undefined || v === null || typeof v === 'string' || typeof v === 'number';
    const known = pos.every((p) => typeof p === 'string') && (pos.length === 1 || pos.length === 2);
    const extraKw = Object.keys(kw).filter((k) => k !== 'v' && k !== 'version');
    if (!known || !versionOk || extraKw.length > 0) {
      const shown = [...pos.map(argText), ...Object.keys(kw).map((k) => `${k}=${argText(kw[k])}`)];
      st.out.addDynamic(`${clip(`ref(${shown.join(', ')})`)}${this.site()}`);
      const last = pos[pos.length - 1];
      return relation(
        String(this.target.database),
        String(this.target.schema),
        typeof last === 'string' ? last : '',
      );
    }
    const name = pos[pos.length - 1] as string;
    st.out.addRef({
      package: pos.length === 2 ? (pos[0] as string) : null,
      name,
      version: v === undefined || v === null ? null : String(v),
    });
    return relation(String(this.target.database), String(this.target.schema), name);
  }

  private recordSource(args: unknown[]): Record<string, unknown> {
    const st = this.current;
    const { pos, kw } = splitArgs(args);
    const source = pos[0] ?? kw.source_name;
    const table = pos[1] ?? kw.table_name;
    const count = pos.length + Object.keys(kw).length;
    if (typeof source !== 'string' || typeof table !== 'string' || count !== 2) {
      const shown = [...pos.map(argText), ...Object.keys(kw).map((k) => `${k}=${argText(kw[k])}`)];
      st.out.addDynamic(`${clip(`source(${shown.join(', ')})`)}${this.site()}`);
      return relation(
        String(this.target.database),
        typeof source === 'string' ? source : '',
        typeof table === 'string' ? table : '',
      );
    }
    if (Object.keys(kw).length > 0) {
      st.out.addWarning(
        `source(${pyRepr(source)}, ${pyRepr(table)}) called with keyword arguments${this.site()}: dbt's source() takes positional arguments only`,
      );
    }
    st.out.addSource({ source, table });
    return relation(String(this.target.database), source, table);
  }

  private recordConfig(args: unknown[]): string {
    const st = this.current;
    const { pos, kw } = splitArgs(args);
    const given: Record<string, unknown> =
      pos.length === 1 && isDict(pos[0]) ? { ...pos[0], ...kw } : kw;
    if (pos.length > 0 && !(pos.length === 1 && isDict(pos[0]))) {
      st.out.addDynamic(`${clip(`config(${pos.map(argText).join(', ')})`)}${this.site()}`);
    }
    const config: Record<string, unknown> = {};
    for (const k of Object.keys(given)) {
      const p = plain(given[k]);
      if (p === undefined)
        st.out.addDynamic(`config(${clip(k, 60)}=…)${this.site()}: value not known at parse time`);
      else setOwn(config, k, p);
    }
    st.out.configs.push(config);
    return '';
  }

  private makeBuiltins(): Record<string, unknown> {
    const ref = callable((...a: unknown[]) => this.recordRef(a));
    const source = callable((...a: unknown[]) => this.recordSource(a));
    const config = callable((...a: unknown[]) => this.recordConfig(a), {
      get: callable(() => ''),
      require: callable(() => ''),
      set: callable((name?: unknown, value?: unknown) =>
        typeof name === 'string' ? this.recordConfig([{ [name]: value }]) : '',
      ),
      persist_relation_docs: callable(() => false),
      persist_column_docs: callable(() => false),
    });
    const nothing = callable(() => '');
    const unknownResult = callable(() => UNKNOWN);
    const none = callable(() => null);
    const emptyList = callable(() => []);
    const thrower = (kind: string) =>
      callable((msg?: unknown) => {
        throw new CompilerError(`${kind}: ${pyStr(msg)}`);
      });
    const exceptions: Record<string, unknown> = {
      raise_compiler_error: thrower('compilation error'),
      raise_not_implemented: thrower('not implemented'),
      raise_database_error: thrower('database error'),
      raise_dependency_error: thrower('dependency error'),
      raise_fail_fast_error: thrower('fail fast'),
      raise_contract_error: thrower('contract error'),
      column_type_missing: thrower('column type missing'),
      relation_wrong_type: thrower('relation wrong type'),
      warn: nothing,
      warn_snapshot_timestamp_data_types: nothing,
      [GETATTR]: () => thrower('compilation error'),
    };
    const relCreate = callable((...a: unknown[]) => {
      const { kw } = splitArgs(a);
      return relation(
        strKw(kw, 'database') ?? String(this.target.database),
        strKw(kw, 'schema') ?? String(this.target.schema),
        strKw(kw, 'identifier') ?? '',
      );
    });
    const api = {
      Relation: { create: relCreate, [GETATTR]: () => nothing },
      Column: { create: callable(() => ({})), [GETATTR]: () => nothing },
    };
    const adapter: Record<string, unknown> = {
      dispatch: callable((...a: unknown[]) => {
        const { pos, kw } = splitArgs(a);
        const name = pos[0] ?? kw.macro_name;
        if (typeof name !== 'string') return nothing;
        const nsArg = pos[1] ?? kw.macro_namespace;
        const namespace = typeof nsArg === 'string' ? nsArg : null;
        const pkgs = kw.packages;
        const packages = Array.isArray(pkgs)
          ? pkgs.filter((p): p is string => typeof p === 'string')
          : null;
        const found = this.dispatch(name, namespace, packages);
        if (found) return found;
        if (namespace === 'dbt') return nothing;
        this.state?.out.addUnknownMacro(`dispatch:${namespace ? `${namespace}.` : ''}${name}`);
        // A package that is not installed: its result is unknown (see UNKNOWN).
        return namespace !== null && !this.macros.has(namespace) ? unknownResult : nothing;
      }),
      quote: callable((x?: unknown) => `"${pyStr(x)}"`),
      quote_as_configured: callable((x?: unknown) => pyStr(x)),
      quote_seed_column: callable((x?: unknown) => pyStr(x)),
      type: callable(() => this.adapterType),
      get_columns_in_relation: emptyList,
      get_columns_in_query: emptyList,
      get_column_schema_from_query: emptyList,
      get_missing_columns: emptyList,
      list_relations_without_caching: emptyList,
      list_schemas: emptyList,
      get_relation: none,
      load_relation: none,
      check_schema_exists: callable(() => false),
      already_exists: callable(() => false),
      Relation: api.Relation,
      Column: api.Column,
      [GETATTR]: () => nothing,
    };
    const dt = (d: Date): Record<string, unknown> => ({
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      microsecond: 0,
      isoformat: callable(() => d.toISOString().replace('Z', '')),
      strftime: callable((fmt?: unknown) => strftime(d, pyStr(fmt))),
      timestamp: callable(() => d.getTime() / 1000),
      date: callable(() => dt(d)),
      replace: callable(() => dt(d)),
      astimezone: callable(() => dt(d)),
      [STR]: () => d.toISOString().replace('T', ' ').replace('Z', ''),
      [GETATTR]: () => undefined,
    });
    const now = callable(() => dt(PARSE_TIME));
    const datetime = {
      datetime: {
        now,
        utcnow: now,
        today: now,
        strptime: now,
        fromisoformat: now,
        combine: now,
        min: dt(new Date(Date.UTC(1, 0, 1))),
        [GETATTR]: () => undefined,
      },
      date: { today: now, fromisoformat: now, [GETATTR]: () => undefined },
      timedelta: callable(() => ({ days: 0, seconds: 0, [GETATTR]: () => undefined })),
      timezone: { utc: 'UTC', [GETATTR]: () => undefined },
      [GETATTR]: () => undefined,
    };
    const re = {
      search: callable((p?: unknown, s?: unknown) => reMatch(p, s, false)),
      match: callable((p?: unknown, s?: unknown) => reMatch(p, s, true)),
      fullmatch: callable((p?: unknown, s?: unknown) => reMatch(`(?:${pyStr(p)})$`, s, true)),
      findall: callable((p?: unknown, s?: unknown) => {
        const rx = safeRegExp(p, 'g');
        if (!rx) return [];
        return withTimeout(() => [...pyStr(s).matchAll(rx)], REGEX_TIME_MS)
          .slice(0, MAX_SIZE)
          .map((m) => m[1] ?? m[0]);
      }),
      sub: callable((p?: unknown, r?: unknown, s?: unknown) => {
        const rx = safeRegExp(p, 'g');
        if (!rx) return pyStr(s);
        const repl = pyStr(r).replace(/\\(\d)/g, '$$$1');
        return withTimeout(() => pyStr(s).replace(rx, repl), REGEX_TIME_MS);
      }),
      split: callable((p?: unknown, s?: unknown) => {
        const rx = safeRegExp(p, '');
        return rx ? withTimeout(() => pyStr(s).split(rx), REGEX_TIME_MS) : [pyStr(s)];
      }),
      compile: callable((p?: unknown) => ({
        search: callable((s?: unknown) => reMatch(p, s, false)),
        match: callable((s?: unknown) => reMatch(p, s, true)),
        [GETATTR]: () => undefined,
      })),
      escape: callable((s?: unknown) => pyStr(s).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      IGNORECASE: 2,
      I: 2,
      [GETATTR]: () => undefined,
    };
    const itertools = {
      chain: callable((...a: unknown[]) => a.flatMap((x) => toList(x))),
      product: callable((...a: unknown[]) => {
        let acc: unknown[][] = [[]];
        for (const l of a) {
          acc = acc.flatMap((p) => toList(l).map((x) => [...p, x]));
          if (acc.length > MAX_SIZE) throw new BudgetError('itertools.product size');
        }
        return acc;
      }),
      [GETATTR]: () => undefined,
    };
    const builtinsNs = { ref, source, config };
    const rangeFn = callable((...a: unknown[]) => {
      const nums = splitArgs(a).pos.map((x) => Math.trunc(Number(x)));
      const [start, stop, step] =
        nums.length === 1 ? [0, nums[0] as number, 1] : [nums[0] ?? 0, nums[1] ?? 0, nums[2] ?? 1];
      if (
        !Number.isFinite(start) ||
        !Number.isFinite(stop) ||
        !Number.isFinite(step) ||
        step === 0
      ) {
        return [];
      }
      const n = Math.max(0, Math.ceil((stop - start) / step));
      if (n > MAX_SIZE) throw new BudgetError(`range of ${n}`);
      return Array.from({ length: n }, (_x, i) => start + i * step);
    });
    const varFn = callable(
      (...a: unknown[]) => {
        const { pos, kw } = splitArgs(a);
        const name = pos[0];
        if (typeof name !== 'string') return null;
        const { found, value } = this.lookupVar(name);
        if (found) {
          return typeof value === 'string' && /\{[{%]/.test(value)
            ? this.renderString(value)
            : value;
        }
        if (pos.length > 1) return pos[1];
        if (hasOwn(kw, 'default')) return kw.default;
        // dbt's parser returns None for a var that is not set.
        return null;
      },
      {
        has_var: callable(
          (name?: unknown) => typeof name === 'string' && this.lookupVar(name).found,
        ),
      },
    );
    const b: Record<string, unknown> = {
      ...REWRITE_HELPERS,
      __setattr: callable((obj?: unknown, key?: unknown, value?: unknown) =>
        setAttr(obj, key, value),
      ),
      True: true,
      False: false,
      None: null,
      ref,
      source,
      config,
      builtins: builtinsNs,
      var: varFn,
      env_var: callable((...a: unknown[]) => {
        // Never the real environment: the default when given, else an empty string.
        const { pos, kw } = splitArgs(a);
        if (pos.length > 1) return pos[1];
        return hasOwn(kw, 'default') ? kw.default : '';
      }),
      target: this.target,
      adapter,
      api,
      execute: false,
      flags: {
        FULL_REFRESH: false,
        STORE_FAILURES: false,
        WHICH: 'parse',
        STATE_MODIFIED: false,
        [GETATTR]: () => undefined,
      },
      graph: {
        nodes: {},
        sources: {},
        exposures: {},
        metrics: {},
        groups: {},
        semantic_models: {},
        saved_queries: {},
        unit_tests: {},
        macros: {},
      },
      exceptions,
      is_incremental: callable(() => false),
      should_full_refresh: callable(() => false),
      should_store_failures: callable(() => false),
      run_query: callable(() => undefined),
      statement: nothing,
      noop_statement: nothing,
      load_result: none,
      load_relation: none,
      load_cached_relation: none,
      store_result: nothing,
      store_raw_result: nothing,
      set_sql_header: callable((...a: unknown[]) => {
        const { kw } = splitArgs(a);
        const caller = kw.caller;
        if (typeof caller === 'function') {
          this.recordConfig([{ sql_header: (caller as () => unknown)() }]);
        }
        return '';
      }),
      return: callable((value?: unknown) => this.runtime.doReturn(value)),
      render: callable((text?: unknown) =>
        typeof text === 'string' ? this.renderString(text) : '',
      ),
      validation: { any: callable(() => callable(() => null)) },
      log: nothing,
      print: nothing,
      write: nothing,
      doc: nothing,
      submit_python_job: nothing,
      modules: {
        datetime,
        pytz: { timezone: callable(() => 'UTC'), utc: 'UTC', [GETATTR]: () => undefined },
        re,
        itertools,
        [GETATTR]: () => undefined,
      },
      run_started_at: dt(PARSE_TIME),
      invocation_id: '00000000-0000-0000-0000-000000000000',
      dbt_version: '1.10.0',
      project_name: this.rootProject,
      database: this.target.database,
      schema: this.target.schema,
      selected_resources: [],
      dbt_metadata_envs: {},
      invocation_args_dict: {},
      thread_id: 'Thread-1',
      range: rangeFn,
      dict: callable((...a: unknown[]) => {
        const { pos, kw } = splitArgs(a);
        const out: Record<string, unknown> = {};
        const first = pos[0];
        if (isDict(first)) for (const k of Object.keys(first)) setOwn(out, k, first[k]);
        else if (Array.isArray(first)) {
          for (const p of first) if (Array.isArray(p)) setOwn(out, pyStr(p[0]), p[1]);
        }
        for (const k of Object.keys(kw)) setOwn(out, k, kw[k]);
        return out;
      }),
      list: callable((x?: unknown) => [...toList(x)]),
      set: callable((x?: unknown) => {
        const out: unknown[] = [];
        for (const v of toList(x)) if (!out.includes(v)) out.push(v);
        return out;
      }),
      set_strict: callable((x?: unknown) => [...new Set(toList(x))]),
      zip: callable((...a: unknown[]) => zip(splitArgs(a).pos)),
      zip_strict: callable((...a: unknown[]) => zip(splitArgs(a).pos)),
      namespace: callable((...a: unknown[]) => {
        const { pos, kw } = splitArgs(a);
        const out: Record<string, unknown> = {};
        const first = pos[0];
        if (isDict(first)) for (const k of Object.keys(first)) setOwn(out, k, first[k]);
        for (const k of Object.keys(kw)) setOwn(out, k, kw[k]);
        return out;
      }),
      joiner: callable((sep?: unknown) => {
        let first = true;
        return callable(() => {
          if (first) {
            first = false;
            return '';
          }
          return sep === undefined ? ', ' : pyStr(sep);
        });
      }),
      cycler: callable((...items: unknown[]) => {
        let i = 0;
        return {
          next: callable(() => items[i++ % Math.max(1, items.length)]),
          [GETATTR]: () => undefined,
        };
      }),
      tojson: callable((v?: unknown) => JSON.stringify(plain(v) ?? null)),
      fromjson: callable((s?: unknown, dflt?: unknown) => parseJson(pyStr(s)) ?? dflt ?? null),
      toyaml: callable((v?: unknown) => yamlDump(plain(v) ?? null)),
      fromyaml: callable((s?: unknown, dflt?: unknown) => {
        try {
          return yamlLoad(pyStr(s)) ?? dflt ?? null;
        } catch {
          return dflt ?? null;
        }
      }),
      local_md5: callable((s?: unknown) => crypto.createHash('md5').update(pyStr(s)).digest('hex')),
      try_or_compiler_error: callable((...a: unknown[]) => {
        const fn = a[1];
        if (typeof fn !== 'function') return undefined;
        try {
          return (fn as (...x: unknown[]) => unknown)(...a.slice(2));
        } catch (e) {
          if (e instanceof BudgetError) throw e;
          throw new CompilerError(pyStr(a[0]));
        }
      }),
      diff_of_two_dicts: callable((x?: unknown, y?: unknown) => {
        if (!isDict(x) || !isDict(y)) return {};
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(x)) if (!hasOwn(y, k)) setOwn(out, k, x[k]);
        return out;
      }),
    };
    return b;
  }

  // -------------------------------------------------------------------------------------------
  // Rendering

  /** Whether the node's package or the root project redefines ref, source or config. */
  private overridesBuiltins(packageName: string): boolean {
    // Asked once per model; the macros never change after construction.
    let known = this.overrides.get(packageName);
    if (known === undefined) {
      known = ['ref', 'source', 'config'].some(
        (n) =>
          this.findMacro(packageName, n) !== undefined ||
          this.findMacro(this.rootProject, n) !== undefined,
      );
      this.overrides.set(packageName, known);
    }
    return known;
  }

  private readonly overrides = new Map<string, boolean>();

  /**
   * What the static path may skip rendering for: names that cannot add a dependency. A macro is
   * tainted when its text names a tainted builtin or another tainted macro (by name, across
   * packages: an over-approximation, so a doubt means rendering).
   */
  private staticContext(): StaticContext {
    if (!this.taintedNames) {
      const tainted = new Set(STATIC_TAINT);
      const jinjaIn = (v: unknown) => /\{[{%]/.test(JSON.stringify(v) ?? '');
      if (jinjaIn(this.vars) || jinjaIn(this.packageVars)) tainted.add('var');
      const bodies: Array<[string, Set<string>]> = [];
      for (const entries of this.macros.values())
        for (const [name, entry] of entries) {
          const names = entry.text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
          // Named again after its own header: it may recurse, which only a render bounds.
          if (names.filter((n) => n === name).length > 1) tainted.add(name);
          bodies.push([name, new Set(names)]);
        }
      for (let changed = true; changed;) {
        changed = false;
        for (const [name, names] of bodies) {
          if (tainted.has(name)) continue;
          for (const n of names) {
            if (n !== name && tainted.has(n)) {
              tainted.add(name);
              changed = true;
              break;
            }
          }
        }
      }
      this.taintedNames = tainted;
    }
    const tainted = this.taintedNames;
    const defined = (name: string) => this.macroNames().has(name);
    return {
      memo: this.staticVerdicts,
      tainted: (name) => tainted.has(name) || (defined(name) && !this.macroSound(name)),
      unknownNamespace: (ns) => !this.macros.has(ns) && !Object.hasOwn(this.builtins, ns),
      unknownCall: (name) =>
        !STATIC_KEYWORDS.has(name) &&
        !Object.hasOwn(this.builtins, name) &&
        !DBT_GLOBAL_MACROS.has(name) &&
        !defined(name),
    };
  }

  /** Every macro name of every package (asked for each name of each tag the static path reads). */
  private macroNames(): Set<string> {
    if (!this.allMacroNames) {
      this.allMacroNames = new Set();
      for (const entries of this.macros.values())
        for (const name of entries.keys()) this.allMacroNames.add(name);
    }
    return this.allMacroNames;
  }

  private allMacroNames: Set<string> | null = null;

  /** Per macro name: compiles (every definition) and is not recursive, nor any macro it names. */
  private readonly soundMacros = new Map<string, boolean | 'checking'>();

  private macroSound(name: string): boolean {
    const known = this.soundMacros.get(name);
    if (known === 'checking') return false; // recursion: a render must bound it
    if (known !== undefined) return known;
    this.soundMacros.set(name, 'checking');
    let sound = true;
    for (const entries of this.macros.values()) {
      const entry = entries.get(name);
      if (!entry) continue;
      try {
        // A plain macro compiles for sure: no need to load nunjucks to find out.
        if (!plainMacro(entry.text)) this.macroFn(entry);
      } catch {
        sound = false;
        break;
      }
      for (const n of new Set(entry.text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [])) {
        if (n === name) continue;
        if (this.macroNames().has(n) && !this.macroSound(n)) {
          sound = false;
          break;
        }
      }
      if (!sound) break;
    }
    this.soundMacros.set(name, sound);
    return sound;
  }

  private render(
    sql: string,
    file: string,
    packageName: string,
    name: string,
    resourceType: RenderState['resourceType'],
  ): ModelDeps {
    try {
      if (this.staticPath && !this.overridesBuiltins(packageName)) {
        const simple = staticDeps(sql, this.staticContext());
        if (simple) return simple;
      }
    } catch {
      // Not simple after all: render below.
    }
    const out = new DepsCollector();
    const schema = String(this.target.schema);
    const database = String(this.target.database);
    this.state = {
      out,
      packageName,
      name,
      resourceType,
      file,
      steps: 0,
      maxSteps: this.maxSteps,
      deadline: performance.now() + this.timeMs,
      checkedAt: 0,
      site: null,
      thisRelation: relation(database, schema, name),
      model: {
        name,
        alias: name,
        unique_id: `${resourceType}.${packageName}.${name}`,
        package_name: packageName,
        resource_type: resourceType,
        original_file_path: file,
        path: file,
        schema,
        database,
        fqn: [packageName, name],
        config: { [GETATTR]: () => undefined },
        tags: [],
        meta: {},
        columns: {},
        refs: [],
        sources: [],
        language: 'sql',
        [GETATTR]: () => undefined,
      },
    };
    const st = this.state;
    const previousMeter = setMeter({
      tick(n: number) {
        st.steps += n;
        if (st.steps > st.maxSteps) throw new BudgetError('steps');
        if (st.steps - st.checkedAt >= 1024) {
          st.checkedAt = st.steps;
          if (performance.now() > st.deadline) throw new BudgetError('time');
        }
      },
    });
    try {
      const segmented = segment(sql);
      if (segmented.error) throw new TemplateSyntaxError(segmented.error, null);
      const id = this.templateFiles.push(file) - 1;
      const root = compileTemplate(toNunjucks(sql, segmented), file, id);
      runRoot(root, new TemplateContext((n) => this.lookupGlobal(n)), this.runtime);
      this.renderHooks(out);
      return out.result('render', null);
    } catch (e) {
      const fallback = new DepsCollector();
      scanInto(sql, fallback);
      return fallback.result('scan', messageOf(e));
    } finally {
      setMeter(previousMeter);
      this.runtime.reset();
      this.state = null;
    }
  }

  /** Hooks set in config() are rendered too; their refs count (dbt renders hooks at parse). */
  private renderHooks(out: DepsCollector): void {
    const hooks: string[] = [];
    for (const c of out.configs) {
      for (const key of ['pre_hook', 'post_hook', 'pre-hook', 'post-hook']) {
        if (!hasOwn(c, key)) continue;
        for (const h of Array.isArray(c[key]) ? (c[key] as unknown[]) : [c[key]]) {
          const sqlText = isDict(h) ? h.sql : h;
          if (typeof sqlText === 'string' && /\{[{%]/.test(sqlText)) hooks.push(sqlText);
        }
      }
    }
    for (const h of hooks) {
      try {
        this.renderString(h);
      } catch (e) {
        if (e instanceof BudgetError) throw e;
        out.addDynamic(clip(`hook not rendered (${messageOf(e)}): ${h}`));
        scanInto(h, out);
      }
    }
  }

  /** A model's (or analysis') dependencies and config() calls; never throws. */
  modelDeps(sql: string, file: string, packageName: string): ModelDeps {
    const path = file.replace(/\\/g, '/');
    const name = (path.split('/').pop() ?? path).replace(/\.[^.]*$/, '');
    const resourceType = /(^|\/)analys[ie]s\//.test(path) ? 'analysis' : 'model';
    return this.render(sql, file, packageName, name, resourceType);
  }

  /** `{% snapshot name %} ... {% endsnapshot %}` blocks in a snapshot file, each with its deps and config. */
  snapshotBlocks(
    sql: string,
    file: string,
    packageName: string,
  ): Array<{ name: string; deps: ModelDeps }> {
    const out: Array<{ name: string; deps: ModelDeps }> = [];
    try {
      for (const b of extractBlocks(sql, SNAPSHOT_TAGS).blocks) {
        const name = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(b.header)?.[1];
        if (!name) continue;
        // Keep line numbers as in the file.
        const body = '\n'.repeat(lineOf(sql, b.bodyStart) - 1) + sql.slice(b.bodyStart, b.bodyEnd);
        if (b.unclosed) {
          const deps = new DepsCollector();
          scanInto(body, deps);
          out.push({
            name,
            deps: deps.result('scan', `unclosed {% snapshot %} at line ${lineOf(sql, b.start)}`),
          });
        } else {
          out.push({ name, deps: this.render(body, file, packageName, name, 'snapshot') });
        }
      }
    } catch {
      // render() does not throw; block extraction on pathological input is all that could.
    }
    return out;
  }
}

function zip(lists: unknown[]): unknown[][] {
  const ls = lists.map((l) => toList(l));
  const n = ls.length === 0 ? 0 : Math.min(...ls.map((l) => l.length));
  return Array.from({ length: n }, (_x, i) => ls.map((l) => l[i]));
}

function safeRegExp(p: unknown, flags: string): RegExp | null {
  try {
    return new RegExp(pyStr(p), flags);
  } catch {
    return null;
  }
}

function reMatch(p: unknown, s: unknown, anchored: boolean): unknown {
  const rx = safeRegExp(anchored ? `^(?:${pyStr(p)})` : p, '');
  const text = pyStr(s);
  const m = rx ? withTimeout(() => rx.exec(text), REGEX_TIME_MS) : null;
  if (!m) return null;
  return {
    group: callable((i?: unknown) => m[typeof i === 'number' ? i : 0] ?? null),
    groups: callable(() => m.slice(1)),
    start: callable(() => m.index),
    end: callable(() => m.index + m[0].length),
    [GETATTR]: () => undefined,
  };
}

function strftime(d: Date, fmt: string): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return fmt.replace(/%([YmdHMSjyBbfz%])/g, (_m, c: string) => {
    switch (c) {
      case 'Y':
        return String(d.getUTCFullYear());
      case 'y':
        return pad(d.getUTCFullYear() % 100);
      case 'm':
        return pad(d.getUTCMonth() + 1);
      case 'd':
        return pad(d.getUTCDate());
      case 'H':
        return pad(d.getUTCHours());
      case 'M':
        return pad(d.getUTCMinutes());
      case 'S':
        return pad(d.getUTCSeconds());
      case 'f':
        return '000000';
      case 'j':
        return pad(
          Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1,
          3,
        );
      case '%':
        return '%';
      default:
        return '';
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Plain macros

/** Words a name in a plain macro's tag may not be (nunjucks reads them as syntax). */
const JINJA_WORDS: ReadonlySet<string> = new Set(
  (
    'if elif else endif for endfor in not and or is macro endmacro set endset block endblock ' +
    'call endcall filter endfilter raw endraw import from include extends with endwith do ' +
    'as ignore missing true false none True False None'
  ).split(' '),
);

/** `name` or `name.attr.attr` between `from` and the end of `sig`. */
function plainName(sig: readonly Tok[], from: number): boolean {
  if (from >= sig.length) return false;
  for (let i = from; i < sig.length; i++) {
    const t = sig[i]!;
    const want = (i - from) % 2 === 0 ? 'name' : '.';
    if (want === 'name' ? t.kind !== 'name' || JINJA_WORDS.has(t.raw) : t.raw !== '.') return false;
  }
  return (sig.length - from) % 2 === 1;
}

/** `macro name(a, b=literal, …)`: parameters with literal defaults only. */
function plainHeader(sig: readonly Tok[]): boolean {
  const name = sig[1];
  if (name?.kind !== 'name' || JINJA_WORDS.has(name.raw) || sig[2]?.raw !== '(') return false;
  if (sig[sig.length - 1]?.raw !== ')') return false;
  const params = sig.slice(3, -1);
  for (let i = 0; i < params.length;) {
    const p = params[i];
    if (p?.kind !== 'name' || JINJA_WORDS.has(p.raw)) return false;
    i++;
    if (params[i]?.raw === '=') {
      const v = params[i + 1];
      const literal =
        v !== undefined &&
        (v.kind === 'num' ||
          (v.kind === 'str' && !v.raw.startsWith('f')) ||
          (v.kind === 'name' && /^(?:true|false|none|True|False|None)$/.test(v.raw)));
      if (!literal) return false;
      i += 2;
    }
    if (i < params.length) {
      if (params[i]!.raw !== ',' || i + 1 >= params.length) return false;
      i++;
    }
  }
  return true;
}

/**
 * Whether a macro's text is so plain that nunjucks compiles it and defining it cannot fail:
 * the header `macro name(a, b=literal)`, then only text, comments, `{{ name.attr }}` and
 * `if`/`elif`/`else`/`endif` over such names, then `endmacro` (whitespace control with `-`
 * only). Small formatting macros usually are; macroSound() then need not compile them.
 */
export function plainMacro(text: string): boolean {
  const { segments, error } = segment(text);
  if (error !== null) return false;
  let state: 'before' | 'body' | 'after' = 'before';
  /** Per open `if`: whether its `else` was seen (then no `elif` or `else` may follow). */
  const ifs: boolean[] = [];
  for (const seg of segments) {
    if (seg.kind === 'comment') continue;
    if (seg.kind === 'text') {
      if (state !== 'body' && seg.inner.trim() !== '') return false;
      continue;
    }
    if (seg.kind === 'raw' || seg.open === '+' || seg.close === '+') return false;
    const sig = tokenize(seg.inner).filter((t) => t.kind !== 'ws');
    if (sig.some((t) => t.kind === 'comment' || t.kind === 'fstr')) return false;
    if (seg.kind === 'expr') {
      if (state !== 'body' || !plainName(sig, 0)) return false;
      continue;
    }
    const head = sig[0]?.raw;
    if (state === 'before') {
      if (head !== 'macro' || !plainHeader(sig)) return false;
      state = 'body';
    } else if (state === 'after') {
      return false;
    } else if (head === 'endmacro' && sig.length === 1) {
      if (ifs.length > 0) return false;
      state = 'after';
    } else if (head === 'if') {
      if (!plainName(sig, 1)) return false;
      ifs.push(false);
    } else if (head === 'elif') {
      if (!plainName(sig, 1) || ifs.length === 0 || ifs[ifs.length - 1]) return false;
    } else if (head === 'else' && sig.length === 1) {
      if (ifs.length === 0 || ifs[ifs.length - 1]) return false;
      ifs[ifs.length - 1] = true;
    } else if (head === 'endif' && sig.length === 1) {
      if (ifs.pop() === undefined) return false;
    } else return false;
  }
  return state === 'after';
}
