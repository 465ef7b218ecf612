/**
 * dbt_project.yml reading and dbt's config precedence (src/load/source/project-config.ts),
 * rule by rule with small examples from ../shared/docs/dbt-artifacts.md §3–4, then over every
 * dbt_project.yml of the shared corpus, and against a real dbt 1.12 manifest.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { InputError } from '../src/errors.js';
import {
  configDefaults,
  effectiveConfig,
  mergeConfigs,
  mergeVersionConfig,
  nodeFields,
  nodeFqn,
  normalizeEntryConfig,
  ProjectFileError,
  readDbtProject,
  sourceTableConfig,
  treeKeyFor,
  treeLayers,
  varsFor,
  type DbtProjectFile,
} from '../src/load/source/project-config.js';

/** Parses YAML text the way the corpus test does (yaml v2, YAML 1.1 like PyYAML). */
function y(text: string): unknown {
  return parse(text, { version: '1.1' });
}

function project(text: string): DbtProjectFile {
  return readDbtProject(y(text), 'dbt_project.yml');
}

/** Plain-object copy, so expectations compare values (outputs have null prototypes). */
function plain(value: unknown): any {
  return JSON.parse(JSON.stringify(value));
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

// The tree of dbt-artifacts.md §3.2.
const DOC_TREE = `
name: jaffle_shop
models:
  +tags: ["everything"]
  jaffle_shop:
    +materialized: view
    +meta: {owner: "@data"}
    staging:
      +tags: staging
      +group: core
      +access: protected
      stg_orders:
        +contract: {enforced: true}
`;

describe('readDbtProject', () => {
  test('defaults of every path and setting', () => {
    const p = project('name: jaffle');
    expect(p.name).toBe('jaffle');
    expect(p.version).toBeNull();
    expect(p.profile).toBeNull();
    expect(p.modelPaths).toEqual(['models']);
    expect(p.seedPaths).toEqual(['seeds']);
    expect(p.snapshotPaths).toEqual(['snapshots']);
    expect(p.analysisPaths).toEqual(['analyses']);
    expect(p.testPaths).toEqual(['tests']);
    expect(p.macroPaths).toEqual(['macros']);
    expect(p.functionPaths).toEqual(['functions']);
    expect(p.docsPaths).toBeNull();
    expect(p.packagesInstallPath).toBe('dbt_packages');
    expect(p.packagesInstallPathExplicit).toBe(false);
    expect(plain(p.vars)).toEqual({});
    expect(plain(p.trees)).toEqual({});
    expect(p.restrictAccess).toBe(false);
    expect(p.requireDbtVersion).toBeNull();
    expect(p.dispatch).toBeUndefined();
    expect(p.warnings).toEqual([]);
  });

  test('configured values are read as written', () => {
    const p = project(`
name: shop
version: 1.5
profile: prod
config-version: 2
model-paths: ["models", "more_models"]
snapshot-paths: [snaps]
docs-paths: [docs]
packages-install-path: vendor
require-dbt-version: ">=1.5.0"
restrict-access: true
dispatch:
  - macro_namespace: dbt_utils
    search_order: [spark_utils, dbt_utils]
vars:
  start: '2020-01-01'
  shop: {currency: EUR}
flags:
  require_generic_test_arguments_property: true
seeds:
  +schema: raw
semantic-models:
  +enabled: false
`);
    expect(p.version).toBe('1.5');
    expect(p.profile).toBe('prod');
    expect(p.modelPaths).toEqual(['models', 'more_models']);
    expect(p.snapshotPaths).toEqual(['snaps']);
    expect(p.docsPaths).toEqual(['docs']);
    expect(p.packagesInstallPath).toBe('vendor');
    expect(p.packagesInstallPathExplicit).toBe(true);
    expect(p.requireDbtVersion).toEqual(['>=1.5.0']);
    expect(p.restrictAccess).toBe(true);
    expect(plain(p.dispatch)).toEqual([
      { macro_namespace: 'dbt_utils', search_order: ['spark_utils', 'dbt_utils'] },
    ]);
    expect(plain(p.vars)).toEqual({ start: '2020-01-01', shop: { currency: 'EUR' } });
    expect(plain(p.flags)).toEqual({ require_generic_test_arguments_property: true });
    expect(plain(p.trees)).toEqual({
      seeds: { '+schema': 'raw' },
      'semantic-models': { '+enabled': false },
    });
  });

  test('a null path key falls back to the default (dbt value_or)', () => {
    expect(project('name: a\nmodel-paths:\n').modelPaths).toEqual(['models']);
    expect(project('name: a\nmodel-paths: []').modelPaths).toEqual([]);
  });

  test('legacy source-paths and data-paths stand for model-paths and seed-paths', () => {
    const p = project('name: old\nsource-paths: ["src"]\ndata-paths: ["data"]');
    expect(p.modelPaths).toEqual(['src']);
    expect(p.seedPaths).toEqual(['data']);
    expect(p.warnings.join('\n')).toMatch(/"source-paths" is deprecated.*"model-paths"/);
    expect(p.warnings.join('\n')).toMatch(/"data-paths" is deprecated.*"seed-paths"/);
  });

  test('the legacy tests: tree is the data_tests tree', () => {
    const p = project('name: a\ntests:\n  +severity: warn');
    expect(plain(p.trees.data_tests)).toEqual({ '+severity': 'warn' });
    expect(p.warnings.join('\n')).toMatch(/"tests" is deprecated/);
    expect(plain(project('name: a\ndata_tests:\n  +severity: warn').trees.data_tests)).toEqual({
      '+severity': 'warn',
    });
  });

  test('a tree that is not a mapping is ignored with a warning', () => {
    const p = project('name: a\nmodels: [a, b]\nvars: 3');
    expect(p.trees.models).toBeUndefined();
    expect(plain(p.vars)).toEqual({});
    expect(p.warnings).toHaveLength(2);
  });

  test('a Unicode project name is valid (Python \\w)', () => {
    expect(project('name: données_2').name).toBe('données_2');
    expect(project('name: _private').name).toBe('_private');
  });

  const ERRORS: Array<[string, string, RegExp]> = [
    ['not a mapping', '- name: a', /expected a mapping of project settings/],
    ['empty file', '', /expected a mapping.*got null/],
    ['missing name', 'version: "1.0"', /"name" is missing; add the project name/],
    [
      'name with a hyphen',
      'name: my-project',
      /"name" must be letters, digits and underscores.*"my-project"/,
    ],
    [
      'name starting with a digit',
      'name: 1shop',
      /"name" must be letters.*not starting with a digit/,
    ],
    ['numeric name', 'name: 123', /"name" must be letters.*got 123/],
    ['Jinja name', 'name: "{{ env_var(\'P\') }}"', /"name".*Jinja expression cannot be evaluated/],
    [
      'paths as a string',
      'name: a\nmodel-paths: models',
      /"model-paths" must be a list of folder names.*got a string/,
    ],
    [
      'a number in paths',
      'name: a\nseed-paths: [seeds, 3]',
      /"seed-paths" must list folder names as non-empty strings; found 3/,
    ],
    ['an empty path', 'name: a\nmacro-paths: [""]', /"macro-paths" must list folder names/],
    [
      'legacy and new paths',
      'name: a\nsource-paths: [s]\nmodel-paths: [m]',
      /"source-paths" and "model-paths" cannot both be set/,
    ],
    [
      'tests and data_tests',
      'name: a\ntests: {}\ndata_tests: {}',
      /"tests" and "data_tests" cannot both be set/,
    ],
    [
      'install path not a string',
      'name: a\npackages-install-path: [x]',
      /"packages-install-path" must be a folder name/,
    ],
    ['config-version 1', 'name: a\nconfig-version: 1', /"config-version" must be 2/],
  ];
  test.each(ERRORS)('%s → one-line ProjectFileError naming the key', (_what, text, message) => {
    const err = thrown(() => project(text));
    expect(err).toBeInstanceOf(ProjectFileError);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(/^dbt_project\.yml: /);
    expect(err.message).not.toContain('\n');
    expect((err as ProjectFileError).file).toBe('dbt_project.yml');
  });

  test('untrusted keys: __proto__ neither pollutes nor survives', () => {
    const p = project(`
name: a
vars:
  __proto__: {polluted: yes}
  ok: 1
models:
  __proto__: {polluted: yes}
  +meta: {__proto__: {polluted: yes}, owner: x}
`);
    expect(({} as any).polluted).toBeUndefined();
    expect(Object.keys(p.vars)).toEqual(['ok']);
    const layers = treeLayers(p.trees.models, ['a', 'm']);
    expect(plain(layers)).toEqual([{ meta: { owner: 'x' } }]);
    expect(({} as any).polluted).toBeUndefined();
  });

  test('cyclic values (recursive YAML aliases) are copied without looping', () => {
    const vars: any = { a: 1 };
    vars.self = vars;
    const p = readDbtProject({ name: 'a', vars }, 'f');
    expect((p.vars as any).self).toBe(p.vars);
  });

  test('the parsed value is not mutated and the result does not alias it', () => {
    const value = y(DOC_TREE) as any;
    const before = JSON.stringify(value);
    const p = readDbtProject(value, 'f');
    (p.trees.models as any).jaffle_shop['+materialized'] = 'table';
    expect(JSON.stringify(value)).toBe(before);
  });
});

describe('treeLayers', () => {
  const tree = project(DOC_TREE).trees.models;

  test('walks root, project, folders and node name (doc §3.2)', () => {
    expect(plain(treeLayers(tree, ['jaffle_shop', 'staging', 'stg_orders']))).toEqual([
      { tags: ['everything'] },
      { materialized: 'view', meta: { owner: '@data' } },
      { tags: 'staging', group: 'core', access: 'protected' },
      { contract: { enforced: true } },
    ]);
  });

  test('stops at the first level that is missing', () => {
    expect(plain(treeLayers(tree, ['jaffle_shop', 'marts', 'staging', 'stg_orders']))).toEqual([
      { tags: ['everything'] },
      { materialized: 'view', meta: { owner: '@data' } },
    ]);
    expect(plain(treeLayers(tree, ['other_package', 'staging']))).toEqual([
      { tags: ['everything'] },
    ]);
  });

  test('a key without + is a folder when its value is a mapping, a config otherwise', () => {
    const t = y(`
shop:
  materialized: table
  tags: [a]
  enabled: false
  meta: {owner: ignored}
  persist_docs: {relation: true}
  docs:
    +tags: [in_docs_folder]
  staging:
`) as any;
    // meta, persist_docs and docs are folders; `staging:` (null) is a config key, as in dbt.
    expect(plain(treeLayers(t, ['shop', 'x']))).toEqual([
      {},
      { materialized: 'table', tags: ['a'], enabled: false, staging: null },
    ]);
    // …so a node in a folder named "docs" does get the configs written under it.
    expect(plain(treeLayers(t, ['shop', 'docs', 'x']))[2]).toEqual({ tags: ['in_docs_folder'] });
  });

  test('"+ key" is stripped like Python str.strip; "+meta" is a config even as a mapping', () => {
    const t = y('shop:\n  "+ materialized ": table\n  +meta: {a: 1}') as any;
    expect(plain(treeLayers(t, ['shop']))[1]).toEqual({ materialized: 'table', meta: { a: 1 } });
  });

  test('a level whose value is not a mapping ends the walk; no tree gives no layer', () => {
    const t = y('shop:\n  staging: [not, a, folder]\n  +tags: t') as any;
    expect(plain(treeLayers(t, ['shop', 'staging', 'm']))).toEqual([
      {},
      { staging: ['not', 'a', 'folder'], tags: 't' },
    ]);
    expect(treeLayers(undefined, ['shop'])).toEqual([]);
    expect(treeLayers(null, ['shop'])).toEqual([]);
    expect(treeLayers([1], ['shop'])).toEqual([]);
  });
});

describe('mergeConfigs', () => {
  test('tags append; a string becomes a one-element list; duplicates are kept', () => {
    expect(plain(mergeConfigs([{ tags: 'a' }, { tags: ['b', 'a'] }, { tags: 'c' }]))).toEqual({
      tags: ['a', 'b', 'a', 'c'],
    });
  });

  test('hooks append, and pre_hook/post_hook are the same keys as pre-hook/post-hook', () => {
    const out = mergeConfigs([
      { 'pre-hook': 'grant 1' },
      { pre_hook: ['grant 2'], 'post-hook': 'vacuum' },
      { post_hook: 'analyze' },
    ]);
    expect(plain(out)).toEqual({
      'pre-hook': ['grant 1', 'grant 2'],
      'post-hook': ['vacuum', 'analyze'],
    });
  });

  test('packages append', () => {
    expect(plain(mergeConfigs([{ packages: 'numpy' }, { packages: ['pandas'] }]))).toEqual({
      packages: ['numpy', 'pandas'],
    });
  });

  test('meta is shallow-updated: nested mappings are replaced, a key can be set to null', () => {
    const out = mergeConfigs([
      { meta: { owner: 'a', contacts: { slack: 'x', email: 'y' }, tier: 1 } },
      { meta: { contacts: { slack: 'z' }, tier: null } },
    ]);
    expect(plain(out)).toEqual({ meta: { owner: 'a', contacts: { slack: 'z' }, tier: null } });
  });

  test('docs, contract, quoting and column_types are shallow-updated too', () => {
    const out = mergeConfigs([
      { docs: { show: true, node_color: 'red' }, contract: { enforced: false, alias_types: true } },
      { docs: { show: false }, contract: { enforced: true }, quoting: { identifier: true } },
      { quoting: { schema: false }, column_types: { a: 'int' } },
      { column_types: { b: 'text' } },
    ]);
    expect(plain(out)).toEqual({
      docs: { show: false, node_color: 'red' },
      contract: { enforced: true, alias_types: true },
      quoting: { identifier: true, schema: false },
      column_types: { a: 'int', b: 'text' },
    });
  });

  test('grants: per privilege, +keys extend and plain keys replace; values are listified', () => {
    const out = mergeConfigs([
      { grants: { select: ['reporter'], insert: 'loader' } },
      { grants: { '+select': 'bi' } },
      { grants: { '+update': ['ops'] } },
    ]);
    expect(plain(out)).toEqual({
      grants: { select: ['reporter', 'bi'], insert: ['loader'], update: ['ops'] },
    });
    expect(
      plain(mergeConfigs([{ grants: { select: ['a', 'b'] } }, { grants: { select: 'c' } }])),
    ).toEqual({
      grants: { select: ['c'] },
    });
  });

  test('everything else is clobbered, null included', () => {
    expect(
      plain(
        mergeConfigs([
          {
            materialized: 'table',
            enabled: true,
            group: 'g',
            persist_docs: { relation: true },
            x: 1,
          },
          { materialized: 'view', enabled: false, group: null, persist_docs: { columns: true } },
        ]),
      ),
    ).toEqual({
      materialized: 'view',
      enabled: false,
      group: null,
      persist_docs: { columns: true },
      x: 1,
    });
  });

  test('values dbt cannot merge are left out and reported', () => {
    const problems: string[] = [];
    const out = mergeConfigs(
      [
        { meta: { a: 1 }, tags: ['t'] },
        { meta: 'owner', tags: null, grants: ['x'] },
      ],
      problems,
    );
    expect(plain(out)).toEqual({ meta: { a: 1 }, tags: ['t'] });
    expect(problems).toEqual([
      expect.stringMatching(/^config layer 2: meta must be a mapping, got a string/),
      expect.stringMatching(/^config layer 2: tags is null/),
      expect.stringMatching(/^config layer 2: grants must be a mapping/),
    ]);
  });

  test('inputs are not mutated and outputs do not alias them', () => {
    const a = { meta: { k: { deep: 1 } }, tags: ['a'] };
    const b = { meta: { j: 2 }, tags: ['b'] };
    const out = mergeConfigs([a, b]) as any;
    out.meta.k.deep = 9;
    out.tags.push('x');
    expect(a).toEqual({ meta: { k: { deep: 1 } }, tags: ['a'] });
    expect(b).toEqual({ meta: { j: 2 }, tags: ['b'] });
  });

  test('a __proto__ key in a layer is dropped', () => {
    const layer = JSON.parse(
      '{"__proto__": {"polluted": true}, "meta": {"__proto__": {"polluted": true}}}',
    );
    const out = mergeConfigs([layer]);
    expect(Object.keys(out)).toEqual(['meta']);
    expect(Object.keys(out.meta as object)).toEqual([]);
    expect(({} as any).polluted).toBeUndefined();
  });
});

describe('mergeVersionConfig (dbt deep_merge of model and version config)', () => {
  test('mappings merge deeply, lists put the version first, scalars replace', () => {
    const out = mergeVersionConfig(
      { meta: { owner: 'a', contacts: { slack: 'x' } }, tags: ['m'], materialized: 'table' },
      { meta: { contacts: { email: 'y' } }, tags: ['v'], materialized: 'view' },
    );
    expect(plain(out)).toEqual({
      meta: { owner: 'a', contacts: { slack: 'x', email: 'y' } },
      tags: ['v', 'm'],
      materialized: 'view',
    });
  });

  test("a string model value is split like Python list() (dbt's own quirk)", () => {
    expect(plain(mergeVersionConfig({ tags: 'ab' }, { tags: ['v'] }))).toEqual({
      tags: ['v', 'a', 'b'],
    });
  });

  test('either side may be missing', () => {
    expect(plain(mergeVersionConfig(null, { a: 1 }))).toEqual({ a: 1 });
    expect(plain(mergeVersionConfig({ a: 1 }, undefined))).toEqual({ a: 1 });
  });
});

describe('effectiveConfig', () => {
  const root = project(`
name: shop
models:
  +tags: [everything]
  shop:
    +materialized: table
    +meta: {owner: a, tier: 1, contacts: {slack: x, email: y}}
    staging:
      +materialized: view
      +meta: {owner: b}
      stg_orders:
        +materialized: ephemeral
    marts:
      dim_customers:
        v2:
          +access: public
  pkg:
    +materialized: view
    +tags: [from_root]
sources:
  shop:
    +meta: {layer: raw}
    staging:
      raw:
        +enabled: false
        orders:
          +meta: {pii: true}
          +access: public
          +materialized: table
data_tests:
  shop:
    +severity: warn
`);
  const pkg = project(`
name: pkg
models:
  pkg:
    +materialized: table
    +tags: [pkg_own]
    +meta: {team: pkg}
`);

  test("the doc's worked example (§3.3): {owner: b, tier: 2, contacts: {slack: z}}", () => {
    const config = effectiveConfig({
      resourceType: 'model',
      fqn: ['shop', 'staging', 'stg_customers'],
      ownProject: root,
      rootProject: root,
      yamlConfig: { meta: { contacts: { slack: 'z' } } },
      sqlConfigs: [{ meta: { tier: 2 } }],
    });
    expect(plain(config.meta)).toEqual({ owner: 'b', tier: 2, contacts: { slack: 'z' } });
    expect(nodeFields(config, 'model').meta).toEqual({
      owner: 'b',
      tier: 2,
      contacts: { slack: 'z' },
    });
  });

  test('defaults of the resource type come first', () => {
    const config = effectiveConfig({
      resourceType: 'model',
      fqn: ['other', 'm'],
      ownProject: pkg,
      rootProject: pkg,
    });
    expect(config.materialized).toBe('view');
    expect(config.access).toBe('protected');
    expect(config.enabled).toBe(true);
    expect(plain(config.contract)).toEqual({ enforced: false, alias_types: true });
    expect(plain(config.docs)).toEqual({ show: true, node_color: null });
    expect(configDefaults('seed').materialized).toBe('seed');
    expect(configDefaults('snapshot').materialized).toBe('snapshot');
    expect(configDefaults('test').severity).toBe('ERROR');
    expect(configDefaults('source').materialized).toBeUndefined();
  });

  test('deeper beats shallower: project < folder < node name', () => {
    const at = (fqn: string[]) =>
      effectiveConfig({ resourceType: 'model', fqn, ownProject: root, rootProject: root })
        .materialized;
    expect(at(['shop', 'marts', 'fct'])).toBe('table');
    expect(at(['shop', 'staging', 'stg_customers'])).toBe('view');
    expect(at(['shop', 'staging', 'stg_orders'])).toBe('ephemeral');
  });

  test('YAML config beats dbt_project.yml, SQL config() beats YAML, calls apply in order', () => {
    const config = effectiveConfig({
      resourceType: 'model',
      fqn: ['shop', 'staging', 'stg_orders'],
      ownProject: root,
      rootProject: root,
      yamlConfig: { materialized: 'incremental', tags: ['yaml'], group: 'finance' },
      sqlConfigs: [
        { materialized: 'table', tags: 'sql1' },
        { tags: ['sql2'], group: 'sales' },
      ],
    });
    expect(config.materialized).toBe('table');
    expect(config.group).toBe('sales');
    expect(plain(config.tags)).toEqual(['everything', 'yaml', 'sql1', 'sql2']);
  });

  test('a YAML enabled: true cannot override a SQL config(enabled=false)', () => {
    const config = effectiveConfig({
      resourceType: 'model',
      fqn: ['shop', 'm'],
      ownProject: root,
      rootProject: root,
      yamlConfig: { enabled: true },
      sqlConfigs: [{ enabled: false }],
    });
    expect(nodeFields(config, 'model').enabled).toBe(false);
  });

  test("a package node: the root project's tree for its fqn applies last, over the package's config()", () => {
    const config = effectiveConfig({
      resourceType: 'model',
      fqn: ['pkg', 'staging', 'pkg_model'],
      ownProject: pkg,
      rootProject: root,
      sqlConfigs: [{ materialized: 'incremental' }],
    });
    expect(config.materialized).toBe('view');
    // root top-level +tags and root models.pkg +tags come after the package's own tags.
    expect(plain(config.tags)).toEqual(['pkg_own', 'everything', 'from_root']);
    expect(plain(config.meta)).toEqual({ team: 'pkg' });
  });

  test('a root-project node gets the root tree once, not twice', () => {
    const config = effectiveConfig({
      resourceType: 'model',
      fqn: ['shop', 'm'],
      ownProject: root,
      rootProject: root,
    });
    expect(plain(config.tags)).toEqual(['everything']);
  });

  test("a package's tree does not configure the root project's nodes", () => {
    const config = effectiveConfig({
      resourceType: 'model',
      fqn: ['pkg', 'x'],
      ownProject: pkg,
      rootProject: pkg,
    });
    expect(config.materialized).toBe('table');
    const rootNode = effectiveConfig({
      resourceType: 'model',
      fqn: ['shop', 'x'],
      ownProject: root,
      rootProject: root,
    });
    expect(plain(rootNode.tags)).not.toContain('pkg_own');
  });

  test('versioned model: the version config is deep-merged over the model config, and v<n> is a tree level', () => {
    const config = effectiveConfig({
      resourceType: 'model',
      fqn: nodeFqn({
        resourceType: 'model',
        packageName: 'shop',
        path: 'marts/dim_customers_v2.sql',
        name: 'dim_customers',
        version: 2,
      }),
      ownProject: root,
      rootProject: root,
      yamlConfig: { meta: { contacts: { slack: 'm' } }, tags: ['model'], materialized: 'view' },
      versionConfig: {
        meta: { contacts: { email: 'v' } },
        tags: ['version'],
        materialized: 'incremental',
      },
    });
    expect(config.materialized).toBe('incremental');
    expect(plain(config.tags)).toEqual(['everything', 'version', 'model']);
    // the project meta's contacts mapping is replaced (shallow update) by the YAML layer, which
    // itself is the deep merge of model and version.
    expect(plain(config.meta)).toEqual({
      owner: 'a',
      tier: 1,
      contacts: { slack: 'm', email: 'v' },
    });
    expect(nodeFields(config, 'model').access).toBe('public');
  });

  test('a Python model defaults to table at the properties layer (over the project tree)', () => {
    const base = {
      resourceType: 'model' as const,
      fqn: ['shop', 'staging', 'py_model'],
      ownProject: root,
      rootProject: root,
    };
    expect(effectiveConfig({ ...base, language: 'python' }).materialized).toBe('table');
    expect(
      effectiveConfig({ ...base, language: 'python', yamlConfig: { materialized: 'incremental' } })
        .materialized,
    ).toBe('incremental');
    expect(
      effectiveConfig({ ...base, language: 'python', sqlConfigs: [{ materialized: 'view' }] })
        .materialized,
    ).toBe('view');
    expect(effectiveConfig(base).materialized).toBe('view');
  });

  test('sources: fqn [package, yaml dirs, source, table], the sources: tree only, +access ignored', () => {
    const fqn = nodeFqn({
      resourceType: 'source',
      packageName: 'shop',
      path: 'staging/_sources.yml',
      sourceName: 'raw',
      name: 'orders',
    });
    expect(fqn).toEqual(['shop', 'staging', 'raw', 'orders']);
    const source = normalizeEntryConfig(
      { name: 'raw', meta: { owner: 'src' }, tags: ['raw'] },
      'source',
    );
    const table = normalizeEntryConfig(
      { name: 'orders', config: { meta: { owner: 'tbl' }, tags: 'orders' } },
      'table',
    );
    const config = effectiveConfig({
      resourceType: 'source',
      fqn,
      ownProject: root,
      rootProject: root,
      yamlConfig: sourceTableConfig(source.config, table.config),
    });
    const fields = nodeFields(config, 'source');
    expect(fields.enabled).toBe(false);
    expect(fields.meta).toEqual({ layer: 'raw', pii: true, owner: 'tbl' });
    expect(fields.tags).toEqual(['orders', 'raw']);
    expect(fields.access).toBeNull();
    expect(fields.materialized).toBeNull();
    expect(fields.group).toBeNull();
    expect(fields.contract).toBeNull();
    expect(fields.docs).toBeNull();
    // the models: tree (top-level +tags: [everything]) does not reach sources
    expect(plain(config.tags)).not.toContain('everything');
  });

  test('analyses are configured by the models: tree with fqn [package, "analysis", …]', () => {
    const fqn = nodeFqn({
      resourceType: 'analysis',
      packageName: 'shop',
      path: 'a.sql',
      name: 'a',
    });
    expect(fqn).toEqual(['shop', 'analysis', 'a']);
    expect(treeKeyFor('analysis')).toBe('models');
    const config = effectiveConfig({
      resourceType: 'analysis',
      fqn,
      ownProject: root,
      rootProject: root,
    });
    expect(config.materialized).toBe('table');
    expect(config.access).toBeUndefined();
  });

  test('data tests are configured by the data_tests: tree', () => {
    const config = effectiveConfig({
      resourceType: 'test',
      fqn: ['shop', 'staging', 'not_null_orders_id'],
      ownProject: root,
      rootProject: root,
    });
    expect(config.severity).toBe('warn');
    expect(config.materialized).toBe('test');
  });

  test('problems name the layer they come from', () => {
    const bad = project('name: bad\nmodels:\n  bad:\n    +meta: owner');
    const problems: string[] = [];
    effectiveConfig({
      resourceType: 'model',
      fqn: ['bad', 'm'],
      ownProject: bad,
      rootProject: bad,
      sqlConfigs: [{ docs: 1 }],
      problems,
    });
    expect(problems).toEqual([
      expect.stringMatching(/^dbt_project\.yml of bad, models\.bad: meta must be a mapping/),
      expect.stringMatching(/^config\(\) call 1: docs must be a mapping/),
    ]);
  });
});

describe('normalizeEntryConfig', () => {
  test('a model entry: top-level meta, docs, group, contract and access move into config', () => {
    const entry = {
      name: 'orders',
      description: 'd',
      meta: { owner: 'x' },
      docs: { show: false },
      group: 'finance',
      contract: { enforced: true },
      access: 'public',
      config: { materialized: 'table' },
    };
    const before = JSON.stringify(entry);
    const out = normalizeEntryConfig(entry, 'model');
    expect(plain(out.config)).toEqual({
      materialized: 'table',
      meta: { owner: 'x' },
      docs: { show: false },
      group: 'finance',
      contract: { enforced: true },
      access: 'public',
    });
    expect(out.moved).toEqual(['meta', 'docs', 'group', 'contract', 'access']);
    expect(out.problems).toEqual([]);
    expect(JSON.stringify(entry)).toBe(before);
  });

  test('the dbt 1.10 form (everything under config:) is taken as written', () => {
    const out = normalizeEntryConfig(
      {
        name: 'orders',
        config: { meta: { owner: 'x' }, tags: ['t'], group: 'g', access: 'private' },
      },
      'models',
    );
    expect(plain(out.config)).toEqual({
      meta: { owner: 'x' },
      tags: ['t'],
      group: 'g',
      access: 'private',
    });
    expect(out.moved).toEqual([]);
    expect(out.problems).toEqual([]);
  });

  test('the same key at the top level and under config: is a problem; config wins', () => {
    const out = normalizeEntryConfig(
      {
        name: 'orders',
        meta: { owner: 'top' },
        access: 'public',
        config: { meta: { owner: 'cfg' }, access: 'private' },
      },
      'model',
    );
    expect(plain(out.config)).toEqual({ meta: { owner: 'cfg' }, access: 'private' });
    expect(out.problems).toEqual([
      expect.stringMatching(/^"orders": "meta" is set both at the top level and under config:/),
      expect.stringMatching(/^"orders": "access" is set both/),
    ]);
  });

  test('a model-level top-level tags: is ignored by dbt (not moved, listed)', () => {
    const out = normalizeEntryConfig(
      { name: 'orders', tags: ['pii'], materialized: 'table' },
      'model',
    );
    expect(plain(out.config)).toEqual({});
    expect(out.ignored).toEqual(['tags', 'materialized']);
  });

  test('seeds, snapshots and analyses follow the model rules', () => {
    for (const type of ['seed', 'snapshot', 'analysis']) {
      const out = normalizeEntryConfig({ name: 'x', meta: { a: 1 }, group: 'g' }, type);
      expect(plain(out.config)).toEqual({ meta: { a: 1 }, group: 'g' });
    }
  });

  test('a model version: its config as written, top-level access/docs listed as ignored', () => {
    const out = normalizeEntryConfig(
      { v: 2, access: 'public', config: { materialized: 'table' } },
      'version',
    );
    expect(plain(out.config)).toEqual({ materialized: 'table' });
    expect(out.ignored).toEqual(['access']);
  });

  test('sources, tables, exposures, columns: top-level meta/tags merge with config (config wins), never a problem', () => {
    const out = normalizeEntryConfig(
      {
        name: 'raw',
        meta: { a: 1, b: 1 },
        tags: 'x',
        loaded_at_field: 'ts',
        config: { meta: { b: 2 }, tags: ['y'] },
      },
      'source',
    );
    expect(plain(out.config)).toEqual({
      meta: { a: 1, b: 2 },
      tags: ['x', 'y'],
      loaded_at_field: 'ts',
    });
    expect(out.problems).toEqual([]);
    expect(out.moved).toEqual(['meta', 'tags', 'loaded_at_field']);
    const table = normalizeEntryConfig(
      {
        name: 't',
        freshness: null,
        config: { freshness: { warn_after: { count: 1, period: 'day' } } },
      },
      'table',
    );
    expect(plain(table.config)).toEqual({ freshness: { warn_after: { count: 1, period: 'day' } } });
    for (const type of ['exposure', 'column', 'group']) {
      const e = normalizeEntryConfig(
        { name: 'e', meta: { a: 1 }, tags: ['t'], config: { meta: { a: 2 } } },
        type,
      );
      expect(plain(e.config)).toEqual({ meta: { a: 2 }, tags: ['t'] });
    }
  });

  test('metrics, semantic models, saved queries: group moves unless config sets it', () => {
    expect(plain(normalizeEntryConfig({ name: 'm', group: 'g' }, 'metric').config)).toEqual({
      group: 'g',
    });
    expect(
      plain(
        normalizeEntryConfig({ name: 'm', group: 'g', config: { group: 'h' } }, 'semantic_model')
          .config,
      ),
    ).toEqual({ group: 'h' });
  });

  test('generic test arguments: config args move; a truthy argument also under config: is a problem', () => {
    expect(
      plain(
        normalizeEntryConfig({ severity: 'warn', where: 'x > 1', column_name: 'id' }, 'test')
          .config,
      ),
    ).toEqual({
      severity: 'warn',
      where: 'x > 1',
    });
    const both = normalizeEntryConfig(
      { name: 'not_null_x', severity: 'warn', config: { severity: 'error' } },
      'test',
    );
    expect(plain(both.config)).toEqual({ severity: 'error' });
    expect(both.problems).toEqual([
      expect.stringMatching(/"severity" is set both as a test argument and under config:/),
    ]);
    // dbt reads a falsy argument only when there is no config: block
    expect(plain(normalizeEntryConfig({ enabled: false }, 'test').config)).toEqual({
      enabled: false,
    });
    expect(
      plain(normalizeEntryConfig({ enabled: false, config: { tags: ['t'] } }, 'test').config),
    ).toEqual({ tags: ['t'] });
  });

  test('unit tests and macros: config as written; a config that is not a mapping is a problem', () => {
    expect(
      plain(
        normalizeEntryConfig({ name: 'u', meta: { a: 1 }, config: { tags: 't' } }, 'unit_test')
          .config,
      ),
    ).toEqual({ tags: 't' });
    expect(plain(normalizeEntryConfig({ name: 'm', meta: { a: 1 } }, 'macro').config)).toEqual({});
    const bad = normalizeEntryConfig({ name: 'orders', config: ['x'] }, 'model');
    expect(bad.problems).toEqual(['"orders": config must be a mapping, got a list']);
  });

  test('sourceTableConfig: table over source, meta merged shallowly, tags concatenated', () => {
    const out = sourceTableConfig(
      { meta: { owner: 'a', x: 1 }, tags: ['s'], enabled: true, loaded_at_field: 'a' },
      { meta: { x: 2 }, tags: 't', enabled: false },
    );
    expect(plain(out)).toEqual({
      meta: { owner: 'a', x: 2 },
      tags: ['s', 't'],
      enabled: false,
      loaded_at_field: 'a',
    });
  });
});

describe('nodeFields', () => {
  test('tags are deduplicated in order; a string tag is one tag', () => {
    expect(nodeFields({ tags: ['b', 'a', 'b', 'c', 'a'] }, 'model').tags).toEqual(['b', 'a', 'c']);
    expect(nodeFields({ tags: 'pii' }, 'model').tags).toEqual(['pii']);
    expect(nodeFields({ tags: ['b', 'a', 'b'] }, 'source').tags).toEqual(['a', 'b']);
    expect(nodeFields({}, 'model').tags).toEqual([]);
  });

  test('access: models only, default protected; invalid values are reported', () => {
    expect(nodeFields({}, 'model').access).toBe('protected');
    expect(nodeFields({ access: 'public' }, 'model').access).toBe('public');
    expect(nodeFields({ access: 'private' }, 'model').access).toBe('private');
    const bad = nodeFields({ access: 'Public' }, 'model');
    expect(bad.access).toBe('protected');
    expect(bad.problems).toEqual([
      expect.stringMatching(/access must be one of public, protected, private/),
    ]);
    expect(nodeFields({ access: 'public' }, 'seed').access).toBeNull();
    expect(nodeFields({ access: 'public' }, 'snapshot').access).toBeNull();
    expect(nodeFields({ access: 'public', materialized: 'ephemeral' }, 'model').problems).toEqual([
      expect.stringMatching(/ephemeral model cannot be public/),
    ]);
  });

  test('contract: {enforced, aliasTypes} with defaults; seeds have none', () => {
    expect(nodeFields({ contract: { enforced: true } }, 'model').contract).toEqual({
      enforced: true,
      aliasTypes: true,
    });
    expect(nodeFields({}, 'model').contract).toEqual({ enforced: false, aliasTypes: true });
    expect(nodeFields({ contract: { enforced: true } }, 'seed').contract).toBeNull();
    expect(nodeFields({ contract: { enforced: 'yes' } }, 'model').problems).toHaveLength(1);
  });

  test('docs, materialized, group, meta, enabled', () => {
    const f = nodeFields(
      {
        docs: { show: false },
        materialized: 'table',
        group: 'finance',
        meta: { owner: 'x' },
        enabled: false,
      },
      'model',
    );
    expect(plain(f.docs)).toEqual({ show: false, node_color: null });
    expect(f.materialized).toBe('table');
    expect(f.group).toBe('finance');
    expect(f.meta).toEqual({ owner: 'x' });
    expect(f.enabled).toBe(false);
    expect(nodeFields({ enabled: "{{ var('on', true) }}" }, 'model')).toMatchObject({
      enabled: true,
      problems: [],
    });
    expect(nodeFields({ group: '' }, 'model').group).toBeNull();
    expect(nodeFields({ group: 'g' }, 'exposure').group).toBeNull();
    expect(nodeFields({ group: 'g' }, 'metric').group).toBe('g');
  });

  test('fields of the final effective config, end to end', () => {
    const p = project(DOC_TREE);
    const config = effectiveConfig({
      resourceType: 'model',
      fqn: ['jaffle_shop', 'staging', 'stg_orders'],
      ownProject: p,
      rootProject: p,
      yamlConfig: normalizeEntryConfig(
        { name: 'stg_orders', config: { tags: ['everything', 'yaml'] } },
        'model',
      ).config,
    });
    expect(nodeFields(config, 'model')).toEqual({
      tags: ['everything', 'staging', 'yaml'],
      meta: { owner: '@data' },
      group: 'core',
      access: 'protected',
      contract: { enforced: true, aliasTypes: true },
      materialized: 'view',
      enabled: true,
      docs: { show: true, node_color: null },
      problems: [],
    });
    expect(plain(config.tags)).toEqual(['everything', 'staging', 'everything', 'yaml']);
  });
});

describe('nodeFqn and varsFor', () => {
  test('fqn per resource type', () => {
    expect(
      nodeFqn({
        resourceType: 'model',
        packageName: 'p',
        path: 'staging/crm/stg_a.sql',
        name: 'stg_a',
      }),
    ).toEqual(['p', 'staging', 'crm', 'stg_a']);
    expect(
      nodeFqn({
        resourceType: 'model',
        packageName: 'p',
        path: 'm\\dim_v1.sql',
        name: 'dim',
        version: '1',
      }),
    ).toEqual(['p', 'm', 'dim', 'v1']);
    expect(
      nodeFqn({
        resourceType: 'snapshot',
        packageName: 'p',
        path: 'orders.sql',
        name: 'orders_history',
        sqlSnapshot: true,
      }),
    ).toEqual(['p', 'orders', 'orders_history']);
    expect(
      nodeFqn({
        resourceType: 'unit_test',
        packageName: 'p',
        path: 'marts/_unit.yml',
        name: 't',
        model: 'orders',
      }),
    ).toEqual(['p', 'marts', 'orders', 't']);
    expect(
      nodeFqn({
        resourceType: 'seed',
        packageName: 'p',
        path: 'raw_orders.csv',
        name: 'raw_orders',
      }),
    ).toEqual(['p', 'raw_orders']);
  });

  test('vars: package globals < package-scoped < root globals < root scoped to the package < CLI', () => {
    const rootP = project(
      'name: shop\nvars:\n  a: root\n  b: root\n  pkg: {b: root_for_pkg, c: root_for_pkg}\n  shop: {d: root_scoped}',
    );
    const pkgP = project(
      'name: pkg\nvars:\n  a: pkg\n  e: pkg\n  pkg: {c: pkg_scoped, f: pkg_scoped}',
    );
    expect(
      plain(
        varsFor({
          packageName: 'pkg',
          ownProject: pkgP,
          rootProject: rootP,
          cliVars: { a: 'cli' },
        }),
      ),
    ).toMatchObject({
      a: 'cli',
      b: 'root_for_pkg',
      c: 'root_for_pkg',
      e: 'pkg',
      f: 'pkg_scoped',
    });
    expect(
      plain(varsFor({ packageName: 'shop', ownProject: rootP, rootProject: rootP })),
    ).toMatchObject({ a: 'root', d: 'root_scoped' });
  });
});

// ---------------------------------------------------------------------------------------------
// Corpus

const PROJECTS_DIR = fileURLToPath(new URL('../../shared/corpus/projects/', import.meta.url));
const MANIFESTS_DIR = fileURLToPath(new URL('../../shared/corpus/manifests/', import.meta.url));

function findProjectFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findProjectFiles(full));
    else if (entry.name === 'dbt_project.yml') out.push(full);
  }
  return out.sort();
}

/**
 * dbt_project.yml files of the corpus that are expected not to load, with the reason (path
 * relative to the projects folder → expected message). None so far.
 */
const EXPECTED_FAILURES: Record<string, RegExp> = {};

const PROJECT_FILES =
  existsSync(PROJECTS_DIR) && statSync(PROJECTS_DIR).isDirectory()
    ? findProjectFiles(PROJECTS_DIR)
    : [];

describe('corpus dbt_project.yml files', () => {
  test('the corpus has project trees', () => {
    if (PROJECT_FILES.length === 0)
      throw new Error(`no dbt_project.yml found under ${PROJECTS_DIR}`);
    expect(PROJECT_FILES.length).toBeGreaterThan(10);
  });

  test.each(PROJECT_FILES.map((f) => [path.relative(PROJECTS_DIR, f), f]))(
    '%s loads',
    (rel, file) => {
      const value = parse(readFileSync(file, 'utf8'), { version: '1.1' }) as unknown;
      const expected = EXPECTED_FAILURES[rel];
      if (expected) {
        expect(() => readDbtProject(value, rel)).toThrow(expected);
        return;
      }
      const p = readDbtProject(value, rel);
      expect(p.name).toMatch(/^\w+$/);
      expect(p.modelPaths.length).toBeGreaterThan(0);
      // every tree walks without error along an arbitrary fqn
      for (const tree of Object.values(p.trees)) {
        expect(Array.isArray(treeLayers(tree, [p.name, 'staging', 'x']))).toBe(true);
      }
    },
  );

  test('the 2020 GitLab project uses the legacy path keys', () => {
    const file = path.join(PROJECTS_DIR, 'gitlab-analytics-snowflake-dbt-2020', 'dbt_project.yml');
    if (!existsSync(file)) return;
    const p = readDbtProject(
      parse(readFileSync(file, 'utf8'), { version: '1.1' }),
      'dbt_project.yml',
    );
    expect(p.modelPaths).toEqual(['models']);
    expect(p.seedPaths).toEqual(['data']);
    expect(p.warnings).toHaveLength(2);
  });

  test('dbt-bouncer: tree-only configs agree with the real dbt 1.12 manifest', () => {
    const projectFile = path.join(PROJECTS_DIR, 'dbt-bouncer-dbt_project', 'dbt_project.yml');
    const manifestFile = path.join(MANIFESTS_DIR, 'dbt-bouncer-test-project', 'manifest.json');
    if (!existsSync(projectFile) || !existsSync(manifestFile)) return;
    const p = readDbtProject(
      parse(readFileSync(projectFile, 'utf8'), { version: '1.1' }),
      'dbt_project.yml',
    );
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    let compared = 0;
    for (const node of Object.values<any>(manifest.nodes)) {
      if (node.package_name !== p.name || !['model', 'test', 'seed'].includes(node.resource_type))
        continue;
      const config = effectiveConfig({
        resourceType: node.resource_type,
        fqn: node.fqn,
        ownProject: p,
        rootProject: p,
        language: node.language,
      });
      const fields = nodeFields(config, node.resource_type);
      const what = `${node.unique_id}`;
      expect([what, config.schema ?? null]).toEqual([what, node.config.schema]);
      expect([what, fields.tags]).toEqual([what, node.tags]);
      if (node.resource_type === 'model')
        expect([what, fields.access]).toEqual([what, node.access]);
      // materialized also comes from SQL config() calls, which are not read here
      if (!/config\s*\(/.test(node.raw_code ?? '')) {
        expect([what, config.materialized]).toEqual([what, node.config.materialized]);
      }
      compared++;
    }
    expect(compared).toBeGreaterThan(40);
  });
});
