/**
 * dbt node selection: methods, graph and set operators, indirect test selection, YAML
 * selectors and errors on a hand-built project; then the same methods checked against facts
 * computed from a real manifest's JSON.
 */
import fs from 'node:fs';
import { loadProject } from '../src/load/index.js';
import { createProject, type Project, type ResourceInit } from '../src/project.js';
import {
  defaultSelector,
  resolveSelector,
  selectResources,
  SelectorError,
  selectTerm,
  withIndirectTests,
  type IndirectSelection,
  type Selectors,
} from '../src/graph/select.js';

const P = 'my_project';
const SRC_ORDERS = `source.${P}.shop.raw_orders`;
const SRC_CUSTOMERS = `source.${P}.shop.raw_customers`;
const SEED = `seed.${P}.country_codes`;
const STG_ORDERS = `model.${P}.stg_orders`;
const STG_CUSTOMERS = `model.${P}.stg_customers`;
const ORDERS = `model.${P}.orders`;
const CUSTOMERS = `model.${P}.customers`;
const DIM_V1 = `model.${P}.dim_customers.v1`;
const DIM_V2 = `model.${P}.dim_customers.v2`;
const DIM_V3 = `model.${P}.dim_customers.v3`;
const PAYMENTS = 'model.payments_pkg.payments';
const SNAPSHOT = `snapshot.${P}.orders_snapshot`;
const T_NOT_NULL = `test.${P}.not_null_orders_order_id.a1`;
const T_REL = `test.${P}.relationships_orders_customer_id__customers.b2`;
const T_EXPR = `test.${P}.dbt_utils_expression_is_true_orders.c3`;
const T_SINGULAR = `test.${P}.assert_positive_total`;
const T_SOURCE = `test.${P}.source_not_null_shop_raw_orders_id.d4`;
const UNIT = `unit_test.${P}.orders.test_orders_zero_items`;
const EXPOSURE = `exposure.${P}.weekly_kpis`;
const SEMANTIC = `semantic_model.${P}.orders_sm`;
const METRIC = `metric.${P}.revenue`;
const SAVED = `saved_query.${P}.revenue_by_day`;

const ORDERS_TESTS = [T_NOT_NULL, T_REL, T_EXPR, T_SINGULAR, UNIT];
const TESTS = [T_NOT_NULL, T_REL, T_EXPR, T_SINGULAR, T_SOURCE];
const DIMS = [DIM_V1, DIM_V2, DIM_V3];

function dim(v: string): ResourceInit {
  return {
    uniqueId: `model.${P}.dim_customers.v${v}`,
    resourceType: 'model',
    name: 'dim_customers',
    filePath: `models/marts/dim_customers_v${v}.sql`,
    fqn: [P, 'marts', 'dim_customers', `v${v}`],
    version: v,
    latestVersion: '2',
    materialized: 'table',
    access: 'public',
    dependsOn: [CUSTOMERS],
  };
}

function genericTest(
  uniqueId: string,
  name: string,
  testName: string,
  attachedNode: string,
  dependsOn: string[],
  extra: Partial<ResourceInit> = {},
): ResourceInit {
  return {
    uniqueId,
    resourceType: 'test',
    name,
    filePath: 'models/marts/_marts.yml',
    fqn: [P, 'marts', name],
    test: { name: testName, namespace: null, columnName: null, attachedNode },
    dependsOn,
    ...extra,
  };
}

const RESOURCES: ResourceInit[] = [
  {
    uniqueId: SRC_ORDERS,
    resourceType: 'source',
    name: 'raw_orders',
    sourceName: 'shop',
    filePath: 'models/staging/_sources.yml',
    fqn: [P, 'staging', 'shop', 'raw_orders'],
    tags: ['pii'],
  },
  {
    uniqueId: SRC_CUSTOMERS,
    resourceType: 'source',
    name: 'raw_customers',
    sourceName: 'shop',
    filePath: 'models/staging/_sources.yml',
    fqn: [P, 'staging', 'shop', 'raw_customers'],
  },
  {
    uniqueId: SEED,
    resourceType: 'seed',
    name: 'country_codes',
    filePath: 'seeds/country_codes.csv',
    fqn: [P, 'country_codes'],
    materialized: 'seed',
  },
  {
    uniqueId: STG_ORDERS,
    resourceType: 'model',
    name: 'stg_orders',
    filePath: 'models/staging/stg_orders.sql',
    patchPath: 'models/staging/_staging.yml',
    fqn: [P, 'staging', 'stg_orders'],
    tags: ['nightly'],
    materialized: 'view',
    dependsOn: [SRC_ORDERS],
  },
  {
    uniqueId: STG_CUSTOMERS,
    resourceType: 'model',
    name: 'stg_customers',
    filePath: 'models/staging/stg_customers.sql',
    patchPath: 'models/staging/_staging.yml',
    fqn: [P, 'staging', 'stg_customers'],
    tags: ['nightly'],
    materialized: 'view',
    group: 'sales',
    dependsOn: [SRC_CUSTOMERS],
  },
  {
    uniqueId: ORDERS,
    resourceType: 'model',
    name: 'orders',
    filePath: 'models/marts/orders.sql',
    patchPath: 'models/marts/_marts.yml',
    fqn: [P, 'marts', 'orders'],
    tags: ['nightly', 'finance'],
    materialized: 'table',
    access: 'public',
    contract: { enforced: true, aliasTypes: true },
    group: 'finance',
    meta: { domain: 'payments', owner: { team: 'fin' }, pii: false, labels: ['gold', 'core'] },
    dependsOn: [STG_ORDERS, STG_CUSTOMERS],
  },
  {
    uniqueId: CUSTOMERS,
    resourceType: 'model',
    name: 'customers',
    filePath: 'models/marts/customers.sql',
    fqn: [P, 'marts', 'customers'],
    materialized: 'table',
    dependsOn: [STG_CUSTOMERS, SEED],
  },
  dim('1'),
  dim('2'),
  dim('3'),
  {
    uniqueId: PAYMENTS,
    resourceType: 'model',
    name: 'payments',
    packageName: 'payments_pkg',
    filePath: 'models/payments.sql',
    fqn: ['payments_pkg', 'payments'],
    materialized: 'incremental',
    access: 'private',
    dependsOn: [ORDERS],
  },
  {
    uniqueId: SNAPSHOT,
    resourceType: 'snapshot',
    name: 'orders_snapshot',
    filePath: 'snapshots/orders_snapshot.sql',
    fqn: [P, 'orders_snapshot'],
    materialized: 'snapshot',
    dependsOn: [STG_ORDERS],
  },
  genericTest(T_NOT_NULL, 'not_null_orders_order_id', 'not_null', ORDERS, [ORDERS]),
  genericTest(T_REL, 'relationships_orders_customer_id__customers', 'relationships', ORDERS, [
    ORDERS,
    CUSTOMERS,
  ]),
  genericTest(
    T_EXPR,
    'dbt_utils_expression_is_true_orders',
    'expression_is_true',
    ORDERS,
    [ORDERS],
    {
      test: {
        name: 'expression_is_true',
        namespace: 'dbt_utils',
        columnName: null,
        attachedNode: ORDERS,
      },
    },
  ),
  {
    uniqueId: T_SINGULAR,
    resourceType: 'test',
    name: 'assert_positive_total',
    filePath: 'tests/assert_positive_total.sql',
    fqn: [P, 'assert_positive_total'],
    test: { name: null, namespace: null, columnName: null, attachedNode: null },
    dependsOn: [ORDERS],
  },
  genericTest(
    T_SOURCE,
    'source_not_null_shop_raw_orders_id',
    'not_null',
    SRC_ORDERS,
    [SRC_ORDERS],
    {
      filePath: 'models/staging/_sources.yml',
      fqn: [P, 'staging', 'source_not_null_shop_raw_orders_id'],
    },
  ),
  {
    uniqueId: UNIT,
    resourceType: 'unit_test',
    name: 'test_orders_zero_items',
    filePath: 'models/marts/_marts.yml',
    fqn: [P, 'marts', 'test_orders_zero_items'],
    test: { name: null, namespace: null, columnName: null, attachedNode: null },
    dependsOn: [ORDERS],
  },
  {
    uniqueId: EXPOSURE,
    resourceType: 'exposure',
    name: 'weekly_kpis',
    filePath: 'models/exposures.yml',
    fqn: [P, 'weekly_kpis'],
    tags: ['finance'],
    dependsOn: [ORDERS, CUSTOMERS],
  },
  {
    uniqueId: SEMANTIC,
    resourceType: 'semantic_model',
    name: 'orders_sm',
    filePath: 'models/marts/_semantic.yml',
    fqn: [P, 'orders_sm'],
    dependsOn: [ORDERS],
  },
  {
    uniqueId: METRIC,
    resourceType: 'metric',
    name: 'revenue',
    filePath: 'models/marts/_semantic.yml',
    fqn: [P, 'revenue'],
    group: 'finance',
    dependsOn: [SEMANTIC],
  },
  {
    uniqueId: SAVED,
    resourceType: 'saved_query',
    name: 'revenue_by_day',
    filePath: 'models/marts/_semantic.yml',
    fqn: [P, 'revenue_by_day'],
    dependsOn: [METRIC],
  },
];

const project: Project = createProject({
  name: P,
  resources: RESOURCES,
  groups: [{ name: 'finance' }, { name: 'sales' }],
});
const ALL = [...project.resources.keys()];

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();
/** One term, without indirect test selection. */
const term = (t: string): string[] => sorted(selectTerm(t, project.resources, project.graph));
/** Full selection (indirect tests included). */
const sel = (select: string[], exclude: string[] = [], indirect?: IndirectSelection): string[] => {
  const out = selectResources(
    indirect ? { select, exclude, indirectSelection: indirect } : { select, exclude },
    project.resources,
    project.graph,
  );
  if (out === null) throw new Error('no selection');
  return sorted(out);
};
const all = (...ids: string[]): string[] => sorted(new Set(ids));
const allBut = (...ids: string[]): string[] => sorted(ALL.filter((id) => !ids.includes(id)));

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SelectorError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a SelectorError');
}
const selectError = (...select: string[]) => errorOf(() => sel(select));

describe('bare values (dbt default method)', () => {
  test('a resource name selects it; a unique_id too', () => {
    expect(term('orders')).toEqual([ORDERS]);
    expect(term(ORDERS)).toEqual([ORDERS]);
    expect(term('payments')).toEqual([PAYMENTS]);
  });

  test('a versioned model name selects every version; name.vN and name_vN one', () => {
    expect(term('dim_customers')).toEqual(DIMS);
    expect(term('dim_customers.v2')).toEqual([DIM_V2]);
    expect(term('dim_customers_v2')).toEqual([DIM_V2]);
  });

  test('dotted fqn prefixes, with or without the package; package and folder names', () => {
    expect(term('my_project.marts.orders')).toEqual([ORDERS]);
    expect(term('marts.orders')).toEqual([ORDERS]);
    expect(term('payments_pkg')).toEqual([PAYMENTS]);
    // the folder: models and tests under staging, not the sources (fqn skips sources)
    expect(term('staging')).toEqual(all(STG_ORDERS, STG_CUSTOMERS, T_SOURCE));
  });

  test('a value with / is a path, one ending .sql/.csv/.yml a file name', () => {
    expect(term('models/staging')).toEqual(term('path:models/staging'));
    expect(term('orders.sql')).toEqual([ORDERS]);
    expect(term('country_codes.csv')).toEqual([SEED]);
    expect(term('_sources.yml')).toEqual(all(SRC_ORDERS, SRC_CUSTOMERS, T_SOURCE));
  });
});

describe('methods', () => {
  test('fqn: dotted names with * wildcards; fqn:* is everything but sources', () => {
    expect(term('fqn:my_project.staging.*')).toEqual(all(STG_ORDERS, STG_CUSTOMERS, T_SOURCE));
    expect(term('fqn:*.marts.*')).toEqual(
      all(ORDERS, CUSTOMERS, ...DIMS, T_NOT_NULL, T_REL, T_EXPR, UNIT),
    );
    expect(term('fqn:stg_*')).toEqual(all(STG_ORDERS, STG_CUSTOMERS));
    expect(term('fqn:*')).toEqual(allBut(SRC_ORDERS, SRC_CUSTOMERS));
    expect(term('fqn:orders')).toEqual([ORDERS]);
  });

  test('tag: exact or with wildcards, on every resource type', () => {
    expect(term('tag:nightly')).toEqual(all(STG_ORDERS, STG_CUSTOMERS, ORDERS));
    expect(term('tag:fin*')).toEqual(all(ORDERS, EXPOSURE));
    expect(term('tag:pii')).toEqual([SRC_ORDERS]);
  });

  test('path: folders, files, patch (YAML) files, globs', () => {
    const staging = all(SRC_ORDERS, SRC_CUSTOMERS, STG_ORDERS, STG_CUSTOMERS, T_SOURCE);
    expect(term('path:models/staging')).toEqual(staging);
    expect(term('path:models/staging/')).toEqual(staging);
    expect(term('./models/staging')).toEqual(staging);
    expect(term('path:models/staging/stg_orders.sql')).toEqual([STG_ORDERS]);
    expect(term('path:models/*/stg_*.sql')).toEqual(all(STG_ORDERS, STG_CUSTOMERS));
    // the patch file documents orders; tests and the unit test are defined in it
    expect(term('path:models/marts/_marts.yml')).toEqual(
      all(ORDERS, T_NOT_NULL, T_REL, T_EXPR, UNIT),
    );
    expect(term('path:models/staging/_staging.yml')).toEqual(all(STG_ORDERS, STG_CUSTOMERS));
    expect(term('path:models/**/*.sql')).toEqual(
      all(STG_ORDERS, STG_CUSTOMERS, ORDERS, CUSTOMERS, ...DIMS, PAYMENTS),
    );
    expect(term('path:seed*')).toEqual([SEED]);
    expect(term('path:models/stag')).toEqual([]);
  });

  test('file: the file name or its stem, with wildcards', () => {
    expect(term('file:orders.sql')).toEqual([ORDERS]);
    expect(term('file:orders')).toEqual([ORDERS]);
    expect(term('file:stg_*')).toEqual(all(STG_ORDERS, STG_CUSTOMERS));
    expect(term('file:_semantic.yml')).toEqual(all(SEMANTIC, METRIC, SAVED));
  });

  test('package: name, wildcard, and this (the root project)', () => {
    expect(term('package:payments_pkg')).toEqual([PAYMENTS]);
    expect(term('package:pay*')).toEqual([PAYMENTS]);
    expect(term('package:this')).toEqual(allBut(PAYMENTS));
    expect(term('package:my_project')).toEqual(allBut(PAYMENTS));
  });

  test('resource_type:', () => {
    expect(term('resource_type:snapshot')).toEqual([SNAPSHOT]);
    expect(term('resource_type:source')).toEqual(all(SRC_ORDERS, SRC_CUSTOMERS));
    expect(term('resource_type:unit_test')).toEqual([UNIT]);
    expect(term('resource_type:test')).toEqual(sorted(TESTS));
    expect(errorOf(() => term('resource_type:modle'))).toBe(
      '--select "resource_type:modle": unknown resource type; did you mean "model"?',
    );
  });

  test('config.<key>: materialized, access, group, tags, contract, meta (nested, lists, booleans)', () => {
    expect(term('config.materialized:table')).toEqual(all(ORDERS, CUSTOMERS, ...DIMS));
    expect(term('config.materialized:view')).toEqual(all(STG_ORDERS, STG_CUSTOMERS));
    expect(term('config.materialized:incr*')).toEqual([PAYMENTS]);
    expect(term('config.access:public')).toEqual(all(ORDERS, ...DIMS));
    // metrics are not configurable nodes in dbt, unlike group:
    expect(term('config.group:finance')).toEqual([ORDERS]);
    expect(term('config.tags:finance')).toEqual([ORDERS]);
    expect(term('config.contract.enforced:true')).toEqual([ORDERS]);
    expect(term('config.contract.enforced:FALSE')).toEqual(
      all(STG_ORDERS, STG_CUSTOMERS, CUSTOMERS, ...DIMS, PAYMENTS),
    );
    expect(term('config.meta.domain:payments')).toEqual([ORDERS]);
    expect(term('config.meta.owner.team:fin')).toEqual([ORDERS]);
    expect(term('config.meta.pii:false')).toEqual([ORDERS]);
    expect(term('config.meta.labels:gold')).toEqual([ORDERS]);
    expect(term('config.meta.domain:nope')).toEqual([]);
  });

  test('access: and group:', () => {
    expect(term('access:public')).toEqual(all(ORDERS, ...DIMS));
    expect(term('access:private')).toEqual([PAYMENTS]);
    expect(term('access:protected')).toEqual(all(STG_ORDERS, STG_CUSTOMERS, CUSTOMERS));
    expect(term('group:finance')).toEqual(all(ORDERS, METRIC));
    expect(term('group:sales')).toEqual([STG_CUSTOMERS]);
  });

  test('version: latest, prerelease, old, none', () => {
    expect(term('version:latest')).toEqual([DIM_V2]);
    expect(term('version:prerelease')).toEqual([DIM_V3]);
    expect(term('version:old')).toEqual([DIM_V1]);
    expect(term('version:none')).toEqual(
      all(STG_ORDERS, STG_CUSTOMERS, ORDERS, CUSTOMERS, PAYMENTS),
    );
  });

  test('version: compares numbers as numbers', () => {
    const p = createProject({
      resources: ['9', '10', '11'].map((v) => ({
        uniqueId: `model.my_project.m.v${v}`,
        resourceType: 'model' as const,
        name: 'm',
        fqn: ['my_project', 'm', `v${v}`],
        version: v,
        latestVersion: '10',
      })),
    });
    const pick = (t: string) => selectTerm(t, p.resources, p.graph);
    expect(pick('version:old')).toEqual(['model.my_project.m.v9']);
    expect(pick('version:latest')).toEqual(['model.my_project.m.v10']);
    expect(pick('version:prerelease')).toEqual(['model.my_project.m.v11']);
  });

  test('source: source_name, source_name.table, package.source_name.table', () => {
    expect(term('source:shop')).toEqual(all(SRC_ORDERS, SRC_CUSTOMERS));
    expect(term('source:shop.raw_orders')).toEqual([SRC_ORDERS]);
    expect(term('source:my_project.shop.raw_*')).toEqual(all(SRC_ORDERS, SRC_CUSTOMERS));
    expect(term('source:other.shop.raw_orders')).toEqual([]);
    expect(term('source:*')).toEqual(all(SRC_ORDERS, SRC_CUSTOMERS));
  });

  test('exposure:, metric:, semantic_model:, saved_query:, unit_test:', () => {
    expect(term('exposure:weekly_kpis')).toEqual([EXPOSURE]);
    expect(term('exposure:my_project.weekly_*')).toEqual([EXPOSURE]);
    expect(term('metric:revenue')).toEqual([METRIC]);
    expect(term('semantic_model:*')).toEqual([SEMANTIC]);
    expect(term('saved_query:revenue_by_day')).toEqual([SAVED]);
    expect(term('unit_test:test_orders_zero_items')).toEqual([UNIT]);
    expect(term('unit_test:other_pkg.*')).toEqual([]);
  });

  test('test_type: generic, singular, data, unit', () => {
    expect(term('test_type:generic')).toEqual(all(T_NOT_NULL, T_REL, T_EXPR, T_SOURCE));
    expect(term('test_type:singular')).toEqual([T_SINGULAR]);
    expect(term('test_type:data')).toEqual(sorted(TESTS));
    expect(term('test_type:unit')).toEqual([UNIT]);
  });

  test('test_name: generic test macro names (namespaced too) and unit test names', () => {
    expect(term('test_name:not_null')).toEqual(all(T_NOT_NULL, T_SOURCE));
    expect(term('test_name:rel*')).toEqual([T_REL]);
    expect(term('test_name:expression_is_true')).toEqual([T_EXPR]);
    expect(term('test_name:dbt_utils.expression_is_true')).toEqual([T_EXPR]);
    expect(term('test_name:test_orders_zero_items')).toEqual([UNIT]);
  });

  test('* in values is a wildcard, other regex characters are literal', () => {
    expect(term('tag:night.y')).toEqual([]);
    expect(term('tag:night?y')).toEqual(all(STG_ORDERS, STG_CUSTOMERS, ORDERS));
    expect(term('tag:[np]ightly')).toEqual(all(STG_ORDERS, STG_CUSTOMERS, ORDERS));
    expect(term('tag:[!n]ightly')).toEqual([]);
    expect(term('config.meta.domain:pay(ments)?')).toEqual([]);
  });
});

describe('graph operators', () => {
  const upstreamOfOrders = [ORDERS, STG_ORDERS, STG_CUSTOMERS, SRC_ORDERS, SRC_CUSTOMERS];
  const ordersChildren = [
    T_NOT_NULL,
    T_REL,
    T_EXPR,
    T_SINGULAR,
    UNIT,
    PAYMENTS,
    EXPOSURE,
    SEMANTIC,
  ];

  test('+x, n+x: ancestors (all, or n levels)', () => {
    expect(term('+orders')).toEqual(sorted(upstreamOfOrders));
    expect(term('1+orders')).toEqual(all(ORDERS, STG_ORDERS, STG_CUSTOMERS));
    expect(term('2+payments')).toEqual(all(PAYMENTS, ORDERS, STG_ORDERS, STG_CUSTOMERS));
    expect(term('0+orders')).toEqual([ORDERS]);
  });

  test('x+, x+n: descendants (all, or n levels)', () => {
    expect(term('orders+1')).toEqual(all(ORDERS, ...ordersChildren));
    expect(term('orders+')).toEqual(all(ORDERS, ...ordersChildren, METRIC, SAVED));
    expect(term('+orders+1')).toEqual(all(...upstreamOfOrders, ...ordersChildren));
  });

  test('operators apply to method results', () => {
    expect(term('+exposure:weekly_kpis')).toEqual(
      all(EXPOSURE, ORDERS, CUSTOMERS, STG_ORDERS, STG_CUSTOMERS, SRC_ORDERS, SRC_CUSTOMERS, SEED),
    );
    expect(term('source:shop.raw_orders+1')).toEqual(all(SRC_ORDERS, STG_ORDERS, T_SOURCE));
  });

  test('@x: x, its descendants and all the ancestors of those', () => {
    // everything but what hangs off stg_orders or the orders source on its own
    expect(term('@stg_customers')).toEqual(allBut(SNAPSHOT, T_SOURCE));
    expect(errorOf(() => term('@+orders'))).toBe(
      '--select "@+orders": the "@" operator and a "+" prefix cannot be combined',
    );
  });
});

describe('set operators', () => {
  test('space-separated terms in one argument and several arguments are unions', () => {
    expect(term('stg_orders stg_customers')).toEqual(all(STG_ORDERS, STG_CUSTOMERS));
    expect(sel(['stg_orders', 'payments'])).toEqual(all(STG_ORDERS, PAYMENTS));
    expect(sel(['stg_orders  payments', 'country_*'])).toEqual(all(STG_ORDERS, PAYMENTS, SEED));
  });

  test('commas intersect', () => {
    expect(term('tag:nightly,config.materialized:table')).toEqual([ORDERS]);
    expect(term('tag:nightly,config.materialized:view,group:sales')).toEqual([STG_CUSTOMERS]);
    expect(term('+orders,resource_type:source')).toEqual(all(SRC_ORDERS, SRC_CUSTOMERS));
    // each side selects orders' tests with orders, so they stay in the intersection
    expect(sel(['tag:nightly,config.materialized:table'])).toEqual(all(ORDERS, ...ORDERS_TESTS));
  });

  test('--exclude removes (with the tests of what it removes)', () => {
    expect(sel(['tag:nightly'], ['orders'])).toEqual(all(STG_ORDERS, STG_CUSTOMERS));
    expect(sel(['+orders'], ['source:*'])).toEqual(
      all(ORDERS, ...ORDERS_TESTS, STG_ORDERS, STG_CUSTOMERS),
    );
    expect(sel([], ['tag:nightly'])).toEqual(
      allBut(STG_ORDERS, STG_CUSTOMERS, ORDERS, ...ORDERS_TESTS),
    );
    expect(sel(['orders'], ['test_type:unit'])).toEqual(
      all(ORDERS, T_NOT_NULL, T_REL, T_EXPR, T_SINGULAR),
    );
  });

  test('no terms: no restriction', () => {
    expect(selectResources({}, project.resources, project.graph)).toBeNull();
    expect(
      selectResources({ select: [' '], exclude: [] }, project.resources, project.graph),
    ).toBeNull();
  });
});

describe('indirect test selection', () => {
  test('eager (default): tests with any selected parent come along', () => {
    expect(sel(['orders'])).toEqual(all(ORDERS, ...ORDERS_TESTS));
    // the relationships test also hangs off customers
    expect(sel(['customers'])).toEqual(all(CUSTOMERS, T_REL));
    expect(sel(['source:shop'])).toEqual(all(SRC_ORDERS, SRC_CUSTOMERS, T_SOURCE));
    expect(sel(['stg_orders'])).toEqual([STG_ORDERS]);
  });

  test('only selectResources adds them, not selectTerm', () => {
    expect(term('orders')).toEqual([ORDERS]);
  });

  test('cautious: only tests whose parents are all selected (across terms)', () => {
    expect(sel(['customers'], [], 'cautious')).toEqual([CUSTOMERS]);
    expect(sel(['orders'], [], 'cautious')).toEqual(
      all(ORDERS, T_NOT_NULL, T_EXPR, T_SINGULAR, UNIT),
    );
    expect(sel(['orders customers'], [], 'cautious')).toEqual(
      all(ORDERS, CUSTOMERS, ...ORDERS_TESTS),
    );
    expect(sel(['orders customers'], [T_REL], 'cautious')).toEqual(
      all(ORDERS, CUSTOMERS, T_NOT_NULL, T_EXPR, T_SINGULAR, UNIT),
    );
  });

  test('buildable: parents may also be upstream of the selection', () => {
    const picked = ['orders', 'dim_customers.v1'];
    expect(sel(picked, [], 'cautious')).not.toContain(T_REL);
    expect(sel(picked, [], 'buildable')).toContain(T_REL);
  });

  test('empty: no tests', () => {
    expect(sel(['orders'], [], 'empty')).toEqual([ORDERS]);
  });

  test('withIndirectTests: children that are tests, and tests attached without an edge', () => {
    const p = createProject({
      resources: [
        { uniqueId: 'model.p.a', resourceType: 'model', name: 'a' },
        { uniqueId: 'model.p.b', resourceType: 'model', name: 'b', dependsOn: ['model.p.a'] },
        {
          uniqueId: 'test.p.t1',
          resourceType: 'test',
          name: 't1',
          dependsOn: ['model.p.a'],
          test: { name: 'unique', namespace: null, columnName: 'id', attachedNode: 'model.p.a' },
        },
        {
          uniqueId: 'test.p.t2',
          resourceType: 'test',
          name: 't2',
          test: { name: 'custom', namespace: null, columnName: null, attachedNode: 'model.p.a' },
        },
      ],
    });
    expect(sorted(withIndirectTests(new Set(['model.p.a']), p))).toEqual([
      'model.p.a',
      'test.p.t1',
      'test.p.t2',
    ]);
    expect(sorted(withIndirectTests(new Set(['model.p.b']), p))).toEqual(['model.p.b']);
    expect(sorted(withIndirectTests(new Set(['model.p.a']), p, 'empty'))).toEqual(['model.p.a']);
  });
});

describe('errors', () => {
  test('a --select term that matches nothing names it', () => {
    expect(selectError('no_such_model')).toBe(
      '--select "no_such_model" matches no resource; check the name',
    );
    expect(selectError('+no_such_model')).toBe(
      '--select "+no_such_model" matches no resource; check the name',
    );
    expect(selectError('tag:nightly,tag:xyzzy')).toBe(
      '--select "tag:xyzzy" matches no resource; check the value',
    );
    expect(selectError('orders', 'path:nowhere')).toBe(
      '--select "path:nowhere" matches no resource; check the value',
    );
  });

  test('did you mean, and where sources are', () => {
    expect(selectError('ordrs')).toBe(
      '--select "ordrs" matches no resource; did you mean "orders"?',
    );
    expect(selectError('tag:nigthly')).toBe(
      '--select "tag:nigthly" matches no resource; did you mean "tag:nightly"?',
    );
    expect(selectError('raw_orders')).toBe(
      '--select "raw_orders" matches no resource; sources are selected with source:shop.raw_orders',
    );
  });

  test('--exclude terms may match nothing', () => {
    expect(sel(['orders'], ['no_such_model'])).toEqual(all(ORDERS, ...ORDERS_TESTS));
  });

  test('unknown methods list the methods', () => {
    const message = selectError('tags:nightly');
    expect(message).toMatch(
      /^--select "tags:nightly": unknown selector method "tags" \(did you mean "tag"\?\); methods: access, config, /,
    );
    expect(message).toContain('version');
  });

  test('state: needs --base', () => {
    expect(selectError('state:modified+')).toBe(
      '--select "state:modified+": state: needs --base (not supported yet)',
    );
    expect(errorOf(() => sel(['orders'], ['state:new']))).toBe(
      '--exclude "state:new": state: needs --base (not supported yet)',
    );
  });

  test('bad values and empty terms', () => {
    expect(selectError('version:newest')).toBe(
      '--select "version:newest": version must be latest, prerelease, old or none',
    );
    expect(selectError('test_type:schemaa')).toBe(
      '--select "test_type:schemaa": test_type must be generic, singular, data or unit',
    );
    expect(selectError('config.schema:audit')).toMatch(
      /^--select "config.schema:audit": config.schema is not available; keys: materialized, /,
    );
    expect(selectError('config:table')).toMatch(/^--select "config:table": config needs a key/);
    expect(selectError('source:a.b.c.d')).toMatch(
      /^--select "source:a.b.c.d": a source is written/,
    );
    expect(selectError('exposure:a.b.c')).toMatch(
      /^--select "exposure:a.b.c": a exposure is written/,
    );
    expect(selectError('+')).toBe('--select "+": empty selector');
    expect(selectError('orders,,customers')).toBe(
      '--select "orders,,customers": empty selector in an intersection',
    );
    expect(errorOf(() => selectTerm('', project.resources, project.graph))).toBe(
      '--select "": empty selector',
    );
  });
});

describe('YAML selectors', () => {
  const selectors: Selectors = {
    nightly: { name: 'nightly', definition: 'tag:nightly' },
    cli_style: { definition: 'tag:nightly,config.materialized:table stg_orders' },
    key_value: { definition: { tag: 'nightly' } },
    children: { definition: { method: 'tag', value: 'pii', children: true, children_depth: 1 } },
    parents: { definition: { method: 'fqn', value: 'orders', parents: true, parents_depth: '1' } },
    at: { definition: { method: 'fqn', value: 'stg_customers', childrens_parents: true } },
    no_tests: { definition: { method: 'fqn', value: 'orders', indirect_selection: 'empty' } },
    config_method: { definition: { method: 'config.materialized', value: 'view' } },
    meta_bool: { definition: { 'config.meta.pii': false } },
    tables_not_dims: {
      definition: {
        union: [{ method: 'config.materialized', value: 'table' }, { exclude: ['dim_customers'] }],
      },
    },
    nightly_tables: {
      definition: { intersection: ['tag:nightly', { 'config.materialized': 'table' }] },
    },
    method_exclude: {
      definition: {
        method: 'tag',
        value: 'nightly',
        exclude: [{ method: 'fqn', value: 'orders' }],
      },
    },
    inherits: { definition: { union: [{ method: 'selector', value: 'nightly' }, 'payments'] } },
    by_string: { definition: 'selector:nightly' },
    chosen: { definition: 'orders', default: true },
    loop_a: { definition: { method: 'selector', value: 'loop_b' } },
    loop_b: { definition: 'selector:loop_a' },
    two_excludes: { definition: { union: ['orders', { exclude: ['a'] }, { exclude: ['b'] }] } },
    two_roots: { definition: { union: ['orders'], intersection: ['orders'] } },
    no_value: { definition: { method: 'tag', values: 'nightly' } },
    bad_depth: {
      definition: { method: 'tag', value: 'nightly', parents: true, parents_depth: 'two' },
    },
    bad_mode: { definition: { method: 'tag', value: 'nightly', indirect_selection: 'greedy' } },
    bad_method: { definition: { colour: 'red' } },
    bad_type: { definition: 42 },
    no_definition: { name: 'no_definition' } as unknown as Selectors[string],
  };
  const resolve = (name: string, indirect?: IndirectSelection) =>
    sorted(
      resolveSelector(
        name,
        selectors,
        project.resources,
        project.graph,
        indirect ? { indirectSelection: indirect } : {},
      ),
    );
  const resolveError = (name: string) => errorOf(() => resolve(name));
  const nightly = all(STG_ORDERS, STG_CUSTOMERS, ORDERS, ...ORDERS_TESTS);

  test('CLI-style strings and method: value pairs', () => {
    expect(resolve('nightly')).toEqual(nightly);
    expect(resolve('key_value')).toEqual(nightly);
    expect(resolve('cli_style')).toEqual(all(ORDERS, ...ORDERS_TESTS, STG_ORDERS));
    expect(resolve('config_method')).toEqual(all(STG_ORDERS, STG_CUSTOMERS));
    expect(resolve('meta_bool')).toEqual(all(ORDERS, ...ORDERS_TESTS));
  });

  test('graph keys: parents/children with depths, childrens_parents', () => {
    expect(resolve('children')).toEqual(all(SRC_ORDERS, STG_ORDERS, T_SOURCE));
    expect(resolve('parents')).toEqual(all(ORDERS, STG_ORDERS, STG_CUSTOMERS, ...ORDERS_TESTS));
    // with the indirect selection term() leaves out: the orders source's test
    expect(resolve('at')).toEqual(allBut(SNAPSHOT));
  });

  test('indirect_selection per definition and per call', () => {
    expect(resolve('no_tests')).toEqual([ORDERS]);
    expect(resolve('chosen', 'empty')).toEqual([ORDERS]);
    expect(resolve('chosen', 'cautious')).toEqual(
      all(ORDERS, T_NOT_NULL, T_EXPR, T_SINGULAR, UNIT),
    );
  });

  test('union with exclude, intersection, method with exclude', () => {
    expect(resolve('tables_not_dims')).toEqual(all(ORDERS, CUSTOMERS, ...ORDERS_TESTS));
    expect(resolve('nightly_tables')).toEqual(all(ORDERS, ...ORDERS_TESTS));
    expect(resolve('method_exclude')).toEqual(all(STG_ORDERS, STG_CUSTOMERS));
  });

  test('selectors that use other selectors; selector: in --select', () => {
    expect(resolve('inherits')).toEqual(all(...nightly, PAYMENTS));
    expect(resolve('by_string')).toEqual(nightly);
    const viaSelect = selectResources(
      { select: ['selector:nightly'], exclude: ['orders'], selectors },
      project.resources,
      project.graph,
    );
    expect(sorted(viaSelect!)).toEqual(all(STG_ORDERS, STG_CUSTOMERS));
    const downstream = selectResources(
      { select: ['selector:no_tests+1'], selectors },
      project.resources,
      project.graph,
    );
    expect(sorted(downstream!)).toEqual(all(ORDERS, ...ORDERS_TESTS, PAYMENTS, EXPOSURE, SEMANTIC));
  });

  test('the default selector', () => {
    expect(defaultSelector(selectors)).toBe('chosen');
    expect(defaultSelector({})).toBeNull();
    expect(defaultSelector(null)).toBeNull();
    expect(() =>
      defaultSelector({
        a: { definition: 'x', default: true },
        b: { definition: 'y', default: true },
      }),
    ).toThrow('several selectors are marked default: a, b');
  });

  test('unknown names: did you mean, or the list', () => {
    expect(resolveError('nightli')).toBe('unknown selector "nightli"; did you mean "nightly"?');
    expect(resolveError('zzzzzzzzzzzzzzzzzzzz')).toMatch(
      /^unknown selector "zzzzzzzzzzzzzzzzzzzz"; selectors: at, bad_depth, /,
    );
    expect(errorOf(() => resolveSelector('x', {}, project.resources, project.graph))).toBe(
      'unknown selector "x": the project defines no selectors',
    );
    expect(errorOf(() => resolveSelector('x', null, project.resources, project.graph))).toBe(
      'unknown selector "x": the project defines no selectors',
    );
    expect(errorOf(() => sel(['selector:nigthly']))).toBe(
      '--select "selector:nigthly": unknown selector "nigthly": the project defines no selectors',
    );
    expect(
      errorOf(() =>
        selectResources(
          { select: ['selector:nigthly'], selectors },
          project.resources,
          project.graph,
        ),
      ),
    ).toBe('--select "selector:nigthly": unknown selector "nigthly"; did you mean "nightly"?');
  });

  test('malformed definitions', () => {
    expect(resolveError('loop_a')).toBe(
      'selector "loop_a" refers to itself: loop_a -> loop_b -> loop_a',
    );
    expect(resolveError('two_excludes')).toBe(
      'selector "two_excludes": only one "exclude" is allowed in a "union" list',
    );
    expect(resolveError('two_roots')).toBe(
      'selector "two_roots": a root definition takes a single "union" or "intersection" key; found union, intersection',
    );
    expect(resolveError('no_value')).toBe(
      'selector "no_value": expected one "method: value" key, or "method" and "value" keys; got method, values',
    );
    expect(resolveError('bad_depth')).toBe(
      'selector "bad_depth" term "tag:nightly": "parents_depth" must be a whole number, not "two"',
    );
    expect(resolveError('bad_mode')).toBe(
      'selector "bad_mode" term "tag:nightly": "indirect_selection" must be one of eager, cautious, buildable, empty, not "greedy"',
    );
    expect(resolveError('bad_method')).toMatch(
      /^selector "bad_method" term "colour:red": unknown selector method "colour"; methods: /,
    );
    expect(resolveError('bad_type')).toBe(
      'selector "bad_type": a definition must be a string or a mapping, not 42',
    );
    expect(resolveError('no_definition')).toBe('selector "no_definition" has no definition');
  });

  test('a definition term that matches nothing selects nothing (no error)', () => {
    expect(
      sorted(
        resolveSelector(
          's',
          { s: { definition: 'tag:none orders' } },
          project.resources,
          project.graph,
          {
            indirectSelection: 'empty',
          },
        ),
      ),
    ).toEqual([ORDERS]);
  });
});

describe('performance', () => {
  test('100k resources: many terms, methods and graph operators stay linear', () => {
    const N = 100_000;
    const resources: ResourceInit[] = [];
    for (let i = 0; i < N; i++) {
      const id = `model.big.m${i}`;
      // a forest of chains of 100 with cross links: deep ancestors, wide descendants
      const deps = i % 100 === 0 ? [] : [`model.big.m${i - 1}`];
      if (i >= 1000 && i % 7 === 0) deps.push(`model.big.m${i - 1000}`);
      resources.push({
        uniqueId: id,
        resourceType: 'model',
        name: `m${i}`,
        fqn: ['big', `d${i % 50}`, `m${i}`],
        filePath: `models/d${i % 50}/m${i}.sql`,
        tags: i % 10 === 0 ? ['ten'] : [],
        dependsOn: deps,
      });
      if (i % 3 === 0)
        resources.push({
          uniqueId: `test.big.t${i}`,
          resourceType: 'test',
          name: `t${i}`,
          fqn: ['big', `t${i}`],
          test: { name: 'not_null', namespace: null, columnName: 'id', attachedNode: id },
          dependsOn: [id],
        });
    }
    const big = createProject({ name: 'big', resources });
    const names: string[] = [];
    for (let i = 0; i < 2000; i++) names.push(`m${(i * 37) % N}`);
    const start = performance.now();
    const out = selectResources(
      {
        select: [names.join(' '), 'tag:ten,path:models/d1*', '+m99999', 'm50000+', 'fqn:big.d7.*'],
        exclude: ['@m123'],
      },
      big.resources,
      big.graph,
    );
    const elapsed = performance.now() - start;
    expect(out!.size).toBeGreaterThan(2000);
    expect(out!.has('test.big.t50001')).toBe(true);
    expect(elapsed).toBeLessThan(5000);
  });
});

describe('on a real manifest (dbt-bouncer-test-project)', () => {
  const MANIFEST = new URL(
    '../../shared/corpus/manifests/dbt-bouncer-test-project/manifest.json',
    import.meta.url,
  ).pathname;
  interface RawEntry {
    unique_id: string;
    resource_type: string;
    name: string;
    package_name: string;
    original_file_path?: string;
    patch_path?: string | null;
    tags?: string[];
    config?: { tags?: string[] | string };
  }
  const raw = JSON.parse(fs.readFileSync(MANIFEST, 'utf8')) as Record<string, unknown> & {
    parent_map: Record<string, string[]>;
    child_map: Record<string, string[]>;
    selectors: Selectors;
  };
  const entries: RawEntry[] = [
    'nodes',
    'sources',
    'exposures',
    'metrics',
    'semantic_models',
    'saved_queries',
    'unit_tests',
  ].flatMap((k) => Object.values((raw[k] ?? {}) as Record<string, RawEntry>));
  const ORDERS_ID = 'model.dbt_bouncer_test_project.orders';
  let real: Project;
  beforeAll(async () => {
    real = await loadProject([MANIFEST]);
  });
  const pick = (t: string) => sorted(selectTerm(t, real.resources, real.graph));

  test('tag: equals the entries carrying the tag', () => {
    for (const tag of ['critical', 'crm']) {
      const expected = entries
        .filter((e) => {
          const config = e.config?.tags;
          const tags = [
            ...(e.tags ?? []),
            ...(typeof config === 'string' ? [config] : (config ?? [])),
          ];
          return tags.includes(tag);
        })
        .map((e) => e.unique_id);
      expect(expected.length).toBeGreaterThan(0);
      expect(pick(`tag:${tag}`)).toEqual(sorted(new Set(expected)));
    }
  });

  test('path: equals the entries whose file is under the folder', () => {
    for (const dir of ['models/staging', 'models/marts/finance']) {
      const expected = entries
        .filter(
          (e) =>
            (e.original_file_path ?? '').startsWith(`${dir}/`) ||
            (e.patch_path ?? '').replace(/^[^:]*:\/\//, '') === dir,
        )
        .map((e) => e.unique_id);
      expect(expected.length).toBeGreaterThan(3);
      expect(pick(`path:${dir}`)).toEqual(sorted(expected));
      expect(pick(dir)).toEqual(sorted(expected));
    }
  });

  test('+name equals the node and its parent_map ancestors; tests come with the name', () => {
    const ancestors = new Set<string>([ORDERS_ID]);
    const queue = [ORDERS_ID];
    while (queue.length > 0)
      for (const p of raw.parent_map[queue.pop()!] ?? [])
        if (!ancestors.has(p)) {
          ancestors.add(p);
          queue.push(p);
        }
    expect(ancestors.size).toBeGreaterThan(3);
    expect(pick('+orders')).toEqual(sorted(ancestors));
    const tests = (raw.child_map[ORDERS_ID] ?? []).filter((id) => /^(test|unit_test)\./.test(id));
    expect(tests.length).toBeGreaterThan(0);
    const selected = selectResources({ select: ['orders'] }, real.resources, real.graph);
    expect(sorted(selected!)).toEqual(sorted([ORDERS_ID, ...tests]));
  });

  test("the manifest's own YAML selector", () => {
    const expected = entries
      .filter((e) => e.package_name === 'dbt_bouncer_test_project')
      .map((e) => e.unique_id);
    const got = resolveSelector('nodes_to_exclude', raw.selectors, real.resources, real.graph);
    expect(sorted(got)).toEqual(sorted(expected));
    expect(defaultSelector(raw.selectors)).toBe('nodes_to_exclude');
  });
});
