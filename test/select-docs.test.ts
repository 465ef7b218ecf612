/**
 * dbt's documented node selection examples, each run on a small project built in code and
 * checked against the exact set dbt selects for it: what `dbt ls --select … --exclude …`
 * lists (every resource type, with dbt's default "eager" indirect test selection). Where a
 * doc comment says "runs models", the models of the set are what `dbt run` runs.
 *
 * The examples come from the pages under https://docs.getdbt.com/reference/node-selection/
 * (cited per group of tests); names are those of the examples, or of our project where the example's
 * names are placeholders (`my_model`, `some_path`).
 *
 * The project (package jaffle_shop, with installed packages snowplow and my_package):
 *
 *   source snowplow.events ─▶ snowplow_page_views ─▶ snowplow_sessions ─▶ export_orders
 *                                       └────────▶ export_performance_timing      ▲
 *   seed country_codes (snowplow) ─▶ snowplow_sessions, fct_orders ───────────────┘
 *   source jaffle_shop.orders ─▶ stg_orders ─▶ orders, customers, payments, snap_order_statuses
 *   source jaffle_shop.customers ─▶ stg_customers ─▶ orders, customers
 *   orders ─▶ fct_orders ─▶ fct_finance_daily; orders ─▶ semantic model ─▶ metric ─▶ saved query
 *   customers ─▶ dim_customers v1, v2 (latest), v3; fct_orders, customers ─▶ exposure weekly_kpis
 *   seed account_parent_mappings ─▶ stg_invoices, stg_accounts ─▶ base_* ─▶ fin_ledger
 *   my_package: a_big_model ─▶ big_rollup, customers; small_model ─▶ payments
 *   source github.issues ─▶ stg_issues; source raffle_bakery.sales (tested only)
 */
import { createProject, type Project, type ResourceInit } from '../src/project.js';
import {
  resolveSelector,
  selectResources,
  SelectorError,
  type IndirectSelection,
  type Selectors,
} from '../src/graph/select.js';
import { selectionFor } from '../src/graph/selectors.js';

const P = 'jaffle_shop';
const DOCS = 'https://docs.getdbt.com/reference/node-selection';

// Sources
const SRC_EVENTS = 'source.snowplow.snowplow.events';
const SRC_ISSUES = `source.${P}.github.issues`;
const SRC_CUSTOMERS = `source.${P}.jaffle_shop.customers`;
const SRC_ORDERS = `source.${P}.jaffle_shop.orders`;
const SRC_SALES = `source.${P}.raffle_bakery.sales`;
// Seeds and snapshot
const SEED_CODES = 'seed.snowplow.country_codes';
const SEED_ACCOUNTS = `seed.${P}.account_parent_mappings`;
const SNAPSHOT = `snapshot.${P}.snap_order_statuses`;
// Models
const STG_ISSUES = `model.${P}.stg_issues`;
const STG_CUSTOMERS = `model.${P}.stg_customers`;
const STG_ORDERS = `model.${P}.stg_orders`;
const STG_INVOICES = `model.${P}.stg_invoices`;
const STG_ACCOUNTS = `model.${P}.stg_accounts`;
const ORDERS = `model.${P}.orders`;
const CUSTOMERS = `model.${P}.customers`;
const PAYMENTS = `model.${P}.payments`;
const FCT_ORDERS = `model.${P}.fct_orders`;
const FCT_DAILY = `model.${P}.fct_finance_daily`;
const BASE_INVOICES = `model.${P}.base_invoices`;
const BASE_ACCOUNTS = `model.${P}.base_accounts`;
const FIN_LEDGER = `model.${P}.fin_ledger`;
const EXPORT_ORDERS = `model.${P}.export_orders`;
const EXPORT_TIMING = `model.${P}.export_performance_timing`;
const DIM_V1 = `model.${P}.dim_customers.v1`;
const DIM_V2 = `model.${P}.dim_customers.v2`;
const DIM_V3 = `model.${P}.dim_customers.v3`;
const SNOW_PAGE_VIEWS = 'model.snowplow.snowplow_page_views';
const SNOW_SESSIONS = 'model.snowplow.snowplow_sessions';
const MY_BIG = 'model.my_package.a_big_model';
const MY_SMALL = 'model.my_package.small_model';
const MY_ROLLUP = 'model.my_package.big_rollup';
// Tests
const T1 = `test.${P}.not_null_stg_orders_order_id.a1`;
const T2 = `test.${P}.unique_stg_customers_customer_id.a2`;
const T3 = `test.${P}.relationships_orders_customer_id__customer_id__ref_customers_.a3`;
const T4 = `test.${P}.not_null_orders_order_id.a4`;
const T5 = `test.${P}.assert_total_payment_amount_is_positive`;
const T6 = `test.${P}.dbt_utils_equality_fct_orders_ref_orders_.a6`;
const T7 = `test.${P}.source_not_null_jaffle_shop_customers_id.a7`;
const T8 = `test.${P}.source_unique_raffle_bakery_sales_id.a8`;
const T9 = `test.${P}.relationships_stg_invoices_account_id__account_id__ref_stg_accounts_.a9`;
const T10 = 'test.snowplow.not_null_country_codes_code.b1';
const T11 = 'test.snowplow.not_null_snowplow_page_views_page_view_id.b2';
const T12 = 'test.snowplow.unique_snowplow_sessions_session_id.b3';
const T13 = `test.${P}.range_min_max_fct_finance_daily_amount.a13`;
const UNIT = `unit_test.${P}.orders.orders_with_zero_items`;
// Other resources
const EXPOSURE = `exposure.${P}.weekly_kpis`;
const SEM = `semantic_model.${P}.sm_orders`;
const METRIC = `metric.${P}.weekly_active_users`;
const SAVED = `saved_query.${P}.orders_saved_query`;

function model(
  uniqueId: string,
  file: string,
  dependsOn: string[],
  extra: Partial<ResourceInit> = {},
): ResourceInit {
  const pkg = uniqueId.split('.')[1]!;
  const name = uniqueId.split('.')[2]!;
  return {
    uniqueId,
    resourceType: 'model',
    name,
    packageName: pkg,
    filePath: file,
    // dbt's fqn: package, the folders under models/, the file's stem
    fqn: [pkg, ...file.split('/').slice(1, -1), name],
    dependsOn,
    ...extra,
  };
}

function source(uniqueId: string, file: string, extra: Partial<ResourceInit> = {}): ResourceInit {
  const [, pkg, sourceName, name] = uniqueId.split('.') as [string, string, string, string];
  return {
    uniqueId,
    resourceType: 'source',
    name,
    sourceName,
    packageName: pkg,
    filePath: file,
    fqn: [pkg, ...file.split('/').slice(1, -1), sourceName, name],
    ...extra,
  };
}

/** A data test: generic (`testName` set, defined in a YAML file) or singular (a .sql file). */
function dataTest(
  uniqueId: string,
  file: string,
  dependsOn: string[],
  generic: { name: string; namespace?: string; on: string } | null,
): ResourceInit {
  const pkg = uniqueId.split('.')[1]!;
  const name = uniqueId.split('.')[2]!;
  return {
    uniqueId,
    resourceType: 'test',
    name,
    packageName: pkg,
    filePath: file,
    fqn: [pkg, ...file.split('/').slice(1, -1), name],
    materialized: 'test',
    test: generic
      ? {
          name: generic.name,
          namespace: generic.namespace ?? null,
          columnName: null,
          attachedNode: generic.on,
        }
      : { name: null, namespace: null, columnName: null, attachedNode: null },
    dependsOn,
  };
}

function dim(v: string): ResourceInit {
  return model(
    `model.${P}.dim_customers.v${v}`,
    `models/marts/dim_customers_v${v}.sql`,
    [CUSTOMERS],
    {
      name: 'dim_customers',
      fqn: [P, 'marts', 'dim_customers', `v${v}`],
      version: v,
      latestVersion: '2',
      materialized: 'table',
      access: 'public',
    },
  );
}

const STAGING_SOURCES = 'models/staging/jaffle_shop/_jaffle_shop__sources.yml';

const RESOURCES: ResourceInit[] = [
  source(SRC_EVENTS, 'models/sources.yml'),
  source(SRC_ISSUES, 'models/staging/github/_github__sources.yml'),
  source(SRC_CUSTOMERS, STAGING_SOURCES),
  source(SRC_ORDERS, STAGING_SOURCES),
  source(SRC_SALES, 'models/staging/raffle_bakery/_raffle_bakery__sources.yml'),
  {
    uniqueId: SEED_CODES,
    resourceType: 'seed',
    name: 'country_codes',
    packageName: 'snowplow',
    filePath: 'seeds/country_codes.csv',
    fqn: ['snowplow', 'country_codes'],
    materialized: 'seed',
  },
  {
    uniqueId: SEED_ACCOUNTS,
    resourceType: 'seed',
    name: 'account_parent_mappings',
    filePath: 'seeds/account_parent_mappings.csv',
    fqn: [P, 'account_parent_mappings'],
    materialized: 'seed',
  },
  {
    uniqueId: SNAPSHOT,
    resourceType: 'snapshot',
    name: 'snap_order_statuses',
    filePath: 'snapshots/snap_order_statuses.sql',
    fqn: [P, 'snap_order_statuses', 'snap_order_statuses'],
    materialized: 'snapshot',
    dependsOn: [STG_ORDERS],
  },
  model(STG_ISSUES, 'models/staging/github/stg_issues.sql', [SRC_ISSUES], {
    materialized: 'view',
  }),
  model(STG_CUSTOMERS, 'models/staging/jaffle_shop/stg_customers.sql', [SRC_CUSTOMERS], {
    materialized: 'view',
  }),
  model(STG_ORDERS, 'models/staging/jaffle_shop/stg_orders.sql', [SRC_ORDERS], {
    materialized: 'view',
  }),
  model(STG_INVOICES, 'models/staging/billing/stg_invoices.sql', [SEED_ACCOUNTS], {
    materialized: 'view',
  }),
  model(STG_ACCOUNTS, 'models/staging/billing/stg_accounts.sql', [SEED_ACCOUNTS], {
    materialized: 'view',
  }),
  model(ORDERS, 'models/marts/orders.sql', [STG_ORDERS, STG_CUSTOMERS], {
    materialized: 'table',
    tags: ['foo', 'bar'],
  }),
  model(CUSTOMERS, 'models/marts/customers.sql', [STG_CUSTOMERS, STG_ORDERS, MY_BIG], {
    materialized: 'table',
    tags: ['foo', 'bar', 'buzz'],
  }),
  model(PAYMENTS, 'models/payments.sql', [STG_ORDERS, MY_SMALL], {
    materialized: 'table',
    tags: ['foo'],
  }),
  model(FCT_ORDERS, 'models/marts/finance/fct_orders.sql', [ORDERS, SEED_CODES], {
    materialized: 'table',
    tags: ['nightly'],
    group: 'finance',
    access: 'public',
    meta: { contains_pii: true },
  }),
  model(FCT_DAILY, 'models/marts/finance/fct_finance_daily.sql', [FCT_ORDERS], {
    materialized: 'incremental',
    group: 'finance',
  }),
  model(BASE_INVOICES, 'models/finance/base/base_invoices.sql', [STG_INVOICES], {
    materialized: 'ephemeral',
  }),
  model(BASE_ACCOUNTS, 'models/finance/base/base_accounts.sql', [STG_ACCOUNTS], {
    materialized: 'ephemeral',
  }),
  model(FIN_LEDGER, 'models/finance/fin_ledger.sql', [BASE_INVOICES, BASE_ACCOUNTS], {
    materialized: 'table',
    access: 'private',
  }),
  model(EXPORT_ORDERS, 'models/export/export_orders.sql', [SNOW_SESSIONS, FCT_ORDERS], {
    materialized: 'table',
    tags: ['nightly'],
  }),
  model(EXPORT_TIMING, 'models/export/export_performance_timing.sql', [SNOW_PAGE_VIEWS], {
    materialized: 'table',
  }),
  dim('1'),
  dim('2'),
  dim('3'),
  model(SNOW_PAGE_VIEWS, 'models/base/snowplow_page_views.sql', [SRC_EVENTS], {
    materialized: 'incremental',
    tags: ['nightly', 'daily'],
  }),
  model(SNOW_SESSIONS, 'models/snowplow_sessions.sql', [SNOW_PAGE_VIEWS, SEED_CODES], {
    materialized: 'table',
    tags: ['nightly'],
  }),
  model(MY_BIG, 'models/a_big_model.sql', [], { materialized: 'incremental' }),
  model(MY_SMALL, 'models/small_model.sql', [], { materialized: 'view' }),
  model(MY_ROLLUP, 'models/big_rollup.sql', [MY_BIG], { materialized: 'view' }),
  dataTest(T1, 'models/staging/jaffle_shop/_jaffle_shop__models.yml', [STG_ORDERS], {
    name: 'not_null',
    on: STG_ORDERS,
  }),
  dataTest(T2, 'models/staging/jaffle_shop/_jaffle_shop__models.yml', [STG_CUSTOMERS], {
    name: 'unique',
    on: STG_CUSTOMERS,
  }),
  dataTest(T3, 'models/marts/_marts.yml', [CUSTOMERS, ORDERS], {
    name: 'relationships',
    on: ORDERS,
  }),
  dataTest(T4, 'models/marts/_marts.yml', [ORDERS], { name: 'not_null', on: ORDERS }),
  dataTest(T5, 'tests/assert_total_payment_amount_is_positive.sql', [PAYMENTS], null),
  dataTest(T6, 'models/marts/finance/_finance.yml', [FCT_ORDERS, ORDERS], {
    name: 'equality',
    namespace: 'dbt_utils',
    on: FCT_ORDERS,
  }),
  dataTest(T7, STAGING_SOURCES, [SRC_CUSTOMERS], { name: 'not_null', on: SRC_CUSTOMERS }),
  dataTest(T8, 'models/staging/raffle_bakery/_raffle_bakery__sources.yml', [SRC_SALES], {
    name: 'unique',
    on: SRC_SALES,
  }),
  dataTest(T9, 'models/staging/billing/_billing.yml', [STG_ACCOUNTS, STG_INVOICES], {
    name: 'relationships',
    on: STG_INVOICES,
  }),
  dataTest(T10, 'seeds/_seeds.yml', [SEED_CODES], { name: 'not_null', on: SEED_CODES }),
  dataTest(T11, 'models/base/_base.yml', [SNOW_PAGE_VIEWS], {
    name: 'not_null',
    on: SNOW_PAGE_VIEWS,
  }),
  dataTest(T12, 'models/_snowplow.yml', [SNOW_SESSIONS], { name: 'unique', on: SNOW_SESSIONS }),
  dataTest(T13, 'models/marts/finance/_finance.yml', [FCT_DAILY], {
    name: 'range_min_max',
    on: FCT_DAILY,
  }),
  {
    uniqueId: UNIT,
    resourceType: 'unit_test',
    name: 'orders_with_zero_items',
    filePath: 'models/marts/_marts.yml',
    fqn: [P, 'marts', 'orders', 'orders_with_zero_items'],
    test: { name: null, namespace: null, columnName: null, attachedNode: ORDERS },
    dependsOn: [ORDERS],
  },
  {
    uniqueId: EXPOSURE,
    resourceType: 'exposure',
    name: 'weekly_kpis',
    filePath: 'models/exposures.yml',
    fqn: [P, 'weekly_kpis'],
    dependsOn: [FCT_ORDERS, CUSTOMERS],
  },
  {
    uniqueId: SEM,
    resourceType: 'semantic_model',
    name: 'sm_orders',
    filePath: 'models/marts/_semantic.yml',
    fqn: [P, 'marts', 'sm_orders'],
    dependsOn: [ORDERS],
  },
  {
    uniqueId: METRIC,
    resourceType: 'metric',
    name: 'weekly_active_users',
    filePath: 'models/marts/_semantic.yml',
    fqn: [P, 'marts', 'weekly_active_users'],
    dependsOn: [SEM],
  },
  {
    uniqueId: SAVED,
    resourceType: 'saved_query',
    name: 'orders_saved_query',
    filePath: 'models/marts/_semantic.yml',
    fqn: [P, 'marts', 'orders_saved_query'],
    dependsOn: [METRIC],
  },
];

const project: Project = createProject({
  name: P,
  resources: RESOURCES,
  groups: [{ name: 'finance' }],
});
const ALL = [...project.resources.keys()];

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();
const set = (...ids: string[]): string[] => sorted(new Set(ids));
const allBut = (...ids: string[]): string[] => sorted(ALL.filter((id) => !ids.includes(id)));

/** `dbt ls --select "<select>" --exclude "<exclude>"`: the selected ids, sorted. */
function ls(select: string | string[], exclude: string | string[] = [], mode?: IndirectSelection) {
  const out = selectResources(
    {
      select: typeof select === 'string' ? [select] : select,
      exclude: typeof exclude === 'string' ? [exclude] : exclude,
      ...(mode ? { indirectSelection: mode } : {}),
    },
    project.resources,
    project.graph,
  );
  return out === null ? sorted(ALL) : sorted(out);
}

/** The models of a selection: what `dbt run` would run. */
const models = (ids: string[]): string[] =>
  ids.filter((id) => project.resources.get(id)!.resourceType === 'model');

const SOURCES = [SRC_EVENTS, SRC_ISSUES, SRC_CUSTOMERS, SRC_ORDERS, SRC_SALES];
const DATA_TESTS = [T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13];
const NIGHTLY = [FCT_ORDERS, EXPORT_ORDERS, SNOW_PAGE_VIEWS, SNOW_SESSIONS, T6, T11, T12];
/** orders and everything downstream of it (tests are children). */
const ORDERS_DOWN = [
  ORDERS,
  FCT_ORDERS,
  FCT_DAILY,
  EXPORT_ORDERS,
  EXPOSURE,
  SEM,
  METRIC,
  SAVED,
  T3,
  T4,
  T6,
  T13,
  UNIT,
];
/** +orders: orders, its ancestors, and every test touching one of them. */
const ORDERS_UP = [
  ORDERS,
  STG_ORDERS,
  STG_CUSTOMERS,
  SRC_ORDERS,
  SRC_CUSTOMERS,
  T1,
  T2,
  T7,
  T3,
  T4,
  T6,
  UNIT,
];

describe(`syntax overview (${DOCS}/syntax)`, () => {
  test('"my_dbt_project_name": every resource of the project (sources are selected with source:)', () => {
    const own = ALL.filter((id) => {
      const r = project.resources.get(id)!;
      return r.packageName === P && r.resourceType !== 'source';
    });
    expect(ls(P)).toEqual(sorted(own));
  });

  test('"my_dbt_model", "path/to/my/models", "my_package.some_model", "tag:nightly", "path/to/my_model.sql"', () => {
    expect(ls('stg_orders')).toEqual(set(STG_ORDERS, T1));
    expect(ls('models/staging/jaffle_shop')).toEqual(
      set(STG_CUSTOMERS, STG_ORDERS, SRC_CUSTOMERS, SRC_ORDERS, T1, T2, T7),
    );
    expect(ls('snowplow.snowplow_sessions')).toEqual(set(SNOW_SESSIONS, T12));
    expect(ls('tag:nightly')).toEqual(set(...NIGHTLY));
    expect(ls('models/staging/github/stg_issues.sql')).toEqual([STG_ISSUES]);
  });

  test('"my_first_model my_second_model": a union', () => {
    expect(ls('stg_orders stg_customers')).toEqual(set(STG_ORDERS, T1, STG_CUSTOMERS, T2));
  });

  test('"my_model+" and "@my_model"', () => {
    expect(ls('stg_invoices+')).toEqual(set(STG_INVOICES, BASE_INVOICES, FIN_LEDGER, T9));
    // fin_ledger and the relationships test also need stg_accounts' branch
    expect(ls('@stg_invoices')).toEqual(
      set(STG_INVOICES, BASE_INVOICES, FIN_LEDGER, T9, SEED_ACCOUNTS, STG_ACCOUNTS, BASE_ACCOUNTS),
    );
  });

  test('"tag:nightly my_model finance.base.*"', () => {
    expect(ls('tag:nightly stg_orders finance.base.*')).toEqual(
      set(...NIGHTLY, STG_ORDERS, T1, BASE_INVOICES, BASE_ACCOUNTS),
    );
  });

  test('"path:marts/finance,tag:nightly,config.materialized:table" (paths start at the project root)', () => {
    expect(ls('path:models/marts/finance,tag:nightly,config.materialized:table')).toEqual(
      set(FCT_ORDERS, T6),
    );
    // as written, relative to models/: nothing is there
    expect(() => ls('path:marts/finance,tag:nightly')).toThrow(SelectorError);
  });
});

describe(`graph operators (${DOCS}/graph-operators)`, () => {
  test('"my_model+", "+my_model", "+my_model+"', () => {
    expect(ls('orders+')).toEqual(set(...ORDERS_DOWN));
    expect(ls('+orders')).toEqual(set(...ORDERS_UP));
    expect(ls('+orders+')).toEqual(set(...ORDERS_UP, ...ORDERS_DOWN));
  });

  test('"my_model+1", "2+my_model", "3+my_model+4"', () => {
    expect(ls('orders+1')).toEqual(set(ORDERS, FCT_ORDERS, SEM, T3, T4, T6, UNIT));
    expect(ls('2+fct_orders')).toEqual(
      set(FCT_ORDERS, ORDERS, SEED_CODES, STG_ORDERS, STG_CUSTOMERS, T1, T2, T3, T4, T6, T10, UNIT),
    );
    expect(ls('1+fct_orders+1')).toEqual(
      set(
        FCT_ORDERS,
        ORDERS,
        SEED_CODES,
        FCT_DAILY,
        EXPORT_ORDERS,
        EXPOSURE,
        T3,
        T4,
        T6,
        T10,
        T13,
        UNIT,
      ),
    );
    // depths beyond the graph's are no limit
    expect(ls('3+fct_orders+4')).toEqual(ls('+fct_orders+'));
    expect(ls('3+fct_orders+4')).toEqual(
      set(
        ...[FCT_ORDERS, ORDERS, SEED_CODES, STG_ORDERS, STG_CUSTOMERS, SRC_ORDERS, SRC_CUSTOMERS],
        ...[FCT_DAILY, EXPORT_ORDERS, EXPOSURE],
        ...[T1, T2, T3, T4, T6, T7, T10, T13, UNIT],
      ),
    );
  });

  test('"@my_model": the model, its children, and the parents of its children', () => {
    expect(ls('@snowplow_page_views')).toEqual(
      set(
        ...[SNOW_PAGE_VIEWS, SNOW_SESSIONS, EXPORT_TIMING, EXPORT_ORDERS, T11, T12],
        // parents of the children
        ...[SRC_EVENTS, SEED_CODES, FCT_ORDERS, ORDERS, STG_ORDERS, STG_CUSTOMERS],
        ...[SRC_ORDERS, SRC_CUSTOMERS],
        // tests on those parents
        ...[T10, T6, T3, T4, UNIT, T1, T2, T7],
      ),
    );
  });

  test('the star operator: "snowplow.*" (a package), "finance.base.*" (a folder)', () => {
    expect(ls('snowplow.*')).toEqual(
      set(SNOW_PAGE_VIEWS, SNOW_SESSIONS, SEED_CODES, T10, T11, T12),
    );
    expect(ls('finance.base.*')).toEqual(set(BASE_INVOICES, BASE_ACCOUNTS));
  });
});

describe(`methods (${DOCS}/methods)`, () => {
  test('wildcards: "*.folder_name.*", "package:*_source"', () => {
    expect(ls('*.finance.*')).toEqual(
      set(FCT_ORDERS, FCT_DAILY, BASE_INVOICES, BASE_ACCOUNTS, FIN_LEDGER, T6, T13),
    );
    // our packages: snowplow, my_package
    expect(ls('package:*_package')).toEqual(set(MY_BIG, MY_SMALL, MY_ROLLUP));
  });

  test('tag:, source:, resource_type:', () => {
    expect(ls('tag:nightly')).toEqual(set(...NIGHTLY));
    expect(ls('source:snowplow+')).toEqual(
      set(SRC_EVENTS, SNOW_PAGE_VIEWS, SNOW_SESSIONS, EXPORT_TIMING, EXPORT_ORDERS, T11, T12),
    );
    expect(ls('resource_type:exposure')).toEqual([EXPOSURE]);
    expect(ls('resource_type:test')).toEqual(set(...DATA_TESTS));
    expect(ls('resource_type:source')).toEqual(set(...SOURCES, T7, T8));
  });

  test('path: (equivalent to the bare path) and file:', () => {
    expect(ls('path:models/staging/github')).toEqual(set(STG_ISSUES, SRC_ISSUES));
    expect(ls('models/staging/github')).toEqual(ls('path:models/staging/github'));
    expect(ls('path:models/staging/github/stg_issues.sql')).toEqual([STG_ISSUES]);
    expect(ls('models/staging/github/stg_issues.sql')).toEqual([STG_ISSUES]);
    for (const s of ['file:stg_issues.sql', 'stg_issues.sql', 'stg_issues'])
      expect(ls(s)).toEqual([STG_ISSUES]);
  });

  test('fqn:', () => {
    expect(ls('fqn:stg_orders')).toEqual(set(STG_ORDERS, T1));
    expect(ls('fqn:jaffle_shop.payments')).toEqual(set(PAYMENTS, T5));
    expect(ls('fqn:my_package.small_model')).toEqual([MY_SMALL]);
    // a folder prefix: the unit test on orders sits under marts.orders too
    expect(ls('fqn:marts.orders')).toEqual(set(ORDERS, T3, T4, T6, UNIT));
    expect(ls('fqn:jaffle_shop.marts.orders')).toEqual(ls('fqn:marts.orders'));
  });

  test('package: "package:snowplow", "snowplow", "snowplow.*" run the same models', () => {
    const byPackage = ls('package:snowplow');
    expect(byPackage).toEqual(
      set(SRC_EVENTS, SNOW_PAGE_VIEWS, SNOW_SESSIONS, SEED_CODES, T10, T11, T12),
    );
    // the bare forms are fqn selectors, which leave sources to source:
    expect(ls('snowplow')).toEqual(byPackage.filter((id) => id !== SRC_EVENTS));
    expect(ls('snowplow.*')).toEqual(ls('snowplow'));
    expect(models(ls('snowplow'))).toEqual(models(byPackage));
  });

  test('config.materialized:incremental, config.meta.<key>:true', () => {
    expect(ls('config.materialized:incremental')).toEqual(
      set(FCT_DAILY, SNOW_PAGE_VIEWS, MY_BIG, T13, T11),
    );
    expect(ls('config.meta.contains_pii:true')).toEqual(set(FCT_ORDERS, T6));
  });

  test('test_type:', () => {
    expect(ls('test_type:generic')).toEqual(set(...DATA_TESTS.filter((t) => t !== T5)));
    expect(ls('test_type:singular')).toEqual([T5]);
    expect(ls('test_type:unit')).toEqual([UNIT]);
    expect(ls('test_type:data')).toEqual(set(...DATA_TESTS));
  });

  test('test_name: (dbt_utils.equality answers to equality)', () => {
    expect(ls('test_name:unique')).toEqual(set(T2, T8, T12));
    expect(ls('test_name:equality')).toEqual([T6]);
    expect(ls('test_name:range_min_max')).toEqual([T13]);
  });

  test('group:, access:', () => {
    expect(ls('group:finance')).toEqual(set(FCT_ORDERS, FCT_DAILY, T6, T13));
    expect(ls('access:public')).toEqual(set(FCT_ORDERS, DIM_V1, DIM_V2, DIM_V3, T6));
    expect(ls('access:private')).toEqual([FIN_LEDGER]);
    const protectedModels = ALL.filter((id) => {
      const r = project.resources.get(id)!;
      return r.resourceType === 'model' && r.access === 'protected';
    });
    expect(protectedModels).toHaveLength(18);
    expect(ls('access:protected')).toEqual(
      set(...protectedModels, T1, T2, T3, T4, T5, T6, T9, T11, T12, T13, UNIT),
    );
  });

  test('version:', () => {
    expect(ls('version:latest')).toEqual([DIM_V2]);
    expect(ls('version:prerelease')).toEqual([DIM_V3]);
    expect(ls('version:old')).toEqual([DIM_V1]);
    const unversioned = ALL.filter((id) => {
      const r = project.resources.get(id)!;
      return r.resourceType === 'model' && r.version === null;
    });
    expect(ls('version:none')).toEqual(
      set(...unversioned, T1, T2, T3, T4, T5, T6, T9, T11, T12, T13, UNIT),
    );
  });

  test('semantic_model:, saved_query:, unit_test:, exposure:, metric: (with +)', () => {
    expect(ls('semantic_model:*')).toEqual([SEM]);
    expect(ls('+semantic_model:sm_orders')).toEqual(set(SEM, ...ORDERS_UP));
    expect(ls('saved_query:*')).toEqual([SAVED]);
    expect(ls('+saved_query:orders_saved_query')).toEqual(set(SAVED, METRIC, SEM, ...ORDERS_UP));
    expect(ls('unit_test:*')).toEqual([UNIT]);
    expect(ls('+unit_test:orders_with_zero_items')).toEqual(set(...ORDERS_UP));
    const upstreamOfKpis = set(
      ...[EXPOSURE, FCT_ORDERS, CUSTOMERS, SEED_CODES, MY_BIG, ...ORDERS_UP],
      T10,
    );
    expect(ls('+exposure:weekly_kpis')).toEqual(upstreamOfKpis);
    expect(ls('+exposure:*')).toEqual(upstreamOfKpis);
    expect(ls('+metric:weekly_active_users')).toEqual(set(METRIC, SEM, ...ORDERS_UP));
    expect(ls('+metric:*')).toEqual(ls('+metric:weekly_active_users'));
  });
});

describe(`set operators (${DOCS}/set-operators)`, () => {
  const upSessions = [SNOW_SESSIONS, SNOW_PAGE_VIEWS, SEED_CODES, SRC_EVENTS, T10, T11, T12];
  const upFctOrders = [FCT_ORDERS, SEED_CODES, T10, T6, ...ORDERS_UP];

  test('unions: "+snowplow_sessions +fct_orders"', () => {
    expect(ls('+snowplow_sessions +fct_orders')).toEqual(set(...upSessions, ...upFctOrders));
  });

  test('intersections: common ancestors, common descendants, folder and tag', () => {
    expect(ls('+snowplow_sessions,+fct_orders')).toEqual(set(SEED_CODES, T10));
    // the relationships test is a child of both models
    expect(ls('stg_invoices+,stg_accounts+')).toEqual(set(FIN_LEDGER, T9));
    expect(ls('marts.finance,tag:nightly')).toEqual(set(FCT_ORDERS, T6));
  });
});

describe(`exclude (${DOCS}/exclude)`, () => {
  test('"--select my_package.*+ --exclude my_package.a_big_model+"', () => {
    expect(ls('my_package.*+', 'my_package.a_big_model+')).toEqual(set(MY_SMALL, PAYMENTS, T5));
  });

  test('by name or lineage: tests go with the resources they test', () => {
    expect(ls([], 'not_null_orders_order_id')).toEqual(allBut(T4));
    expect(ls([], 'orders')).toEqual(allBut(ORDERS, T3, T4, T6, UNIT));
    expect(ls([], 'account_parent_mappings')).toEqual(allBut(SEED_ACCOUNTS));
    expect(ls([], 'snap_order_statuses')).toEqual(allBut(SNAPSHOT));
    expect(ls([], 'orders+')).toEqual(allBut(...ORDERS_DOWN));
  });
});

describe(`putting it together (${DOCS}/putting-it-together)`, () => {
  const atSnowplow = [
    ...[SRC_EVENTS, SNOW_PAGE_VIEWS, SNOW_SESSIONS, EXPORT_TIMING, EXPORT_ORDERS, T11, T12],
    ...[SEED_CODES, FCT_ORDERS, ORDERS, STG_ORDERS, STG_CUSTOMERS, SRC_ORDERS, SRC_CUSTOMERS],
    ...[T10, T6, T3, T4, UNIT, T1, T2, T7],
  ];
  const NIGHTLY_DIET = set(FCT_ORDERS, EXPORT_ORDERS, SNOW_SESSIONS, T6, T12);

  test('"my_package.*+", "+some_model+", "tag:nightly+", "+tag:nightly+", "@source:snowplow"', () => {
    expect(ls('my_package.*+')).toEqual(
      set(
        MY_BIG,
        MY_SMALL,
        MY_ROLLUP,
        CUSTOMERS,
        DIM_V1,
        DIM_V2,
        DIM_V3,
        T3,
        EXPOSURE,
        PAYMENTS,
        T5,
      ),
    );
    expect(ls('+orders+')).toEqual(set(...ORDERS_UP, ...ORDERS_DOWN));
    const nightlyDown = [...NIGHTLY, FCT_DAILY, EXPORT_TIMING, EXPOSURE, T13];
    expect(ls('tag:nightly+')).toEqual(set(...nightlyDown));
    expect(ls('+tag:nightly+')).toEqual(
      set(...nightlyDown, SRC_EVENTS, SEED_CODES, T10, ...ORDERS_UP),
    );
    expect(ls('@source:snowplow')).toEqual(set(...atSnowplow));
  });

  test('the nightly exports run, on the command line', () => {
    expect(
      ls(
        '@source:snowplow,tag:nightly models/export',
        'package:snowplow,config.materialized:incremental export_performance_timing',
      ),
    ).toEqual(NIGHTLY_DIET);
  });

  describe(`and as a YAML selector (${DOCS}/yaml-selectors#example)`, () => {
    const selectors: Selectors = {
      nightly_diet_snowplow: {
        name: 'nightly_diet_snowplow',
        description: 'Non-incremental Snowplow models that power nightly exports',
        definition: {
          union: [
            { intersection: ['@source:snowplow', 'tag:nightly'] },
            'models/export',
            {
              exclude: [
                { intersection: ['package:snowplow', 'config.materialized:incremental'] },
                'export_performance_timing',
              ],
            },
          ],
        },
      },
      nightly_diet_snowplow_full: {
        definition: {
          union: [
            {
              intersection: [
                { method: 'source', value: 'snowplow', childrens_parents: true },
                { method: 'tag', value: 'nightly' },
              ],
            },
            { method: 'path', value: 'models/export' },
            {
              exclude: [
                {
                  intersection: [
                    { method: 'package', value: 'snowplow' },
                    { method: 'config.materialized', value: 'incremental' },
                  ],
                },
                { method: 'fqn', value: 'export_performance_timing' },
              ],
            },
          ],
        },
      },
    };
    const resolve = (name: string) =>
      sorted(resolveSelector(name, selectors, project.resources, project.graph));

    test('CLI-style and full YAML forms select the same', () => {
      expect(resolve('nightly_diet_snowplow')).toEqual(NIGHTLY_DIET);
      expect(resolve('nightly_diet_snowplow_full')).toEqual(NIGHTLY_DIET);
      // `dbt run --selector nightly_diet_snowplow`
      expect(
        sorted(selectionFor({ selector: 'nightly_diet_snowplow' }, selectors, project) ?? []),
      ).toEqual(NIGHTLY_DIET);
    });
  });
});

describe(`YAML selectors (${DOCS}/yaml-selectors)`, () => {
  const selectors: Selectors = {
    cli_style: { definition: 'tag:nightly' },
    key_value: { definition: { tag: 'nightly' } },
    full: { definition: { method: 'tag', value: 'nightly' } },
    children_1: {
      definition: { method: 'fqn', value: 'orders', children: true, children_depth: 1 },
    },
    parents_2: {
      definition: { method: 'fqn', value: 'fct_orders', parents: true, parents_depth: 2 },
    },
    at: { definition: { method: 'fqn', value: 'stg_invoices', childrens_parents: true } },
    everything: { definition: { method: 'fqn', value: '*' } },
    // "The following are equivalent" (#exclude): a method with exclude, a union with exclude
    method_exclude: {
      definition: { method: 'tag', value: 'nightly', exclude: ['tag:daily'] },
    },
    union_exclude: {
      definition: {
        union: [
          { method: 'tag', value: 'nightly' },
          { exclude: [{ method: 'tag', value: 'daily' }] },
        ],
      },
    },
    // the page's first form excludes "@tag:daily": @ widens what is excluded
    method_exclude_at: {
      definition: { method: 'tag', value: 'nightly', exclude: ['@tag:daily'] },
    },
    // #indirect-selection, one mode per criterion
    modes: {
      definition: {
        union: [
          { method: 'fqn', value: 'stg_orders', indirect_selection: 'eager' },
          { method: 'fqn', value: 'fct_orders', indirect_selection: 'cautious' },
          { method: 'fqn', value: 'fct_finance_daily', indirect_selection: 'empty' },
        ],
      },
    },
    // #selector-inheritance
    foo_and_bar: { definition: { intersection: [{ tag: 'foo' }, { tag: 'bar' }] } },
    foo_bar_less_buzz: {
      definition: {
        intersection: [
          { method: 'selector', value: 'foo_and_bar' },
          { exclude: [{ method: 'tag', value: 'buzz' }] },
        ],
      },
    },
  };
  const resolve = (name: string) =>
    sorted(resolveSelector(name, selectors, project.resources, project.graph));

  test('CLI-style, key-value and full YAML definitions', () => {
    expect(resolve('cli_style')).toEqual(set(...NIGHTLY));
    expect(resolve('key_value')).toEqual(set(...NIGHTLY));
    expect(resolve('full')).toEqual(set(...NIGHTLY));
  });

  test('graph keywords map to + and @; method fqn, value "*" is everything', () => {
    expect(resolve('children_1')).toEqual(ls('orders+1'));
    expect(resolve('parents_2')).toEqual(ls('2+fct_orders'));
    expect(resolve('at')).toEqual(ls('@stg_invoices'));
    expect(resolve('everything')).toEqual(allBut(...SOURCES));
  });

  test('exclude: as a key or as a union item, always a set difference', () => {
    const nightlyButDaily = set(FCT_ORDERS, EXPORT_ORDERS, SNOW_SESSIONS, T6, T12);
    expect(resolve('method_exclude')).toEqual(nightlyButDaily);
    expect(resolve('union_exclude')).toEqual(nightlyButDaily);
    // @tag:daily reaches every nightly model through export_orders' parents
    expect(resolve('method_exclude_at')).toEqual([]);
  });

  test('indirect_selection per criterion', () => {
    // eager: stg_orders' test; cautious: fct_orders' equality test also needs orders;
    // empty: not even the test on fct_finance_daily alone
    expect(resolve('modes')).toEqual(set(STG_ORDERS, T1, FCT_ORDERS, FCT_DAILY));
  });

  test('selector inheritance', () => {
    expect(resolve('foo_and_bar')).toEqual(set(ORDERS, CUSTOMERS, T3, T4, T6, UNIT));
    expect(resolve('foo_bar_less_buzz')).toEqual(set(ORDERS, T4, T6, UNIT));
  });

  test('default: applies when the command selects nothing itself (#default)', () => {
    const withDefault: Selectors = {
      root_project_only: {
        description: 'Only resources from the root project.',
        default: true,
        definition: { method: 'package', value: P },
      },
    };
    const own = ALL.filter((id) => project.resources.get(id)!.packageName === P);
    // `dbt build`
    expect(sorted(selectionFor({}, withDefault, project)!)).toEqual(sorted(own));
    // `dbt run --select model_a`, `dbt run --exclude model_a`: the flags win
    expect(sorted(selectionFor({ select: ['payments'] }, withDefault, project)!)).toEqual(
      set(PAYMENTS, T5),
    );
    expect(sorted(selectionFor({ exclude: ['payments'] }, withDefault, project)!)).toEqual(
      allBut(PAYMENTS, T5),
    );
  });
});

describe(`test selection (${DOCS}/test-selection-examples)`, () => {
  test('indirect selection modes on "orders" and "fct_orders"', () => {
    expect(ls('orders')).toEqual(set(ORDERS, T3, T4, T6, UNIT));
    // relationships needs customers, equality needs fct_orders
    expect(ls('orders', [], 'cautious')).toEqual(set(ORDERS, T4, UNIT));
    expect(ls('orders', [], 'buildable')).toEqual(set(ORDERS, T4, UNIT));
    expect(ls('orders', [], 'empty')).toEqual([ORDERS]);
    // a test on a model and its direct ancestor: buildable takes it, cautious does not
    expect(ls('fct_orders', [], 'eager')).toEqual(set(FCT_ORDERS, T6));
    expect(ls('fct_orders', [], 'cautious')).toEqual([FCT_ORDERS]);
    expect(ls('fct_orders', [], 'buildable')).toEqual(set(FCT_ORDERS, T6));
  });

  test('syntax examples', () => {
    expect(ls('customers')).toEqual(set(CUSTOMERS, T3));
    expect(ls('customers orders')).toEqual(set(CUSTOMERS, ORDERS, T3, T4, T6, UNIT));
    expect(ls('staging.jaffle_shop')).toEqual(set(STG_CUSTOMERS, STG_ORDERS, T1, T2, T7));
    expect(ls('stg_customers+')).toEqual(
      set(STG_CUSTOMERS, T2, CUSTOMERS, DIM_V1, DIM_V2, DIM_V3, ...ORDERS_DOWN),
    );
    expect(ls('+stg_customers')).toEqual(set(STG_CUSTOMERS, SRC_CUSTOMERS, T2, T7));
    expect(ls('config.materialized:seed')).toEqual(set(SEED_CODES, SEED_ACCOUNTS, T10));
    expect(ls('config.materialized:snapshot')).toEqual([SNAPSHOT]);
  });

  test('tests on sources', () => {
    expect(ls('source:*')).toEqual(set(...SOURCES, T7, T8));
    expect(ls('source:jaffle_shop')).toEqual(set(SRC_CUSTOMERS, SRC_ORDERS, T7));
    expect(ls('source:jaffle_shop source:raffle_bakery')).toEqual(
      set(SRC_CUSTOMERS, SRC_ORDERS, T7, SRC_SALES, T8),
    );
    expect(ls('source:jaffle_shop.customers')).toEqual(set(SRC_CUSTOMERS, T7));
    expect(ls([], 'source:*')).toEqual(allBut(...SOURCES, T7, T8));
  });

  test('the ways to the singular test on payments (the old --data flag aside)', () => {
    for (const s of [
      'assert_total_payment_amount_is_positive',
      'payments,test_type:singular',
      'payments,test_type:data',
    ])
      expect(ls(s)).toEqual([T5]);
  });
});
