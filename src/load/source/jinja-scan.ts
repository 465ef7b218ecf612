/**
 * Literal dependency scans: the fallback for SQL models whose Jinja cannot be rendered, and the
 * reader for Python models (`dbt.ref(…)`, `dbt.source(…)`, `dbt.config(…)`). Only calls whose
 * arguments are literals are recorded; the others are listed as dynamic.
 */
import type { ModelDeps, RefCall, SourceCall } from './jinja.js';
import {
  argLiteral,
  bracketMatches,
  segment,
  splitArgs,
  tokenize,
  tokText,
  type CallArg,
  type Literal,
  type Tok,
} from './jinja-text.js';

/** Collects calls in order, without duplicates. */
export class DepsCollector {
  readonly refs: RefCall[] = [];
  readonly sources: SourceCall[] = [];
  readonly configs: Array<Record<string, unknown>> = [];
  readonly dynamic: string[] = [];
  readonly warnings: string[] = [];
  readonly unknownMacros: string[] = [];
  private readonly seen = new Set<string>();

  addRef(ref: RefCall): void {
    const key = `r\0${ref.package ?? ''}\0${ref.name}\0${ref.version ?? ''}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.refs.push(ref);
  }

  addSource(src: SourceCall): void {
    const key = `s\0${src.source}\0${src.table}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.sources.push(src);
  }

  addDynamic(desc: string): void {
    this.addOnce(this.dynamic, 'd', desc);
  }

  addWarning(desc: string): void {
    this.addOnce(this.warnings, 'w', desc);
  }

  addUnknownMacro(name: string): void {
    this.addOnce(this.unknownMacros, 'm', name);
  }

  private addOnce(list: string[], kind: string, desc: string): void {
    const key = `${kind}\0${desc}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    list.push(desc);
  }

  result(method: 'render' | 'scan', renderError: string | null): ModelDeps {
    const deps: ModelDeps = {
      refs: this.refs,
      sources: this.sources,
      configs: this.configs,
      method,
      dynamic: this.dynamic,
      renderError,
    };
    if (this.warnings.length > 0) deps.warnings = this.warnings;
    if (this.unknownMacros.length > 0) deps.unknownMacros = this.unknownMacros;
    return deps;
  }
}

/** Shortens call text for a dynamic-call description. */
export function clip(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function versionText(lit: { value: Literal; raw?: string }): string | null {
  if (typeof lit.value === 'string') return lit.value;
  if (typeof lit.value === 'number') return lit.raw ?? String(lit.value);
  return null;
}

function describe(fn: string, args: readonly CallArg[]): string {
  const parts = args.map((a) => {
    const prefix = a.splat === 1 ? '*' : a.splat === 2 ? '**' : a.name ? `${a.name}=` : '';
    return prefix + tokText(a.toks);
  });
  return clip(`${fn}(${parts.join(', ')})`);
}

function scanRef(args: readonly CallArg[], out: DepsCollector, fn: string): void {
  const positional: string[] = [];
  let version: string | null = null;
  for (const a of args) {
    const lit = a.splat === 0 ? argLiteral(a) : undefined;
    if (a.name === null && a.splat === 0 && typeof lit?.value === 'string') {
      positional.push(lit.value);
    } else if ((a.name === 'v' || a.name === 'version') && lit !== undefined) {
      const v = versionText(lit);
      if (v === null && lit.value !== null) return out.addDynamic(describe(fn, args));
      version = v;
    } else {
      return out.addDynamic(describe(fn, args));
    }
  }
  if (positional.length === 1) {
    out.addRef({ package: null, name: positional[0] as string, version });
  } else if (positional.length === 2) {
    out.addRef({ package: positional[0] as string, name: positional[1] as string, version });
  } else {
    out.addDynamic(describe(fn, args));
  }
}

function scanSource(args: readonly CallArg[], out: DepsCollector, fn: string): void {
  const positional: string[] = [];
  const named: Record<string, string> = {};
  for (const a of args) {
    const lit = a.splat === 0 ? argLiteral(a) : undefined;
    if (typeof lit?.value !== 'string') return out.addDynamic(describe(fn, args));
    if (a.name === null) positional.push(lit.value);
    else if (a.name === 'source_name' || a.name === 'table_name') named[a.name] = lit.value;
    else return out.addDynamic(describe(fn, args));
  }
  const source = positional[0] ?? named.source_name;
  const table = positional[1] ?? named.table_name;
  if (
    source === undefined ||
    table === undefined ||
    positional.length + Object.keys(named).length !== 2
  ) {
    return out.addDynamic(describe(fn, args));
  }
  if (Object.keys(named).length > 0) {
    out.addWarning(
      `${describe(fn, args)}: dbt's source() takes positional arguments only; keyword arguments accepted here`,
    );
  }
  out.addSource({ source, table });
}

function plainDict(value: Literal): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
}

function scanConfig(args: readonly CallArg[], out: DepsCollector, fn: string): void {
  const config: Record<string, unknown> = {};
  for (const a of args) {
    const lit = a.splat === 0 ? argLiteral(a) : undefined;
    if (a.name === null && a.splat === 0) {
      const dict = lit ? plainDict(lit.value) : null;
      if (dict) Object.assign(config, dict);
      else out.addDynamic(describe(fn, [a]));
      continue;
    }
    if (a.name === null || lit === undefined) {
      out.addDynamic(describe(fn, [a]));
      continue;
    }
    // An own property either way; only `__proto__` must not reach the prototype setter
    // (defineProperty for every key would also leave the object in slow dictionary mode).
    if (a.name === '__proto__')
      Object.defineProperty(config, a.name, {
        value: lit.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else config[a.name] = lit.value;
  }
  out.configs.push(config);
  // Hooks are rendered by dbt; the refs written in them count.
  for (const key of ['pre_hook', 'post_hook', 'pre-hook', 'post-hook']) {
    const hooks = config[key];
    for (const h of Array.isArray(hooks) ? (hooks as unknown[]) : [hooks]) {
      const text = plainDict(h as Literal)?.sql ?? h;
      if (typeof text === 'string' && /\{[{%]/.test(text)) scanInto(text, out);
    }
  }
}

type CallKind = 'ref' | 'source' | 'config';

/** Deeper bracket nesting than this is not read (reading nested arguments costs depth × size). */
const MAX_NESTING = 256;

function nestingDepth(toks: readonly Tok[]): number {
  let depth = 0;
  let max = 0;
  for (const t of toks) {
    if (t.kind !== 'op') continue;
    if (t.raw === '(' || t.raw === '[' || t.raw === '{') max = Math.max(max, ++depth);
    else if ((t.raw === ')' || t.raw === ']' || t.raw === '}') && depth > 0) depth--;
  }
  return max;
}

/**
 * Finds `ref(`, `source(` and `config(` calls in tokens. `qualifier` is the name allowed before
 * a dot (`builtins` in Jinja, `dbt` in Python); `bare` allows unqualified calls.
 */
function scanTokens(
  toks: readonly Tok[],
  out: DepsCollector,
  qualifiers: ReadonlySet<string>,
  bare: boolean,
): void {
  if (nestingDepth(toks) > MAX_NESTING) {
    out.addDynamic(`code nested more than ${MAX_NESTING} levels deep: not read`);
    return;
  }
  const sig = toks.filter((t) => t.kind !== 'ws' && t.kind !== 'comment');
  const match = bracketMatches(toks);
  const position = new Map(toks.map((t, i) => [t, i]));
  for (let i = 0; i < sig.length; i++) {
    const t = sig[i] as Tok;
    if (t.kind !== 'name' || (t.raw !== 'ref' && t.raw !== 'source' && t.raw !== 'config')) {
      continue;
    }
    if (sig[i + 1]?.raw !== '(') continue;
    const prev = sig[i - 1];
    let fn: string = t.raw;
    if (prev?.kind === 'op' && prev.raw === '.') {
      const owner = sig[i - 2];
      if (owner?.kind !== 'name' || !qualifiers.has(owner.raw) || sig[i - 3]?.raw === '.') continue;
      fn = `${owner.raw}.${t.raw}`;
    } else if (!bare) {
      continue;
    }
    const open = position.get(sig[i + 1] as Tok) ?? -1;
    const split = splitArgs(toks, open, match);
    if (!split) {
      out.addDynamic(clip(`${fn}(${tokText(toks.slice(open + 1))}`));
      continue;
    }
    const kind: CallKind = t.raw;
    if (kind === 'ref') scanRef(split.args, out, fn);
    else if (kind === 'source') scanSource(split.args, out, fn);
    else scanConfig(split.args, out, fn);
  }
}

const JINJA_QUALIFIERS = new Set(['builtins']);
const PYTHON_QUALIFIERS = new Set(['dbt']);

/** Scans the Jinja tags of a template into a collector (comments and raw blocks ignored). */
export function scanInto(sql: string, out: DepsCollector): void {
  const { segments, error } = segment(sql);
  for (const seg of segments) {
    if (seg.kind === 'expr' || seg.kind === 'stmt') {
      scanTokens(tokenize(seg.inner), out, JINJA_QUALIFIERS, true);
    } else if (seg.kind === 'text' && error !== null && /[{][{%]/.test(seg.inner)) {
      // After an unclosed tag the rest is text; still read what is in it.
      scanTokens(tokenize(seg.inner), out, JINJA_QUALIFIERS, true);
    }
  }
}

/** What the widened static path needs to know of the project's macros. */
export interface StaticContext {
  /** Names whose use may add refs, sources or configs (or read them): never rendered statically. */
  tainted(name: string): boolean;
  /** Whether `ns` names a package no loaded project defines (its macros render as unknown). */
  unknownNamespace(ns: string): boolean;
  /** Whether a bare call of `name` would be an unknown macro for a render (then: render). */
  unknownCall(name: string): boolean;
  /**
   * Verdicts on tags already read with this context, by tag text (the same few tags recur in
   * every model); kept by the caller for as long as the answers above stay the same.
   */
  memo?: TagMemo;
}

/**
 * StaticContext.memo: verdicts by tag text (blankStrings() of it), one map per tag kind, so
 * that the key is the text itself (no concatenated key to build, flatten and hash per tag).
 */
export interface TagMemo {
  expr: Map<string, TagVerdict | null>;
  stmt: Map<string, TagVerdict | null>;
}

/** What readStatic() makes of an `if`/`elif`/`else`/`endif` or expression tag. */
export interface TagVerdict {
  /** Whether every name in it is harmless. */
  ok: boolean;
  /** +1 for `if`, -1 for `endif`. */
  depth: number;
  /** Calls into packages that are not loaded, as harmless() notes them. */
  unknown: readonly string[];
}

const NOT_HARMLESS: TagVerdict = { ok: false, depth: 0, unknown: [] };
const NO_LOCALS: ReadonlySet<string> = new Set();

/**
 * The verdict on one tag as readStatic() would reach it with no `set` names bound, or null
 * for the tags it reads otherwise (`set`, and `ref(`/`source(`/`config(` calls).
 */
function judgeTag(kind: 'expr' | 'stmt', inner: string, ctx: StaticContext): TagVerdict | null {
  const sig = tokenize(inner).filter((t) => t.kind !== 'ws' && t.kind !== 'comment');
  const head = sig[0];
  const notes = new DepsCollector();
  if (kind === 'stmt') {
    if (head?.kind !== 'name') return NOT_HARMLESS;
    if (head.raw === 'set') return null;
    const depth = head.raw === 'if' ? 1 : head.raw === 'endif' ? -1 : 0;
    if (depth === 0 && head.raw !== 'elif' && head.raw !== 'else') return NOT_HARMLESS;
    if (!harmless(sig.slice(1), ctx, notes, NO_LOCALS)) return NOT_HARMLESS;
    return { ok: true, depth, unknown: notes.unknownMacros };
  }
  if (
    head?.kind === 'name' &&
    (head.raw === 'ref' || head.raw === 'source' || head.raw === 'config') &&
    sig[1]?.raw === '('
  )
    return null;
  if (!harmless(sig, ctx, notes, NO_LOCALS)) return NOT_HARMLESS;
  return { ok: true, depth: 0, unknown: notes.unknownMacros };
}

/**
 * dbt's static parser, widened: the dependencies are read without rendering — the result
 * rendering would give — when every Jinja tag is a single `ref(…)`, `source(…)` or `config(…)`
 * call with literal arguments outside any `if` (and no config value holds Jinja, as hooks do),
 * or, given `ctx`, an expression, an `if`/`elif`/`else`/`endif` or a `set x = …` over names
 * that cannot reach a ref, source or config (macros whose bodies never do, directly or through
 * other macros).
 * Null otherwise: the caller renders.
 */
export function staticDeps(sql: string, ctx?: StaticContext): ModelDeps | null {
  const deps = readStatic(sql, ctx);
  if (deps) STATIC_RESULTS.add(deps);
  return deps;
}

/**
 * Results of staticDeps(). Such a result already holds every ref and source the literal scan
 * would find (each tag was read, none was skipped), so callers need not scan the text again.
 */
const STATIC_RESULTS = new WeakSet<ModelDeps>();

/** Whether `deps` came from staticDeps() (then scanDeps() of its text finds nothing more). */
export function isStaticResult(deps: ModelDeps): boolean {
  return STATIC_RESULTS.has(deps);
}

/**
 * A tag's text with the contents of its string literals left out, as a key for verdicts:
 * judgeTag() reads names and operators, never what a string holds, so `{{ dbt.datediff('a',
 * 'b', 'day') }}` in one model and `{{ dbt.datediff('c', 'd', 'day') }}` in the next share one.
 * Strings are delimited as tokenize() reads them (a backslash escapes the next character); an
 * unterminated one is kept as written.
 */
function blankStrings(inner: string): string {
  let i = inner.indexOf("'");
  const dq = inner.indexOf('"');
  if (i < 0 || (dq >= 0 && dq < i)) i = dq;
  if (i < 0) return inner;
  let out = '';
  let from = 0;
  const n = inner.length;
  while (i < n) {
    const q = inner.charCodeAt(i);
    if (q !== 39 /* ' */ && q !== 34 /* " */) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n) {
      const c = inner.charCodeAt(j);
      if (c === q) break;
      j += c === 92 /* \ */ && j + 1 < n ? 2 : 1;
    }
    if (j >= n) break; // unterminated: the rest as written
    out += inner.slice(from, i + 1);
    from = j;
    i = j + 1;
  }
  return out + inner.slice(from);
}

/** `ref('name')` alone in a tag: one quoted name without escapes or line breaks. */
const SIMPLE_REF = /^\s*ref\(\s*(['"])([^'"\\\n\r]*)\1\s*\)\s*$/;

function readStatic(sql: string, ctx?: StaticContext): ModelDeps | null {
  const { segments, error } = segment(sql);
  if (error) return null;
  const out = new DepsCollector();
  /** Names bound by `{% set %}` so far. */
  const locals = new Set<string>();
  let depth = 0;
  for (const seg of segments) {
    if (seg.kind === 'text' || seg.kind === 'comment' || seg.kind === 'raw') continue;
    if (seg.kind === 'expr' && depth === 0) {
      // The most common tag, `{{ ref('model') }}`, read without tokens: what scanRef() gives.
      const m = SIMPLE_REF.exec(seg.inner);
      if (m) {
        out.addRef({ package: null, name: m[2]!, version: null });
        continue;
      }
    }
    const memo = ctx?.memo;
    if (ctx && memo && locals.size === 0) {
      // A verdict only depends on the tag and the context (no `set` names yet): reuse it.
      const byText = seg.kind === 'expr' ? memo.expr : memo.stmt;
      const key = blankStrings(seg.inner);
      let verdict = byText.get(key);
      if (verdict === undefined) {
        verdict = judgeTag(seg.kind, seg.inner, ctx);
        byText.set(key, verdict);
      }
      if (verdict !== null) {
        if (!verdict.ok) return null;
        depth += verdict.depth;
        if (depth < 0) return null;
        for (const name of verdict.unknown) out.addUnknownMacro(name);
        continue;
      }
    }
    const toks = tokenize(seg.inner);
    const sig = toks.filter((t) => t.kind !== 'ws' && t.kind !== 'comment');
    const head = sig[0];
    if (seg.kind === 'stmt') {
      // Only if/elif/else/endif over harmless names: which branch runs cannot change the
      // dependencies when no branch holds a ref, source or config call (checked below).
      if (!ctx || head?.kind !== 'name') return null;
      if (head.raw === 'set') {
        // `{% set x = <harmless> %}` binds a value and records nothing. Only a new name: one
        // that shadows a macro, a package or a builtin would change what later tags call.
        const target = sig[1];
        if (target?.kind !== 'name' || sig[2]?.raw !== '=' || sig.length < 4) return null;
        if (!ctx.unknownCall(target.raw) || !ctx.unknownNamespace(target.raw)) return null;
        if (!harmless(sig.slice(1), ctx, out, locals)) return null;
        locals.add(target.raw);
        continue;
      }
      if (head.raw === 'if') depth++;
      else if (head.raw === 'endif') depth--;
      else if (head.raw !== 'elif' && head.raw !== 'else') return null;
      if (depth < 0 || !harmless(sig.slice(1), ctx, out, locals)) return null;
      continue;
    }
    if (
      head?.kind === 'name' &&
      (head.raw === 'ref' || head.raw === 'source' || head.raw === 'config') &&
      sig[1]?.raw === '('
    ) {
      if (depth > 0) return null;
      const split = splitArgs(toks, toks.indexOf(sig[1]));
      if (!split || toks.slice(split.close + 1).some((t) => t.kind !== 'ws')) return null;
      if (head.raw === 'ref') scanRef(split.args, out, 'ref');
      else if (head.raw === 'source') scanSource(split.args, out, 'source');
      else scanConfig(split.args, out, 'config');
      continue;
    }
    if (!ctx || !harmless(sig, ctx, out, locals)) return null;
  }
  if (depth !== 0) return null;
  if (out.dynamic.length > 0 || out.warnings.length > 0) return null;
  for (const c of out.configs) {
    if (!holdsJinja(c)) continue;
    if (!ctx || !staticHooks(c, ctx, out)) return null;
  }
  return out.result('render', null);
}

const JINJA_OPEN = /\{[{%]/;

/**
 * Whether `{{` or `{%` is in a string of a literal value (a key or a value, where
 * JSON.stringify would write them: not under an undefined or function value), without
 * serializing it.
 */
function holdsJinja(v: unknown): boolean {
  if (typeof v === 'string') return JINJA_OPEN.test(v);
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (const x of v as unknown[]) if (holdsJinja(x)) return true;
    return false;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const x = o[k];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    if (JINJA_OPEN.test(k) || holdsJinja(x)) return true;
  }
  return false;
}
const HOOK_KEYS = ['pre_hook', 'post_hook', 'pre-hook', 'post-hook'];

/**
 * A config() call whose only Jinja is in hook strings, each read statically: what a render
 * adds by rendering the hooks after the model (their refs, sources and unknown macros, in the
 * same order). False when a render is needed: Jinja in any other value (or a key), in a hook
 * given as a mapping, or a hook the static path cannot read or that calls config().
 */
function staticHooks(
  config: Record<string, unknown>,
  ctx: StaticContext,
  out: DepsCollector,
): boolean {
  for (const key of Object.keys(config)) {
    if (HOOK_KEYS.includes(key)) continue;
    if (JINJA_OPEN.test(key) || JINJA_OPEN.test(JSON.stringify(config[key]) ?? '')) return false;
  }
  const found: ModelDeps[] = [];
  for (const key of HOOK_KEYS) {
    if (!Object.hasOwn(config, key)) continue;
    const hooks = config[key];
    for (const h of Array.isArray(hooks) ? (hooks as unknown[]) : [hooks]) {
      if (typeof h !== 'string') {
        if (JINJA_OPEN.test(JSON.stringify(h) ?? '')) return false;
        continue;
      }
      if (!JINJA_OPEN.test(h)) continue;
      const deps = readStatic(h, ctx);
      if (deps === null || deps.configs.length > 0) return false;
      found.push(deps);
    }
  }
  for (const deps of found) {
    for (const r of deps.refs) out.addRef(r);
    for (const s of deps.sources) out.addSource(s);
    for (const m of deps.unknownMacros ?? []) out.addUnknownMacro(m);
  }
  return true;
}

/**
 * An expression that cannot record a dependency: every name in it is untainted. Calls into a
 * package that is not loaded are noted as unknown macros, as a render would note them.
 */
function harmless(
  sig: readonly Tok[],
  ctx: StaticContext,
  out: DepsCollector,
  locals: ReadonlySet<string>,
): boolean {
  for (let i = 0; i < sig.length; i++) {
    const t = sig[i]!;
    if (t.kind === 'fstr') return false;
    if (t.kind !== 'name') continue;
    if (ctx.tainted(t.raw)) return false;
    const prev = sig[i - 1];
    if (prev?.raw === '.') continue;
    // A value bound by `set`: reading it is harmless, calling it or into it only a render knows.
    if (locals.has(t.raw) && (sig[i + 1]?.raw === '.' || sig[i + 1]?.raw === '(')) return false;
    if (sig[i + 1]?.raw === '.' && sig[i + 2]?.kind === 'name' && sig[i + 3]?.raw === '(') {
      if (ctx.unknownNamespace(t.raw)) out.addUnknownMacro(`${t.raw}.${sig[i + 2]!.raw}`);
    } else if (sig[i + 1]?.raw === '(' && ctx.unknownCall(t.raw)) {
      return false;
    }
  }
  return true;
}

/**
 * The literal fallback: every `ref('m')`, `ref("pkg", "m")`, `ref('m', v=2)`, `ref('m',
 * version=2)`, `source('s', 't')` and `config(…)` written in the template's Jinja tags, in any
 * quoting and spacing, with `{# comments #}` and `{% raw %}` blocks ignored. Conditions are not
 * evaluated, so refs in branches dbt would not take are included.
 */
export function scanDeps(sql: string): ModelDeps {
  const out = new DepsCollector();
  scanInto(sql, out);
  return out.result('scan', null);
}

/**
 * Python models: `dbt.ref(…)`, `dbt.source(…)` and `dbt.config(…)` calls with literal arguments,
 * found anywhere in the module as dbt's own AST visitor does; comments and string contents are
 * not searched.
 */
export function pythonDeps(code: string): ModelDeps {
  const out = new DepsCollector();
  scanTokens(tokenize(code, true), out, PYTHON_QUALIFIERS, false);
  return out.result('scan', null);
}
