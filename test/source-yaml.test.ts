/**
 * parseDbtYaml reads YAML as dbt does (PyYAML SafeLoader, YAML 1.1, after strict UTF-8 decoding
 * and str.strip()), with positions. Every expectation about values and errors below was checked
 * against PyYAML 6.0 (`yaml.safe_load`) when it was written, except the deliberate departures
 * documented in src/load/source/yaml.ts: timestamps stay text, `!!binary`-like tags and
 * recursive aliases are refused, and the limits on depth and alias expansion.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  MAX_ALIAS_EXPANSION,
  MAX_DEPTH,
  parseDbtYaml,
  YamlSyntaxError,
  type YamlDocument,
} from '../src/load/source/yaml.js';

type Json = any;

const load = (text: string | Buffer): Json => parseDbtYaml(text, 'f.yml').value;
/** A plain copy (prototype-less objects compare equal to literals with toEqual anyway). */
const plain = (text: string): Json => JSON.parse(JSON.stringify(load(text)));

function syntaxError(text: string | Buffer, file = 'models/x.yml'): YamlSyntaxError {
  try {
    parseDbtYaml(text, file);
  } catch (err) {
    if (err instanceof YamlSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected a YamlSyntaxError for ${JSON.stringify(text)}`);
}

describe('YAML 1.1 scalars, as PyYAML resolves them', () => {
  test('yes/no/on/off and true/false in their three spellings are booleans', () => {
    const v = load(
      'a: [yes, Yes, YES, no, No, NO, on, On, ON, off, Off, OFF, true, True, TRUE, false, False, FALSE]',
    );
    expect(v.a).toEqual([
      true, true, true, false, false, false, true, true, true, false, false, false,
      true, true, true, false, false, false,
    ]); // prettier-ignore
  });

  test('y, n, mixed case and quoted booleans stay strings', () => {
    expect(load("a: [y, n, Y, N, tRue, yEs, 'yes', \"on\"]").a).toEqual([
      'y', 'n', 'Y', 'N', 'tRue', 'yEs', 'yes', 'on',
    ]); // prettier-ignore
  });

  test('a dbt config written with yes/no', () => {
    const v = load(
      'models:\n  +persist_docs:\n    relation: yes\n    columns: no\n  +enabled: on\n',
    );
    expect(v.models['+persist_docs']).toEqual({ relation: true, columns: false });
    expect(v.models['+enabled']).toBe(true);
  });

  test('a boolean or null key becomes the text JSON gives it', () => {
    expect(Object.keys(load('on: 1\nno: 2\n~: 3\nplain: 4'))).toEqual([
      'true',
      'false',
      'null',
      'plain',
    ]);
  });

  test('null forms', () => {
    expect(load('a: [~, null, Null, NULL, nUll, "", \'\']\nb:\nc: !!null x')).toEqual({
      a: [null, null, null, null, 'nUll', '', ''],
      b: null,
      c: null,
    });
  });

  test('integers: decimal, octal, hex, binary, separators, base 60', () => {
    const v = load(
      'a: [0, 42, -7, +12, 017, 0x1F, 0b101, -0b11, 1_000, 0_7, 190:20:30, 1:20, -1:30, 12345678901234567890]',
    );
    expect(v.a).toEqual([
      0,
      42,
      -7,
      12,
      15,
      31,
      5,
      -3,
      1000,
      7,
      685230,
      80,
      -90,
      Number('12345678901234567890'), // past 2^53: as imprecise as JSON.parse of a manifest
    ]);
    expect(Object.is(load('a: -0').a, 0)).toBe(true);
  });

  test('YAML 1.2 and malformed number forms stay strings', () => {
    expect(load('a: [0o17, 09, 08, 1e3, 1.0e3, 1:70, 1.2.3, 0b, 0x, -.nan, 10_000abc]').a).toEqual([
      '0o17', '09', '08', '1e3', '1.0e3', '1:70', '1.2.3', '0b', '0x', '-.nan', '10_000abc',
    ]); // prettier-ignore
  });

  test('floats need a dot; .inf and .nan', () => {
    const v = load(
      'a: [1.5, 1., .5, -.5e+1, 1.0e+3, 1_0.5_0, 190:20:30.15, .inf, -.Inf, +.INF, .NaN]',
    );
    expect(v.a.slice(0, 7)).toEqual([1.5, 1, 0.5, '-.5e+1', 1000, 10.5, 685230.15]);
    expect(v.a.slice(7, 10)).toEqual([Infinity, -Infinity, Infinity]);
    expect(Number.isNaN(v.a[10])).toBe(true);
  });

  test('model versions keep their number type', () => {
    const v = load(
      'models:\n  - name: m\n    latest_version: 2\n    versions:\n      - v: 1\n      - v: 1.5\n      - v: "3"',
    );
    expect(v.models[0].latest_version).toBe(2);
    expect(v.models[0].versions.map((x: Json) => x.v)).toEqual([1, 1.5, '3']);
  });

  test('unquoted dates and timestamps stay the text as written', () => {
    const v = load(
      'models:\n  - name: m\n    deprecation_date: 2024-01-31\n    versions:\n      - v: 1\n        deprecation_date: 2024-01-31 10:00:00\n' +
        "      - v: 2\n        deprecation_date: 2024-01-31T10:00:00Z\nother: [2024-1-31, '2024-01-31', 2024-02-29]",
    );
    expect(v.models[0].deprecation_date).toBe('2024-01-31');
    expect(v.models[0].versions[0].deprecation_date).toBe('2024-01-31 10:00:00');
    expect(v.models[0].versions[1].deprecation_date).toBe('2024-01-31T10:00:00Z');
    expect(v.other).toEqual(['2024-1-31', '2024-01-31', '2024-02-29']);
  });

  test('an impossible unquoted date fails, as in PyYAML; quoted it is text', () => {
    for (const bad of [
      '2024-02-30',
      '2023-02-29',
      '2024-13-01',
      '0000-01-01',
      '2024-01-01 24:00:00',
    ]) {
      const err = syntaxError(`d: ${bad}`);
      expect(err.reason).toMatch(/^invalid timestamp/);
      expect([err.line, err.column]).toEqual([1, 4]);
    }
    expect(load("d: '2024-02-30'").d).toBe('2024-02-30');
  });

  test('a plain `=` value cannot be constructed (PyYAML), a `=` key is text', () => {
    expect(syntaxError('op: =').reason).toMatch(/tag:yaml.org,2002:value/);
    expect(load('=: 1\nop: "="')).toEqual({ '=': 1, op: '=' });
  });

  test('explicit tags', () => {
    expect(
      load("a: !!str 12\nb: !!int '12'\nc: ! 12\nd: !!float '1'\ne: !!bool yes\nf: !!str"),
    ).toEqual({
      a: '12',
      b: 12,
      c: 12,
      d: 1,
      e: true,
      f: '',
    });
    expect(syntaxError('a: !Ref x').reason).toMatch(/tag '!Ref' is not supported/);
    expect(syntaxError('a: !!binary aGk=').reason).toMatch(/tag '!!binary' is not supported/);
    expect(syntaxError('a: !!int abc').reason).toMatch(/not an integer/);
  });

  test('quoted, folded and literal scalars are strings', () => {
    const v = load(
      "a: 'it''s'\nb: \"tab\\there\"\nc: |\n  x\n  y\nd: >-\n  folded\n  text\ne: |\n  last",
    );
    expect(v).toEqual({ a: "it's", b: 'tab\there', c: 'x\ny\n', d: 'folded text', e: 'last' });
  });
});

describe('mappings, anchors and merge keys', () => {
  test('the last duplicate key wins, in the place of the first', () => {
    const doc = parseDbtYaml('models:\n  - name: a\nother: 1\nmodels:\n  - name: b\n', 'f.yml');
    const v = doc.value as Json;
    expect(Object.keys(v)).toEqual(['models', 'other']);
    expect(v.models).toEqual([{ name: 'b' }]);
    expect(doc.keyPosition(v, 'models')).toEqual({ line: 4, column: 1 });
  });

  test('an alias is its anchor, the very same object', () => {
    const v = load(
      'cols: &cols\n  - name: id\nmodels:\n  - name: a\n    columns: *cols\n  - name: b\n    columns: *cols',
    );
    expect(v.models[0].columns).toBe(v.cols);
    expect(v.models[1].columns).toBe(v.cols);
  });

  test('`<<: *base` merges; the mapping’s own keys win wherever `<<` stands', () => {
    const v = plain('base: &base\n  a: 1\n  b: 1\nm:\n  b: 2\n  <<: *base\n  c: 3\n');
    expect(v.m).toEqual({ a: 1, b: 2, c: 3 });
    expect(Object.keys(v.m)).toEqual(['a', 'b', 'c']);
  });

  test('a list of merges: an earlier mapping beats a later one', () => {
    const v = plain('a: &a {k: 1, j: 1}\nb: &b {k: 2, m: 2}\nc:\n  <<: [*a, *b]\n  n: 3');
    expect(v.c).toEqual({ k: 1, j: 1, m: 2, n: 3 });
    expect(Object.keys(v.c)).toEqual(['k', 'm', 'j', 'n']); // PyYAML's order
  });

  test('of two `<<` keys the later wins; a merge of an inline mapping', () => {
    const v = plain('base: &b {x: 1, y: 2}\nc:\n  y: 3\n  <<: *b\n  <<: {x: 9, z: 9}');
    expect(v.c).toEqual({ x: 9, y: 3, z: 9 });
  });

  test('merged configs in a properties file (anchors: block, dbt 1.10)', () => {
    const text =
      'anchors:\n  - &defaults\n    materialized: table\n    tags: [a]\nmodels:\n  - name: m\n    config:\n      <<: *defaults\n      tags: [b]\n';
    const doc = parseDbtYaml(text, 'f.yml');
    const config = (doc.value as Json).models[0].config;
    expect(config).toEqual({ materialized: 'table', tags: ['b'] });
    // A merged key points where it is written (in the anchor); an own key at itself.
    expect(doc.keyPosition(config, 'materialized')).toEqual({ line: 3, column: 5 });
    expect(doc.keyPosition(config, 'tags')).toEqual({ line: 9, column: 7 });
  });

  test('a quoted "<<" is an ordinary key; bad merge values fail', () => {
    expect(plain("'<<': {a: 1}")).toEqual({ '<<': { a: 1 } });
    expect(syntaxError('a:\n  <<: 1').reason).toMatch(/for merging/);
    expect(syntaxError('a:\n  <<: [1]').reason).toMatch(/for merging/);
    expect(syntaxError('a: <<').reason).toMatch(/tag:yaml.org,2002:merge/);
  });

  test('a reused anchor name, an undefined alias, a recursive alias fail', () => {
    expect(syntaxError('a: &x 1\nb: &x 2').reason).toMatch(/duplicate anchor 'x'/);
    const undef = syntaxError('a: 1\nb: *nope');
    expect([undef.reason, undef.line, undef.column]).toEqual([
      "found undefined alias 'nope'",
      2,
      4,
    ]);
    expect(syntaxError('a: &r [*r]').reason).toMatch(/inside its own anchor/);
  });

  test('a mapping or sequence as a key fails (PyYAML: unhashable)', () => {
    expect(syntaxError('? [a]\n: 1').reason).toMatch(/unhashable key/);
    expect(syntaxError('{a: 1}: 2').reason).toMatch(/unhashable key/);
  });

  test('`__proto__` and `constructor` are inert data keys', () => {
    const v = load('__proto__: {polluted: yes}\nconstructor: x\nm:\n  <<: {__proto__: {p: 1}}\n');
    expect(Object.getPrototypeOf(v)).toBeNull();
    expect(Object.getPrototypeOf(v.m)).toBeNull();
    expect(Object.keys(v)).toEqual(['__proto__', 'constructor', 'm']);
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).toEqual({ polluted: true });
    expect(Object.keys(v.m)).toEqual(['__proto__']);
    expect(({} as Json).polluted).toBeUndefined();
    expect(({} as Json).p).toBeUndefined();
    expect(JSON.parse(JSON.stringify(v)).constructor).toBe('x');
  });
});

describe('files dbt skips or refuses', () => {
  test.each([
    ['empty', ''],
    ['whitespace only', '  \n\n\t\n'],
    ['comments only', '# a comment\n   # another\n'],
    ['a bare document start', '---\n'],
    ['start and end markers', '---\n...\n'],
    ['a BOM and a comment', '\uFEFF# just this\n'],
  ])('%s → null', (_name, text) => {
    expect(load(text)).toBeNull();
  });

  test('a second document is an error at its `---`', () => {
    const err = syntaxError('models: []\n---\nsources: []\n');
    expect([err.line, err.column]).toEqual([2, 1]);
    expect(err.reason).toMatch(/single document/);
    expect(syntaxError('a: 1\n---\n').line).toBe(2);
    expect(syntaxError('---\n---\na: 1').line).toBe(2);
  });

  test('one explicit document is fine', () => {
    expect(plain('%YAML 1.1\n---\na: 1\n...\n')).toEqual({ a: 1 });
  });

  test('the file is stripped first, as dbt does: an indented first line is an error', () => {
    // dbt strips "  a: 1\n  b: 2" to "a: 1\n  b: 2", which PyYAML refuses.
    expect(syntaxError('  a: 1\n  b: 2').line).toBe(2);
    expect(plain('\n\n\na: 1\n\n')).toEqual({ a: 1 });
  });

  test('invalid UTF-8 and control characters are errors with their position', () => {
    const bytes = Buffer.concat([
      Buffer.from('a: 1\nb: caf'),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]);
    const err = syntaxError(bytes);
    expect([err.line, err.column]).toEqual([2, 7]);
    expect(err.reason).toMatch(/invalid UTF-8 \(byte 0xe9\)/);
    const ctl = syntaxError('a: b\u0007c');
    expect([ctl.line, ctl.column, ctl.reason]).toEqual([
      1,
      5,
      'unacceptable character #x0007: special characters are not allowed',
    ]);
    expect(load(Buffer.from('a: café ✓'))).toEqual({ a: 'café ✓' });
  });
});

describe('byte-order mark, line endings, Jinja', () => {
  test('a BOM is dropped, and positions are counted without it', () => {
    for (const input of [
      '\uFEFFmodels:\n  - name: m\n',
      Buffer.from('\uFEFFmodels:\n  - name: m\n'),
    ]) {
      const doc = parseDbtYaml(input, 'f.yml');
      const v = doc.value as Json;
      expect(Object.keys(v)).toEqual(['models']);
      expect(doc.keyPosition(v, 'models')).toEqual({ line: 1, column: 1 });
      expect(doc.positionOf(v.models[0])).toEqual({ line: 2, column: 5 });
    }
  });

  test('CRLF files give the values and positions of LF files', () => {
    const lf =
      'models:\n  - name: orders\n    description: |\n      line one\n      line two\n    columns:\n      - name: id\n';
    const crlf = lf.replace(/\n/g, '\r\n');
    const a = parseDbtYaml(lf, 'f.yml');
    const b = parseDbtYaml(crlf, 'f.yml');
    expect(b.value).toEqual(a.value);
    expect((b.value as Json).models[0].description).toBe('line one\nline two\n');
    const col = (d: YamlDocument): unknown => d.positionOf((d.value as Json).models[0].columns[0]);
    expect(col(b)).toEqual({ line: 7, column: 9 });
    expect(col(b)).toEqual(col(a));
    const cr = parseDbtYaml(lf.replace(/\n/g, '\r'), 'f.yml');
    expect(col(cr)).toEqual({ line: 7, column: 9 });
  });

  test('quoted Jinja is kept as text', () => {
    const v = load(
      'sources:\n  - name: raw\n    database: "{{ env_var(\'DBT_DB\') }}"\n    schema: \'{{ var("schema") }}_raw\'\n' +
        "    description: \"{{ doc('raw') }}\"\n    loader: prefix_{{ x }}\n    tags: ['{% if a %}b{% endif %}']\n",
    );
    expect(v.sources[0]).toEqual({
      name: 'raw',
      database: "{{ env_var('DBT_DB') }}",
      schema: '{{ var("schema") }}_raw',
      description: "{{ doc('raw') }}",
      loader: 'prefix_{{ x }}',
      tags: ['{% if a %}b{% endif %}'],
    });
  });

  test('unquoted Jinja at the start of a value is a YAML error, as in dbt', () => {
    const err = syntaxError("models:\n  - name: m\n    description: {{ doc('m') }}\n");
    expect([err.line, err.column]).toEqual([3, 18]);
    expect(err.reason).toMatch(/unquoted Jinja/);
    expect(err.message).toBe(`models/x.yml:3:18: ${err.reason}`);
    expect(syntaxError("x: {{ doc('a') }} tail").reason).toMatch(/unquoted Jinja/);
    expect(syntaxError('x: {% if a %}b{% endif %}').reason).toMatch(/unquoted Jinja/);
  });
});

describe('positions', () => {
  const text = [
    'version: 2', //                                  1
    'models:', //                                     2
    '  - name: orders', //                            3
    '    description: "Orders"', //                   4
    '    config:', //                                 5
    '      meta: {owner: "@data", tier: 1}', //       6
    '    columns:', //                                7
    '      - name: id', //                            8
    '        tests: [unique, not_null]', //           9
    '      -   name: "amount"', //                    10
    '  -', //                                         11
    '    name: customers', //                         12
    '    "quoted key": []', //                        13
    '    empty: {}', //                               14
    '    list:', //                                   15
    '    - a', //                                     16
    '    - - b', //                                   17
  ].join('\n');
  const doc = parseDbtYaml(text, 'models/schema.yml');
  const v = doc.value as Json;
  const [orders, customers] = v.models;

  test('a list item points at its first key (`- name:` → `name`)', () => {
    expect(doc.positionOf(orders)).toEqual({ line: 3, column: 5 });
    expect(doc.positionOf(orders.columns[0])).toEqual({ line: 8, column: 9 });
    expect(doc.positionOf(orders.columns[1])).toEqual({ line: 10, column: 11 });
    expect(doc.positionOf(customers)).toEqual({ line: 12, column: 5 });
  });

  test('keys, nested keys and quoted keys', () => {
    expect(doc.keyPosition(v, 'version')).toEqual({ line: 1, column: 1 });
    expect(doc.keyPosition(v, 'models')).toEqual({ line: 2, column: 1 });
    expect(doc.keyPosition(orders, 'name')).toEqual({ line: 3, column: 5 });
    expect(doc.keyPosition(orders, 'description')).toEqual({ line: 4, column: 5 });
    expect(doc.keyPosition(orders.config, 'meta')).toEqual({ line: 6, column: 7 });
    expect(doc.keyPosition(orders.columns[0], 'tests')).toEqual({ line: 9, column: 9 });
    expect(doc.keyPosition(orders.columns[1], 'name')).toEqual({ line: 10, column: 11 });
    expect(doc.keyPosition(customers, 'quoted key')).toEqual({ line: 13, column: 5 });
    expect(doc.keyPosition(orders, 'missing')).toBeNull();
    expect(doc.keyPosition(orders.columns, '0')).toBeNull();
  });

  test('flow mappings and sequences: first key, first item, or the bracket when empty', () => {
    expect(doc.positionOf(orders.config.meta)).toEqual({ line: 6, column: 14 });
    expect(doc.keyPosition(orders.config.meta, 'tier')).toEqual({ line: 6, column: 30 });
    expect(doc.positionOf(orders.columns[0].tests)).toEqual({ line: 9, column: 17 });
    expect(doc.positionOf(customers['quoted key'])).toEqual({ line: 13, column: 19 });
    expect(doc.positionOf(customers.empty)).toEqual({ line: 14, column: 12 });
  });

  test('block sequences: the first item', () => {
    expect(doc.positionOf(v.models)).toEqual({ line: 3, column: 5 });
    expect(doc.positionOf(orders.columns)).toEqual({ line: 8, column: 9 });
    expect(doc.positionOf(customers.list)).toEqual({ line: 16, column: 7 });
    expect(doc.positionOf(customers.list[1])).toEqual({ line: 17, column: 9 });
  });

  test('values that are not nodes of this document have no position', () => {
    expect(doc.positionOf({})).toBeNull();
    expect(doc.keyPosition({ name: 'x' }, 'name')).toBeNull();
    expect(parseDbtYaml(text, 'other.yml').positionOf(orders)).toBeNull();
  });

  test('a column counts UTF-16 code units after multi-byte text', () => {
    const d = parseDbtYaml('é: {ü: 1, k: 2}', 'f.yml');
    expect(d.keyPosition((d.value as Json)['é'], 'k')).toEqual({ line: 1, column: 11 });
  });
});

describe('syntax errors', () => {
  test('message is one line `file:line:col: reason`', () => {
    const err = syntaxError(
      'models:\n  - name: a\n    description: x\n   bad: 1\n',
      'models/a.yml',
    );
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('YamlSyntaxError');
    expect(err.file).toBe('models/a.yml');
    expect([err.line, err.column]).toEqual([4, 4]);
    expect(err.message).toBe(`models/a.yml:4:4: ${err.reason}`);
    expect(err.message).not.toContain('\n');
  });

  test.each([
    ['an unclosed flow sequence', 'a: [1, 2\nb: 3', 2],
    ['a value with a colon', 'a: b: c', 1],
    ['a missing key', 'a: 1\n: x', 2],
    ['an indicator that cannot start a value', 'a: 1\nb: @team', 2],
    ['a bad item', 'a:\n  - b\n  -c', 3],
  ])('%s', (_name, text, line) => {
    expect(syntaxError(text).line).toBe(line);
  });

  test('tabs: for indentation, between tokens and after a value they are errors', () => {
    const indent = syntaxError('models:\n\t- name: a\n');
    expect([indent.line, indent.column]).toEqual([2, 1]);
    expect(indent.reason).toMatch(/tab/);
    const deeper = syntaxError('a:\n  b: 1\n  \tc: 2');
    expect([deeper.line, deeper.column]).toEqual([3, 3]);
    expect(deeper.reason).toMatch(/tab/);
    expect(syntaxError('a:\tb').reason).toMatch(/tab character/);
    expect(syntaxError('a: 1\t\nb: 2').reason).toMatch(/tab character/);
    expect(syntaxError('k: v\n\t\nz: 1').line).toBe(2);
  });

  test('tabs inside quoted and block scalars and comments are fine', () => {
    expect(load('a: "x\ty"\nb: |\n  \tindented\nc: 1 # a\tcomment\n# \tcomment')).toEqual({
      a: 'x\ty',
      b: '\tindented\n',
      c: 1,
    });
  });

  test('continuation lines indented less than YAML 1.2 wants are accepted (PyYAML is lenient)', () => {
    const v = load(
      'models:\n  - name: m\n    description: "a long\ndescription"\n    config:\n      column_types: {\n        a: string\n      }\n    tests: [x,\n    y]\n',
    );
    expect(v.models[0]).toEqual({
      name: 'm',
      description: 'a long description',
      config: { column_types: { a: 'string' } },
      tests: ['x', 'y'],
    });
    const doc = parseDbtYaml('a: "x\ny"\nb: {k: 1,\nj: 2}\nc: 1', 'f.yml');
    expect(doc.keyPosition(doc.value as object, 'c')).toEqual({ line: 5, column: 1 });
    expect(syntaxError("a: 'x\n---\ny'").reason).toMatch(/document separator/);
  });

  test('keys must sit on one line with their colon (YAML 1.1)', () => {
    expect(syntaxError('a: {long\n  key: 1}').line).toBe(2);
    expect(syntaxError('packages:\n  - package: &a dbt: x').reason).toMatch(/mapping values/);
  });
});

describe('hostile input', () => {
  test('a billion-laughs alias bomb is refused quickly', () => {
    const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 9; i++) {
      const ref = `*a${i - 1}`;
      lines.push(`a${i}: &a${i} [${Array(10).fill(ref).join(', ')}]`);
    }
    const started = Date.now();
    const err = syntaxError(lines.join('\n'));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err.reason).toMatch(/alias bomb/);
    expect(err.reason).toContain(String(MAX_ALIAS_EXPANSION));
  });

  test('a modest reuse of anchors is fine', () => {
    const text =
      'cols: &cols [{name: a}, {name: b}, {name: c}]\nmodels:\n' +
      Array.from({ length: 500 }, (_, i) => `  - name: m${i}\n    columns: *cols\n`).join('');
    expect(load(text).models).toHaveLength(500);
  });

  test(`nesting deeper than ${MAX_DEPTH} levels is refused`, () => {
    const ok = '['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH);
    expect(Array.isArray(load(ok))).toBe(true);
    const deep = '['.repeat(MAX_DEPTH + 1) + ']'.repeat(MAX_DEPTH + 1);
    expect(syntaxError(deep).reason).toMatch(/nesting deeper than/);
    const veryDeep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(syntaxError(veryDeep).reason).toMatch(/nesting deeper than/);
  });

  test('nesting built up through aliases is refused too', () => {
    const lines = ['l0: &l0 ' + '['.repeat(60) + ']'.repeat(60)];
    lines.push('l1: &l1 ' + '['.repeat(60) + '*l0' + ']'.repeat(60));
    expect(syntaxError(lines.join('\n')).reason).toMatch(/aliases included/);
  });
});

// ---------------------------------------------------------------------------------------------
// Every YAML file of the corpus projects

const PROJECTS_DIR = fileURLToPath(new URL('../../shared/corpus/projects/', import.meta.url));

/** Files that are not valid YAML for PyYAML either, with the reason. */
const INVALID: Record<string, string> = {
  // `project: <TODO: Fill in details in profiles.yml>` — a plain scalar holding ": " (PyYAML:
  // "mapping values are not allowed here"). A profiles template, never read by dbt as is.
  'google-fhir-dbt-analytics-at-bca9d3d/profiles.yml': 'bad indentation of a mapping entry',
};

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

describe('the corpus projects', () => {
  const present = existsSync(PROJECTS_DIR) && statSync(PROJECTS_DIR).isDirectory();
  const files = present ? yamlFiles(PROJECTS_DIR) : [];

  test('are present', () => {
    if (files.length === 0) throw new Error(`no .yml/.yaml files under ${PROJECTS_DIR}`);
    expect(files.length).toBeGreaterThan(100);
  });

  test('every YAML file parses, except the listed invalid ones', () => {
    const failures: string[] = [];
    const invalidSeen: string[] = [];
    for (const file of files) {
      const rel = path.relative(PROJECTS_DIR, file).split(path.sep).join('/');
      try {
        parseDbtYaml(readFileSync(file), rel);
        if (rel in INVALID) failures.push(`${rel}: expected to fail, but parsed`);
      } catch (err) {
        if (!(err instanceof YamlSyntaxError)) throw err;
        if (INVALID[rel] !== undefined && err.reason.startsWith(INVALID[rel]))
          invalidSeen.push(rel);
        else failures.push(err.message);
      }
    }
    expect(failures).toEqual([]);
    expect(invalidSeen).toEqual(Object.keys(INVALID));
  });

  test('every key position points at that key in the file', () => {
    let checked = 0;
    const problems: string[] = [];
    for (const file of files) {
      const rel = path.relative(PROJECTS_DIR, file).split(path.sep).join('/');
      if (rel in INVALID) continue;
      const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
      const lines = text.split(/\r\n|\r|\n/);
      const doc = parseDbtYaml(text, rel);
      const seen = new Set<object>();
      const visit = (node: unknown): void => {
        if (node === null || typeof node !== 'object' || seen.has(node)) return;
        seen.add(node);
        if (doc.positionOf(node) === null) problems.push(`${rel}: a node without a position`);
        if (Array.isArray(node)) {
          node.forEach(visit);
          return;
        }
        for (const [key, value] of Object.entries(node)) {
          const at = doc.keyPosition(node, key);
          if (at === null) problems.push(`${rel}: key ${key} without a position`);
          else if (/^[A-Za-z_+][\w+-]*$/.test(key) && !['true', 'false', 'null'].includes(key)) {
            const written = (lines[at.line - 1] ?? '').slice(at.column - 1).replace(/^["']/, '');
            if (!written.startsWith(key)) {
              problems.push(`${rel}:${at.line}:${at.column}: key ${key} is not there: ${written}`);
            }
            checked++;
          }
          visit(value);
        }
      };
      visit(doc.value);
    }
    expect(problems.slice(0, 20)).toEqual([]);
    expect(checked).toBeGreaterThan(10_000);
  });
});
