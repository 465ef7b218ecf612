/**
 * The loader on tiny hand-written manifests, one per manifest schema difference listed in
 * shared/docs/dbt-artifacts.md §1 and §4.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../src/errors.js';
import { loadManifestBuffer, type ManifestLoad } from '../src/load/manifest.js';
import type { Resource } from '../src/model.js';

type Json = Record<string, any>;

const ROOT = 'jaffle';

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

const DBT_VERSION: Record<number, string> = {
  1: '0.19.1',
  2: '0.20.2',
  3: '0.21.1',
  4: '1.0.0',
  5: '1.1.0',
  6: '1.2.1',
  7: '1.3.0',
  8: '1.4.1',
  9: '1.5.0',
  10: '1.6.0',
  11: '1.7.0',
  12: '1.10.5',
};

/**
 * A minimal valid manifest for schema vN: the top-level keys that version requires (and
 * `disabled` as that version writes it). `overrides` replaces top-level keys, except
 * `metadata`, which is merged into the default metadata.
 */
function manifest(version: number, overrides: Json = {}): Json {
  const { metadata, ...rest } = overrides;
  const m: Json = {
    metadata: {
      dbt_schema_version: `https://schemas.getdbt.com/dbt/manifest/v${version}.json`,
      dbt_version: DBT_VERSION[version] ?? '9.9.9',
      generated_at: '2024-01-01T00:00:00.000000Z',
      invocation_id: '00000000-0000-0000-0000-000000000000',
      env: {},
      project_id: md5(ROOT),
      user_id: null,
      send_anonymous_usage_stats: false,
      adapter_type: 'postgres',
      ...(version >= 10 ? { project_name: ROOT } : {}),
      ...(metadata as Json | undefined),
    },
    nodes: {},
    sources: {},
    macros: {},
    docs: {},
    exposures: {},
    selectors: {},
    disabled: version <= 3 ? [] : {},
    parent_map: {},
    child_map: {},
  };
  if (version >= 4) m.metrics = {};
  if (version >= 9) {
    m.groups = {};
    m.group_map = {};
  }
  if (version >= 10) m.semantic_models = {};
  if (version >= 11) m.saved_queries = {};
  if (version >= 12) m.unit_tests = {};
  return { ...m, ...rest };
}

/** `refs` as written by schema vN: lists before v9, objects from v9. */
function refs(version: number, ...names: string[]): unknown[] {
  return version < 9
    ? names.map((n) => [n])
    : names.map((n) => ({ name: n, package: null, version: null }));
}

/** A node of schema vN; `extra` replaces fields. */
function node(version: number, type: string, name: string, extra: Json = {}): Json {
  const pkg = (extra.package_name as string | undefined) ?? ROOT;
  const n: Json = {
    unique_id: `${type}.${pkg}.${name}`,
    resource_type: type,
    name,
    package_name: pkg,
    original_file_path: `models/${name}.sql`,
    path: `${name}.sql`,
    patch_path: null,
    fqn: [pkg, name],
    description: '',
    meta: {},
    tags: [],
    config: {
      enabled: true,
      materialized: type === 'seed' ? 'seed' : type === 'test' ? 'test' : 'view',
      tags: [],
      ...(version >= 3 ? { meta: {} } : {}),
      ...(version >= 11 && type === 'model' ? { access: 'protected' } : {}),
    },
    depends_on: { macros: [], nodes: [] },
    refs: [],
    sources: [],
    columns: {},
    checksum: { name: 'sha256', checksum: '0' },
    database: 'db',
    schema: 'analytics',
    alias: name,
  };
  if (version <= 6) n.raw_sql = 'select 1';
  else {
    n.raw_code = 'select 1';
    n.language = 'sql';
  }
  if (version <= 7) n.root_path = '/home/me/jaffle';
  if (version >= 9 && type === 'model') {
    n.access = 'protected';
    n.version = null;
    n.latest_version = null;
    n.contract = { enforced: false };
    n.constraints = [];
    n.group = null;
  }
  if (version >= 10 && type === 'model') n.deprecation_date = null;
  return { ...n, ...extra };
}

function model(version: number, name: string, extra: Json = {}): Json {
  return node(version, 'model', name, extra);
}

/** A generic (schema) test on `modelJinja` with the given parents. */
function genericTest(
  version: number,
  name: string,
  testName: string,
  modelJinja: string,
  parents: string[],
  extra: Json = {},
): Json {
  return node(version, 'test', name, {
    unique_id: `test.${ROOT}.${name}${version >= 2 ? '.0123456789' : ''}`,
    original_file_path: 'models/schema.yml',
    path: `${name}.sql`,
    column_name: 'id',
    test_metadata: {
      name: testName,
      kwargs: { column_name: 'id', model: modelJinja },
      namespace: null,
    },
    depends_on: { macros: [], nodes: parents },
    ...extra,
  });
}

function source(sourceName: string, table: string, extra: Json = {}): Json {
  return {
    unique_id: `source.${ROOT}.${sourceName}.${table}`,
    resource_type: 'source',
    name: table,
    source_name: sourceName,
    package_name: ROOT,
    original_file_path: 'models/sources.yml',
    path: 'models/sources.yml',
    fqn: [ROOT, sourceName, table],
    description: '',
    source_description: '',
    meta: {},
    source_meta: {},
    tags: [],
    config: { enabled: true },
    columns: {},
    identifier: table,
    loader: '',
    database: 'raw',
    schema: sourceName,
    ...extra,
  };
}

function byId(...nodes: Json[]): Json {
  const out: Json = {};
  for (const n of nodes) out[n.unique_id as string] = n;
  return out;
}

function load(obj: Json | string): ManifestLoad {
  const text = typeof obj === 'string' ? obj : JSON.stringify(obj);
  return loadManifestBuffer(Buffer.from(text), 'm.json', null);
}

function res(l: ManifestLoad, id: string): Resource {
  const r = l.resources.find((x) => x.uniqueId === id);
  if (!r)
    throw new Error(`${id} not loaded; have ${l.resources.map((x) => x.uniqueId).join(', ')}`);
  return r;
}

const ALL_VERSIONS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

describe('the minimal manifest of every version', () => {
  test.each(ALL_VERSIONS)('v%i loads with its version, root project and no warnings', (v) => {
    const l = load(manifest(v, { nodes: byId(model(v, 'orders')) }));
    expect(l.info.schemaVersion).toBe(v);
    expect(l.info.dbtVersion).toBe(DBT_VERSION[v]);
    expect(l.info.name).toBe(ROOT);
    expect(l.info.counts).toEqual({ model: 1 });
    expect(l.warnings).toEqual([]);
    const r = res(l, 'model.jaffle.orders');
    expect(r.filePath).toBe('models/orders.sql');
    expect(r.projectName).toBe(ROOT);
    expect(r.external).toBe(false);
  });
});

describe('patch_path', () => {
  test('v1 writes a plain relative path', () => {
    const l = load(
      manifest(1, { nodes: byId(model(1, 'orders', { patch_path: 'models/schema.yml' })) }),
    );
    expect(res(l, 'model.jaffle.orders').patchPath).toBe('models/schema.yml');
  });

  test.each([2, 8, 12])('v%i writes pkg://path, loaded without the scheme', (v) => {
    const l = load(
      manifest(v, {
        nodes: byId(model(v, 'orders', { patch_path: 'jaffle://models/schema.yml' })),
      }),
    );
    expect(res(l, 'model.jaffle.orders').patchPath).toBe('models/schema.yml');
  });

  test('no YAML entry → null', () => {
    const l = load(manifest(5, { nodes: byId(model(5, 'orders', { patch_path: null })) }));
    expect(res(l, 'model.jaffle.orders').patchPath).toBeNull();
  });
});

describe('Windows paths', () => {
  test.each([1, 9, 12])('v%i: backslashes in patch_path, original_file_path and hooks', (v) => {
    const hook = node(v, 'operation', 'jaffle-on-run-end-0', {
      original_file_path: '.\\dbt_project.yml',
      path: 'hooks\\jaffle-on-run-end-0.sql',
    });
    const l = load(
      manifest(v, {
        nodes: byId(
          model(v, 'a', {
            original_file_path: 'models\\staging\\a.sql',
            path: 'staging\\a.sql',
            patch_path: v === 1 ? 'models\\x.yml' : 'pkg://models\\x.yml',
          }),
          hook,
        ),
      }),
    );
    const a = res(l, 'model.jaffle.a');
    expect(a.filePath).toBe('models/staging/a.sql');
    expect(a.patchPath).toBe('models/x.yml');
    expect(res(l, hook.unique_id).filePath).toBe('dbt_project.yml');
  });
});

describe('disabled', () => {
  const disabledNode = (v: number) =>
    model(v, 'old_orders', { config: { enabled: false, materialized: 'view' } });

  test.each([1, 2, 3])('v%i: an array of nodes', (v) => {
    const l = load(
      manifest(v, {
        nodes: byId(model(v, 'orders')),
        disabled: [disabledNode(v), disabledNode(v)],
      }),
    );
    expect(l.resources.map((r) => r.uniqueId)).toEqual(['model.jaffle.orders']);
  });

  test.each([4, 9, 12])('v%i: an object unique_id → list', (v) => {
    const l = load(
      manifest(v, {
        nodes: byId(model(v, 'orders')),
        disabled: { 'model.jaffle.old_orders': [disabledNode(v), disabledNode(v)] },
      }),
    );
    expect(l.resources.map((r) => r.uniqueId)).toEqual(['model.jaffle.orders']);
  });

  test('null disabled (v1–v3 allowed it)', () => {
    const l = load(manifest(2, { nodes: byId(model(2, 'orders')), disabled: null }));
    expect(l.resources).toHaveLength(1);
  });
});

describe('refs', () => {
  test.each([
    [1, [['stg_orders']]],
    [8, [['jaffle', 'stg_orders']]],
    [9, [{ name: 'stg_orders', package: null, version: null }]],
    [12, [{ name: 'stg_orders', package: 'jaffle', version: 2 }]],
  ])('v%i refs in their own shape load; lineage comes from depends_on', (v, refList) => {
    const l = load(
      manifest(v, {
        nodes: byId(
          model(v, 'stg_orders'),
          model(v, 'orders', {
            refs: refList,
            depends_on: { macros: [], nodes: ['model.jaffle.stg_orders'] },
          }),
        ),
      }),
    );
    expect(res(l, 'model.jaffle.orders').dependsOn).toEqual(['model.jaffle.stg_orders']);
  });

  test('the refs helper writes lists before v9, objects after', () => {
    expect(refs(8, 'a')).toEqual([['a']]);
    expect(refs(9, 'a')).toEqual([{ name: 'a', package: null, version: null }]);
  });

  test('duplicate depends_on entries (up to dbt 1.5) are de-duplicated', () => {
    const l = load(
      manifest(5, {
        nodes: byId(
          model(5, 'stg'),
          model(5, 'orders', {
            refs: refs(5, 'stg', 'stg'),
            depends_on: { macros: [], nodes: ['model.jaffle.stg', 'model.jaffle.stg'] },
          }),
        ),
      }),
    );
    expect(res(l, 'model.jaffle.orders').dependsOn).toEqual(['model.jaffle.stg']);
  });
});

describe('access', () => {
  test.each([1, 4, 8])('v%i has no access field: models are protected', (v) => {
    const m = model(v, 'orders');
    expect(m).not.toHaveProperty('access');
    const l = load(manifest(v, { nodes: byId(m, node(v, 'seed', 'raw')) }));
    expect(res(l, 'model.jaffle.orders').access).toBe('protected');
    expect(res(l, 'seed.jaffle.raw').access).toBeNull();
  });

  test.each(['public', 'private', 'protected'])('v9 node access %s', (a) => {
    const l = load(manifest(9, { nodes: byId(model(9, 'orders', { access: a })) }));
    expect(res(l, 'model.jaffle.orders').access).toBe(a);
  });

  test('v11+: config.access is used when the node has none', () => {
    const m = model(11, 'orders', {
      config: { enabled: true, materialized: 'table', access: 'private', meta: {} },
    });
    delete m.access;
    const l = load(manifest(11, { nodes: byId(m) }));
    expect(res(l, 'model.jaffle.orders').access).toBe('private');
  });

  test('v11+: node access copied from config', () => {
    const m = model(12, 'orders', {
      access: 'public',
      config: { enabled: true, materialized: 'table', access: 'public', meta: {} },
    });
    const l = load(manifest(12, { nodes: byId(m) }));
    expect(res(l, 'model.jaffle.orders').access).toBe('public');
  });

  test('injected nodes: node access public while config.access stays the default', () => {
    const injected = model(12, 'customers', {
      package_name: 'upstream',
      unique_id: 'model.upstream.customers',
      original_file_path: '',
      path: '',
      access: 'public',
      config: { enabled: true, materialized: 'view', access: 'protected', meta: {} },
    });
    const l = load(manifest(12, { nodes: byId(model(12, 'orders'), injected) }));
    const r = res(l, 'model.upstream.customers');
    expect(r.access).toBe('public');
    expect(r.external).toBe(true);
  });
});

describe('meta and config.meta', () => {
  test.each([1, 2])('v%i: only node meta exists', (v) => {
    const m = model(v, 'orders', { meta: { owner: 'ann', pii: false } });
    expect(m.config).not.toHaveProperty('meta');
    const l = load(manifest(v, { nodes: byId(m) }));
    expect(res(l, 'model.jaffle.orders').meta).toEqual({ owner: 'ann', pii: false });
  });

  test.each([3, 8, 12])('v%i: config.meta combined with meta, config wins', (v) => {
    const m = model(v, 'orders', {
      meta: { owner: 'yaml-owner', only_node: 1 },
      config: { enabled: true, materialized: 'view', meta: { owner: 'cfg-owner', only_cfg: 2 } },
    });
    const l = load(manifest(v, { nodes: byId(m) }));
    expect(res(l, 'model.jaffle.orders').meta).toEqual({
      owner: 'cfg-owner',
      only_node: 1,
      only_cfg: 2,
    });
  });

  test('v3+: config.meta alone, node meta empty', () => {
    const m = model(4, 'orders', {
      meta: {},
      config: { enabled: true, materialized: 'view', meta: { domain: 'sales' } },
    });
    const l = load(manifest(4, { nodes: byId(m) }));
    expect(res(l, 'model.jaffle.orders').meta).toEqual({ domain: 'sales' });
  });

  test('null meta and null config.meta give {}', () => {
    const m = model(9, 'orders', {
      meta: null,
      config: { enabled: true, materialized: 'view', meta: null },
    });
    const l = load(manifest(9, { nodes: byId(m) }));
    expect(res(l, 'model.jaffle.orders').meta).toEqual({});
  });

  test('column config.meta/tags (1.9.6–1.10.12) combined with column meta/tags', () => {
    const m = model(12, 'orders', {
      columns: {
        ID: {
          name: 'ID',
          description: 'key',
          meta: { a: 1, b: 1 },
          tags: ['x'],
          config: { meta: { b: 2 }, tags: ['y'] },
          data_type: 'int',
        },
      },
    });
    const l = load(manifest(12, { nodes: byId(m) }));
    const col = res(l, 'model.jaffle.orders').columns[0]!;
    expect(col.name).toBe('ID');
    expect(col.meta).toEqual({ a: 1, b: 2 });
    expect([...col.tags].sort()).toEqual(['x', 'y']);
    expect(col.dataType).toBe('int');
  });
});

describe('tags', () => {
  test('a plain string on the node and in config → one tag', () => {
    const m = model(7, 'orders', {
      tags: 'pii',
      config: { enabled: true, materialized: 'view', meta: {}, tags: 'pii' },
    });
    const l = load(manifest(7, { nodes: byId(m) }));
    expect(res(l, 'model.jaffle.orders').tags).toEqual(['pii']);
  });

  test('a string on the node, no config tags (v1: config tags may be absent)', () => {
    const m = model(1, 'orders', {
      tags: 'nightly',
      config: { enabled: true, materialized: 'view' },
    });
    const l = load(manifest(1, { nodes: byId(m) }));
    expect(res(l, 'model.jaffle.orders').tags).toEqual(['nightly']);
  });

  test('a string in config only', () => {
    const m = model(12, 'orders', {
      tags: [],
      config: { enabled: true, materialized: 'view', meta: {}, tags: 'finance' },
    });
    const l = load(manifest(12, { nodes: byId(m) }));
    expect(res(l, 'model.jaffle.orders').tags).toEqual(['finance']);
  });

  test('node list and config string are united without duplicates', () => {
    const m = model(12, 'orders', {
      tags: ['a', 'b', 'a'],
      config: { enabled: true, materialized: 'view', meta: {}, tags: 'c' },
    });
    const l = load(manifest(12, { nodes: byId(m) }));
    expect([...res(l, 'model.jaffle.orders').tags].sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('seeds', () => {
  test('v8 (dbt 1.4) seeds have no depends_on key', () => {
    const seed = node(8, 'seed', 'raw_orders', { original_file_path: 'seeds/raw_orders.csv' });
    delete seed.depends_on;
    delete seed.refs;
    delete seed.sources;
    const l = load(manifest(8, { nodes: byId(seed) }));
    const r = res(l, 'seed.jaffle.raw_orders');
    expect(r.resourceType).toBe('seed');
    expect(r.dependsOn).toEqual([]);
    expect(r.access).toBeNull();
  });

  test('v9 seeds have depends_on with macros only', () => {
    const seed = node(9, 'seed', 'raw_orders', { depends_on: { macros: ['macro.x.y'] } });
    const l = load(manifest(9, { nodes: byId(seed) }));
    expect(res(l, 'seed.jaffle.raw_orders').dependsOn).toEqual([]);
  });
});

describe('test attachment', () => {
  test('singular tests have no attached_node key: attachedNode null, no test name', () => {
    const singular = node(12, 'test', 'assert_positive', {
      original_file_path: 'tests/assert_positive.sql',
      path: 'assert_positive.sql',
      depends_on: { macros: [], nodes: ['model.jaffle.orders'] },
    });
    expect(singular).not.toHaveProperty('attached_node');
    expect(singular).not.toHaveProperty('test_metadata');
    const l = load(manifest(12, { nodes: byId(model(12, 'orders'), singular) }));
    expect(res(l, 'test.jaffle.assert_positive').test).toEqual({
      name: null,
      namespace: null,
      columnName: null,
      attachedNode: null,
    });
  });

  test('v9+: attached_node is read as written', () => {
    const t = genericTest(
      9,
      'not_null_orders_id',
      'not_null',
      "{{ get_where_subquery(ref('orders')) }}",
      ['model.jaffle.orders'],
      { attached_node: 'model.jaffle.orders' },
    );
    const l = load(manifest(9, { nodes: byId(model(9, 'orders'), t) }));
    expect(res(l, t.unique_id).test).toEqual({
      name: 'not_null',
      namespace: null,
      columnName: 'id',
      attachedNode: 'model.jaffle.orders',
    });
  });

  // Parents list customers FIRST: taking the first depends_on entry gives the wrong answer.
  test.each([
    [1, "{{ ref('orders') }}"],
    [
      2,
      "{% if config.get('where') %}(select * from {{ ref('orders') }} where {{config.get('where')}}) orders{% else %}{{ ref('orders') }}{% endif %}",
    ],
    [3, "{{ get_where_subquery(ref('orders')) }}"],
    [8, '{{ get_where_subquery(ref("orders")) }}'],
  ])('v%i: from kwargs.model %s', (v, jinja) => {
    const t = genericTest(v, 'custom_orders_id', 'custom', jinja, [
      'model.jaffle.customers',
      'model.jaffle.orders',
    ]);
    const l = load(manifest(v, { nodes: byId(model(v, 'customers'), model(v, 'orders'), t) }));
    expect(res(l, t.unique_id).test!.attachedNode).toBe('model.jaffle.orders');
  });

  test.each([
    ["{{ get_where_subquery(ref('orders', version='2')) }}", 'model.jaffle.orders.v2'],
    ["{{ get_where_subquery(ref('orders', v=2)) }}", 'model.jaffle.orders.v2'],
    ["{{ get_where_subquery(ref('orders', version=1)) }}", 'model.jaffle.orders.v1'],
    // Unpinned: the latest version (v1 here), whatever the order of the parents.
    ["{{ get_where_subquery(ref('orders')) }}", 'model.jaffle.orders.v1'],
  ])('versioned ref %s → %s', (jinja, expected) => {
    const v = 8;
    const versioned = (n: number) =>
      model(v, 'orders', {
        unique_id: `model.jaffle.orders.v${n}`,
        fqn: [ROOT, 'orders', `v${n}`],
        original_file_path: `models/orders_v${n}.sql`,
        version: n,
        latest_version: 1,
      });
    const t = genericTest(v, 'not_null_orders_id', 'not_null', jinja, [
      'model.jaffle.orders.v2',
      'model.jaffle.orders.v1',
    ]);
    const l = load(manifest(v, { nodes: byId(versioned(1), versioned(2), t) }));
    expect(res(l, t.unique_id).test!.attachedNode).toBe(expected);
  });

  test("two-argument ref('pkg', 'orders') picks that package's model", () => {
    const v = 6;
    const other = model(v, 'orders', { package_name: 'other', unique_id: 'model.other.orders' });
    const mine = model(v, 'orders', { package_name: 'pkg', unique_id: 'model.pkg.orders' });
    const t = genericTest(
      v,
      'not_null_orders_id',
      'not_null',
      "{{ get_where_subquery(ref('pkg', 'orders')) }}",
      ['model.other.orders', 'model.pkg.orders'],
    );
    const l = load(manifest(v, { nodes: byId(model(v, 'root_model'), other, mine, t) }));
    expect(res(l, t.unique_id).test!.attachedNode).toBe('model.pkg.orders');
  });

  test.each([4, 9])("v%i: source('s', 't') attaches to the source", (v) => {
    const t = genericTest(
      v,
      'source_not_null_raw_orders_id',
      'not_null',
      "{{ get_where_subquery(source('raw', 'orders')) }}",
      ['source.jaffle.raw.customers', 'source.jaffle.raw.orders'],
      v >= 9 ? { attached_node: null } : {},
    );
    const l = load(
      manifest(v, {
        nodes: byId(model(v, 'x'), t),
        sources: byId(source('raw', 'customers'), source('raw', 'orders')),
      }),
    );
    expect(res(l, t.unique_id).test!.attachedNode).toBe('source.jaffle.raw.orders');
  });

  test.each([1, 4, 8])(
    'v%i: relationships test listing the `to` model first attaches to kwargs.model',
    (v) => {
      const t = genericTest(
        v,
        'relationships_orders_customer_id__id__ref_customers_',
        'relationships',
        v <= 2 ? "{{ ref('orders') }}" : "{{ get_where_subquery(ref('orders')) }}",
        ['model.jaffle.customers', 'model.jaffle.orders'],
      );
      t.test_metadata.kwargs.to = "ref('customers')";
      t.test_metadata.kwargs.field = 'id';
      const l = load(manifest(v, { nodes: byId(model(v, 'customers'), model(v, 'orders'), t) }));
      expect(res(l, t.unique_id).test!.attachedNode).toBe('model.jaffle.orders');
    },
  );

  test('a ref to a model not in the manifest leaves attachedNode null', () => {
    const t = genericTest(
      5,
      'not_null_ghost_id',
      'not_null',
      "{{ get_where_subquery(ref('ghost')) }}",
      ['model.jaffle.ghost'],
    );
    const l = load(manifest(5, { nodes: byId(model(5, 'orders'), t) }));
    expect(res(l, t.unique_id).test!.attachedNode).toBeNull();
  });
});

describe('versioned models', () => {
  function versioned(suffix: string, version: unknown, latest: unknown = 1): Json {
    return model(12, 'dim', {
      unique_id: `model.p.dim.v${suffix}`,
      package_name: 'p',
      fqn: ['p', 'dim', `v${suffix}`],
      original_file_path: `models/dim_v${suffix}.sql`,
      version,
      latest_version: latest,
    });
  }

  test('model.p.dim.v2 → version "2"', () => {
    const l = load(manifest(12, { nodes: byId(model(12, 'x'), versioned('2', 2, 2)) }));
    const r = res(l, 'model.p.dim.v2');
    expect(r.version).toBe('2');
    expect(r.latestVersion).toBe('2');
    expect(r.name).toBe('dim');
  });

  test('model.p.dim.v1.5 → version "1.5"', () => {
    const l = load(manifest(12, { nodes: byId(model(12, 'x'), versioned('1.5', 1.5)) }));
    expect(res(l, 'model.p.dim.v1.5').version).toBe('1.5');
  });

  test('a float 2.0 (parsed as 2 by JSON.parse) keeps "2.0" from the id', () => {
    const text = JSON.stringify(
      manifest(12, { nodes: byId(model(12, 'x'), versioned('2.0', '@FLOAT@')) }),
    ).replace('"@FLOAT@"', '2.0');
    expect(text).toContain('"version":2.0');
    const l = load(text);
    expect(res(l, 'model.p.dim.v2.0').version).toBe('2.0');
  });

  test('a string version', () => {
    const l = load(manifest(12, { nodes: byId(model(12, 'x'), versioned('3', '3', '3')) }));
    expect(res(l, 'model.p.dim.v3').version).toBe('3');
  });

  test('unversioned models have version null', () => {
    const l = load(manifest(12, { nodes: byId(model(12, 'x')) }));
    expect(res(l, 'model.jaffle.x').version).toBeNull();
    expect(res(l, 'model.jaffle.x').latestVersion).toBeNull();
  });
});

describe('injected external nodes', () => {
  test('empty original_file_path and path → external, own package as project', () => {
    const ext = model(12, 'customers', {
      package_name: 'upstream',
      unique_id: 'model.upstream.customers',
      original_file_path: '',
      path: '',
      access: 'public',
    });
    const l = load(manifest(12, { nodes: byId(model(12, 'orders'), ext) }));
    const r = res(l, 'model.upstream.customers');
    expect(r.external).toBe(true);
    expect(r.filePath).toBeNull();
    expect(r.projectName).toBe('upstream');
    expect(res(l, 'model.jaffle.orders').external).toBe(false);
    expect(l.info.name).toBe(ROOT);
  });

  test('a dbt-loom seed.upstream.raw_x with resource_type model is a seed', () => {
    const loom = model(12, 'raw_x', {
      package_name: 'upstream',
      unique_id: 'seed.upstream.raw_x',
      original_file_path: '',
      path: '',
    });
    const l = load(manifest(12, { nodes: byId(model(12, 'orders'), loom) }));
    const r = res(l, 'seed.upstream.raw_x');
    expect(r.resourceType).toBe('seed');
    expect(r.external).toBe(true);
    expect(r.access).toBeNull();
    expect(l.info.counts).toEqual({ model: 1, seed: 1 });
  });

  test('a local node whose id prefix disagrees is not re-typed', () => {
    const odd = model(12, 'weird', { unique_id: 'seed.jaffle.weird' });
    const l = load(manifest(12, { nodes: byId(odd) }));
    expect(res(l, 'seed.jaffle.weird').resourceType).toBe('model');
  });
});

describe('resource_type spelling', () => {
  test("'sql operation' (v6–v9 schemas) → sql_operation", () => {
    const op = node(7, 'sql operation', 'op', { unique_id: 'sql.jaffle.op' });
    const l = load(manifest(7, { nodes: byId(model(7, 'orders'), op) }));
    expect(res(l, 'sql.jaffle.op').resourceType).toBe('sql_operation');
    expect(l.info.counts).toEqual({ model: 1, sql_operation: 1 });
  });
});

describe('root project', () => {
  test.each([1, 5, 9])('v%i: the package whose md5 equals metadata.project_id', (v) => {
    const l = load(
      manifest(v, {
        metadata: { project_id: md5('shop') },
        nodes: byId(
          model(v, 'a', { package_name: 'dbt_utils', unique_id: 'model.dbt_utils.a' }),
          model(v, 'b', { package_name: 'shop', unique_id: 'model.shop.b' }),
          model(v, 'c', { package_name: 'zzz', unique_id: 'model.zzz.c' }),
        ),
      }),
    );
    expect(l.info.name).toBe('shop');
    expect(l.resources.every((r) => r.projectName === 'shop')).toBe(true);
  });

  test('before v10 the root may appear only among macros', () => {
    const l = load(
      manifest(8, {
        metadata: { project_id: md5('macro_only') },
        nodes: byId(
          model(8, 'a', { package_name: 'one', unique_id: 'model.one.a' }),
          model(8, 'b', { package_name: 'two', unique_id: 'model.two.b' }),
        ),
        macros: {
          'macro.macro_only.m': {
            unique_id: 'macro.macro_only.m',
            name: 'm',
            package_name: 'macro_only',
            macro_sql: '{% macro m() %}"\\\\"{% endmacro %}',
          },
        },
      }),
    );
    expect(l.info.name).toBe('macro_only');
  });

  test('before v10 with no matching package among several → InputError', () => {
    const obj = manifest(8, {
      metadata: { project_id: md5('nobody') },
      nodes: byId(
        model(8, 'a', { package_name: 'one', unique_id: 'model.one.a' }),
        model(8, 'b', { package_name: 'two', unique_id: 'model.two.b' }),
      ),
    });
    expect(() => load(obj)).toThrow(InputError);
    expect(() => load(obj)).toThrow(/root project/);
  });

  test('v10+: metadata.project_name, even when project_id names another package', () => {
    const l = load(
      manifest(10, {
        metadata: { project_name: 'named', project_id: md5('other') },
        nodes: byId(
          model(10, 'a', { package_name: 'other', unique_id: 'model.other.a' }),
          model(10, 'b', { package_name: 'named', unique_id: 'model.named.b' }),
        ),
      }),
    );
    expect(l.info.name).toBe('named');
  });

  test('metadata written after the nodes still names the root', () => {
    const { metadata, ...rest } = manifest(12, {
      metadata: { project_name: 'late' },
      nodes: byId(model(12, 'a', { package_name: 'late', unique_id: 'model.late.a' })),
    });
    const l = load({ ...rest, metadata });
    expect(l.info.name).toBe('late');
    expect(res(l, 'model.late.a').projectName).toBe('late');
  });
});

describe('schema version detection', () => {
  test('v13 (newer than known) loads with a warning', () => {
    const l = load(manifest(13, { nodes: byId(model(12, 'orders')) }));
    expect(l.info.schemaVersion).toBe(13);
    expect(l.resources).toHaveLength(1);
    expect(l.warnings).toHaveLength(1);
    expect(l.warnings[0]!.file).toBe('m.json');
    expect(l.warnings[0]!.message).toMatch(/v13/);
  });

  test('no dbt_schema_version (pre-0.19) → InputError', () => {
    const obj = manifest(1, { nodes: byId(model(1, 'orders')) });
    delete obj.metadata.dbt_schema_version;
    expect(() => load(obj)).toThrow(InputError);
    expect(() => load(obj)).toThrow(/dbt_schema_version/);
  });

  test('a non-manifest schema URL → InputError', () => {
    const obj = manifest(12, {
      metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/catalog/v1.json' },
    });
    expect(() => load(obj)).toThrow(InputError);
  });

  test('no nodes key → InputError', () => {
    const obj = manifest(12);
    delete obj.nodes;
    expect(() => load(obj)).toThrow(InputError);
  });
});

describe('sources', () => {
  test('source_meta merged under the table meta (table wins)', () => {
    const l = load(
      manifest(9, {
        nodes: byId(model(9, 'orders')),
        sources: byId(
          source('raw', 'orders', {
            source_meta: { owner: 'source-team', domain: 'sales' },
            meta: { owner: 'table-team', pii: true },
            tags: 'raw',
          }),
        ),
      }),
    );
    const r = res(l, 'source.jaffle.raw.orders');
    expect(r.resourceType).toBe('source');
    expect(r.sourceName).toBe('raw');
    expect(r.name).toBe('orders');
    expect(r.meta).toEqual({ owner: 'table-team', domain: 'sales', pii: true });
    expect(r.tags).toEqual(['raw']);
    expect(r.access).toBeNull();
  });

  test('1.10.5+: config.meta wins over meta', () => {
    const l = load(
      manifest(12, {
        nodes: byId(model(12, 'orders')),
        sources: byId(
          source('raw', 'orders', {
            source_meta: { a: 'src' },
            meta: { a: 'tbl', b: 'tbl' },
            config: { enabled: true, meta: { b: 'cfg' } },
          }),
        ),
      }),
    );
    expect(res(l, 'source.jaffle.raw.orders').meta).toEqual({ a: 'tbl', b: 'cfg' });
  });
});

describe('exposures', () => {
  const exposure = (owner: unknown, extra: Json = {}): Json => ({
    unique_id: 'exposure.jaffle.dash',
    resource_type: 'exposure',
    name: 'dash',
    package_name: ROOT,
    original_file_path: 'models/exposures.yml',
    path: 'exposures.yml',
    fqn: [ROOT, 'dash'],
    type: 'dashboard',
    owner,
    description: '',
    depends_on: { macros: [], nodes: ['model.jaffle.orders'] },
    refs: [],
    sources: [],
    ...extra,
  });

  test('v1 owner {email, name} (no meta/tags on v1 exposures)', () => {
    const l = load(
      manifest(1, {
        nodes: byId(model(1, 'orders')),
        exposures: byId(exposure({ email: 'ann@x.com', name: 'Ann' })),
      }),
    );
    const r = res(l, 'exposure.jaffle.dash');
    expect(r.owner).toEqual({ email: 'ann@x.com', name: 'Ann' });
    expect(r.meta).toEqual({});
    expect(r.dependsOn).toEqual(['model.jaffle.orders']);
    expect(l.info.counts).toEqual({ model: 1, exposure: 1 });
  });

  test('v12 owner with an email list and extra keys, as declared', () => {
    const owner = { email: ['a@x.com', 'b@x.com'], name: null, slack: '#bi' };
    const l = load(
      manifest(12, {
        nodes: byId(model(12, 'orders')),
        exposures: byId(
          exposure(owner, {
            meta: { tier: 1 },
            config: { enabled: true, meta: { tier: 2 }, tags: ['bi'] },
            tags: [],
          }),
        ),
      }),
    );
    const r = res(l, 'exposure.jaffle.dash');
    expect(r.owner).toEqual(owner);
    expect(r.meta).toEqual({ tier: 2 });
    expect(r.tags).toEqual(['bi']);
  });
});

describe('groups', () => {
  test('groups with owners (extra owner keys kept) and config meta', () => {
    const l = load(
      manifest(12, {
        nodes: byId(model(12, 'orders', { group: 'finance', config: { group: 'finance' } })),
        groups: {
          'group.jaffle.finance': {
            name: 'finance',
            resource_type: 'group',
            package_name: ROOT,
            path: 'groups.yml',
            original_file_path: 'models\\groups.yml',
            unique_id: 'group.jaffle.finance',
            owner: { name: 'Finance', email: 'fin@x.com', slack: '#finance' },
            description: 'money',
            config: { meta: { cost_center: 42 } },
          },
          'group.jaffle.ops': {
            name: 'ops',
            resource_type: 'group',
            package_name: ROOT,
            path: 'groups.yml',
            original_file_path: 'models/groups.yml',
            unique_id: 'group.jaffle.ops',
            owner: { email: 'ops@x.com' },
          },
        },
      }),
    );
    expect(l.groups).toEqual([
      {
        uniqueId: 'group.jaffle.finance',
        name: 'finance',
        packageName: ROOT,
        owner: { name: 'Finance', email: 'fin@x.com', slack: '#finance' },
        description: 'money',
        meta: { cost_center: 42 },
        filePath: 'models/groups.yml',
      },
      {
        uniqueId: 'group.jaffle.ops',
        name: 'ops',
        packageName: ROOT,
        owner: { email: 'ops@x.com' },
        description: '',
        meta: {},
        filePath: 'models/groups.yml',
      },
    ]);
    // Groups are not resources.
    expect(l.info.counts).toEqual({ model: 1 });
    expect(res(l, 'model.jaffle.orders').group).toBe('finance');
  });
});

describe('other sections', () => {
  test('metrics, semantic models, saved queries, unit tests and functions are counted', () => {
    const other = (type: string, name: string, extra: Json = {}): Json => ({
      unique_id: `${type}.${ROOT}.${name}`,
      resource_type: type,
      name,
      package_name: ROOT,
      original_file_path: 'models/x.yml',
      path: 'x.yml',
      fqn: [ROOT, name],
      description: null,
      meta: {},
      tags: [],
      config: { enabled: true, meta: { k: type } },
      depends_on: { macros: [], nodes: ['model.jaffle.orders'] },
      ...extra,
    });
    const l = load(
      manifest(12, {
        nodes: byId(model(12, 'orders')),
        metrics: byId(other('metric', 'revenue')),
        semantic_models: byId(other('semantic_model', 'orders_sm')),
        saved_queries: byId(other('saved_query', 'q')),
        unit_tests: byId(other('unit_test', 'orders.t1', { model: 'orders' })),
        functions: byId(other('function', 'f')),
      }),
    );
    expect(l.info.counts).toEqual({
      model: 1,
      metric: 1,
      semantic_model: 1,
      saved_query: 1,
      unit_test: 1,
      function: 1,
    });
    expect(res(l, 'metric.jaffle.revenue').meta).toEqual({ k: 'metric' });
    expect(res(l, 'metric.jaffle.revenue').description).toBe('');
    expect(res(l, 'unit_test.jaffle.orders.t1').test!.attachedNode).toBe('model.jaffle.orders');
  });
});

describe('tolerance', () => {
  test('unknown extra fields everywhere are tolerated', () => {
    const m = model(12, 'orders', {
      some_new_field: { nested: [1, 2, { x: null }] },
      config: {
        enabled: true,
        materialized: 'table',
        meta: {},
        adapter_thing: 'x',
        partition_by: { field: 'd' },
      },
      columns: { id: { name: 'id', description: '', policy_tags: ['p'], dimension: { x: 1 } } },
    });
    const l = load(
      manifest(12, {
        metadata: { brand_new: true, quoting: { database: true } },
        nodes: byId(m),
        something_new_top_level: { a: [{}] },
        functions: {},
      }),
    );
    expect(l.resources).toHaveLength(1);
    expect(res(l, 'model.jaffle.orders').materialized).toBe('table');
    expect(res(l, 'model.jaffle.orders').columns.map((c) => c.name)).toEqual(['id']);
  });

  test('a BOM and surrounding white space are accepted', () => {
    const text = `\uFEFF \n${JSON.stringify(manifest(12, { nodes: byId(model(12, 'orders')) }))}\n\n`;
    expect(load(text).resources).toHaveLength(1);
  });

  test('truncated JSON → InputError', () => {
    const text = JSON.stringify(manifest(12, { nodes: byId(model(12, 'orders')) }));
    expect(() => load(text.slice(0, text.length - 20))).toThrow(InputError);
  });
});

describe('untrusted keys', () => {
  const evil = (tag: string) =>
    `{"__proto__": {"polluted": "${tag}"}, "constructor": {"prototype": {"polluted": "${tag}"}}, "prototype": {"polluted": "${tag}"}, "ok": 1}`;

  /** A JSON text with __proto__/constructor/prototype keys in meta, config and columns. */
  function pollutingManifest(): string {
    const text = JSON.stringify(
      manifest(12, {
        nodes: byId(
          model(12, 'same', { meta: '@META@', config: '@CONFIG_SAME@' }),
          model(12, 'merged', { meta: '@META@', config: '@CONFIG_MERGED@', columns: '@COLUMNS@' }),
        ),
        sources: byId(source('raw', 't', { meta: '@META@', source_meta: '@SRC_META@' })),
      }),
    );
    return text
      .replaceAll('"@META@"', evil('meta'))
      .replaceAll('"@SRC_META@"', `{"__proto__": {"polluted": "src"}, "from_source": 1}`)
      .replaceAll(
        '"@CONFIG_SAME@"',
        `{"__proto__": {"polluted": "config", "meta": {"owner": "evil"}}, "constructor": {"prototype": {"polluted": "config"}}, "prototype": 1, "enabled": true, "meta": ${evil('meta')}}`,
      )
      .replaceAll(
        '"@CONFIG_MERGED@"',
        `{"__proto__": {"polluted": "config"}, "enabled": true, "meta": {"__proto__": {"polluted": "cfg-meta"}, "extra": 2}}`,
      )
      .replaceAll(
        '"@COLUMNS@"',
        `{"constructor": {"name": "constructor", "meta": ${evil('col')}}, "prototype": {"name": "prototype", "meta": {}}, "__proto__": {"name": "__proto__", "meta": {}}, "id": {"name": "id", "meta": ${evil('col')}}}`,
      );
  }

  test('do not pollute prototypes, and stay own data keys of meta', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const text = pollutingManifest();
    expect(text).toContain('"__proto__": {"polluted"');
    const l = load(text);

    expect(({} as any).polluted).toBeUndefined();
    expect((Object.prototype as any).polluted).toBeUndefined();
    expect((Object as any).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(Object.hasOwn(Object.prototype, 'owner')).toBe(false);

    const same = res(l, 'model.jaffle.same');
    expect(Object.getOwnPropertyNames(same.meta).sort()).toEqual(
      ['__proto__', 'constructor', 'ok', 'prototype'].sort(),
    );
    expect(Object.getOwnPropertyDescriptor(same.meta, '__proto__')!.value).toEqual({
      polluted: 'meta',
    });
    expect([Object.prototype, null]).toContain(Object.getPrototypeOf(same.meta));
    expect((same.meta as any).polluted).toBeUndefined();
    // config's own __proto__ key must not turn into an inherited config.meta.owner
    expect((same.meta as any).owner).toBeUndefined();

    // meta and config.meta differ: the merge builds a new object
    const merged = res(l, 'model.jaffle.merged');
    expect(Object.getOwnPropertyNames(merged.meta).sort()).toEqual(
      ['__proto__', 'constructor', 'extra', 'ok', 'prototype'].sort(),
    );
    expect(Object.getOwnPropertyDescriptor(merged.meta, '__proto__')!.value).toEqual({
      polluted: 'cfg-meta',
    });
    expect([Object.prototype, null]).toContain(Object.getPrototypeOf(merged.meta));
    expect((merged.meta as any).polluted).toBeUndefined();
    expect(merged.meta.extra).toBe(2);

    const names = merged.columns.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['constructor', 'prototype', 'id']));
    for (const c of merged.columns) {
      expect((c.meta as any).polluted).toBeUndefined();
      expect([Object.prototype, null]).toContain(Object.getPrototypeOf(c.meta));
    }
    const id = merged.columns.find((c) => c.name === 'id')!;
    expect(Object.getOwnPropertyNames(id.meta)).toContain('__proto__');

    const src = res(l, 'source.jaffle.raw.t');
    expect(Object.getOwnPropertyNames(src.meta).sort()).toEqual(
      ['__proto__', 'constructor', 'from_source', 'ok', 'prototype'].sort(),
    );
    expect(Object.getOwnPropertyDescriptor(src.meta, '__proto__')!.value).toEqual({
      polluted: 'meta',
    });
    expect((src.meta as any).polluted).toBeUndefined();

    expect(({} as any).polluted).toBeUndefined();
  });
});

describe('code fields', () => {
  test('raw_code/compiled_code with escapes load, and are not kept', () => {
    const sql = 'select "a\\"b", \'\\\\\' as bs, \'}"]{\' from t -- \\';
    const m = model(12, 'orders', {
      raw_code: sql,
      compiled_code: `${sql}\\\\`,
      description: 'after code',
    });
    const old = model(6, 'legacy', { raw_sql: sql, compiled_sql: sql, injected_sql: sql });
    const text = JSON.stringify(manifest(12, { nodes: byId(m, old) }));
    expect(text).toContain('\\"');
    expect(text).toContain('\\\\\\\\');
    const l = load(text);
    for (const id of ['model.jaffle.orders', 'model.jaffle.legacy']) {
      const r = res(l, id);
      for (const key of Object.keys(r)) expect(key.toLowerCase()).not.toMatch(/sql|code/);
      expect(JSON.stringify(r)).not.toContain('as bs');
    }
    expect(res(l, 'model.jaffle.orders').description).toBe('after code');
  });
});
