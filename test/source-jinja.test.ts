/**
 * Source mode: a model's refs, sources and config() calls, captured by rendering its Jinja as
 * dbt's parser does (src/load/source/jinja.ts), the literal scan used when rendering fails, and
 * the Python-model reader. The last test renders every model of the shared corpus and compares
 * the dependencies found with the manifests dbt produced for the same trees.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { compileTemplate } from '../src/load/source/jinja-engine.js';
import { extractBlocks, toNunjucks } from '../src/load/source/jinja-text.js';
import {
  DbtJinja,
  plainMacro,
  pythonDeps,
  scanDeps,
  type DbtJinjaOptions,
  type MacroSource,
  type ModelDeps,
} from '../src/load/source/jinja.js';

function jinja(opts: Partial<DbtJinjaOptions> = {}): DbtJinja {
  return new DbtJinja({ rootProject: 'proj', macros: [], ...opts });
}

function deps(sql: string, opts: Partial<DbtJinjaOptions> = {}, pkg = 'proj'): ModelDeps {
  return jinja(opts).modelDeps(sql, 'models/m.sql', pkg);
}

const refNames = (d: ModelDeps): string[] => d.refs.map((r) => r.name);

/** Renders an expression and reads its value back through the name of a ref. */
function value(expr: string, opts: Partial<DbtJinjaOptions> = {}): string {
  const d = deps(`{{ ref((${expr}) ~ '') }}`, opts);
  if (d.method !== 'render') throw new Error(`not rendered: ${d.renderError ?? ''}`);
  return d.refs[0]?.name ?? '<no ref>';
}

describe('ref and source forms', () => {
  const sql = [
    "select * from {{ ref('a') }}",
    '{{ ref("b") }}',
    "{{ref( 'c' )}}",
    "{{- ref('pkg', 'd') -}}",
    '{{ ref("pkg2",\n   \'e\') }}',
    "{{ ref('f', v=2) }}",
    "{{ ref('g', version='3') }}",
    "{{ ref('pkg', 'h', v=1.5) }}",
    "{{ source('s', 't') }}",
    '{{ source( "s2" , "t2" ) }}',
    "{% set r = ref('i') %}{{ r.identifier }}",
    "-- depends_on: {{ ref('j') }}",
    "/* {{ ref('k') }} */",
    "{{ ref('a') }}",
  ].join('\n');
  const expected = [
    { package: null, name: 'a', version: null },
    { package: null, name: 'b', version: null },
    { package: null, name: 'c', version: null },
    { package: 'pkg', name: 'd', version: null },
    { package: 'pkg2', name: 'e', version: null },
    { package: null, name: 'f', version: '2' },
    { package: null, name: 'g', version: '3' },
    { package: 'pkg', name: 'h', version: '1.5' },
    { package: null, name: 'i', version: null },
    { package: null, name: 'j', version: null },
    { package: null, name: 'k', version: null },
  ];

  test('rendering records every form, in call order, without duplicates', () => {
    const d = deps(sql);
    expect(d.method).toBe('render');
    expect(d.renderError).toBeNull();
    expect(d.refs).toEqual(expected);
    expect(d.sources).toEqual([
      { source: 's', table: 't' },
      { source: 's2', table: 't2' },
    ]);
    expect(d.dynamic).toEqual([]);
  });

  test('the literal scan finds the same', () => {
    const d = scanDeps(sql);
    expect(d.method).toBe('scan');
    expect(d.refs).toEqual(expected);
    expect(d.sources).toHaveLength(2);
  });

  test('builtins.ref is the recorder even when the project overrides ref()', () => {
    const macros: MacroSource[] = [
      {
        package: 'proj',
        file: 'macros/ref.sql',
        text: "{% macro ref(name) %}{% do return(builtins.ref(name ~ '_x').include(database=false)) %}{% endmacro %}",
      },
    ];
    expect(refNames(deps("{{ ref('a') }}", { macros }))).toEqual(['a_x']);
  });

  test('templates made only of literal calls give the same result as a full render', () => {
    // Such templates are read without running nunjucks, as dbt's static parser does.
    const simple = `{{ config(materialized='table', tags=['a']) }}\nselect * from {{ ref('a') }} join {{ source('s', 't') }} join {{ ref('p', 'b', v=1.50) }}`;
    const rendered = deps(`${simple}{% set force_render = 1 %}`);
    const fast = deps(simple);
    expect(fast).toEqual(rendered);
    expect(fast.method).toBe('render');
    expect(fast.refs[1]).toEqual({ package: 'p', name: 'b', version: '1.50' }); // as written
  });

  test('source() with keyword arguments is accepted and flagged', () => {
    const d = deps("{{ source(source_name='s', table_name='t') }}");
    expect(d.sources).toEqual([{ source: 's', table: 't' }]);
    expect(d.warnings?.[0]).toMatch(/positional arguments only/);
    expect(scanDeps("{{ source(source_name='s', table_name='t') }}").warnings?.[0]).toMatch(
      /positional/,
    );
  });
});

describe('comments and raw blocks', () => {
  const sql = [
    "{# {{ ref('hidden') }} #}",
    "{#- {{ source('s', 'hidden') }} -#}",
    "{% raw %}{{ ref('raw_hidden') }}{% endraw %}",
    "{{ ref('seen') }}",
    "-- {{ ref('sql_comment_counts') }}",
  ].join('\n');

  test('Jinja comments and raw blocks are inert, SQL comments are not', () => {
    for (const d of [deps(sql), scanDeps(sql)]) {
      expect(refNames(d)).toEqual(['seen', 'sql_comment_counts']);
      expect(d.sources).toEqual([]);
    }
  });
});

describe('config()', () => {
  test('keyword arguments as plain values, nested dicts and lists, booleans, in call order', () => {
    const sql = `{{ config(
        materialized='incremental',
        unique_key=['id', "ts"],
        enabled=True,
        full_refresh=false,
        meta={'owner': 'team-a', 'nested': {'n': 1, 'ok': true, 'none': None}, 'list': [1, 'two']},
        tags=["a", 'b',],
    ) }}
    {{ config({'alias': 'x'}) }}
    {% set s = 'dyn' %}{{ config(schema=s ~ '_suffix') }}
    select 1`;
    const expected = [
      {
        materialized: 'incremental',
        unique_key: ['id', 'ts'],
        enabled: true,
        full_refresh: false,
        meta: { owner: 'team-a', nested: { n: 1, ok: true, none: null }, list: [1, 'two'] },
        tags: ['a', 'b'],
      },
      { alias: 'x' },
      { schema: 'dyn_suffix' },
    ];
    const d = deps(sql);
    expect(d.method).toBe('render');
    expect(d.configs).toEqual(expected);
    // The scan keeps literal values and reports the rest as dynamic.
    const s = scanDeps(sql);
    expect(s.configs).toEqual([expected[0], expected[1], {}]);
    expect(s.dynamic).toEqual(["config(schema=s ~ '_suffix')"]);
  });

  test('values unknown at parse time are left out and reported', () => {
    const d = deps("{{ config(enabled=some_pkg.enabled_vars(['x']), materialized='view') }}");
    expect(d.configs).toEqual([{ materialized: 'view' }]);
    expect(d.dynamic.join()).toMatch(/config\(enabled=/);
    expect(d.unknownMacros).toEqual(['some_pkg.enabled_vars']);
  });

  test('config.get returns an empty string at parse time, as in dbt', () => {
    expect(value("config.get('materialized', 'table') ~ '|'")).toBe('|');
  });

  test('hooks are rendered and their refs count', () => {
    const d = deps(
      `{{ config(post_hook=["grant select on {{ this }} to role", "insert into {{ ref('audit') }} values (1)"]) }}select 1`,
    );
    expect(refNames(d)).toEqual(['audit']);
    expect(
      refNames(scanDeps(`{{ config(post_hook={'sql': "insert into {{ ref('audit') }}"}) }}`)),
    ).toEqual(['audit']);
  });
});

describe('Jinja that dbt code uses', () => {
  test('set blocks, filters, loop variables, tests and concatenation', () => {
    const sql = `
      {%- set cols %} a, b {% endset -%}
      {% set names = [] %}
      {% for c in cols.split(',') %}{% do names.append(c | trim | upper) %}{% endfor %}
      {% for n in names %}{{ ref('m_' ~ n ~ '_' ~ loop.index ~ ('_last' if loop.last else '')) }}{% endfor %}
      {% if none is none and x is not defined and 'a' is string %}{{ ref('tests_ok') }}{% endif %}`;
    expect(refNames(deps(sql))).toEqual(['m_A_1', 'm_B_2_last', 'tests_ok']);
  });

  test('filters', () => {
    expect(value("['a', 'b'] | join(',')")).toBe('a,b');
    expect(value("undefined_name | default('dflt')")).toBe('dflt');
    expect(value("'ABC' | lower")).toBe('abc');
    expect(value("{'a': [1, true]} | tojson")).toBe('{"a":[1,true]}');
    expect(value("'  x ' | trim")).toBe('x');
    expect(value("[3, 1, 2] | sort | list | join('')")).toBe('123');
    expect(value("[{'n': 'x'}, {'n': 'y'}] | map(attribute='n') | join('+')")).toBe('x+y');
    expect(value("['a', 'b', 'a'] | unique | length")).toBe('2');
    expect(value("'a' | unknown_adapter_filter")).toBe('a');
  });

  test('Python methods on strings, lists and dicts', () => {
    expect(value("'a-b'.upper().replace('-', '_')")).toBe('A_B');
    expect(value("' a b '.strip().split() | join('|')")).toBe('a|b');
    expect(value("'a.b.c'.split('.', 1)[1]")).toBe('b.c');
    expect(value("'prefix_x'.startswith('prefix')")).toBe('True');
    expect(value("', '.join(['a', 'b'])")).toBe('a, b');
    expect(value("'{}-{}'.format('a', 1)")).toBe('a-1');
    expect(value("{'k': 'v'}.get('k')")).toBe('v');
    expect(value("{'k': 'v'}.get('missing', 'd')")).toBe('d');
    expect(value("{'a': 1, 'b': 2}.keys() | join")).toBe('ab');
    expect(value("{'a': 1}.items()[0][0]")).toBe('a');
    expect(value('[1, 2, 3][-1]')).toBe('3');
    expect(value("'abcdef'[1:3]")).toBe('bc');
    expect(value("'abcdef'[::-2]")).toBe('fdb');
    const sql = `{% set l = ['a'] %}{% do l.extend(['b', 'c']) %}{% set d = {} %}{% do d.update({'k': l | length}) %}{{ ref('n' ~ d['k']) }}`;
    expect(refNames(deps(sql))).toEqual(['n3']);
  });

  test('Python semantics: tuples, truthiness, + on lists, in, ==, % formatting', () => {
    expect(value("'postgres' in ('snowflake', 'postgres')")).toBe('True');
    expect(value("'dev' not in ('prod')")).toBe('True'); // ('prod') is a string
    expect(value("('a',) | length")).toBe('1');
    expect(value("'yes' if [] else 'no'")).toBe('no');
    expect(value("'yes' if {} else 'no'")).toBe('no');
    expect(value("[] or 'fallback'")).toBe('fallback');
    expect(value('([1] + [2]) | length')).toBe('2');
    expect(value('[1, 2] == [1, 2]')).toBe('True');
    expect(value("1 == '1'")).toBe('False');
    expect(value("'%s_%s' % ('a', 'b')")).toBe('a_b');
    expect(value("'-' * 3")).toBe('---');
    expect(value('none')).toBe('None');
    expect(value('True')).toBe('True');
    expect(value("'a' ~ undefined_name ~ 'b'")).toBe('ab');
    expect(value('(none is none) ~ (true is true) ~ (0 is false) ~ (1 is divisibleby 1)')).toBe(
      'TrueTrueFalseTrue',
    );
  });

  test('dict keys are expressions; trailing commas; nested dicts closing next to }}', () => {
    expect(value("{('k' ~ 1): 'v'}['k1']")).toBe('v');
    const sql = `{% set m = {'a': {'b': 'nested'}} %}{{ ref(m['a']['b'],) }}{{ ref({'x': {'y': 'z'}}['x']['y']) }}`;
    expect(refNames(deps(sql))).toEqual(['nested', 'z']);
  });

  test('for loops over dicts, pairs, with an if filter and an else branch', () => {
    const sql = `
      {% for k in {'a': 1, 'b': 2} %}{{ ref('k_' ~ k) }}{% endfor %}
      {% for k, v in {'c': 3}.items() %}{{ ref(k ~ v) }}{% endfor %}
      {% for a, b in zip(['x', 'y'], [1, 2]) %}{{ ref(a ~ b) }}{% endfor %}
      {% for i in range(5) if i is odd %}{{ ref('odd' ~ i) }}{% endfor %}
      {% for i in [] %}{{ ref('never') }}{% else %}{{ ref('empty_else') }}{% endfor %}`;
    expect(refNames(deps(sql))).toEqual([
      'k_a',
      'k_b',
      'c3',
      'x1',
      'y2',
      'odd1',
      'odd3',
      'empty_else',
    ]);
  });

  test('loop controls, tuple unpacking, statement colons, adjacent strings, expression keys', () => {
    const sql = `
      {% for i in range(10) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}{{ ref('i' ~ i) }}{% endfor %}
      {% set a, b = 'x', 'y' %}{{ ref(a ~ b) }}
      {% set c, d = ['p', 'q'] %}{{ ref(c ~ d) }}
      {% if execute: %}{{ ref('never') }}{% else: %}{{ ref('colon_ok') }}{% endif %}
      {{ ref("adj" 'acent' """ly""") }}
      {% set m = {('k' ~ 1) | upper: 'v'} %}{{ ref(m['K1']) }}`;
    const d = deps(sql);
    expect(d.method).toBe('render');
    expect(refNames(d)).toEqual(['i0', 'i2', 'xy', 'pq', 'colon_ok', 'adjacently', 'v']);
  });

  test('namespace() and {% set ns.attr %}', () => {
    const sql = `{% set ns = namespace(found=false, n='') %}{% for x in ['a', 'b'] %}{% if x == 'b' %}{% set ns.found = true %}{% set ns.n = x %}{% endif %}{% endfor %}{% if ns.found %}{{ ref('found_' ~ ns.n) }}{% endif %}`;
    expect(refNames(deps(sql))).toEqual(['found_b']);
  });

  test('whitespace control, raw, log, print, exceptions.warn', () => {
    const sql = `{%- set a = 'x' -%}\n{{- log('msg', info=True) -}}{{ print('p') }}{{ exceptions.warn('w') }}{% raw %}{{ not rendered }}{% endraw %}{{ ref(a) }}`;
    const d = deps(sql);
    expect(d.method).toBe('render');
    expect(refNames(d)).toEqual(['x']);
  });

  test("dbt's runtime objects at parse time", () => {
    expect(value('execute')).toBe('False');
    expect(value('is_incremental()')).toBe('False');
    expect(value('target.name ~ target.schema ~ target.type')).toBe('devdbtpostgres');
    expect(value('target.name ~ target.type', { target: { name: 'prod', type: 'bigquery' } })).toBe(
      'prodbigquery',
    );
    expect(value('this.identifier')).toBe('m');
    expect(value('this')).toBe('"database"."dbt"."m"');
    expect(value('graph.nodes | length')).toBe('0');
    expect(value("run_query('select 1') is none or run_query('x') is not defined")).toBe('True');
    expect(value('adapter.get_columns_in_relation(this) | length')).toBe('0');
    expect(value('modules.datetime.datetime.now().year')).toBe('2000');
    expect(value("modules.re.sub('[0-9]', '', 'a1b2')")).toBe('ab');
    expect(value("zip([1], ['a'])[0][1]")).toBe('a');
    expect(value("range(2, 8, 2) | join(',')")).toBe('2,4,6');
    expect(value('model.unique_id')).toBe('model.proj.m');
  });

  test('env_var never reads the environment', () => {
    process.env.DBT_STEWARD_TEST_SECRET = 'secret';
    try {
      expect(value("env_var('DBT_STEWARD_TEST_SECRET', 'dflt')")).toBe('dflt');
      expect(value("env_var('DBT_STEWARD_TEST_SECRET') ~ '|'")).toBe('|');
    } finally {
      delete process.env.DBT_STEWARD_TEST_SECRET;
    }
  });

  test('exceptions.raise_compiler_error fails the render (then the scan is used)', () => {
    const d = deps("{{ ref('a') }}{{ exceptions.raise_compiler_error('bad model') }}");
    expect(d.method).toBe('scan');
    expect(d.renderError).toMatch(/bad model/);
    expect(refNames(d)).toEqual(['a']);
  });
});

describe('is_incremental()', () => {
  // dbt renders at parse time with is_incremental() false: only the full-refresh branch's refs
  // are recorded (docs: "Dependencies nested in the is_incremental macro will not show up";
  // dbt-labs/docs.getdbt.com#5547). A ref only in the incremental branch needs a
  // `-- depends_on:` hint, which dbt also asks for.
  const sql = `
    select * from {{ ref('base') }}
    {% if is_incremental() %}
      join {{ ref('incremental_only') }} using (id)
      where ts > (select max(ts) from {{ this }})
    {% else %}
      join {{ ref('full_refresh_only') }} using (id)
    {% endif %}`;

  test('rendering follows the branch dbt takes at parse time', () => {
    expect(refNames(deps(sql))).toEqual(['base', 'full_refresh_only']);
  });

  test('the literal scan sees both branches', () => {
    expect(refNames(scanDeps(sql))).toEqual(['base', 'incremental_only', 'full_refresh_only']);
  });
});

describe('macros', () => {
  const macros: MacroSource[] = [
    {
      package: 'proj',
      file: 'macros/helpers.sql',
      text: `
        {% macro upstream(name, prefix='stg_', suffix=none) -%}
          {{ ref(prefix ~ name ~ (suffix or '')) }}
        {%- endmacro %}
        {% macro wrap(label='w') %}[{{ label }}:{{ caller() }}]{% endmacro %}
        {% macro cols(x) %}{% set out = [] %}{% for c in x %}{% do out.append(c ~ '_c') %}{% endfor %}{% do return(out) %}{{ ref('after_return_never') }}{% endmacro %}
        {% macro extra(a) %}{{ ref(a ~ kwargs.get('more', '')) }}{% endmacro %}
        {% test not_negative(model, column_name) %}select 1{% endtest %}
        {% materialization custom, default %}{{ ref('never_from_materialization') }}{% endmaterialization %}
      `,
    },
  ];

  test('default arguments, keyword arguments, caller(), return() and **kwargs', () => {
    const sql = `
      {{ upstream('a') }}
      {{ upstream('b', prefix='int_') }}
      {{ upstream('c', suffix='_v2') }}
      {% call wrap() %}{{ ref('inside_call') }}{% endcall %}
      {% set cs = cols(['x', 'y']) %}{{ ref(cs | join('_')) }}
      {{ extra('e', more='_kw') }}
      {% set opts = {'more': '_splat'} %}{{ extra('f', **opts) }}`;
    const d = deps(sql, { macros });
    expect(d.method).toBe('render');
    expect(refNames(d)).toEqual([
      'stg_a',
      'int_b',
      'stg_c_v2',
      'inside_call',
      'x_c_y_c',
      'e_kw',
      'f_splat',
    ]);
  });

  test('{% call(args) %} blocks pass arguments to caller()', () => {
    const each: MacroSource[] = [
      {
        package: 'proj',
        file: 'macros/each.sql',
        text: '{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}',
      },
    ];
    const sql = "{% call(item) each(['a', 'b']) %}{{ ref('m_' ~ item) }}{% endcall %}";
    expect(refNames(deps(sql, { macros: each }))).toEqual(['m_a', 'm_b']);
  });

  test('statement blocks are not run at parse time; set_sql_header is', () => {
    const sql = `{% call statement('q', fetch_result=True) %}select * from {{ ref('in_statement') }}{% endcall %}
      {% call set_sql_header(config) %}create temp function f() as (select 1 from {{ ref('in_header') }});{% endcall %}`;
    const d = deps(sql);
    expect(refNames(d)).toEqual(['in_header']);
    expect(d.configs[0]?.sql_header).toMatch(/create temp function/);
  });

  test('package macros: namespaced calls and adapter.dispatch', () => {
    const pkgMacros: MacroSource[] = [
      {
        package: 'utils',
        file: 'macros/star.sql',
        text: `
          {% macro star(from) -%}{{ return(adapter.dispatch('star', 'utils')(from)) }}{%- endmacro %}
          {% macro default__star(from) -%}*{{ ref('star_default') }}{%- endmacro %}
          {% macro bigquery__star(from) -%}*{{ ref('star_bigquery') }}{%- endmacro %}
          {% macro helper() %}{{ ref('helper_' ~ own()) }}{% endmacro %}
          {% macro own() %}utils{% endmacro %}
        `,
      },
      {
        package: 'proj',
        file: 'macros/own.sql',
        text: `{% macro own() %}root{% endmacro %}`,
      },
    ];
    const sql = `{{ utils.star(ref('x')) }}{{ utils.helper() }}`;
    // An unqualified call inside a package macro resolves in the node's package, then the root.
    expect(refNames(deps(sql, { macros: pkgMacros }))).toEqual([
      'x',
      'star_default',
      'helper_root',
    ]);
    expect(refNames(deps(sql, { macros: pkgMacros, target: { type: 'bigquery' } }))).toEqual([
      'x',
      'star_bigquery',
      'helper_root',
    ]);
    // A node of the package itself sees its own macros first.
    expect(refNames(deps(sql, { macros: pkgMacros }, 'utils'))).toContain('helper_utils');
    // dispatch: config of the root project decides the search order.
    const override: MacroSource = {
      package: 'proj',
      file: 'macros/star.sql',
      text: `{% macro default__star(from) %}{{ ref('star_override') }}{% endmacro %}`,
    };
    const dispatch = [{ macro_namespace: 'utils', search_order: ['proj', 'utils'] }];
    expect(refNames(deps(sql, { macros: [...pkgMacros, override], dispatch }))).toContain(
      'star_override',
    );
  });

  test('macros of packages that are not installed: arguments still count, the call is reported', () => {
    const d = deps(
      `{{ dbt_utils.star(from=ref('a')) }}{% if fivetran_utils.enabled_vars(['x']) %}{{ ref('enabled_branch') }}{% endif %}{{ adapter.dispatch('nope', 'missing_pkg')() }}`,
    );
    expect(d.method).toBe('render');
    expect(refNames(d)).toEqual(['a', 'enabled_branch']);
    expect(d.unknownMacros).toEqual([
      'dbt_utils.star',
      'fivetran_utils.enabled_vars',
      'dispatch:missing_pkg.nope',
    ]);
  });

  test('a macro that does not compile makes the model fall back to the scan', () => {
    const broken: MacroSource[] = [
      {
        package: 'proj',
        file: 'macros/bad.sql',
        text: '{% macro bad() %}{% if %}{% endif %}{% endmacro %}',
      },
    ];
    const d = deps("{{ bad() }}{{ ref('a') }}", { macros: broken });
    expect(d.method).toBe('scan');
    expect(d.renderError).toMatch(/macro proj\.bad \(macros\/bad\.sql\)/);
    expect(refNames(d)).toEqual(['a']);
    // A macro file whose blocks cannot be read is reported; its macros are then unknown.
    const unclosed = jinja({
      macros: [{ package: 'proj', file: 'macros/open.sql', text: '{% macro open() %}x' }],
    });
    expect(unclosed.macroErrors).toEqual(['macros/open.sql: unclosed {% macro %} at line 1']);
    expect(unclosed.modelDeps('{{ open() }}', 'models/m.sql', 'proj').unknownMacros).toEqual([
      'open',
    ]);
  });
});

describe('var()', () => {
  test('defaults, project vars, package-scoped vars and Jinja inside var values', () => {
    const vars = {
      global_model: 'from_root',
      jinja_var: "{{ source('raw', 'events') }}",
      pkg: { scoped: 'root_scoped_for_pkg' },
    };
    const packageVars = { pkg: { scoped: 'pkg_own', own_only: 'pkg_own_only' } };
    const sql = `
      {{ ref(var('global_model')) }}
      {{ ref(var('missing', 'default_model')) }}
      {{ ref(var('missing2', default='kw_default')) }}
      select * from {{ var('jinja_var') }}`;
    const d = deps(sql, { vars, packageVars });
    expect(refNames(d)).toEqual(['from_root', 'default_model', 'kw_default']);
    expect(d.sources).toEqual([{ source: 'raw', table: 'events' }]);
    // For a node of package `pkg`: the root's vars scoped to pkg beat the package's own.
    const p = deps(
      `{{ ref(var('scoped')) }}{{ ref(var('own_only')) }}`,
      { vars, packageVars },
      'pkg',
    );
    expect(refNames(p)).toEqual(['root_scoped_for_pkg', 'pkg_own_only']);
    // The root project does not see another package's scoped vars.
    expect(refNames(deps(`{{ ref(var('scoped', 'none_here')) }}`, { vars }))).toEqual([
      'none_here',
    ]);
    expect(value("var.has_var('global_model')", { vars })).toBe('True');
  });

  test('a var that is not set is None at parse time: the ref is reported as dynamic', () => {
    const d = deps(`{{ ref(var('not_set')) }}{{ ref(var('not_set')) }}{{ ref('ok') }}`);
    expect(refNames(d)).toEqual(['ok']);
    expect(d.dynamic).toEqual(['ref(None) at models/m.sql:1']);
  });
});

describe('dynamic refs', () => {
  test('rendering reports refs whose arguments are not known, once each', () => {
    const d = deps(
      `{% for m in run_query('select name from t') %}{{ ref(m) }}{% endfor %}{{ ref(some_undefined) }}{{ ref(some_undefined) }}{{ ref(1) }}`,
    );
    expect(d.refs).toEqual([]);
    expect(d.dynamic).toEqual(['ref(<undefined>) at models/m.sql:1', 'ref(1) at models/m.sql:1']);
  });

  test('the scan reports calls whose arguments are not literals', () => {
    const d = scanDeps(
      `{% for m in models %}{{ ref(m) }}{% endfor %}{{ ref(var('x')) }}{{ source('s', tbl) }}{{ ref('lit') }}`,
    );
    expect(refNames(d)).toEqual(['lit']);
    expect(d.dynamic).toEqual(['ref(m)', "ref(var('x'))", "source('s', tbl)"]);
  });
});

describe('render failures', () => {
  test('a syntax error falls back to the scan, with the reason', () => {
    const d = deps("{{ ref('a') }}\n{% if %}{{ ref('b') }}{% endif %}");
    expect(d.method).toBe('scan');
    expect(d.renderError).toMatch(/line 2/);
    expect(refNames(d)).toEqual(['a', 'b']);
  });

  test('an unclosed tag falls back to the scan', () => {
    const d = deps("{{ ref('a') }}\n{{ ref('b') ");
    expect(d.method).toBe('scan');
    expect(d.renderError).toMatch(/unclosed/);
    expect(refNames(d)).toEqual(['a', 'b']);
  });

  test('unsupported tags (include, extends) fall back to the scan', () => {
    const d = deps("{% include 'other.sql' %}{{ ref('a') }}");
    expect(d.method).toBe('scan');
    expect(refNames(d)).toEqual(['a']);
  });
});

describe('budgets', () => {
  test('a loop that runs too long stops at the step budget', () => {
    const started = Date.now();
    const d = deps(
      `{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}{% endfor %}{% endfor %}{% endfor %}{{ ref('a') }}`,
    );
    expect(d.method).toBe('scan');
    expect(d.renderError).toMatch(/budget exceeded \(steps\)/);
    expect(refNames(d)).toEqual(['a']);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('unbounded recursion stops at the macro depth limit', () => {
    const macros: MacroSource[] = [
      {
        package: 'proj',
        file: 'macros/r.sql',
        text: '{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}',
      },
    ];
    const d = deps("{{ r(0) }}{{ ref('a') }}", { macros });
    expect(d.method).toBe('scan');
    expect(d.renderError).toMatch(/budget exceeded \(macro recursion depth\)/);
  });

  test('exponential string growth stops at the size limit', () => {
    const d = deps(
      `{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}`,
    );
    expect(d.method).toBe('scan');
    expect(d.renderError).toMatch(/budget exceeded/);
  });

  test('a wall-clock limit applies too', () => {
    const d = deps(`{% for i in range(200000) %}{% set x = [i] * 10 %}{% endfor %}{{ ref('a') }}`, {
      limits: { timeMs: 1, steps: 1e9 },
    });
    expect(d.method).toBe('scan');
    expect(d.renderError).toMatch(/budget exceeded \(time\)/);
  });

  test('pathological input finishes quickly', () => {
    const started = Date.now();
    const deep = `{{ ${'ref('.repeat(20_000)}'x'${')'.repeat(20_000)} }}`;
    const d1 = deps(deep);
    expect(d1.method).toBe('scan');
    expect(d1.dynamic).toEqual(['code nested more than 256 levels deep: not read']);
    const wide = `{{ ref('a') }}`.repeat(50_000) + `{{ [${'1, '.repeat(100_000)}] | length }}`;
    expect(refNames(deps(wide))).toEqual(['a']);
    const unclosed = `{{ ${'('.repeat(100_000)}`;
    expect(deps(unclosed).method).toBe('scan');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test('catastrophic regular expressions are stopped', () => {
    const d = deps(
      `{{ modules.re.match('^(a+)+$', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!') }}{{ ref('a') }}`,
    );
    expect(d.method).toBe('scan');
    expect(d.renderError).toMatch(/budget exceeded \(regular expression time\)/);
  }, 20_000);
});

describe('sandbox', () => {
  const escapes = [
    "{{ ''.constructor.constructor('return process')() }}",
    "{{ ''.constructor.constructor('globalThis.pwned = 1')() }}",
    "{{ [].constructor.constructor('globalThis.pwned = 1')() }}",
    "{{ {}.constructor.constructor('globalThis.pwned = 1')() }}",
    "{{ ref.constructor('globalThis.pwned = 1')() }}",
    "{{ range.__proto__.constructor('globalThis.pwned = 1')() }}",
    '{{ cycler.__init__.__globals__ }}',
    "{{ ('a' | attr('constructor'))('globalThis.pwned = 1') }}",
    "{{ (ref | attr('constructor'))('globalThis.pwned = 1')() }}",
    "{% macro m() %}{% endmacro %}{{ m.caller }}{{ m.arguments }}{{ m.constructor('globalThis.pwned = 1')() }}",
    "{{ this.render.constructor('globalThis.pwned = 1')() }}",
    "{{ loop.cycle.constructor('globalThis.pwned = 1')() }}",
    "{{ namespace(__proto__={'polluted': 1}) }}{{ {}.polluted }}",
    "{% set d = {} %}{% do d.update({'__proto__': {'polluted': 1}}) %}",
    '{{ constructor }}{{ __proto__ }}{{ toString }}',
    "{{ dict(a=1).__proto__ }}{{ dict.apply }}{{ dict.call(none, 'globalThis.pwned = 1') }}",
    '{{ a\\ ~ ";globalThis.pwned=1;//" }}',
    // nunjucks' parser takes a string literal where it pastes a name into generated code:
    '{{ x is "a\\") && (globalThis.pwned = 1) && (\\"" }}',
    '{{ x is "a\\") && (globalThis.pwned = 1) && (\\""(1) }}',
    '{% set "a\\", (globalThis.pwned = 1), \\"" = 1 %}',
    '{% for "a\\", (globalThis.pwned = 1), \\"" in [1] %}{% endfor %}',
    '{% macro m("a\\"], (globalThis.pwned = 1), [\\""=1) %}{% endmacro %}{{ m() }}',
    '{% macro "m\\"); globalThis.pwned = 1; (\\""() %}{% endmacro %}',
    '{{ f("a\\"]; globalThis.pwned = 1; [\\""=1) }}',
    '{{ x["\\\\"]["+(globalThis.pwned=1)+"]() }}',
  ];

  test.each(escapes)('%s is inert', (sql) => {
    const d = deps(`${sql}{{ ref('after') }}`);
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect(refNames(d)).toEqual(['after']);
    // Whatever the method, nothing of the host leaked into what was recorded.
    expect(JSON.stringify(d)).not.toMatch(/process|function|native code/);
  });

  test('reading members that exist on prototypes gives nothing', () => {
    // As in Jinja, where a str has no `length` attribute either.
    expect(
      value(
        "'abc'.length ~ '|' ~ ''.toString ~ '|' ~ [].map ~ '|' ~ {}.hasOwnProperty ~ '|' ~ ref.name",
      ),
    ).toBe('||||');
  });
});

describe('snapshots', () => {
  test('each {% snapshot %} block with its deps and config', () => {
    const sql = `
{% snapshot orders_snapshot %}
{{ config(target_schema='snapshots', unique_key='id', strategy='timestamp', updated_at='updated_at') }}
select * from {{ source('shop', 'orders') }}
{% endsnapshot %}

{% snapshot customers_snapshot %}
{{ config(target_schema='snapshots', unique_key='id', strategy='check', check_cols='all') }}
{% if is_incremental() %}{{ ref('never') }}{% endif %}
select * from {{ ref('stg_customers') }}
{% endsnapshot %}`;
    const blocks = jinja().snapshotBlocks(sql, 'snapshots/s.sql', 'proj');
    expect(blocks.map((b) => b.name)).toEqual(['orders_snapshot', 'customers_snapshot']);
    expect(blocks[0]!.deps.sources).toEqual([{ source: 'shop', table: 'orders' }]);
    expect(blocks[0]!.deps.configs).toEqual([
      {
        target_schema: 'snapshots',
        unique_key: 'id',
        strategy: 'timestamp',
        updated_at: 'updated_at',
      },
    ]);
    expect(refNames(blocks[1]!.deps)).toEqual(['stg_customers']);
    expect(blocks[1]!.deps.method).toBe('render');
  });

  test('an error inside a block reports its line in the file', () => {
    const sql = `\n\n{% snapshot s %}\nselect 1\n{% if %}\n{% endsnapshot %}`;
    const [block] = jinja().snapshotBlocks(sql, 'snapshots/s.sql', 'proj');
    expect(block!.deps.method).toBe('scan');
    expect(block!.deps.renderError).toMatch(/line 5/);
  });
});

describe('Python models', () => {
  test('dbt.ref, dbt.source and dbt.config with literal arguments', () => {
    const code = `
import pandas as pd
# dbt.ref('commented_out')

def model(dbt, session):
    dbt.config(materialized="table", packages=["numpy", 'pandas'], meta={"owner": "x", "flag": True})
    orders = dbt.ref("stg_orders")
    other = dbt.ref('pkg', "shared_model", v=2)
    versioned = dbt.ref("dim", version=3)
    raw = dbt.source("raw", 'payments')
    doc = """ dbt.ref('in_a_docstring') """
    name = "x"
    dyn = dbt.ref(name)
    fstr = dbt.ref(f"model_{name}")
    threshold = dbt.config.get("threshold")
    return orders
`;
    const d = pythonDeps(code);
    expect(d.method).toBe('scan');
    expect(d.refs).toEqual([
      { package: null, name: 'stg_orders', version: null },
      { package: 'pkg', name: 'shared_model', version: '2' },
      { package: null, name: 'dim', version: '3' },
    ]);
    expect(d.sources).toEqual([{ source: 'raw', table: 'payments' }]);
    expect(d.configs).toEqual([
      { materialized: 'table', packages: ['numpy', 'pandas'], meta: { owner: 'x', flag: true } },
    ]);
    expect(d.dynamic).toEqual(['dbt.ref(name)', 'dbt.ref(f"model_{name}")']);
  });
});

// ---------------------------------------------------------------------------------------------
// The corpus: every model of every project tree, compared with dbt's manifests where the corpus
// has one for the same tree.

const CORPUS = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));
const PROJECTS = path.join(CORPUS, 'projects');

type Json = Record<string, any>;

interface Pair {
  tree: string;
  manifest: string;
  /** Exact: the manifest was built from this very tree (PROVENANCE.md). */
  exact: boolean;
  /** The root project when the tree is installed as a package of another project. */
  root?: string;
  /** Vars of the run that wrote the manifest, when they differ from dbt_project.yml. */
  vars?: (rootDir: string) => Record<string, unknown>;
}

/**
 * fivetran's docs manifests are generated with the `# @docs-include` vars of the integration
 * project's dbt_project.yml switched on (they are commented out in the file).
 */
function docsIncludeVars(rootDir: string): Record<string, unknown> {
  const text = readFileSync(path.join(rootDir, 'dbt_project.yml'), 'utf8');
  const vars: Record<string, unknown> = {};
  for (const m of text.matchAll(/#\s*(\w+):\s*(true|false)\s*#\s*@docs-include/g)) {
    vars[m[1]!] = m[2] === 'true';
  }
  return vars;
}

/** PROVENANCE.md: which manifests belong to which project trees. */
const PAIRS: Pair[] = [
  {
    tree: 'google-fhir-dbt-analytics-at-bca9d3d',
    manifest: 'google-fhir-dbt-analytics',
    exact: true,
  },
  { tree: 'dbt-bouncer-dbt_project', manifest: 'dbt-bouncer-test-project', exact: true },
  {
    tree: 'dbt-bouncer-dbt_project/internal_package',
    manifest: 'dbt-bouncer-test-project',
    exact: true,
    root: 'dbt-bouncer-dbt_project',
  },
  { tree: 'cosmos-cross_project/upstream', manifest: 'cosmos-cross_project-upstream', exact: true },
  {
    tree: 'cosmos-cross_project/downstream',
    manifest: 'cosmos-cross_project-downstream',
    exact: true,
  },
  {
    tree: 'fivetran-hubspot-package',
    manifest: 'fivetran-hubspot-1.11',
    exact: true,
    root: 'fivetran-hubspot-package/integration_tests',
    vars: docsIncludeVars,
  },
  { tree: 'jaffle_shop-classic', manifest: 'dap-jaffle-v7', exact: false },
  { tree: 'cosmos-model_version', manifest: 'cosmos-model_version', exact: false },
  { tree: 'dbt-metabase-sandbox', manifest: 'dbt-metabase-sandbox-v12', exact: false },
];

/** Adapters and dbt's own macros are built into dbt, not installed packages. */
const BUILT_IN = /^dbt(_(postgres|bigquery|snowflake|redshift|spark|databricks|duckdb|trino))?$/;

interface ProjectFile {
  dir: string;
  name: string;
  modelPaths: string[];
  analysisPaths: string[];
  macroPaths: string[];
  snapshotPaths: string[];
  vars: Record<string, unknown>;
}

function listFiles(dir: string, exts: string[], out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!['dbt_packages', 'target', 'logs'].includes(e.name)) listFiles(p, exts, out);
    } else if (exts.some((x) => e.name.endsWith(x))) out.push(p);
  }
  return out.sort();
}

function readProject(dir: string): ProjectFile {
  const y = (load(readFileSync(path.join(dir, 'dbt_project.yml'), 'utf8')) ?? {}) as Json;
  const list = (v: unknown, d: string[]): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : d;
  return {
    dir,
    name: String(y.name),
    modelPaths: list(y['model-paths'] ?? y['source-paths'], ['models']),
    analysisPaths: list(y['analysis-paths'], ['analyses']),
    macroPaths: list(y['macro-paths'], ['macros']),
    snapshotPaths: list(y['snapshot-paths'], ['snapshots']),
    vars: y.vars && typeof y.vars === 'object' && !Array.isArray(y.vars) ? (y.vars as Json) : {},
  };
}

/** The project's macros, and those of its installed packages when a dbt_packages/ dir exists. */
function projectMacros(p: ProjectFile): MacroSource[] {
  const out: MacroSource[] = [];
  for (const mp of p.macroPaths) {
    for (const f of listFiles(path.join(p.dir, mp), ['.sql'])) {
      out.push({ package: p.name, file: path.relative(p.dir, f), text: readFileSync(f, 'utf8') });
    }
  }
  const installed = path.join(p.dir, 'dbt_packages');
  if (existsSync(installed)) {
    for (const d of readdirSync(installed)) {
      if (existsSync(path.join(installed, d, 'dbt_project.yml'))) {
        out.push(...projectMacros(readProject(path.join(installed, d))));
      }
    }
  }
  return out;
}

/**
 * A stand-in for `dbt deps`, the corpus having no dbt_packages/: the macros of the packages the
 * manifest's run had installed, from its `macros` section.
 */
function manifestPackageMacros(m: Json, own: ReadonlySet<string>): MacroSource[] {
  const out: MacroSource[] = [];
  for (const mac of Object.values((m.macros ?? {}) as Record<string, Json>)) {
    const pkg = String(mac.package_name);
    if (own.has(pkg) || BUILT_IN.test(pkg) || typeof mac.macro_sql !== 'string') continue;
    out.push({
      package: pkg,
      file: `${String(mac.original_file_path)}#${String(mac.name)}`,
      text: mac.macro_sql,
    });
  }
  return out;
}

function findProjects(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const p = path.join(dir, e.name);
    if (existsSync(path.join(p, 'dbt_project.yml'))) out.push(p);
    findProjects(p, out);
  }
  return out.sort();
}

function manifestNodes(m: Json): Json[] {
  const out: Json[] = Object.values(m.nodes ?? {});
  const disabled = m.disabled ?? {};
  if (Array.isArray(disabled)) out.push(...disabled);
  else for (const l of Object.values(disabled)) out.push(...(Array.isArray(l) ? l : [l]));
  return out;
}

function refKey(r: unknown): string {
  if (Array.isArray(r)) return r.length === 2 ? `ref:${r[0]}.${r[1]}` : `ref:${r[0]}`;
  const o = r as { package?: string | null; name: string; version?: string | number | null };
  const v = o.version === null || o.version === undefined ? '' : ` v${String(o.version)}`;
  return `ref:${o.package ? `${o.package}.` : ''}${o.name}${v}`;
}

const readManifest = (name: string): Json =>
  JSON.parse(readFileSync(path.join(CORPUS, 'manifests', name, 'manifest.json'), 'utf8')) as Json;

interface TreeResult {
  found: Map<string, ModelDeps>;
  counts: {
    sql: number;
    python: number;
    snapshots: number;
    render: number;
    scan: number;
    dynamic: number;
  };
  failures: string[];
}

/** Reads one project tree's models, analyses and snapshots. */
function readTree(
  dir: string,
  pair: Pair | undefined,
  installFromManifest: boolean,
  staticPath = true,
): TreeResult {
  const proj = readProject(dir);
  const rootDir = pair?.root ? path.join(PROJECTS, pair.root) : dir;
  const root = readProject(rootDir);
  const manifest = pair ? readManifest(pair.manifest) : null;
  const macros = [...projectMacros(proj), ...(root === proj ? [] : projectMacros(root))];
  if (installFromManifest && manifest) {
    macros.push(...manifestPackageMacros(manifest, new Set([proj.name, root.name])));
  }
  const engine = new DbtJinja({
    rootProject: root.name,
    staticPath,
    macros,
    vars: { ...root.vars, ...(pair?.vars ? pair.vars(rootDir) : {}) },
    packageVars: root === proj ? {} : { [proj.name]: proj.vars },
    target: { type: String(manifest?.metadata?.adapter_type ?? 'postgres') },
  });
  const counts = { sql: 0, python: 0, snapshots: 0, render: 0, scan: 0, dynamic: 0 };
  const failures: string[] = [];
  const found = new Map<string, ModelDeps>();
  const note = (d: ModelDeps, file: string): void => {
    counts[d.method]++;
    if (d.dynamic.length > 0) counts.dynamic++;
    if (d.renderError) failures.push(`${file}: ${d.renderError}`);
  };
  for (const mp of [...proj.modelPaths, ...proj.analysisPaths]) {
    for (const f of listFiles(path.join(dir, mp), ['.sql', '.py'])) {
      const rel = path.relative(dir, f).split(path.sep).join('/');
      const text = readFileSync(f, 'utf8');
      if (f.endsWith('.py')) {
        counts.python++;
        found.set(rel, pythonDeps(text));
      } else {
        counts.sql++;
        const d = engine.modelDeps(text, rel, proj.name);
        note(d, rel);
        found.set(rel, d);
      }
    }
  }
  for (const sp of proj.snapshotPaths) {
    for (const f of listFiles(path.join(dir, sp), ['.sql'])) {
      const rel = path.relative(dir, f).split(path.sep).join('/');
      for (const b of engine.snapshotBlocks(readFileSync(f, 'utf8'), rel, proj.name)) {
        counts.snapshots++;
        note(b.deps, `${rel}#${b.name}`);
        found.set(`${rel}#${b.name}`, b.deps);
      }
    }
  }
  return { found, counts, failures };
}

interface Edges {
  match: number;
  missing: number;
  extra: number;
  /** Missing edges made inside a macro of a package that is not installed. */
  notInstalled: number;
  lines: string[];
}

/**
 * Edges (node, ref or source call) as dbt recorded them in the node's `refs`/`sources`, before
 * resolution, against those found here; each difference with its cause.
 */
function compare(pair: Pair, found: Map<string, ModelDeps>, edges: Edges): void {
  const dir = path.join(PROJECTS, pair.tree);
  const proj = readProject(dir);
  let nodes = 0;
  for (const n of manifestNodes(readManifest(pair.manifest))) {
    if (
      !['model', 'snapshot', 'analysis'].includes(n.resource_type) ||
      n.package_name !== proj.name
    ) {
      continue;
    }
    const file = String(n.original_file_path ?? '').replace(/\\/g, '/');
    const d = found.get(n.resource_type === 'snapshot' ? `${file}#${n.name}` : file);
    if (!d) continue; // YAML snapshots have no SQL block
    nodes++;
    const want = new Set<string>([
      ...((n.refs ?? []) as unknown[]).map(refKey),
      ...((n.sources ?? []) as string[][]).map((x) => `source:${x[0]}.${x[1]}`),
    ]);
    const got = new Set<string>([
      ...d.refs.map(refKey),
      ...d.sources.map((x) => `source:${x.source}.${x.table}`),
    ]);
    const literal = scanDeps(readFileSync(path.join(dir, file), 'utf8'));
    const inText = new Set([
      ...literal.refs.map(refKey),
      ...literal.sources.map((x) => `source:${x.source}.${x.table}`),
    ]);
    const missingPackages = (d.unknownMacros ?? []).filter((u) => u.includes('.'));
    for (const w of want) {
      if (got.has(w)) {
        edges.match++;
        continue;
      }
      edges.missing++;
      let cause = 'unexplained';
      if (missingPackages.length > 0 && !inText.has(w)) {
        cause = `package not installed (${missingPackages.join(', ')})`;
        edges.notInstalled++;
      } else if (inText.has(w)) {
        cause = 'a branch the render did not take (vars of the run that wrote the manifest)';
      }
      edges.lines.push(`  missing ${n.unique_id} → ${w}: ${cause} [${d.method}]`);
    }
    for (const g of got) {
      if (want.has(g)) continue;
      edges.extra++;
      edges.lines.push(`  extra ${n.unique_id} → ${g} [${d.method}]`);
    }
  }
  expect(nodes).toBeGreaterThan(0);
}

const newEdges = (): Edges => ({ match: 0, missing: 0, extra: 0, notInstalled: 0, lines: [] });
const pct = (a: number, b: number): string => (b === 0 ? '100.00' : ((100 * a) / b).toFixed(2));
const agreement = (e: Edges, excludeNotInstalled = false): number =>
  e.match / Math.max(1, e.match + e.missing + e.extra - (excludeNotInstalled ? e.notInstalled : 0));

test('the corpus: render rate, scan fallbacks and agreement with dbt manifests', () => {
  const projects = findProjects(PROJECTS);
  if (projects.length === 0) throw new Error(`no dbt projects under ${PROJECTS}`);
  const pairOf = (dir: string): Pair | undefined =>
    PAIRS.find((p) => path.join(PROJECTS, p.tree) === dir);

  // 1. Every tree as it is in the corpus (no installed packages).
  const started = Date.now();
  const total = { sql: 0, python: 0, snapshots: 0, render: 0, scan: 0, dynamic: 0 };
  const failures: string[] = [];
  const asIs = new Map<string, TreeResult>();
  for (const dir of projects) {
    const r = readTree(dir, pairOf(dir), false);
    asIs.set(dir, r);
    for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += r.counts[k];
    failures.push(...r.failures.map((f) => `${path.relative(PROJECTS, dir)}/${f}`));
  }
  const elapsed = Date.now() - started;
  const exactAsIs = newEdges();
  const approx = newEdges();
  for (const pair of PAIRS) {
    const r = asIs.get(path.join(PROJECTS, pair.tree));
    if (!r) throw new Error(`project tree missing: ${pair.tree}`);
    compare(pair, r.found, pair.exact ? exactAsIs : approx);
  }

  // 2. The exact pairs again, with the packages of the manifest's run installed.
  const installed = newEdges();
  const installedRender = { render: 0, scan: 0 };
  for (const pair of PAIRS.filter((p) => p.exact)) {
    const r = readTree(path.join(PROJECTS, pair.tree), pair, true);
    installedRender.render += r.counts.render;
    installedRender.scan += r.counts.scan;
    failures.push(...r.failures.map((f) => `(packages installed) ${pair.tree}/${f}`));
    compare(pair, r.found, installed);
  }

  const rendered = total.render + total.scan;
  const report = [
    `corpus: ${projects.length} projects, ${total.sql} SQL models/analyses, ${total.snapshots} snapshot blocks, ${total.python} Python models, ${elapsed} ms`,
    `rendered: ${total.render}/${rendered} (${pct(total.render, rendered)}%), scan fallback: ${total.scan} (${pct(total.scan, rendered)}%), with dynamic calls: ${total.dynamic}`,
    `manifests built from the same trees, packages not installed: ${exactAsIs.match} edges agree, ${exactAsIs.missing} missing (${exactAsIs.notInstalled} made inside macros of packages that are not installed), ${exactAsIs.extra} extra → ${(100 * agreement(exactAsIs)).toFixed(2)}%; ${(100 * agreement(exactAsIs, true)).toFixed(2)}% without the uninstalled packages' edges`,
    ...exactAsIs.lines,
    `same, with the manifests' packages installed (their macros): rendered ${installedRender.render}/${installedRender.render + installedRender.scan}; ${installed.match} edges agree, ${installed.missing} missing, ${installed.extra} extra → ${(100 * agreement(installed)).toFixed(2)}%`,
    ...installed.lines,
    `approximate manifests (earlier commits of the tree): ${approx.match} agree, ${approx.missing} missing, ${approx.extra} extra`,
    ...approx.lines,
    ...failures.map((f) => `render failure: ${f}`),
  ];
  console.log(report.join('\n'));

  // Every model of every tree renders (a scan fallback is allowed for under 1% of them).
  expect(total.scan / rendered).toBeLessThan(0.01);
  expect(installedRender.scan).toBe(0);
  // ≥ 99% of the edges of the manifests built from the same trees: with their packages
  // installed, and without them once the edges only those packages' macros make are set aside.
  expect(agreement(installed)).toBeGreaterThanOrEqual(0.99);
  expect(agreement(exactAsIs, true)).toBeGreaterThanOrEqual(0.99);
  // Nothing found that dbt did not record, and every miss has a cause.
  expect(exactAsIs.extra + installed.extra + approx.extra).toBe(0);
  expect([...exactAsIs.lines, ...installed.lines].filter((l) => l.includes('unexplained'))).toEqual(
    [],
  );
});

test('the corpus: every macro of every manifest compiles', () => {
  // dbt's global project (many versions), adapters and packages (dbt_utils, fivetran_utils,
  // dbt_expectations, elementary, …): the Jinja dbt code is written in, as macros.
  const dir = path.join(CORPUS, 'manifests');
  const seen = new Set<string>();
  const failed: string[] = [];
  let compiled = 0;
  for (const name of readdirSync(dir).sort()) {
    const macros = (readManifest(name).macros ?? {}) as Record<string, Json>;
    for (const mac of Object.values(macros)) {
      const sql = mac.macro_sql;
      if (typeof sql !== 'string' || seen.has(sql)) continue;
      seen.add(sql);
      for (const b of extractBlocks(sql, new Set(['macro', 'test', 'materialization'])).blocks) {
        const args = b.header.includes('(') ? b.header.slice(b.header.indexOf('(')) : '()';
        const text = `{% macro m${args} %}${sql.slice(b.bodyStart, b.bodyEnd)}{% endmacro %}`;
        try {
          compileTemplate(toNunjucks(text), String(mac.unique_id), 0);
          compiled++;
        } catch (e) {
          failed.push(`${String(mac.unique_id)}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
  }
  console.log(
    [
      `distinct macros in the corpus manifests: ${compiled} compile, ${failed.length} do not`,
      ...failed,
    ].join('\n'),
  );
  expect(compiled).toBeGreaterThan(3000);
  expect(failed).toEqual([]);
});

describe('plain macros (known to compile without loading nunjucks)', () => {
  const plain = [
    '{% macro cents_to_dollars(column_name, scale=2) -%}\n    round({{ column_name }} / 100.0, {{ scale }})::number(16, {{ scale }})\n{%- endmacro %}',
    "{% macro audit(model_name) -%}{%- if execute -%}insert into {{ target.schema }}_audit.t select '{{ model_name }}' from {{ this }}{%- endif -%}{%- endmacro %}",
    '\n\n{% macro m(a, b="x", c=none) %}{# note #}{% if a %}1{% elif b.c %}2{% else %}3{% endif %}{% endmacro %}',
  ];
  const notPlain = [
    '{% macro m() %}{% if a %}{% else %}{% else %}{% endif %}{% endmacro %}',
    '{% macro m() %}{% if a %}{% else %}{% elif b %}{% endif %}{% endmacro %}',
    '{% macro m() %}{% if a %}{% endmacro %}',
    '{% macro m() %}{% endif %}{% endmacro %}',
    '{% macro m() %}{{ if }}{% endmacro %}',
    '{% macro m() %}{{ }}{% endmacro %}',
    '{% macro m() %}{{ a. }}{% endmacro %}',
    '{% macro m() %}{{ a.b.1 }}{% endmacro %}',
    '{% macro m() %}{{ a | upper }}{% endmacro %}',
    '{% macro m() %}{{ f(a) }}{% endmacro %}',
    '{% macro m() %}{% if %}{% endif %}{% endmacro %}',
    '{% macro m() %}{% set x = 1 %}{% endmacro %}',
    '{% macro m() %}{% for x in y %}{% endfor %}{% endmacro %}',
    '{% macro m() %}{%+ if a %}{% endif %}{% endmacro %}',
    '{% macro m(a=b) %}{% endmacro %}',
    '{% macro m(a,) %}{% endmacro %}',
    '{% macro m(if) %}{% endmacro %}',
    '{% macro m() %}x{% endmacro %}text after',
    '{% macro m() %}{% macro n() %}{% endmacro %}{% endmacro %}',
    '{% macro m() %}{{ a',
    '{% macro m() %}{% raw %}{{ a }}{% endraw %}{% endmacro %}',
  ];

  test('simple macros are plain; anything else is left to the compiler', () => {
    for (const text of plain) expect([text, plainMacro(text)]).toEqual([text, true]);
    for (const text of notPlain) expect([text, plainMacro(text)]).toEqual([text, false]);
  });

  test('every plain macro compiles (these, and those of the corpus projects)', () => {
    const texts = [...plain, ...notPlain];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.sql') && p.includes(`${path.sep}macros${path.sep}`)) {
          const sql = readFileSync(p, 'utf8');
          for (const b of extractBlocks(sql, new Set(['macro'])).blocks) {
            const args = b.header.includes('(') ? b.header.slice(b.header.indexOf('(')) : '()';
            texts.push(`{% macro m${args} %}${sql.slice(b.bodyStart, b.bodyEnd)}{% endmacro %}`);
          }
        }
      }
    };
    walk(PROJECTS);
    const plainOnes = texts.filter((t) => plainMacro(t));
    for (const text of plainOnes)
      expect(() => compileTemplate(toNunjucks(text), 'm', 0)).not.toThrow();
    expect(plainOnes.length).toBeGreaterThan(plain.length + 10);
  });
});

test('the corpus: reading templates without rendering gives what rendering gives', () => {
  // The static path skips the engine for templates whose tags cannot record a dependency;
  // over every model of every tree, its refs, sources and configs must equal a full render's.
  const differences: string[] = [];
  for (const dir of findProjects(PROJECTS)) {
    const pair = PAIRS.find((p) => path.join(PROJECTS, p.tree) === dir);
    const fast = readTree(dir, pair, false, true).found;
    const full = readTree(dir, pair, false, false).found;
    for (const [file, d] of full) {
      const f = fast.get(file);
      const strip = (x: ModelDeps | undefined) =>
        x &&
        JSON.stringify({
          refs: x.refs,
          sources: x.sources,
          configs: x.configs,
          dynamic: x.dynamic,
        });
      if (strip(f) !== strip(d)) differences.push(`${path.relative(PROJECTS, dir)}/${file}`);
    }
  }
  expect(differences).toEqual([]);
}, 120_000);
