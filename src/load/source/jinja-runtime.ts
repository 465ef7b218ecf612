/**
 * Python/Jinja value semantics for templates run by nunjucks: truthiness, `+`, `*`, `%`, `==`,
 * `in`, `str()`, attribute lookup (with the str/list/dict methods dbt code calls), filters and
 * tests. Attribute lookup is also the sandbox: a template only ever reaches own data properties
 * of plain values and the members listed here, never a prototype, `constructor` or a function's
 * own properties, so `''.constructor.constructor('…')()` finds nothing to call.
 */

/** Attributes of a callable value (`config.get`, `exceptions.warn`), the only ones templates see. */
export const ATTRS: unique symbol = Symbol('jinja.attrs');
/** How a special object prints (`{{ this }}`, `{{ ref('x') }}`). */
export const STR: unique symbol = Symbol('jinja.str');
/** Fallback attribute lookup of a special object (permissive stubs). */
export const GETATTR: unique symbol = Symbol('jinja.getattr');
/** A special object that passes Jinja's `is mapping` test (relations do, in dbt). */
export const MAPPING: unique symbol = Symbol('jinja.mapping');

export type Callable = ((...args: unknown[]) => unknown) & {
  [ATTRS]?: Record<string, unknown>;
};

export interface Special {
  [STR]?: () => string;
  [GETATTR]?: (name: string) => unknown;
  [MAPPING]?: true;
}

/**
 * What a call of a macro from a package that is not installed returns (`dbt_utils.star()` with
 * no dbt_utils): prints as nothing, iterates as empty, has every attribute (itself), is callable
 * (itself), and counts as true in conditions, so that `{% if pkg.enabled(…) %}` branches are
 * read rather than skipped.
 */
export const UNKNOWN: Readonly<Special> = Object.freeze({
  [STR]: () => '',
  [GETATTR]: (): unknown => UNKNOWN,
});

/** Raised when a render goes over its step budget. */
export class BudgetError extends Error {
  constructor(what: string) {
    super(`render budget exceeded (${what})`);
    this.name = 'BudgetError';
  }
}

/** `x[a:b:c]` as written in a template (rewritten to `x[__slice(a, b, c)]`). */
export class SliceKey {
  constructor(
    readonly start: unknown,
    readonly stop: unknown,
    readonly step: unknown,
  ) {}
}

/** `*args` in a call. */
export class Splat {
  constructor(readonly items: unknown[]) {}
}

/** `**kwargs` in a call. */
export class KwSplat {
  constructor(readonly dict: Record<string, unknown>) {}
}

const KEYWORDS = '__keywords';

/** Counts the work a render does; throws {@link BudgetError} past its budget. */
export interface Meter {
  tick(n: number): void;
}

let meter: Meter = { tick() {} };

/** Installs the meter of the render about to run; returns the previous one, to restore. */
export function setMeter(m: Meter): Meter {
  const prev = meter;
  meter = m;
  return prev;
}

/** Charges `n` steps to the current render (operations cost their size, not one step). */
export function charge(n: number): void {
  if (n > 0) meter.tick(n);
}

/** Largest string or list a template may build with `*`, `range()` or string methods. */
export const MAX_SIZE = 1_000_000;

export function isKeywordArgs(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.prototype.hasOwnProperty.call(v, KEYWORDS);
}

/** Splits nunjucks call arguments into positional arguments and keyword arguments. */
export function splitArgs(args: readonly unknown[]): {
  pos: unknown[];
  kw: Record<string, unknown>;
} {
  const last = args[args.length - 1];
  if (isKeywordArgs(last)) {
    const kw: Record<string, unknown> = {};
    for (const k of Object.keys(last)) if (k !== KEYWORDS) setOwn(kw, k, last[k]);
    return { pos: args.slice(0, -1), kw };
  }
  return { pos: [...args], kw: {} };
}

export function makeKeywordArgs(kw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(kw)) setOwn(out, k, kw[k]);
  Object.defineProperty(out, KEYWORDS, { value: true, enumerable: true });
  return out;
}

/** Defines an own enumerable property (safe for any key, `__proto__` included). */
export function setOwn(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export function hasOwn(obj: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** A callable with template-visible attributes. */
export function callable(
  fn: (...args: unknown[]) => unknown,
  attrs: Record<string, unknown> = {},
): Callable {
  const c = fn as Callable;
  c[ATTRS] = attrs;
  return c;
}

/** A plain mapping: what a Jinja dict literal or a YAML mapping becomes. */
export function isDict(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && !(STR in v) && !(GETATTR in v);
}

export function isString(v: unknown): v is string {
  return typeof v === 'string';
}

export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0) return false;
  if (typeof v === 'number') return !Number.isNaN(v);
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  return true;
}

function reprString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** Python `repr()` (list items, dict entries). */
export function pyRepr(v: unknown): string {
  return typeof v === 'string' ? reprString(v) : pyStr(v);
}

/** Python `str()`, which is also how Jinja prints a value. `undefined` prints as nothing. */
export function pyStr(v: unknown): string {
  if (v === undefined) return '';
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    return String(v);
  }
  if (typeof v === 'function') return '<function>';
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v instanceof Date) {
    return Number.isNaN(v.getTime())
      ? ''
      : v
          .toISOString()
          .replace('T', ' ')
          .replace(/\.000Z$|Z$/, '');
  }
  if (typeof v === 'object') {
    const s = (v as Special)[STR];
    if (s) return s();
    if (isDict(v)) {
      return `{${Object.keys(v)
        .map((k) => `${reprString(k)}: ${pyRepr(v[k])}`)
        .join(', ')}}`;
    }
  }
  return '';
}

export function pyEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) charge(a.length);
  if (typeof a === 'number' && typeof b === 'boolean') return a === Number(b);
  if (typeof a === 'boolean' && typeof b === 'number') return Number(a) === b;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  }
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => hasOwn(b, k) && pyEq(a[k], b[k]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const sa = (a as Special)[STR];
    const sb = (b as Special)[STR];
    return sa !== undefined && sb !== undefined && sa() === sb();
  }
  return false;
}

function checkSize(n: number): void {
  if (n > MAX_SIZE) throw new BudgetError(`value of ${n} items`);
  charge(n >> 6);
}

export function pyAdd(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (Array.isArray(a) || Array.isArray(b)) {
    const r = [...toList(a), ...toList(b)];
    checkSize(r.length);
    return r;
  }
  if (typeof a === 'string' || typeof b === 'string') {
    const r = pyStr(a) + pyStr(b);
    checkSize(r.length);
    return r;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a ?? 0) + Number(b ?? 0);
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Number(a) + Number(b);
}

export function pyMul(a: unknown, b: unknown): unknown {
  const repeat = (x: string | unknown[], n: unknown): unknown => {
    const times = Math.max(0, Math.trunc(Number(n)));
    checkSize(x.length * times);
    if (typeof x === 'string') return x.repeat(times);
    const out: unknown[] = [];
    for (let i = 0; i < times; i++) out.push(...x);
    return out;
  };
  if ((typeof a === 'string' || Array.isArray(a)) && typeof b === 'number') return repeat(a, b);
  if ((typeof b === 'string' || Array.isArray(b)) && typeof a === 'number') return repeat(b, a);
  return Number(a) * Number(b);
}

/** Python `%`: modulo for numbers, printf-style formatting for strings. */
export function pyMod(a: unknown, b: unknown): unknown {
  if (typeof a === 'string') return percentFormat(a, b);
  const x = Number(a);
  const y = Number(b);
  return ((x % y) + y) % y;
}

function percentFormat(fmt: string, args: unknown): string {
  const list = Array.isArray(args) ? args : [args];
  let i = 0;
  return fmt.replace(
    /%(\(([^)]*)\))?([-+ #0]*)(\d+)?(?:\.(\d+))?([sdrifgeExXo%])/g,
    (_m, _g, key: string | undefined, _flags, _width, prec: string | undefined, conv: string) => {
      if (conv === '%') return '%';
      const v: unknown = key !== undefined && isDict(args) ? args[key] : list[i++];
      switch (conv) {
        case 'd':
        case 'i':
          return String(Math.trunc(Number(v)));
        case 'f':
          return Number(v).toFixed(prec === undefined ? 6 : Number(prec));
        case 'r':
          return pyRepr(v);
        default:
          return pyStr(v);
      }
    },
  );
}

export function pyConcat(a: unknown, b: unknown): string {
  const r = pyStr(a) + pyStr(b);
  checkSize(r.length);
  return r;
}

export function pyCompare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
    case '===':
      return pyEq(a, b);
    case '!=':
    case '!==':
      return !pyEq(a, b);
    default: {
      const x = a as number | string;
      const y = b as number | string;
      if (op === '<') return x < y;
      if (op === '>') return x > y;
      if (op === '<=') return x <= y;
      if (op === '>=') return x >= y;
      return false;
    }
  }
}

/** Python `in`. */
export function pyIn(item: unknown, container: unknown): boolean {
  if (typeof container === 'string') {
    charge(container.length >> 6);
    return typeof item === 'string' && container.includes(item);
  }
  if (Array.isArray(container)) {
    charge(container.length);
    return container.some((x) => pyEq(x, item));
  }
  if (isDict(container)) return typeof item === 'string' && hasOwn(container, item);
  return false;
}

/** What iterating a value yields (lists, strings' characters, dicts' keys; nothing for the rest). */
export function toList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isDict(v)) return Object.keys(v);
  return [];
}

function toInt(v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  const n = Math.trunc(Number(v));
  return Number.isFinite(n) ? n : dflt;
}

function sliceIndices(len: number, key: SliceKey): number[] {
  const step = toInt(key.step, 1) || 1;
  const norm = (v: unknown, dflt: number): number => {
    if (v === undefined || v === null) return dflt;
    let n = toInt(v, dflt);
    if (n < 0) n += len;
    return step > 0 ? Math.min(Math.max(n, 0), len) : Math.min(Math.max(n, -1), len - 1);
  };
  const start = norm(key.start, step > 0 ? 0 : len - 1);
  const stop = norm(key.stop, step > 0 ? len : -1);
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

function index(len: number, key: unknown): number | null {
  if (typeof key !== 'number' || !Number.isInteger(key)) return null;
  const i = key < 0 ? key + len : key;
  return i >= 0 && i < len ? i : null;
}

// ---------------------------------------------------------------------------------------------
// Methods of str, list and dict that dbt code calls

type Method = (self: never, ...args: unknown[]) => unknown;

function strArg(v: unknown): string {
  return typeof v === 'string' ? v : pyStr(v);
}

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? null : strArg(chars);
  const strip = (c: string): boolean => (set === null ? /\s/.test(c) : set.includes(c));
  let a = 0;
  let b = s.length;
  if (left) while (a < b && strip(s[a] as string)) a++;
  if (right) while (b > a && strip(s[b - 1] as string)) b--;
  return s.slice(a, b);
}

function pySplit(s: string, sep: unknown, maxsplit: unknown): string[] {
  const max = toInt(maxsplit, -1);
  if (sep === undefined || sep === null) {
    const parts = s.trim() === '' ? [] : s.trim().split(/\s+/);
    if (max < 0 || parts.length <= max + 1) return parts;
    const head = parts.slice(0, max);
    let rest = s.trim();
    for (const h of head) rest = rest.slice(rest.indexOf(h) + h.length).replace(/^\s+/, '');
    return [...head, rest];
  }
  const d = strArg(sep);
  if (d === '') throw new Error('empty separator');
  const parts = s.split(d);
  if (max < 0 || parts.length <= max + 1) return parts;
  return [...parts.slice(0, max), parts.slice(max).join(d)];
}

function affix(s: string, arg: unknown, test: (s: string, a: string) => boolean): boolean {
  return Array.isArray(arg) ? arg.some((a) => test(s, strArg(a))) : test(s, strArg(arg));
}

function pyFormat(s: string, args: unknown[]): string {
  const { pos, kw } = splitArgs(args);
  let auto = 0;
  return s.replace(/\{\{|\}\}|\{([^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}/g, (m, field: string) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    if (field === '') return pyStr(pos[auto++]);
    if (/^\d+$/.test(field)) return pyStr(pos[Number(field)]);
    return pyStr(hasOwn(kw, field) ? kw[field] : undefined);
  });
}

const STR_METHODS: Record<string, Method> = {
  upper: (s: string) => s.toUpperCase(),
  lower: (s: string) => s.toLowerCase(),
  casefold: (s: string) => s.toLowerCase(),
  swapcase: (s: string) =>
    [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  title: (s: string) =>
    s
      .toLowerCase()
      .replace(/(^|[^A-Za-z0-9])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()),
  capitalize: (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  strip: (s: string, chars?: unknown) => stripChars(s, chars, true, true),
  lstrip: (s: string, chars?: unknown) => stripChars(s, chars, true, false),
  rstrip: (s: string, chars?: unknown) => stripChars(s, chars, false, true),
  split: (s: string, sep?: unknown, max?: unknown) => pySplit(s, sep, max),
  rsplit: (s: string, sep?: unknown, max?: unknown) => {
    const m = toInt(max, -1);
    if (m < 0) return pySplit(s, sep, -1);
    const rev = pySplit(
      [...s].reverse().join(''),
      sep === undefined || sep === null ? sep : [...strArg(sep)].reverse().join(''),
      m,
    );
    return rev.map((p) => [...p].reverse().join('')).reverse();
  },
  splitlines: (s: string) =>
    s.split(/\r\n|\r|\n/).filter((x, i, a) => i < a.length - 1 || x !== ''),
  replace: (s: string, a: unknown, b: unknown, count?: unknown) => {
    const n = toInt(count, -1);
    const from = strArg(a);
    const to = strArg(b);
    if (n < 0) {
      const r = s.split(from).join(to);
      checkSize(r.length);
      return r;
    }
    let out = s;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const k = out.indexOf(from, at);
      if (k < 0) break;
      out = out.slice(0, k) + to + out.slice(k + from.length);
      at = k + to.length;
    }
    return out;
  },
  startswith: (s: string, p: unknown) => affix(s, p, (x, a) => x.startsWith(a)),
  endswith: (s: string, p: unknown) => affix(s, p, (x, a) => x.endsWith(a)),
  removeprefix: (s: string, p: unknown) =>
    s.startsWith(strArg(p)) ? s.slice(strArg(p).length) : s,
  removesuffix: (s: string, p: unknown) => {
    const x = strArg(p);
    return x !== '' && s.endsWith(x) ? s.slice(0, -x.length) : s;
  },
  join: (s: string, items: unknown) => {
    const r = toList(items).map(pyStr).join(s);
    checkSize(r.length);
    return r;
  },
  find: (s: string, sub: unknown) => s.indexOf(strArg(sub)),
  rfind: (s: string, sub: unknown) => s.lastIndexOf(strArg(sub)),
  index: (s: string, sub: unknown) => {
    const i = s.indexOf(strArg(sub));
    if (i < 0) throw new Error('substring not found');
    return i;
  },
  count: (s: string, sub: unknown) => {
    const x = strArg(sub);
    return x === '' ? s.length + 1 : s.split(x).length - 1;
  },
  format: (s: string, ...args: unknown[]) => pyFormat(s, args),
  isdigit: (s: string) => /^[0-9]+$/.test(s),
  isnumeric: (s: string) => /^[0-9]+$/.test(s),
  isdecimal: (s: string) => /^[0-9]+$/.test(s),
  isalpha: (s: string) => /^[A-Za-z]+$/.test(s),
  isalnum: (s: string) => /^[A-Za-z0-9]+$/.test(s),
  isspace: (s: string) => /^\s+$/.test(s),
  isupper: (s: string) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  islower: (s: string) => /[a-z]/.test(s) && s === s.toLowerCase(),
  zfill: (s: string, w: unknown) => s.padStart(Math.min(toInt(w, 0), MAX_SIZE), '0'),
  ljust: (s: string, w: unknown, f?: unknown) =>
    s.padEnd(Math.min(toInt(w, 0), MAX_SIZE), f === undefined ? ' ' : strArg(f)),
  rjust: (s: string, w: unknown, f?: unknown) =>
    s.padStart(Math.min(toInt(w, 0), MAX_SIZE), f === undefined ? ' ' : strArg(f)),
  center: (s: string, w: unknown) => {
    const width = Math.min(toInt(w, 0), MAX_SIZE);
    const pad = Math.max(0, width - s.length);
    return ' '.repeat(Math.floor(pad / 2)) + s + ' '.repeat(Math.ceil(pad / 2));
  },
  partition: (s: string, sep: unknown) => {
    const d = strArg(sep);
    const i = s.indexOf(d);
    return i < 0 ? [s, '', ''] : [s.slice(0, i), d, s.slice(i + d.length)];
  },
  rpartition: (s: string, sep: unknown) => {
    const d = strArg(sep);
    const i = s.lastIndexOf(d);
    return i < 0 ? ['', '', s] : [s.slice(0, i), d, s.slice(i + d.length)];
  },
  encode: (s: string) => s,
  decode: (s: string) => s,
};

const LIST_METHODS: Record<string, Method> = {
  append: (l: unknown[], x: unknown) => {
    checkSize(l.length + 1);
    l.push(x);
    return null;
  },
  extend: (l: unknown[], x: unknown) => {
    const items = toList(x);
    checkSize(l.length + items.length);
    l.push(...items);
    return null;
  },
  insert: (l: unknown[], i: unknown, x: unknown) => {
    checkSize(l.length + 1);
    let at = toInt(i, 0);
    if (at < 0) at = Math.max(0, l.length + at);
    l.splice(at, 0, x);
    return null;
  },
  pop: (l: unknown[], i?: unknown) => {
    if (l.length === 0) throw new Error('pop from empty list');
    const at = index(l.length, i === undefined ? -1 : toInt(i, -1));
    if (at === null) throw new Error('pop index out of range');
    return l.splice(at, 1)[0];
  },
  remove: (l: unknown[], x: unknown) => {
    charge(l.length);
    const at = l.findIndex((y) => pyEq(y, x));
    if (at < 0) throw new Error('list.remove(x): x not in list');
    l.splice(at, 1);
    return null;
  },
  index: (l: unknown[], x: unknown) => {
    charge(l.length);
    const at = l.findIndex((y) => pyEq(y, x));
    if (at < 0) throw new Error('x not in list');
    return at;
  },
  count: (l: unknown[], x: unknown) => {
    charge(l.length);
    return l.filter((y) => pyEq(y, x)).length;
  },
  reverse: (l: unknown[]) => {
    l.reverse();
    return null;
  },
  sort: (l: unknown[], ...args: unknown[]) => {
    chargeSort(l.length);
    const { kw } = splitArgs(args);
    l.sort(compareValues);
    if (truthy(kw.reverse)) l.reverse();
    return null;
  },
  copy: (l: unknown[]) => [...l],
  clear: (l: unknown[]) => {
    l.length = 0;
    return null;
  },
};

const DICT_METHODS: Record<string, Method> = {
  items: (d: Record<string, unknown>) => Object.keys(d).map((k) => [k, d[k]]),
  keys: (d: Record<string, unknown>) => Object.keys(d),
  values: (d: Record<string, unknown>) => Object.keys(d).map((k) => d[k]),
  get: (d: Record<string, unknown>, k: unknown, dflt: unknown = null) => {
    const key = typeof k === 'string' ? k : pyStr(k);
    return hasOwn(d, key) ? d[key] : dflt;
  },
  update: (d: Record<string, unknown>, ...args: unknown[]) => {
    const { pos, kw } = splitArgs(args);
    for (const src of [...pos, kw]) {
      if (isDict(src)) for (const k of Object.keys(src)) setOwn(d, k, src[k]);
      else if (Array.isArray(src)) {
        for (const pair of src) if (Array.isArray(pair)) setOwn(d, pyStr(pair[0]), pair[1]);
      }
    }
    return null;
  },
  pop: (d: Record<string, unknown>, k: unknown, ...rest: unknown[]) => {
    const key = pyStr(k);
    if (hasOwn(d, key)) {
      const v = d[key];
      delete d[key];
      return v;
    }
    if (rest.length > 0) return rest[0];
    throw new Error(`KeyError: ${key}`);
  },
  setdefault: (d: Record<string, unknown>, k: unknown, dflt: unknown = null) => {
    const key = pyStr(k);
    if (!hasOwn(d, key)) setOwn(d, key, dflt);
    return d[key];
  },
  copy: (d: Record<string, unknown>) => ({ ...d }),
  clear: (d: Record<string, unknown>) => {
    for (const k of Object.keys(d)) delete d[k];
    return null;
  },
  has_key: (d: Record<string, unknown>, k: unknown) => hasOwn(d, pyStr(k)),
};

/** Keys no template may read, whatever the object. */
const BLOCKED = new Set([
  'constructor',
  '__proto__',
  'prototype',
  'caller',
  'callee',
  'arguments',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

function bind(method: Method, self: unknown): Callable {
  return callable((...args: unknown[]) =>
    (method as (s: unknown, ...a: unknown[]) => unknown)(self, ...args),
  );
}

/** `obj.key` / `obj[key]` in a template. */
export function memberLookup(obj: unknown, key: unknown): unknown {
  if (obj === undefined || obj === null) return undefined;
  if (key instanceof SliceKey) {
    if (typeof obj === 'string')
      return sliceIndices(obj.length, key)
        .map((i) => obj[i])
        .join('');
    if (Array.isArray(obj)) return sliceIndices(obj.length, key).map((i) => obj[i] as unknown);
    return undefined;
  }
  if (typeof obj === 'string') {
    const i = index(obj.length, key);
    if (i !== null) return obj[i];
    const m = typeof key === 'string' && hasOwn(STR_METHODS, key) ? STR_METHODS[key] : undefined;
    return m ? bind(m, obj) : undefined;
  }
  if (Array.isArray(obj)) {
    const i = index(obj.length, key);
    if (i !== null) return obj[i] as unknown;
    const m = typeof key === 'string' && hasOwn(LIST_METHODS, key) ? LIST_METHODS[key] : undefined;
    return m ? bind(m, obj) : undefined;
  }
  const name = typeof key === 'number' ? String(key) : key;
  if (typeof name !== 'string' || BLOCKED.has(name)) return undefined;
  if (typeof obj === 'function') {
    const attrs = (obj as Callable)[ATTRS];
    return attrs && hasOwn(attrs, name) ? attrs[name] : undefined;
  }
  if (typeof obj !== 'object') return undefined;
  if (hasOwn(obj, name)) return (obj as Record<string, unknown>)[name];
  if (isDict(obj)) {
    const m = hasOwn(DICT_METHODS, name) ? DICT_METHODS[name] : undefined;
    return m ? bind(m, obj) : undefined;
  }
  const fallback = (obj as Special)[GETATTR];
  return fallback ? fallback(name) : undefined;
}

/** `{% set ns.attr = value %}` (rewritten to `__setattr(ns, "attr", value)`). */
export function setAttr(obj: unknown, key: unknown, value: unknown): string {
  if (
    typeof key === 'string' &&
    !BLOCKED.has(key) &&
    typeof obj === 'object' &&
    obj !== null &&
    !Array.isArray(obj)
  ) {
    setOwn(obj, key, value);
  }
  return '';
}

export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = pyStr(a);
  const y = pyStr(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Filters and tests

type Filter = (value: unknown, ...args: unknown[]) => unknown;

function attrPath(v: unknown, attr: unknown): unknown {
  let cur = v;
  for (const part of pyStr(attr).split('.')) {
    cur = memberLookup(cur, /^-?\d+$/.test(part) ? Number(part) : part);
  }
  return cur;
}

function jsonValue(v: unknown, depth = 0): unknown {
  if (depth > 100) return null;
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map((x) => jsonValue(x, depth + 1));
  if (isDict(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) setOwn(out, k, jsonValue(v[k], depth + 1));
    return out;
  }
  if (typeof v === 'object' && v !== null) return pyStr(v);
  if (typeof v === 'function') return null;
  return v;
}

function toJson(v: unknown, indent?: unknown): string {
  const n = toInt(indent, 0);
  return JSON.stringify(jsonValue(v), null, n > 0 ? Math.min(n, 16) : undefined) ?? 'null';
}

/** `x | map('upper')`, `x | map(attribute='name')`, `select('odd')`, … need the test/filter tables. */
function mapFilter(value: unknown, ...args: unknown[]): unknown[] {
  const { pos, kw } = splitArgs(args);
  const items = toList(value);
  if (hasOwn(kw, 'attribute')) {
    return items.map((x) => {
      const r = attrPath(x, kw.attribute);
      return r === undefined && hasOwn(kw, 'default') ? kw.default : r;
    });
  }
  const name = pyStr(pos[0]);
  const f = hasOwn(FILTERS, name) ? FILTERS[name] : undefined;
  return f ? items.map((x) => f(x, ...pos.slice(1))) : items;
}

function selector(keep: boolean, byAttr: boolean): Filter {
  return (value: unknown, ...args: unknown[]) => {
    const { pos } = splitArgs(args);
    const items = toList(value);
    let i = 0;
    const attr = byAttr ? pos[i++] : undefined;
    const testName = pos[i] === undefined ? null : pyStr(pos[i]);
    const testArgs = pos.slice(i + 1);
    return items.filter((x) => {
      const v = byAttr ? attrPath(x, attr) : x;
      const test = testName !== null && hasOwn(TESTS, testName) ? TESTS[testName] : undefined;
      const ok = testName === null ? truthy(v) : test ? test(v, ...testArgs) : false;
      return ok === keep;
    });
  };
}

function unique(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    charge(out.length + 1);
    if (!out.some((x) => pyEq(x, v))) out.push(v);
  }
  return out;
}

function chargeSort(n: number): void {
  charge(n * Math.ceil(Math.log2(n + 1)));
}

export const FILTERS: Record<string, Filter> = {
  abs: (v) => Math.abs(Number(v)),
  attr: (v, name) => memberLookup(v, name),
  batch: (v, n) => {
    const size = Math.max(1, toInt(n, 1));
    const items = toList(v);
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
    return out;
  },
  capitalize: (v) => STR_METHODS.capitalize!(pyStr(v) as never),
  center: (v, w) => STR_METHODS.center!(pyStr(v) as never, w),
  count: (v) => (typeof v === 'string' ? v.length : toList(v).length),
  default: (v, dflt = '', boolean) =>
    v === undefined || (truthy(boolean) && !truthy(v)) ? dflt : v,
  dictsort: (v) => {
    if (!isDict(v)) return [];
    const keys = Object.keys(v);
    chargeSort(keys.length);
    return keys.sort().map((k) => [k, v[k]]);
  },
  escape: (v) => pyStr(v),
  first: (v) => toList(v)[0],
  float: (v, dflt = 0.0) => {
    const n = Number.parseFloat(pyStr(v));
    return Number.isNaN(n) ? dflt : n;
  },
  fromjson: (v) => parseJson(pyStr(v)),
  indent: (v, w = 4, first = false) => {
    const pad = ' '.repeat(Math.min(Math.max(0, toInt(w, 4)), 100));
    const lines = pyStr(v).split('\n');
    checkSize(lines.length * pad.length + pyStr(v).length);
    return lines.map((l, i) => ((i === 0 && !truthy(first)) || l === '' ? l : pad + l)).join('\n');
  },
  int: (v, dflt = 0) => {
    const n = Number.parseInt(pyStr(v), 10);
    return Number.isNaN(n) ? dflt : n;
  },
  items: (v) => (isDict(v) ? DICT_METHODS.items!(v as never) : []),
  join: (v, sep = '', ...rest) => {
    const { kw } = splitArgs(rest);
    let items = toList(v);
    if (hasOwn(kw, 'attribute')) items = items.map((x) => attrPath(x, kw.attribute));
    const r = items.map(pyStr).join(pyStr(isKeywordArgs(sep) ? '' : sep));
    checkSize(r.length);
    return r;
  },
  last: (v) => {
    const l = toList(v);
    return l[l.length - 1];
  },
  length: (v) => (typeof v === 'string' ? v.length : toList(v).length),
  list: (v) => [...toList(v)],
  lower: (v) => pyStr(v).toLowerCase(),
  map: mapFilter,
  max: (v) =>
    toList(v).reduce((a, b) => (a === undefined || compareValues(b, a) > 0 ? b : a), undefined),
  min: (v) =>
    toList(v).reduce((a, b) => (a === undefined || compareValues(b, a) < 0 ? b : a), undefined),
  pprint: (v) => pyRepr(v),
  reject: selector(false, false),
  rejectattr: selector(false, true),
  replace: (v, a, b, count) => STR_METHODS.replace!(pyStr(v) as never, a, b, count),
  reverse: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...toList(v)].reverse()),
  round: (v, precision = 0, method = 'common') => {
    const p = 10 ** Math.min(Math.max(toInt(precision, 0), 0), 15);
    const x = Number(v) * p;
    const m = pyStr(method);
    return (m === 'ceil' ? Math.ceil(x) : m === 'floor' ? Math.floor(x) : Math.round(x)) / p;
  },
  safe: (v) => v,
  select: selector(true, false),
  selectattr: selector(true, true),
  sort: (v, ...args) => {
    const { pos, kw } = splitArgs(args);
    const reverse = truthy(pos[0] ?? kw.reverse);
    const attr = kw.attribute ?? pos[2];
    const items = [...toList(v)];
    chargeSort(items.length);
    items.sort((a, b) =>
      attr === undefined
        ? compareValues(a, b)
        : compareValues(attrPath(a, attr), attrPath(b, attr)),
    );
    return reverse ? items.reverse() : items;
  },
  string: (v) => pyStr(v),
  striptags: (v) => pyStr(v).replace(/<[^>]*>/g, ''),
  sum: (v, ...args) => {
    const { kw } = splitArgs(args);
    return toList(v).reduce<number>(
      (a, b) => a + Number(kw.attribute === undefined ? b : attrPath(b, kw.attribute)),
      Number(kw.start ?? 0),
    );
  },
  title: (v) => STR_METHODS.title!(pyStr(v) as never),
  tojson: (v, indent) => toJson(v, indent),
  trim: (v, chars) => stripChars(pyStr(v), chars, true, true),
  truncate: (v, n = 255) => pyStr(v).slice(0, Math.max(0, toInt(n, 255))),
  unique: (v) => unique(toList(v)),
  upper: (v) => pyStr(v).toUpperCase(),
  urlencode: (v) => encodeURIComponent(pyStr(v)),
  wordcount: (v) => pySplit(pyStr(v), null, -1).length,
  // dbt's own filters
  as_bool: (v) => (typeof v === 'string' ? v.trim().toLowerCase() === 'true' : v),
  as_native: (v) => (typeof v === 'string' ? nativeValue(v) : v),
  as_number: (v) =>
    typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v,
  as_text: (v) => pyStr(v),
};
FILTERS.d = FILTERS.default!;
FILTERS.e = FILTERS.escape!;
FILTERS.dump = FILTERS.tojson!;

export function parseJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return null;
  }
}

/** dbt's `as_native`: a Python literal (number, bool, None, list, dict) written as text. */
function nativeValue(s: string): unknown {
  const t = s.trim();
  if (t === 'True' || t === 'true') return true;
  if (t === 'False' || t === 'false') return false;
  if (t === 'None') return null;
  if (t !== '' && !Number.isNaN(Number(t))) return Number(t);
  const json = parseJson(
    t
      .replace(/'/g, '"')
      .replace(/\bTrue\b/g, 'true')
      .replace(/\bFalse\b/g, 'false')
      .replace(/\bNone\b/g, 'null'),
  );
  return json ?? s;
}

type Test = (value: unknown, ...args: unknown[]) => boolean;

export const TESTS: Record<string, Test> = {
  boolean: (v) => typeof v === 'boolean',
  callable: (v) => typeof v === 'function',
  defined: (v) => v !== undefined,
  divisibleby: (v, n) => Number(n) !== 0 && Number(v) % Number(n) === 0,
  eq: (v, o) => pyEq(v, o),
  equalto: (v, o) => pyEq(v, o),
  escaped: () => false,
  even: (v) => Number(v) % 2 === 0,
  false: (v) => v === false,
  falsy: (v) => !truthy(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  ge: (v, o) => pyCompare('>=', v, o),
  greaterthan: (v, o) => pyCompare('>', v, o),
  gt: (v, o) => pyCompare('>', v, o),
  in: (v, c) => pyIn(v, c),
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  iterable: (v) => Array.isArray(v) || typeof v === 'string' || isDict(v),
  le: (v, o) => pyCompare('<=', v, o),
  lessthan: (v, o) => pyCompare('<', v, o),
  lower: (v) => typeof v === 'string' && v === v.toLowerCase(),
  lt: (v, o) => pyCompare('<', v, o),
  mapping: (v) => isDict(v) || (typeof v === 'object' && v !== null && MAPPING in v),
  ne: (v, o) => !pyEq(v, o),
  none: (v) => v === null,
  null: (v) => v === null,
  number: (v) => typeof v === 'number' || typeof v === 'boolean',
  odd: (v) => Math.abs(Number(v) % 2) === 1,
  sameas: (v, o) => v === o,
  sequence: (v) => Array.isArray(v) || typeof v === 'string' || isDict(v),
  string: (v) => typeof v === 'string',
  true: (v) => v === true,
  truthy: (v) => truthy(v),
  undefined: (v) => v === undefined,
  upper: (v) => typeof v === 'string' && v === v.toUpperCase(),
};
TESTS['=='] = TESTS.eq!;
TESTS['!='] = TESTS.ne!;
TESTS['<'] = TESTS.lt!;
TESTS['>'] = TESTS.gt!;
TESTS['<='] = TESTS.le!;
TESTS['>='] = TESTS.ge!;
