/**
 * Running Jinja with nunjucks. nunjucks parses the template; a compiler subclass changes the
 * generated JavaScript where Jinja and nunjucks disagree (truthiness, `+`, `~`, `==`, tuples,
 * `for` loops over dicts, `for … if …`), and every run gets its own runtime object: attribute
 * lookup goes through the sandboxed {@link memberLookup}, calls through a `callWrap` that counts
 * steps, expands `*args`/`**kwargs` and stops a macro after `return()`, and names are resolved
 * by the caller-supplied global lookup. Templates are checked before compiling: only plain
 * identifiers and literals reach the generated code.
 */
import { createRequire } from 'node:module';
import {
  BudgetError,
  FILTERS,
  KwSplat,
  SliceKey,
  Splat,
  TESTS,
  UNKNOWN,
  callable,
  charge,
  hasOwn,
  isDict,
  isKeywordArgs,
  makeKeywordArgs,
  memberLookup,
  pyAdd,
  pyCompare,
  pyConcat,
  pyIn,
  pyMod,
  pyMul,
  pyStr,
  setOwn,
  splitArgs,
  toList,
  truthy,
  type Callable,
} from './jinja-runtime.js';

// ---------------------------------------------------------------------------------------------
// The parts of nunjucks' internals used here (not covered by @types/nunjucks)

export interface NjNode {
  typename: string;
  lineno: number;
  colno: number;
  fields: string[];
  [field: string]: unknown;
}

interface CompileFrame {
  set(name: string, value: string): void;
  lookup(name: string): string | undefined;
  push(isolateWrites?: boolean): CompileFrame;
}

interface CompilerBase {
  _emit(code: string): void;
  _emitLine(code: string): void;
  _tmpid(): string;
  _withScopedSyntax(fn: () => void): void;
  _compileExpression(node: NjNode, frame: CompileFrame): void;
  _compileAggregate(node: NjNode, frame: CompileFrame, start: string, end: string): void;
  _getNodeName(node: NjNode): string;
  compile(node: NjNode, frame?: CompileFrame): void;
  getCode(): string;
  compileFor(node: NjNode, frame: CompileFrame): void;
  compileIf(node: NjNode, frame: CompileFrame): void;
  compileInlineIf(node: NjNode, frame: CompileFrame): void;
  compileNot(node: NjNode, frame: CompileFrame): void;
  compileAnd(node: NjNode, frame: CompileFrame): void;
  compileOr(node: NjNode, frame: CompileFrame): void;
  compileAdd(node: NjNode, frame: CompileFrame): void;
  compileMul(node: NjNode, frame: CompileFrame): void;
  compileMod(node: NjNode, frame: CompileFrame): void;
  compileConcat(node: NjNode, frame: CompileFrame): void;
  compileCompare(node: NjNode, frame: CompileFrame): void;
  compileGroup(node: NjNode, frame: CompileFrame): void;
  compileDict(node: NjNode, frame: CompileFrame): void;
  compileKeywordArgs(node: NjNode, frame: CompileFrame): void;
  compileFunCall(node: NjNode, frame: CompileFrame): void;
}

interface Nunjucks {
  compiler: { Compiler: new (name: string, throwOnUndefined: boolean) => CompilerBase };
  parser: { parse(src: string, extensions: unknown[], opts: object): NjNode };
  runtime: {
    makeMacro(
      argNames: string[],
      kwargNames: string[],
      fn: (...args: unknown[]) => unknown,
    ): (...args: unknown[]) => unknown;
    SafeString: new (s: string) => object;
  };
}

/**
 * nunjucks, required on first use rather than imported: its runtime module makes SafeString
 * with `Object.create(String.prototype, {…})`, which turns String.prototype into a V8
 * dictionary-mode object, and every string method call in the process then takes a slow
 * lookup (YAML parsing measured a fifth slower, a charCodeAt loop six times). A project whose
 * models need no template compiled never loads it; when one does, fastStringPrototype()
 * undoes the damage.
 */
const requireCjs = createRequire(import.meta.url);
let njLoaded: Nunjucks | null = null;

function nunjucksLib(): Nunjucks {
  if (njLoaded === null) {
    njLoaded = requireCjs('nunjucks') as Nunjucks;
    fastStringPrototype();
  }
  return njLoaded;
}

/**
 * Makes V8 turn String.prototype back into a fast prototype: a property load site that sees
 * a String wrapper a few times (ten, in Node 20) has V8 optimize the objects on its prototype
 * chain. Harmless where an engine does otherwise.
 */
function fastStringPrototype(): void {
  const load = (o: object): unknown => (o as { charCodeAt?: unknown }).charCodeAt;
  const wrapper: object = Object('') as object; // a String wrapper: its prototype is String.prototype
  for (let i = 0; i < 64; i++) load(wrapper);
}

// ---------------------------------------------------------------------------------------------
// Checking the parsed template

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names that would resolve to Object.prototype members or let code reach constructors. */
const FORBIDDEN_NAMES = new Set([
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
]);

export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

function isNode(v: unknown): v is NjNode {
  return typeof v === 'object' && v !== null && typeof (v as NjNode).typename === 'string';
}

function asNodes(v: unknown): NjNode[] {
  return Array.isArray(v) ? v.filter(isNode) : [];
}

function requireSymbol(v: unknown, what: string, line: number): void {
  if (!isNode(v) || v.typename !== 'Symbol') {
    throw new TemplateSyntaxError(`unsupported ${what}`, line);
  }
}

/**
 * Rejects anything the code generator would paste into JavaScript unescaped: symbols that are
 * not identifiers (or are Object.prototype names), non-primitive literals (regexes), and
 * dictionary keys that would set a prototype. Extends/include/import/blocks need templates
 * from disk and are refused too.
 */
function validate(node: NjNode): void {
  const line = node.lineno + 1;
  switch (node.typename) {
    case 'Symbol': {
      const v = node.value;
      if (typeof v !== 'string' || !IDENT.test(v) || FORBIDDEN_NAMES.has(v)) {
        throw new TemplateSyntaxError(`unsupported name ${JSON.stringify(String(v))}`, line);
      }
      break;
    }
    case 'Literal':
    case 'TemplateData': {
      const v = node.value;
      if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new TemplateSyntaxError('unsupported literal', line);
      }
      if (typeof v === 'number' && !Number.isFinite(v)) {
        throw new TemplateSyntaxError('unsupported number', line);
      }
      break;
    }
    case 'Pair': {
      const key = node.key;
      if (isNode(key) && key.value === '__proto__') {
        throw new TemplateSyntaxError('unsupported dictionary key "__proto__"', line);
      }
      break;
    }
    // Where nunjucks pastes a node's value into the generated code as a name, the node must be
    // a symbol (the parser also accepts a string literal there).
    case 'Is': {
      const right = node.right;
      const test = isNode(right) && right.typename === 'FunCall' ? right.name : right;
      // `is none` / `is true` arrive as literals, which print as plain names.
      const keyword =
        isNode(test) &&
        test.typename === 'Literal' &&
        (test.value === null || typeof test.value === 'boolean');
      if (!keyword) requireSymbol(test, 'test name', line);
      break;
    }
    case 'Set':
      for (const t of asNodes(node.targets)) requireSymbol(t, 'variable name', line);
      break;
    case 'For': {
      const target = node.name;
      const names =
        isNode(target) && target.typename === 'Array' ? asNodes(target.children) : [target];
      for (const n of names) requireSymbol(n, 'loop variable', line);
      break;
    }
    case 'Macro':
    case 'Caller': {
      requireSymbol(node.name, 'macro name', line);
      for (const a of asNodes(isNode(node.args) ? node.args.children : [])) {
        if (a.typename === 'KeywordArgs') {
          for (const p of asNodes(a.children)) requireSymbol(p.key, 'argument name', line);
        } else {
          requireSymbol(a, 'argument name', line);
        }
      }
      break;
    }
    case 'KeywordArgs':
      for (const p of asNodes(node.children)) requireSymbol(p.key, 'argument name', line);
      break;
    case 'Extends':
    case 'Include':
    case 'Import':
    case 'FromImport':
    case 'Block':
    case 'Super':
      throw new TemplateSyntaxError(
        `{% ${node.typename.toLowerCase()} %} is not supported in dbt models`,
        line,
      );
    case 'CallExtension':
    case 'CallExtensionAsync':
    case 'IfAsync':
    case 'AsyncEach':
    case 'AsyncAll':
    case 'FilterAsync':
      throw new TemplateSyntaxError(`unsupported tag (${node.typename})`, line);
    default:
      break;
  }
  for (const field of node.fields) {
    const v = node[field];
    if (isNode(v)) validate(v);
    else if (Array.isArray(v)) for (const c of v) if (isNode(c)) validate(c);
  }
  const children = node.children;
  if (Array.isArray(children) && !node.fields.includes('children')) {
    for (const c of children) if (isNode(c)) validate(c);
  }
}

// ---------------------------------------------------------------------------------------------
// Code generation

function child(node: NjNode, field: string): NjNode {
  const v = node[field];
  if (!isNode(v)) throw new TemplateSyntaxError(`malformed ${node.typename}`, node.lineno + 1);
  return v;
}

function children(node: NjNode): NjNode[] {
  const v = node.children;
  return Array.isArray(v) ? v.filter(isNode) : [];
}

type DbtCompilerClass = new (name: string, templateId: number) => CompilerBase;
let dbtCompilerClass: DbtCompilerClass | null = null;

/** The compiler subclass, made once nunjucks is loaded (its base class comes from it). */
function dbtCompiler(): DbtCompilerClass {
  return (dbtCompilerClass ??= makeDbtCompiler(nunjucksLib()));
}

function makeDbtCompiler(nj: Nunjucks): DbtCompilerClass {
  return class DbtCompiler extends nj.compiler.Compiler {
    constructor(
      name: string,
      private readonly templateId: number,
    ) {
      super(name, false);
    }

    private binary(node: NjNode, frame: CompileFrame, fn: string): void {
      this._emit(`runtime.${fn}(`);
      this.compile(child(node, 'left'), frame);
      this._emit(', ');
      this.compile(child(node, 'right'), frame);
      this._emit(')');
    }

    private lazy(node: NjNode, frame: CompileFrame, fn: string): void {
      this._emit(`runtime.${fn}(`);
      this.compile(child(node, 'left'), frame);
      this._emit(', function () { return ');
      this.compile(child(node, 'right'), frame);
      this._emit('; })');
    }

    override compileAdd(node: NjNode, frame: CompileFrame): void {
      this.binary(node, frame, 'add');
    }

    override compileMul(node: NjNode, frame: CompileFrame): void {
      this.binary(node, frame, 'mul');
    }

    override compileMod(node: NjNode, frame: CompileFrame): void {
      this.binary(node, frame, 'mod');
    }

    override compileConcat(node: NjNode, frame: CompileFrame): void {
      this.binary(node, frame, 'concat');
    }

    override compileAnd(node: NjNode, frame: CompileFrame): void {
      this.lazy(node, frame, 'and');
    }

    override compileOr(node: NjNode, frame: CompileFrame): void {
      this.lazy(node, frame, 'or');
    }

    override compileNot(node: NjNode, frame: CompileFrame): void {
      this._emit('!runtime.truthy(');
      this.compile(child(node, 'target'), frame);
      this._emit(')');
    }

    override compileInlineIf(node: NjNode, frame: CompileFrame): void {
      this._emit('(runtime.truthy(');
      this.compile(child(node, 'cond'), frame);
      this._emit(') ? ');
      this.compile(child(node, 'body'), frame);
      this._emit(' : ');
      if (isNode(node.else_)) this.compile(node.else_, frame);
      else this._emit('undefined');
      this._emit(')');
    }

    override compileIf(node: NjNode, frame: CompileFrame): void {
      this._emit('if (runtime.truthy(');
      this._compileExpression(child(node, 'cond'), frame);
      this._emitLine(')) {');
      this._withScopedSyntax(() => this.compile(child(node, 'body'), frame));
      if (isNode(node.else_)) {
        const elseNode = node.else_;
        this._emitLine('} else {');
        this._withScopedSyntax(() => this.compile(elseNode, frame));
      }
      this._emitLine('}');
    }

    override compileCompare(node: NjNode, frame: CompileFrame): void {
      const ops = Array.isArray(node.ops) ? (node.ops as unknown[]).filter(isNode) : [];
      const opType = (op: NjNode): string => {
        const t = op.type;
        if (typeof t !== 'string' || !/^[=!<>]{1,3}$/.test(t)) {
          throw new TemplateSyntaxError('unsupported comparison', node.lineno + 1);
        }
        return t;
      };
      if (ops.length === 1) {
        const op = ops[0] as NjNode;
        this._emit(`runtime.compare("${opType(op)}", `);
        this.compile(child(node, 'expr'), frame);
        this._emit(', ');
        this.compile(child(op, 'expr'), frame);
        this._emit(')');
        return;
      }
      this._emit('runtime.compareChain([');
      this.compile(child(node, 'expr'), frame);
      for (const op of ops) {
        this._emit(', ');
        this.compile(child(op, 'expr'), frame);
      }
      this._emit(`], ${JSON.stringify(ops.map(opType))})`);
    }

    /** `(a, b)` is a tuple in Jinja; nunjucks would keep only `b`. */
    override compileGroup(node: NjNode, frame: CompileFrame): void {
      if (children(node).length === 1) this._compileAggregate(node, frame, '(', ')');
      else this._compileAggregate(node, frame, '[', ']');
    }

    /** Jinja dict keys are expressions (`{node.name: x}`); keyword argument names are names. */
    override compileDict(node: NjNode, frame: CompileFrame): void {
      this.dictEntries(node, frame, false);
    }

    override compileKeywordArgs(node: NjNode, frame: CompileFrame): void {
      this._emit('runtime.makeKeywordArgs(');
      this.dictEntries(node, frame, true);
      this._emit(')');
    }

    private dictEntries(node: NjNode, frame: CompileFrame, namesAreKeys: boolean): void {
      this._emit('runtime.dict([');
      children(node).forEach((pair, i) => {
        if (i > 0) this._emit(', ');
        const key = child(pair, 'key');
        this._emit('[');
        if (namesAreKeys && key.typename === 'Symbol')
          this._emit(JSON.stringify(String(key.value)));
        else this.compile(key, frame);
        this._emit(', ');
        this._compileExpression(child(pair, 'value'), frame);
        this._emit(']');
      });
      this._emit('])');
    }

    override _getNodeName(node: NjNode): string {
      switch (node.typename) {
        case 'Symbol':
          return typeof node.value === 'string' && IDENT.test(node.value) ? node.value : '?';
        case 'LookupVal': {
          const target = isNode(node.target) ? this._getNodeName(node.target) : '?';
          const val = node.val;
          const key =
            isNode(val) && typeof val.value === 'string' && IDENT.test(val.value) ? val.value : '?';
          return `${target}.${key}`;
        }
        case 'FunCall':
          return `${isNode(node.name) ? this._getNodeName(node.name) : '?'}()`;
        default:
          return '?';
      }
    }

    override compileFunCall(node: NjNode, frame: CompileFrame): void {
      const name = this._getNodeName(child(node, 'name'));
      this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, runtime.callWrap(`);
      this._compileExpression(child(node, 'name'), frame);
      this._emit(`, "${name}", context, `);
      this._compileAggregate(child(node, 'args'), frame, '[', ']');
      this._emit(`, frame, ${this.templateId}, ${node.lineno + 1}))`);
    }

    /**
     * Jinja loops: over lists, strings, dict keys (one name) or dict items/pairs (several names);
     * `loop` is one object; `{% for x in xs if cond %}` filters.
     */
    override compileFor(node: NjNode, frame: CompileFrame): void {
      const arr = this._tmpid();
      const len = this._tmpid();
      const i = this._tmpid();
      frame = frame.push();
      this._emitLine('frame = frame.push();');
      let source = child(node, 'arr');
      let filter: NjNode | null = null;
      if (source.typename === 'InlineIf' && !isNode(source.else_)) {
        filter = child(source, 'cond');
        source = child(source, 'body');
      }
      const target = child(node, 'name');
      const names = target.typename === 'Array' ? children(target) : [target];
      this._emit(`var ${arr} = runtime.iterate(`);
      this._compileExpression(source, frame);
      this._emitLine(`, ${names.length});`);
      this._emitLine(`var ${len} = ${arr}.length;`);
      this._emitLine(`for (var ${i} = 0; ${i} < ${len}; ${i}++) {`);
      names.forEach((n, u) => {
        const v = this._tmpid();
        const name = String(n.value);
        if (names.length === 1) this._emitLine(`var ${v} = ${arr}[${i}];`);
        else this._emitLine(`var ${v} = runtime.unpack(${arr}[${i}], ${u});`);
        this._emitLine(`frame.set("${name}", ${v});`);
        frame.set(name, v);
      });
      this._emitLine(`frame.set("loop", runtime.loop(${arr}, ${i}));`);
      // `{% break %}` / `{% continue %}` arrive as signals thrown by __break() / __continue().
      const signal = this._tmpid();
      this._emitLine('try {');
      if (filter) {
        this._emit('if (runtime.truthy(');
        this._compileExpression(filter, frame);
        this._emitLine(')) {');
      }
      this._withScopedSyntax(() => this.compile(child(node, 'body'), frame));
      if (filter) this._emitLine('}');
      this._emitLine(`} catch (${signal}) {`);
      this._emitLine(`if (${signal} === runtime.BREAK) break;`);
      this._emitLine(`if (${signal} !== runtime.CONTINUE) throw ${signal};`);
      this._emitLine('}');
      this._emitLine('}');
      if (isNode(node.else_)) {
        this._emitLine(`if (!${len}) {`);
        this.compile(node.else_, frame);
        this._emitLine('}');
      }
      this._emitLine('frame = frame.pop();');
    }
  };
}

/** What a compiled template exposes: its root render function. */
export type RootFn = (
  env: TemplateEnv,
  context: TemplateContext,
  frame: Frame,
  runtime: Runtime,
  cb: (err: unknown, res?: string) => void,
) => void;

/** Parses, checks and compiles a (nunjucks-ready) template. Throws {@link TemplateSyntaxError}. */
export function compileTemplate(src: string, name: string, templateId: number): RootFn {
  let ast: NjNode;
  try {
    ast = nunjucksLib().parser.parse(src, [], {});
  } catch (e) {
    throw syntaxError(e);
  }
  validate(ast);
  const compiler = new (dbtCompiler())(name, templateId);
  try {
    compiler.compile(ast);
  } catch (e) {
    throw syntaxError(e);
  }
  // The generated code is nunjucks' output for a validated AST: identifiers and escaped
  // literals only (see validate()); this is how nunjucks itself loads templates.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const load = new Function(compiler.getCode()) as () => { root: RootFn };
  return load().root;
}

function syntaxError(e: unknown): TemplateSyntaxError {
  if (e instanceof TemplateSyntaxError) return e;
  const raw = e instanceof Error ? e.message : String(e);
  // nunjucks' errors carry a 1-based `lineno`; prettified ones say "[Line 3, Column 5]".
  const lineno = (e as { lineno?: unknown }).lineno;
  const m = /\[Line (\d+), Column \d+\]\s*([\s\S]*)$/.exec(raw);
  const msg = (m ? (m[2] as string) : raw).replace(/^\s*(Template render error:|Error:)\s*/, '');
  const line = typeof lineno === 'number' ? lineno : m ? Number(m[1]) : null;
  return new TemplateSyntaxError(msg.trim().split('\n')[0] ?? 'syntax error', line);
}

// ---------------------------------------------------------------------------------------------
// Run-time objects

/** Variable scopes; unlike nunjucks' own frames, names never resolve to Object.prototype members. */
export class Frame {
  private readonly vars = new Map<string, unknown>();
  topLevel = false;

  constructor(
    readonly parent?: Frame,
    private readonly isolateWrites = false,
  ) {}

  set(name: string, value: unknown, resolveUp = false): void {
    const target = resolveUp ? (this.resolve(name, true) ?? this) : this;
    target.vars.set(name, value);
  }

  get(name: string): unknown {
    return this.vars.get(name);
  }

  lookup(name: string): unknown {
    const v = this.vars.get(name);
    if (v !== undefined) return v;
    return this.parent ? this.parent.lookup(name) : undefined;
  }

  /** Whether a scope sets the name (even to undefined). */
  declares(name: string): boolean {
    return this.vars.has(name) || (this.parent ? this.parent.declares(name) : false);
  }

  resolve(name: string, forWrite: boolean): Frame | undefined {
    if (this.vars.get(name) !== undefined) return this;
    const p = forWrite && this.isolateWrites ? undefined : this.parent;
    return p ? p.resolve(name, forWrite) : undefined;
  }

  push(isolateWrites?: boolean): Frame {
    return new Frame(this, isolateWrites ?? false);
  }

  pop(): Frame | undefined {
    return this.parent;
  }
}

/** A template's top-level variables and macros; other names go to the engine's globals. */
export class TemplateContext {
  private readonly vars = new Map<string, unknown>();

  constructor(private readonly globals: (name: string) => unknown) {}

  lookup(name: string): unknown {
    return this.vars.has(name) ? this.vars.get(name) : this.globals(name);
  }

  /** Whether the template sets the name, or a global defines it. */
  declares(name: string): boolean {
    return this.vars.has(name) || this.globals(name) !== undefined;
  }

  setVariable(name: string, value: unknown): void {
    this.vars.set(name, value);
  }

  getVariable(name: string): unknown {
    return this.vars.get(name);
  }

  addExport(): void {}

  getVariables(): Record<string, unknown> {
    return Object.fromEntries(this.vars);
  }

  getBlock(): never {
    throw new Error('blocks are not supported');
  }

  addBlock(): void {}

  getSuper(): never {
    throw new Error('super() is not supported');
  }
}

export interface TemplateEnv {
  opts: { autoescape: boolean };
  getFilter(name: string): (...args: unknown[]) => unknown;
  getTest(name: string): (...args: unknown[]) => boolean;
  getExtension(name: string): never;
  getTemplate(...args: unknown[]): void;
  waterfall(...args: unknown[]): never;
}

const UNSUPPORTED = (): never => {
  throw new Error('include, import and extends are not supported');
};

export const ENV: TemplateEnv = {
  opts: { autoescape: false },
  getFilter(name: string) {
    const f = hasOwn(FILTERS, name) ? FILTERS[name] : undefined;
    // Unknown filters (dbt adapters add a few) pass the value through.
    return function filter(this: unknown, value: unknown, ...args: unknown[]) {
      charge(1);
      return f ? f(value, ...args) : value;
    };
  },
  getTest(name: string) {
    const t = hasOwn(TESTS, name) ? TESTS[name] : undefined;
    return function test(this: unknown, value: unknown, ...args: unknown[]) {
      return t ? t(value, ...args) : false;
    };
  },
  getExtension: UNSUPPORTED,
  getTemplate(...args: unknown[]) {
    const cb = args[args.length - 1];
    if (typeof cb === 'function') {
      (cb as (e: Error) => void)(new Error('include, import and extends are not supported'));
    }
  },
  waterfall: UNSUPPORTED,
};

/** A failure inside a render, with the template line nunjucks was at. */
export class RenderFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly line: number | null,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'RenderFailure';
  }
}

/** Whether `v` is a nunjucks SafeString (none exists before nunjucks is loaded). */
function isSafeString(v: unknown): v is object {
  return njLoaded !== null && v instanceof njLoaded.runtime.SafeString;
}

/** The text of a nunjucks SafeString (what macros and caller blocks produce). */
function safeText(s: object): string {
  return (s as { val?: unknown }).val === undefined ? '' : pyStr((s as { val?: unknown }).val);
}

/** One macro call in progress. */
interface MacroFrame {
  returned: boolean;
  value: unknown;
  kwargs: Record<string, unknown>;
  varargs: unknown[];
}

/** What the runtime needs from the engine running it. */
export interface RuntimeHost {
  /** A call of something undefined (`dbt_utils.star()` with dbt_utils not installed). */
  unknownCall(name: string): void;
  /** Where the current call is written, for messages. */
  callSite(templateId: number, line: number): void;
  maxMacroDepth: number;
}

export type Runtime = ReturnType<typeof createRuntime>;

/** The `runtime` object compiled templates run against. One per engine; not shared. */
export function createRuntime(host: RuntimeHost) {
  const stack: MacroFrame[] = [];
  const suppressed = (): boolean =>
    stack.length > 0 && (stack[stack.length - 1] as MacroFrame).returned;

  const expand = (args: unknown[]): unknown[] => {
    if (!args.some((a) => a instanceof Splat || a instanceof KwSplat)) return args;
    const pos: unknown[] = [];
    const kw: Record<string, unknown> = {};
    for (const a of args) {
      if (a instanceof Splat) {
        pos.push(...a.items);
      } else if (a instanceof KwSplat) {
        for (const k of Object.keys(a.dict)) setOwn(kw, k, a.dict[k]);
      } else if (isKeywordArgs(a)) {
        for (const k of Object.keys(a)) if (k !== '__keywords') setOwn(kw, k, a[k]);
      } else {
        pos.push(a);
      }
    }
    return Object.keys(kw).length > 0 ? [...pos, makeKeywordArgs(kw)] : pos;
  };

  const runtime = {
    BREAK,
    CONTINUE,
    Frame,
    // Read by compiled templates only, so nunjucks is loaded by then.
    get SafeString(): new (s: string) => object {
      return nunjucksLib().runtime.SafeString;
    },
    isArray: Array.isArray,
    keys: (o: unknown): string[] => (isDict(o) ? Object.keys(o) : []),
    inOperator: pyIn,
    fromIterator: (a: unknown): unknown => a,
    markSafe: (v: unknown): unknown => v,
    makeKeywordArgs,
    memberLookup,
    dict(entries: Array<[unknown, unknown]>): Record<string, unknown> {
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) setOwn(out, typeof k === 'string' ? k : pyStr(k), v);
      return out;
    },
    suppressValue(v: unknown): string {
      return isSafeString(v) ? safeText(v) : pyStr(v);
    },
    ensureDefined: (v: unknown): unknown => v,
    handleError(e: unknown, lineno: number): RenderFailure {
      return e instanceof RenderFailure ? e : new RenderFailure(e, lineno + 1);
    },
    contextOrFrameLookup(context: TemplateContext, frame: Frame, name: string): unknown {
      const v = frame.lookup(name);
      if (v !== undefined) return v;
      if ((name === 'kwargs' || name === 'varargs') && stack.length > 0) {
        const top = stack[stack.length - 1] as MacroFrame;
        return name === 'kwargs' ? top.kwargs : top.varargs;
      }
      return context.lookup(name);
    },
    callWrap(
      fn: unknown,
      name: string,
      context: TemplateContext,
      args: unknown[],
      frame?: Frame,
      templateId?: number,
      line?: number,
    ): unknown {
      charge(1);
      if (suppressed()) return undefined;
      if (typeof fn !== 'function') {
        if (fn === UNKNOWN) return UNKNOWN;
        if (fn === undefined && frame) {
          // Only names undefined as a whole (`foo()`, `pkg.macro()`) are unknown macros, not
          // attributes of something that exists. A package's macro stands for a value we
          // cannot know; an unknown plain name is undefined, as in dbt.
          const root = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?$/.exec(name);
          if (root && !frame.declares(root[1] as string) && !context.declares(root[1] as string)) {
            host.unknownCall(name);
            if (root[2] !== undefined && root[1] !== 'dbt') return UNKNOWN;
          }
        }
        return undefined;
      }
      if (templateId !== undefined && line !== undefined) host.callSite(templateId, line);
      return (fn as (...a: unknown[]) => unknown).apply(context, expand(args));
    },
    makeMacro(
      argNames: string[],
      kwargNames: string[],
      fn: (...args: unknown[]) => unknown,
    ): Callable {
      const inner = nunjucksLib().runtime.makeMacro(argNames, kwargNames, fn);
      const declared = new Set([...argNames, ...kwargNames, 'caller', '__keywords']);
      return callable(function macro(this: unknown, ...args: unknown[]): unknown {
        if (stack.length >= host.maxMacroDepth) throw new BudgetError('macro recursion depth');
        const { pos, kw } = splitArgs(args);
        const extra: Record<string, unknown> = {};
        for (const k of Object.keys(kw)) if (!declared.has(k)) setOwn(extra, k, kw[k]);
        const state: MacroFrame = {
          returned: false,
          value: undefined,
          kwargs: extra,
          varargs: pos.slice(argNames.length + kwargNames.length),
        };
        stack.push(state);
        try {
          const out = inner.apply(this, args);
          if (state.returned) return state.value;
          return isSafeString(out) ? safeText(out) : out;
        } finally {
          stack.pop();
        }
      });
    },
    /** dbt's `return(value)`: the current macro's result; the rest of the macro does nothing. */
    doReturn(value: unknown): string {
      const top = stack[stack.length - 1];
      if (top && !top.returned) {
        top.returned = true;
        top.value = value;
      }
      return '';
    },
    /** Drops macro frames left by an aborted render. */
    reset(): void {
      stack.length = 0;
    },
    iterate(v: unknown, arity: number): unknown[] {
      let items: unknown[];
      if (isDict(v)) {
        const keys = Object.keys(v);
        items = arity > 1 ? keys.map((k) => [k, v[k]]) : keys;
      } else {
        items = toList(v);
      }
      charge(items.length);
      return items;
    },
    unpack(item: unknown, i: number): unknown {
      if (Array.isArray(item)) return item[i];
      if (typeof item === 'string') return item[i];
      return undefined;
    },
    loop(items: unknown[], i: number): Record<string, unknown> {
      const n = items.length;
      return {
        index: i + 1,
        index0: i,
        revindex: n - i,
        revindex0: n - i - 1,
        first: i === 0,
        last: i === n - 1,
        length: n,
        depth: 1,
        depth0: 0,
        previtem: i > 0 ? items[i - 1] : undefined,
        nextitem: i < n - 1 ? items[i + 1] : undefined,
        cycle: callable((...vals: unknown[]) =>
          vals.length > 0 ? vals[i % vals.length] : undefined,
        ),
      };
    },
    truthy,
    and(a: unknown, b: () => unknown): unknown {
      return truthy(a) ? b() : a;
    },
    or(a: unknown, b: () => unknown): unknown {
      return truthy(a) ? a : b();
    },
    add: pyAdd,
    mul: pyMul,
    mod: pyMod,
    concat: pyConcat,
    compare(op: string, a: unknown, b: unknown): boolean {
      return pyCompare(op, a, b);
    },
    compareChain(values: unknown[], ops: string[]): boolean {
      return ops.every((op, i) => pyCompare(op, values[i], values[i + 1]));
    },
  };
  return runtime;
}

/** Thrown by `{% break %}` and `{% continue %}`, caught by the loop around them. */
class LoopSignal extends Error {}
const BREAK = new LoopSignal('{% break %} outside a loop');
const CONTINUE = new LoopSignal('{% continue %} outside a loop');

/**
 * Helpers the rewritten templates call (`__do`, `__slice`, `__splat`, `__kwsplat`, `__break`,
 * `__continue`, `__unpack`; `__setattr` is the engine's).
 */
export const REWRITE_HELPERS: Record<string, Callable> = {
  __do: callable(() => ''),
  __break: callable(() => {
    throw BREAK;
  }),
  __continue: callable(() => {
    throw CONTINUE;
  }),
  /** `{% set a, b = value %}`: the tuple, or the one value's items. */
  __unpack: callable((items?: unknown, n?: unknown) => {
    const list: unknown[] = Array.isArray(items) ? items : [];
    return list.length === 1 && Number(n) > 1 ? toList(list[0]) : list;
  }),
  __slice: callable(
    (start?: unknown, stop?: unknown, step?: unknown) => new SliceKey(start, stop, step),
  ),
  __splat: callable((v?: unknown) => new Splat(toList(v))),
  __kwsplat: callable((v?: unknown) => new KwSplat(isDict(v) ? v : {})),
};
