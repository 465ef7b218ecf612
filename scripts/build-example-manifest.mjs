#!/usr/bin/env node
/**
 * Writes fixtures/example-mesh/target/manifest.json: the manifest that `dbt parse` (dbt-core
 * 1.10.5, duckdb adapter, schema v12) would write for the hand-written project in
 * fixtures/example-mesh.
 *
 * The mesh description (YAML properties, dbt_project.yml config tree) is held as data below and
 * must be kept in step with the files in the tree. SQL, CSV and macro texts are read from the
 * tree, and refs/sources/macro calls are extracted from the SQL, so editing a .sql file only
 * needs a re-run. The script refuses to run when a model file in the tree is not described here
 * (or the other way round).
 *
 * Reproduced dbt details: unique ids (generic test suffix = last 10 hex of md5 over the name and
 * the Python repr of the test metadata), long test names (alias = first 30 chars + md5), file
 * checksums (sha256 of the stripped file text, which is also raw_code), config merging along the
 * fqn (tags append, meta/docs/contract update, everything else clobbers), node meta = config.meta,
 * contract checksums, inferred primary keys, group inheritance of tests, parent/child/group maps,
 * semantic models and metrics (measures, input measures, node relations), exposure meta merged
 * into config.meta, and column config.meta kept apart from column meta (as dbt 1.10.0-1.10.12 do).
 *
 * The tree's YAML and SQL files carry `# expect:` / `-- expect:` comments (the findings
 * dbt-steward should report, see fixtures/example-mesh/README.md); dbt ignores comments, and so
 * does this script, except that SQL comments are part of raw_code and the checksums, as in dbt.
 *
 * Usage: node scripts/build-example-manifest.mjs [--out FILE]
 * Imports only node: builtins; output is deterministic (fixed timestamps and ids).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeConfigDefaults } from './dbt-defaults.mjs';

const PROJECT_DIR = fileURLToPath(new URL('../fixtures/example-mesh/', import.meta.url));
const DEFAULT_OUT = path.join(PROJECT_DIR, 'target', 'manifest.json');

const PKG = 'example_mesh';
const DATABASE = 'warehouse';
const TARGET_SCHEMA = 'main';
const TEST_SCHEMA = 'dbt_test__audit';
const ROOT_PATH = '/home/runner/work/example-mesh/example-mesh';
const CREATED_AT_BASE = 1753272000;

// ---------------------------------------------------------------------------------------------
// Project description (mirrors dbt_project.yml and the properties YAML files)
// ---------------------------------------------------------------------------------------------

const CORE_META = { owner: 'platform-data@example.com', domain: 'core' };
const PAYMENTS_META = {
  owner: 'payments-data@example.com',
  domain: 'payments',
  sla: 'daily by 08:00 UTC',
};
const GROWTH_META = { owner: 'growth-analytics@example.com', domain: 'growth' };

/** dbt_project.yml resource config trees. */
const PROJECT_CONFIG = {
  models: {
    example_mesh: {
      '+materialized': 'view',
      core: {
        '+meta': CORE_META,
        marts: { '+materialized': 'table', '+meta': { sla: 'daily by 06:00 UTC' } },
      },
      payments: {
        '+meta': PAYMENTS_META,
        '+tags': ['payments'],
        marts: { '+materialized': 'table', '+access': 'public', '+tags': ['data-product'] },
      },
      growth: {
        '+tags': ['growth'],
        marts: { '+materialized': 'table' },
      },
      finance: {
        '+tags': ['finance'],
        marts: { '+materialized': 'table' },
      },
    },
  },
  seeds: { example_mesh: { '+meta': CORE_META } },
  snapshots: { example_mesh: { '+meta': CORE_META } },
};

/**
 * Column helper: name, description (null: none) and optional data_type / constraints / tests /
 * meta (top-level YAML `meta:`) / config (`config: {meta}`).
 */
function c(name, description, extra = {}) {
  return { name, ...(description === null ? {} : { description }), ...extra };
}
/** A column's `config: {meta: …}`. */
const cmeta = (meta) => ({ config: { meta } });
const NN = { type: 'not_null' };
const PK = { type: 'primary_key' };

/**
 * Models. `yaml` is the entry of the properties file `yml` (null when the model has no entry):
 * `top` holds legacy top-level keys (meta/group/access) that dbt moves into `config`.
 * `sqlConfig` is the static content of the model's `{{ config(...) }}` call.
 */
const MODELS = [
  // --- core ----------------------------------------------------------------------------------
  {
    file: 'models/core/staging/stg_core__customers.sql',
    yml: 'models/core/staging/_core__models.yml',
    yaml: {
      description: 'Customers from the application database, one row per customer.',
      columns: [
        c('customer_id', 'Primary key of the customer.', { tests: ['unique', 'not_null'] }),
        c('full_name', 'First and last name.', cmeta({ pii: true })),
        c('email', 'E-mail address, lower case.', cmeta({ pii: true })),
        c('country_code', 'Two-letter country code of the billing address.', {
          tests: [{ relationships: { to: "ref('stg_core__countries')", field: 'country_code' } }],
        }),
        c('first_seen_at', 'When the customer account was created.'),
      ],
    },
  },
  {
    file: 'models/core/staging/stg_core__countries.sql',
    yml: 'models/core/staging/_core__models.yml',
    yaml: {
      description: 'Country reference data loaded from the country_codes seed.',
      columns: [
        c('country_code', 'Two-letter ISO country code.', { tests: ['unique', 'not_null'] }),
      ],
    },
  },
  {
    name: 'dim_customers',
    yml: 'models/core/marts/_core__models.yml',
    yaml: {
      description: 'Conformed customer dimension shared by every domain.',
      config: {
        access: 'public',
        contract: { enforced: true },
        meta: { product: 'core.customers.customer' },
      },
      columns: [
        c('customer_id', 'Primary key of the customer.', {
          data_type: 'integer',
          constraints: [NN, PK],
          tests: ['unique', 'not_null'],
        }),
        c('full_name', 'First and last name.', {
          data_type: 'varchar',
          ...cmeta({ pii: true, masking_policy: 'mask_person_name' }),
        }),
        c('email', 'E-mail address of the customer.', {
          data_type: 'varchar',
          ...cmeta({ pii: true, masking_policy: 'mask_email' }),
        }),
        c('country_code', 'Two-letter country code of the billing address.', {
          data_type: 'varchar',
        }),
        c('first_seen_at', 'When the customer account was created.', { data_type: 'timestamp' }),
      ],
      latest_version: 2,
      versions: [
        {
          v: 1,
          file: 'models/core/marts/dim_customers_v1.sql',
          // YAML `2026-06-30` (a date) -> midnight in the local zone of the dbt run (UTC).
          deprecation_date: '2026-05-31T00:00:00+00:00',
          exclude: ['email', 'first_seen_at'],
        },
        { v: 2, file: 'models/core/marts/dim_customers_v2.sql' },
      ],
    },
  },
  {
    file: 'models/core/marts/dim_countries.sql',
    yml: 'models/core/marts/_core__models.yml',
    yaml: {
      description: 'Countries and the sales region they belong to.',
      top: { access: 'public' },
      config: { meta: { product: 'core.countries.country' } },
      columns: [
        c('country_code', 'Two-letter ISO country code.', { tests: ['not_null'] }),
        c('country_name', 'English country name.'),
        c('region', 'Sales region.'),
      ],
    },
  },
  {
    file: 'models/core/marts/metricflow_time_spine.sql',
    yml: 'models/core/marts/_core__models.yml',
    yaml: {
      description: 'One row per day from 2020 to 2030, the calendar MetricFlow joins metrics to.',
      columns: [c('date_day', 'The day.', { tests: ['unique', 'not_null'] })],
    },
  },
  // --- payments ------------------------------------------------------------------------------
  {
    file: 'models/payments/staging/stg_payments__transactions.sql',
    yml: 'models/payments/staging/_payments__models.yml',
    yaml: {
      description: 'Payment attempts with normalised status and currency.',
      columns: [
        c('transaction_id', 'Primary key of the payment attempt.', {
          tests: ['unique', 'not_null'],
        }),
        c('customer_id', 'Paying customer.'),
        c('status', 'Processing status of the attempt.', {
          tests: [{ accepted_values: { values: ['pending', 'settled', 'failed', 'refunded'] } }],
        }),
      ],
    },
  },
  { file: 'models/payments/staging/stg_payments__refunds.sql', yml: null },
  {
    file: 'models/payments/intermediate/int_payments__settled.sql',
    yml: 'models/payments/intermediate/_payments__intermediate.yml',
    yaml: {
      description: 'Settled payments net of refunds, one row per payment.',
      columns: [c('payment_id', 'Primary key of the payment.', { tests: ['unique', 'not_null'] })],
    },
  },
  {
    file: 'models/payments/intermediate/int_payments__processor_fees.sql',
    yml: 'models/payments/intermediate/_payments__intermediate.yml',
    yaml: {
      description: 'Card processing fees per settled payment, booked by finance.',
      config: { meta: { domain: 'finance' } },
      columns: [
        c('payment_id', 'Primary key of the payment.', { tests: ['unique', 'not_null'] }),
        c('processor_fee_cents', 'Fee charged by the card processor, in cents.'),
      ],
    },
  },
  {
    file: 'models/payments/marts/fct_payments.sql',
    yml: 'models/payments/marts/_payments__models.yml',
    sqlConfig: {
      materialized: 'incremental',
      unique_key: 'payment_id',
      on_schema_change: 'append_new_columns',
    },
    macros: ['macro.dbt.is_incremental'],
    yaml: {
      description: "Settled payments, the payments domain's main data product.",
      config: {
        contract: { enforced: true },
        meta: { product: 'payments.settled_payments.payment' },
      },
      columns: [
        c('payment_id', 'Primary key of the payment.', {
          data_type: 'integer',
          constraints: [NN, PK],
          tests: ['unique', 'not_null'],
        }),
        c('customer_id', 'Paying customer.', {
          data_type: 'integer',
          tests: [{ relationships: { to: "ref('dim_customers')", field: 'customer_id' } }],
        }),
        c('amount_cents', 'Amount net of refunds, in cents.', { data_type: 'bigint' }),
        c('currency', 'ISO currency code, lower case.', { data_type: 'varchar' }),
        c('settled_at', 'Settlement time.', { data_type: 'timestamp' }),
      ],
    },
  },
  {
    file: 'models/payments/marts/payments_revenue_daily.sql',
    yml: 'models/payments/marts/_payments__models.yml',
    yaml: {
      description: 'Daily revenue by currency.',
      config: { meta: { product: 'payments.revenue.daily' } },
      columns: [
        c('payment_date', 'Settlement date.', { tests: ['not_null'] }),
        c('currency', 'ISO currency code, lower case.'),
        c('revenue_cents', 'Revenue in cents.'),
        c('revenue', 'Revenue in currency units.'),
      ],
    },
  },
  // --- growth --------------------------------------------------------------------------------
  {
    file: 'models/growth/staging/stg_growth__signups.sql',
    yml: 'models/growth/staging/_growth__models.yml',
    yaml: {
      description: 'Completed sign-ups with their attributed campaign.',
      top: { meta: GROWTH_META },
      columns: [
        c('signup_id', 'Primary key of the sign-up.', { tests: ['unique', 'not_null'] }),
        c('customer_id', 'Customer created by the sign-up.'),
        c('campaign_code', 'Attributed campaign, lower case.'),
      ],
    },
  },
  {
    file: 'models/growth/staging/stg_growth__campaigns.sql',
    yml: 'models/growth/staging/_growth__models.yml',
    yaml: {
      description: 'Paid campaigns with their spend.',
      config: { meta: GROWTH_META },
      columns: [
        c('campaign_code', 'Campaign, lower case.', { tests: ['unique', 'not_null'] }),
        c('spend_cents', 'Total spend of the campaign, in cents.'),
      ],
    },
  },
  { file: 'models/growth/staging/stg_growth__sessions.sql', yml: null },
  {
    file: 'models/growth/marts/fct_signup_conversion.sql',
    yml: 'models/growth/marts/_growth__models.yml',
    yaml: {
      description: 'Sign-ups and whether they converted to a first settled payment.',
      config: {
        access: 'public',
        meta: {
          ...GROWTH_META,
          product: 'growth.signup_conversion.signup',
          sla: 'daily by 09:00 UTC',
          // A waiver without a reason: read, but invalid.
          steward: { waive: [{ rule: 'cross-domain-ref', to: ['stg_payments__transactions'] }] },
        },
        contract: { enforced: true },
      },
      columns: [
        c('signup_id', 'Primary key of the sign-up.', {
          data_type: 'integer',
          tests: ['unique', 'not_null'],
        }),
        c('customer_id', 'Customer created by the sign-up.', {
          data_type: 'integer',
          tests: ['not_null'],
        }),
        c('country_code', "Two-letter country code of the customer's billing address.", {
          data_type: 'varchar',
        }),
        c('campaign_code', 'Attributed campaign, lower case.', { data_type: 'varchar' }),
        c('signed_up_at', 'When the sign-up was completed.', { data_type: 'timestamp' }),
        c('first_paid_at', "Time of the customer's first settled payment, if any.", {
          data_type: 'timestamp',
        }),
        c('converted', 'True when the customer has at least one settled payment.', {
          data_type: 'boolean',
        }),
      ],
    },
  },
  {
    file: 'models/growth/marts/growth_campaign_roi.sql',
    yml: 'models/growth/marts/_growth__models.yml',
    yaml: {
      description: 'Return on ad spend per campaign.',
      config: {
        meta: {
          ...GROWTH_META,
          steward: {
            waive: [
              {
                rule: 'cross-domain-ref',
                to: ['int_payments__settled'],
                reason: 'Moves to fct_payments once it carries the campaign code (GROW-17).',
                // YAML `2026-09-30` (a date); dbt writes dates in meta as ISO text.
                expires: '2027-09-30',
              },
            ],
          },
        },
      },
      columns: [
        c('campaign_code', 'Campaign, lower case.', { tests: ['unique', 'not_null'] }),
        c('return_on_ad_spend', 'Attributed revenue divided by spend.'),
      ],
    },
  },
  {
    file: 'models/growth/marts/growth_customer_ltv.sql',
    yml: 'models/growth/marts/_growth__models.yml',
    yaml: {
      description: 'Invoiced lifetime value per customer.',
      config: { group: 'growth', access: 'private' },
      columns: [
        c('customer_id', 'Primary key of the customer.', { tests: ['unique', 'not_null'] }),
        c('invoiced_cents', 'Total invoiced to the customer, in cents.'),
      ],
    },
  },
  {
    file: 'models/growth/marts/growth_reactivation_audience.sql',
    yml: 'models/growth/marts/_growth__models.yml',
    yaml: {
      description:
        'Customers without a settled payment in the last 90 days, for win-back campaigns.',
      config: {
        access: 'public',
        contract: { enforced: true },
        meta: {
          ...GROWTH_META,
          product: 'growth.reactivation_audience.customer',
          sla: 'daily by 07:00 UTC',
        },
      },
      columns: [
        c('customer_id', 'Primary key of the customer.', {
          data_type: 'integer',
          tests: ['unique', 'not_null'],
        }),
        c('email', null, { data_type: 'varchar', ...cmeta({ pii: true }) }),
        c('last_paid_at', "Time of the customer's last settled payment.", {
          data_type: 'timestamp',
        }),
      ],
    },
  },
  // --- finance -------------------------------------------------------------------------------
  {
    file: 'models/finance/staging/stg_finance__invoices.sql',
    yml: 'models/finance/staging/_finance__models.yml',
    yaml: {
      description: 'Invoices from the ERP, one row per invoice.',
      config: { group: 'finance', access: 'private' },
      columns: [c('invoice_id', 'Primary key of the invoice.', { tests: ['unique', 'not_null'] })],
    },
  },
  {
    file: 'models/finance/marts/fct_invoices.sql',
    yml: 'models/finance/marts/_finance__models.yml',
    yaml: {
      description: "Invoices with the customer's country and the matching payment.",
      top: { group: 'finance', access: 'protected' },
      columns: [
        c('invoice_id', 'Primary key of the invoice.', { tests: ['unique', 'not_null'] }),
        c('invoice_status', 'Lifecycle status of the invoice.', {
          tests: [{ accepted_values: { values: ['draft', 'issued', 'paid', 'void'] } }],
        }),
      ],
    },
  },
  {
    file: 'models/finance/marts/finance_revenue_recognition.sql',
    yml: 'models/finance/marts/_finance__models.yml',
    yaml: {
      description: 'Monthly invoiced versus collected revenue.',
      config: {
        group: 'finance',
        access: 'public',
        contract: { enforced: true },
        meta: { product: 'revenue.recognition.monthly', sla: 'monthly, by the 5th working day' },
      },
      constraints: [{ type: 'primary_key', columns: ['revenue_month'] }],
      columns: [
        c('revenue_month', 'First day of the month.', {
          data_type: 'date',
          constraints: [NN],
          tests: ['not_null'],
        }),
        c('invoiced_cents', 'Amount invoiced in the month, in cents.', { data_type: 'bigint' }),
        c('collected_cents', 'Amount collected in the month, in cents.', { data_type: 'bigint' }),
      ],
    },
  },
  {
    file: 'models/finance/marts/finance_acquisition_costs.sql',
    yml: 'models/finance/marts/_finance__models.yml',
    yaml: {
      description: 'Monthly marketing spend booked in the ERP against the sign-ups it converted.',
      config: { group: 'finance' },
      columns: [
        c('acquisition_month', 'First day of the month.', { tests: ['unique', 'not_null'] }),
        c('marketing_spend_cents', 'Marketing invoices booked in the month, in cents.'),
        c('converted_signups', 'Sign-ups of the month that converted to a paying customer.'),
        c('cost_per_conversion_cents', 'Spend divided by converted sign-ups, in cents.'),
      ],
    },
  },
  // --- no domain -----------------------------------------------------------------------------
  { file: 'models/legacy_customer_export.sql', yml: null },
];

/** Order in which dbt reads the properties files (model paths, then seed paths). */
const YAML_FILES = [
  'models/_exposures.yml',
  'models/_groups.yml',
  'models/_metrics.yml',
  'models/core/marts/_core__models.yml',
  'models/core/staging/_core__models.yml',
  'models/core/staging/_core__sources.yml',
  'models/finance/marts/_finance__models.yml',
  'models/finance/staging/_finance__models.yml',
  'models/finance/staging/_finance__sources.yml',
  'models/growth/marts/_growth__models.yml',
  'models/growth/marts/_growth__semantic.yml',
  'models/growth/staging/_growth__models.yml',
  'models/growth/staging/_growth__sources.yml',
  'models/payments/intermediate/_payments__intermediate.yml',
  'models/payments/marts/_payments__models.yml',
  'models/payments/marts/_payments__semantic.yml',
  'models/payments/staging/_payments__models.yml',
  'models/payments/staging/_payments__sources.yml',
  'seeds/_seeds.yml',
];

const SOURCES = [
  {
    yml: 'models/core/staging/_core__sources.yml',
    name: 'app',
    description: 'Read replica of the customer-facing application database.',
    schema: 'raw_app',
    loader: 'fivetran',
    meta: { ...CORE_META, classification: 'confidential' }, // top-level `meta:` (legacy placement)
    tables: [
      {
        name: 'customers',
        description: 'One row per registered customer.',
        columns: [
          c('id', 'Customer id.'),
          c('updated_at', 'Last update of the row in the application.'),
        ],
      },
      { name: 'signups', description: 'One row per completed sign-up flow.' },
    ],
  },
  {
    yml: 'models/payments/staging/_payments__sources.yml',
    name: 'payments_db',
    description: 'Payment service database (card and bank transfers).',
    schema: 'raw_payments',
    loader: 'fivetran',
    configMeta: {
      owner: 'payments-data@example.com',
      domain: 'payments',
      classification: 'restricted',
    },
    tables: [
      {
        name: 'transactions',
        description: 'One row per payment attempt.',
        columns: [c('id', 'Transaction id.', { tests: ['not_null'] })],
      },
      {
        name: 'refunds',
        description: 'One row per (partial) refund of a transaction.',
        configMeta: { classification: 'secret' },
      },
    ],
  },
  {
    yml: 'models/growth/staging/_growth__sources.yml',
    name: 'marketing',
    description: 'Exports from the ad platforms and the web analytics tool.',
    schema: 'raw_marketing',
    configMeta: { classification: 'internal' },
    tables: [
      { name: 'campaigns', description: 'One row per paid campaign.' },
      { name: 'web_sessions', description: 'One row per website session.' },
    ],
  },
  {
    yml: 'models/finance/staging/_finance__sources.yml',
    name: 'erp',
    description: 'Accounting system export.',
    schema: 'raw_erp',
    tables: [
      {
        name: 'invoices',
        description: 'One row per invoice.',
        configMeta: { classification: 'confidential' },
      },
      {
        name: 'marketing_invoices',
        description: 'One row per invoice from an advertising vendor.',
      },
    ],
  },
];

const SEEDS = [
  {
    file: 'seeds/country_codes.csv',
    yml: 'seeds/_seeds.yml',
    yaml: {
      description: 'ISO 3166 country codes with the sales region each country belongs to.',
      columns: [c('country_code', 'Two-letter ISO country code.', { tests: ['unique'] })],
    },
  },
];

const SNAPSHOTS = [
  {
    file: 'snapshots/customers_snapshot.sql',
    sqlConfig: {
      target_schema: 'snapshots',
      unique_key: 'id',
      strategy: 'timestamp',
      updated_at: 'updated_at',
    },
  },
];

const SINGULAR_TESTS = ['tests/assert_settled_payments_not_negative.sql'];

const MACRO_FILES = ['macros/cents_to_dollars.sql', 'macros/safe_divide.sql'];

const GROUPS = [
  {
    yml: 'models/_groups.yml',
    name: 'finance',
    description: 'Finance data team; owns invoicing and revenue recognition.',
    owner: { email: 'finance-data@example.com', name: 'Finance Data Team' },
  },
  {
    yml: 'models/_groups.yml',
    name: 'growth',
    description: 'Growth analysts working on acquisition and lifetime value.',
    owner: { email: null, name: 'Growth Analytics' },
  },
];

const EXPOSURES = [
  {
    yml: 'models/_exposures.yml',
    name: 'revenue_dashboard',
    label: 'Revenue dashboard',
    type: 'dashboard',
    maturity: 'high',
    url: 'https://bi.example.com/dashboards/revenue',
    description: 'Daily revenue and monthly revenue recognition for the executive team.',
    depends_on: ["ref('payments_revenue_daily')", "ref('finance_revenue_recognition')"],
    owner: { email: 'revenue-ops@example.com', name: 'Revenue Operations' },
    config: { meta: { domain: 'finance' } },
  },
  {
    yml: 'models/_exposures.yml',
    name: 'campaign_review_notebook',
    label: null,
    type: 'notebook',
    maturity: 'low',
    url: null,
    description: 'Weekly campaign review notebook.',
    depends_on: ["ref('growth_campaign_roi')"],
    owner: { email: 'growth-analytics@example.com', name: null },
    config: { meta: { domain: 'growth' } },
  },
];

/** Semantic models (v1 semantic-layer YAML): entities, dimensions and measures as written. */
const SEMANTIC_MODELS = [
  {
    yml: 'models/growth/marts/_growth__semantic.yml',
    name: 'signup_conversion',
    description: 'Completed sign-ups, one row per sign-up.',
    model: 'fct_signup_conversion',
    aggTimeDimension: 'signed_up_at',
    entities: [
      { name: 'signup', type: 'primary', expr: 'signup_id' },
      { name: 'customer', type: 'foreign', expr: 'customer_id' },
    ],
    dimensions: [
      { name: 'signed_up_at', type: 'time', timeGranularity: 'day' },
      { name: 'campaign_code', type: 'categorical' },
    ],
    measures: [
      { name: 'signup_count', description: 'Number of sign-ups.', agg: 'count', expr: 'signup_id' },
      {
        name: 'converted_signup_count',
        description: 'Number of sign-ups whose customer has paid.',
        agg: 'sum',
        expr: 'case when converted then 1 else 0 end',
      },
    ],
  },
  {
    yml: 'models/payments/marts/_payments__semantic.yml',
    name: 'payments',
    description: 'Settled payments, one row per payment.',
    model: 'fct_payments',
    aggTimeDimension: 'settled_at',
    entities: [
      { name: 'payment', type: 'primary', expr: 'payment_id' },
      { name: 'customer', type: 'foreign', expr: 'customer_id' },
    ],
    dimensions: [
      { name: 'settled_at', type: 'time', timeGranularity: 'day' },
      { name: 'currency', type: 'categorical' },
    ],
    measures: [
      {
        name: 'net_revenue_cents',
        description: 'Settled amounts net of refunds, in cents.',
        agg: 'sum',
        expr: 'amount_cents',
      },
    ],
  },
];

/** Metrics: `simple` ones name a measure, `derived` ones an expression over other metrics. */
const METRICS = [
  {
    yml: 'models/_metrics.yml',
    name: 'revenue_per_signup',
    label: 'Revenue per sign-up',
    description: "Net revenue divided by completed sign-ups, the board's efficiency KPI.",
    type: 'derived',
    expr: 'net_revenue / signups',
    metrics: ['net_revenue', 'signups'],
  },
  {
    yml: 'models/growth/marts/_growth__semantic.yml',
    name: 'signups',
    label: 'Sign-ups',
    description: 'Completed sign-ups.',
    type: 'simple',
    measure: 'signup_count',
    config: { meta: { owner: 'growth-analytics@example.com' } },
  },
  {
    yml: 'models/growth/marts/_growth__semantic.yml',
    name: 'converted_signups',
    label: 'Converted sign-ups',
    description: 'Sign-ups whose customer made a settled payment.',
    type: 'simple',
    measure: 'converted_signup_count',
  },
  {
    yml: 'models/payments/marts/_payments__semantic.yml',
    name: 'net_revenue',
    label: 'Net revenue',
    description: 'Settled revenue net of refunds, in cents.',
    type: 'simple',
    measure: 'net_revenue_cents',
  },
];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const md5 = (s) => createHash('md5').update(s, 'utf8').digest('hex');
const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest('hex');
const clone = (v) => JSON.parse(JSON.stringify(v));
const readText = (rel) => readFileSync(path.join(PROJECT_DIR, rel), 'utf8');
/** dbt strips file contents before hashing them and storing them as raw_code. */
const readStripped = (rel) => readText(rel).trim();
const fileChecksum = (rel) => ({ name: 'sha256', checksum: sha256(readStripped(rel)) });
const stem = (rel) => path.posix.basename(rel).replace(/\.[^.]+$/, '');
const quoted = (...parts) => parts.map((p) => `"${p}"`).join('.');

let createdAtCounter = 0;
function createdAt() {
  createdAtCounter += 1;
  return Number((CREATED_AT_BASE + createdAtCounter * 0.0125).toFixed(4));
}

/** `models/a/b/x.sql` -> { resourceDir: 'models', dirs: ['a','b'], rel: 'a/b/x.sql' }. */
function splitResourcePath(rel) {
  const [resourceDir, ...rest] = rel.split('/');
  return { resourceDir, dirs: rest.slice(0, -1), rel: rest.join('/') };
}

function dedupe(list) {
  return [...new Set(list)];
}

function sortedStrings(list) {
  return [...list].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// --- Python repr, for the generic test hash and the contract checksum --------------------------

function pyStr(s) {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === q) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return q + out + q;
}

function pyScalar(v) {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return pyStr(v);
  return String(v);
}

/** dbt's get_hashable_md: keys sorted recursively, every leaf str()-ed. */
function hashableMd(v) {
  if (Array.isArray(v)) return v.map(hashableMd);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of sortedStrings(Object.keys(v))) out[k] = hashableMd(v[k]);
    return out;
  }
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  return String(v);
}

function pyRepr(v) {
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyStr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  }
  return pyScalar(v);
}

function constraintRepr(con, cls) {
  let s =
    `${cls}(type=<ConstraintType.${con.type}: '${con.type}'>, name=${pyScalar(con.name)}, ` +
    `expression=${pyScalar(con.expression)}, warn_unenforced=${pyScalar(con.warn_unenforced)}, ` +
    `warn_unsupported=${pyScalar(con.warn_unsupported)}, to=${pyScalar(con.to)}, ` +
    `to_columns=${pyRepr(con.to_columns)}`;
  if (cls === 'ModelLevelConstraint') s += `, columns=${pyRepr(con.columns)}`;
  return `${s})`;
}

/** ModelNode.build_contract_checksum. */
function contractChecksum(node) {
  let state = '';
  const cols = Object.values(node.columns).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const col of cols) {
    state += `|${col.name}`;
    state += col.data_type === null ? 'None' : String(col.data_type);
    state += `[${col.constraints.map((x) => constraintRepr(x, 'ColumnLevelConstraint')).join(', ')}]`;
  }
  if (['table', 'incremental'].includes(node.config.materialized)) {
    state += node.config.materialized;
    state += `[${node.constraints.map((x) => constraintRepr(x, 'ModelLevelConstraint')).join(', ')}]`;
  }
  return sha256(state);
}

// --- config -------------------------------------------------------------------------------------

const APPEND_KEYS = new Set(['tags', 'pre-hook', 'post-hook', 'packages']);
const UPDATE_KEYS = new Set(['meta', 'docs', 'contract', 'quoting', 'column_types']);

/** Merge one config layer into `target` with dbt's per-key merge behaviour. */
function mergeConfig(target, layer) {
  for (const [key, value] of Object.entries(layer)) {
    if (APPEND_KEYS.has(key)) {
      const prev = target[key] === undefined ? [] : target[key];
      target[key] = [
        ...(Array.isArray(prev) ? prev : [prev]),
        ...(Array.isArray(value) ? value : [value]),
      ];
    } else if (UPDATE_KEYS.has(key) && target[key] && typeof target[key] === 'object') {
      target[key] = { ...target[key], ...clone(value) };
    } else {
      target[key] = clone(value);
    }
  }
  return target;
}

/** Config layers of dbt_project.yml along an fqn (fqn_search). */
function projectLayers(resourceKey, fqn) {
  const layers = [];
  let level = PROJECT_CONFIG[resourceKey] ?? {};
  const collect = (lvl) => {
    const layer = {};
    for (const [k, v] of Object.entries(lvl)) {
      if (k.startsWith('+')) layer[k.slice(1)] = v;
      else if (v === null || typeof v !== 'object' || Array.isArray(v)) layer[k] = v;
    }
    layers.push(layer);
  };
  collect(level);
  for (const part of fqn) {
    const next = level[part];
    if (!next || typeof next !== 'object' || Array.isArray(next)) break;
    collect(next);
    level = next;
  }
  return layers;
}

/** Returns { config, unrendered } for a node from its defaults and config layers. */
function resolveConfig(defaults, layers) {
  const config = clone(defaults);
  const unrendered = {};
  for (const layer of layers) {
    mergeConfig(config, layer);
    mergeConfig(unrendered, layer);
  }
  return { config, unrendered };
}

const modelConfigDefaults = () => ({
  ...nodeConfigDefaults('view'),
  access: 'protected',
  freshness: null,
});

const seedConfigDefaults = () => ({
  ...nodeConfigDefaults('seed'),
  delimiter: ',',
  quote_columns: null,
});

const snapshotConfigDefaults = () => ({
  ...nodeConfigDefaults('snapshot'),
  strategy: null,
  target_schema: null,
  target_database: null,
  updated_at: null,
  check_cols: null,
  snapshot_meta_column_names: {
    dbt_valid_to: null,
    dbt_valid_from: null,
    dbt_scd_id: null,
    dbt_updated_at: null,
    dbt_is_deleted: null,
  },
  dbt_valid_to_current: null,
});

const testConfigDefaults = () => ({
  enabled: true,
  alias: null,
  schema: TEST_SCHEMA,
  database: null,
  tags: [],
  meta: {},
  group: null,
  materialized: 'test',
  severity: 'ERROR',
  store_failures: null,
  store_failures_as: null,
  where: null,
  limit: null,
  fail_calc: 'count(*)',
  warn_if: '!= 0',
  error_if: '!= 0',
});

/** The YAML entry's config with legacy top-level keys moved into it (normalize_attribute). */
function yamlConfigLayer(yaml) {
  if (!yaml) return {};
  return { ...clone(yaml.config ?? {}), ...clone(yaml.top ?? {}) };
}

// --- columns and constraints -----------------------------------------------------------------

function constraintObject(con, modelLevel) {
  const out = {
    type: con.type,
    name: con.name ?? null,
    expression: con.expression ?? null,
    warn_unenforced: true,
    warn_unsupported: true,
    to: null,
    to_columns: [],
  };
  if (modelLevel) out.columns = [...con.columns];
  return out;
}

/** dbt 1.10.0-1.10.12 keep a column's `meta:` and its `config: {meta:}` apart. */
function columnInfo(col) {
  return {
    name: col.name,
    description: col.description ?? '',
    meta: clone(col.meta ?? {}),
    data_type: col.data_type ?? null,
    constraints: (col.constraints ?? []).map((x) => constraintObject(x, false)),
    quote: null,
    config: { meta: clone(col.config?.meta ?? {}), tags: [] },
    tags: [],
    granularity: null,
    doc_blocks: [],
  };
}

function columnsDict(cols) {
  const out = {};
  for (const col of cols ?? []) out[col.name] = columnInfo(col);
  return out;
}

// --- SQL scanning --------------------------------------------------------------------------------

const REF_RE =
  /\bref\(\s*'([^']+)'(?:\s*,\s*'([^']+)')?(?:\s*,\s*(?:v|version)\s*=\s*(?:'([^']*)'|(\d+)))?\s*\)/g;
const SOURCE_RE = /\bsource\(\s*'([^']+)'\s*,\s*'([^']+)'\s*\)/g;
const MACRO_CALL_RE = /\{\{-?\s*([A-Za-z_]\w*)\s*\(/g;

function scanSql(sql) {
  const refs = [];
  for (const m of sql.matchAll(REF_RE)) {
    const [, first, second, strVersion, intVersion] = m;
    const version = intVersion !== undefined ? Number(intVersion) : (strVersion ?? null);
    refs.push(
      second === undefined
        ? { name: first, package: null, version }
        : { name: second, package: first, version },
    );
  }
  const sources = [...sql.matchAll(SOURCE_RE)].map((m) => [m[1], m[2]]);
  const macroNames = dedupe([...sql.matchAll(MACRO_CALL_RE)].map((m) => m[1]));
  return { refs, sources, macroNames };
}

// ---------------------------------------------------------------------------------------------
// Build
// ---------------------------------------------------------------------------------------------

function listFiles(relDir, ext) {
  const out = [];
  const walk = (rel) => {
    const abs = path.join(PROJECT_DIR, rel);
    if (!existsSync(abs)) return;
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith(ext)) out.push(child);
    }
  };
  walk(relDir);
  return sortedStrings(out);
}

function buildManifest() {
  createdAtCounter = 0;
  const nodes = {};
  const sources = {};
  const macros = {};
  const exposures = {};
  const groups = {};

  // --- macros --------------------------------------------------------------------------------
  const projectMacros = new Map();
  for (const file of MACRO_FILES) {
    const text = readText(file);
    for (const m of text.matchAll(/\{%-?\s*macro\s+(\w+)\s*\([\s\S]*?\{%-?\s*endmacro\s*-?%\}/g)) {
      const id = `macro.${PKG}.${m[1]}`;
      projectMacros.set(m[1], id);
      macros[id] = {
        name: m[1],
        resource_type: 'macro',
        package_name: PKG,
        path: file,
        original_file_path: file,
        unique_id: id,
        macro_sql: m[0],
        depends_on: { macros: [] },
        description: '',
        meta: {},
        docs: { show: true, node_color: null },
        patch_path: null,
        arguments: [],
        created_at: createdAt(),
        supported_languages: null,
      };
    }
  }

  // --- the model files must match the description ---------------------------------------------
  const describedFiles = MODELS.flatMap((m) =>
    m.yaml?.versions ? m.yaml.versions.map((v) => v.file) : [m.file],
  );
  const treeFiles = listFiles('models', '.sql');
  const missing = treeFiles.filter((f) => !describedFiles.includes(f));
  const extra = describedFiles.filter((f) => !treeFiles.includes(f));
  if (missing.length || extra.length) {
    throw new Error(
      `model description out of step with the tree: undescribed ${JSON.stringify(missing)}, ` +
        `missing files ${JSON.stringify(extra)}`,
    );
  }

  // --- model nodes (one per file; versioned models one per version) ---------------------------
  /** name -> { latest, versions: Map<string, unique_id> } */
  const modelIndex = new Map();
  const modelEntries = [];
  for (const spec of MODELS) {
    if (spec.yaml?.versions) {
      for (const ver of spec.yaml.versions) {
        modelEntries.push({ spec, file: ver.file, name: spec.name, version: ver });
      }
    } else {
      modelEntries.push({ spec, file: spec.file, name: stem(spec.file), version: null });
    }
  }
  modelEntries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const e of modelEntries) {
    e.uniqueId = e.version ? `model.${PKG}.${e.name}.v${e.version.v}` : `model.${PKG}.${e.name}`;
    if (!modelIndex.has(e.name)) modelIndex.set(e.name, { latest: null, versions: new Map() });
    const idx = modelIndex.get(e.name);
    if (e.version) {
      idx.versions.set(String(e.version.v), e.uniqueId);
      idx.latest = e.spec.yaml.latest_version;
    } else {
      idx.versions.set('', e.uniqueId);
    }
  }
  const seedIndex = new Map(SEEDS.map((s) => [stem(s.file), `seed.${PKG}.${stem(s.file)}`]));

  function resolveRef(ref) {
    if (seedIndex.has(ref.name)) return seedIndex.get(ref.name);
    const idx = modelIndex.get(ref.name);
    if (!idx) throw new Error(`ref to unknown node ${ref.name}`);
    const key =
      ref.version !== null ? String(ref.version) : idx.latest !== null ? String(idx.latest) : '';
    const id = idx.versions.get(key);
    if (!id) throw new Error(`ref to unknown version ${ref.name} v${ref.version}`);
    return id;
  }
  const sourceId = (s, t) => `source.${PKG}.${s}.${t}`;
  const declaredSources = new Set(
    SOURCES.flatMap((s) => s.tables.map((t) => sourceId(s.name, t.name))),
  );
  function resolveSource([s, t]) {
    const id = sourceId(s, t);
    if (!declaredSources.has(id)) throw new Error(`source ${s}.${t} is not declared`);
    return id;
  }

  function dependsOn(scan, extraMacros = []) {
    const nodeIds = dedupe([...scan.sources.map(resolveSource), ...scan.refs.map(resolveRef)]);
    const macroIds = [...extraMacros];
    for (const name of scan.macroNames) {
      if (projectMacros.has(name)) macroIds.push(projectMacros.get(name));
    }
    return { macros: dedupe(macroIds), nodes: nodeIds };
  }

  const modelTestsPlan = []; // filled while building models, emitted after the other nodes

  for (const e of modelEntries) {
    const { spec, file, name, version } = e;
    const { dirs, rel } = splitResourcePath(file);
    const fqn = [PKG, ...dirs, name, ...(version ? [`v${version.v}`] : [])];
    const layers = [
      ...projectLayers('models', fqn),
      yamlConfigLayer(spec.yaml),
      spec.sqlConfig ?? {},
    ];
    const { config, unrendered } = resolveConfig(modelConfigDefaults(), layers);
    const raw = readStripped(file);
    const scan = scanSql(raw);
    const cols = version?.exclude
      ? spec.yaml.columns.filter((col) => !version.exclude.includes(col.name))
      : (spec.yaml?.columns ?? []);
    const alias = version ? `${name}_v${version.v}` : name;
    const node = {
      database: DATABASE,
      schema: TARGET_SCHEMA,
      name,
      resource_type: 'model',
      package_name: PKG,
      path: rel,
      original_file_path: file,
      unique_id: e.uniqueId,
      fqn,
      alias,
      checksum: fileChecksum(file),
      config,
      tags: dedupe(config.tags),
      description: spec.yaml?.description ?? '',
      columns: columnsDict(cols),
      meta: clone(config.meta),
      group: config.group,
      docs: clone(config.docs),
      patch_path: spec.yml ? `${PKG}://${spec.yml}` : null,
      build_path: null,
      unrendered_config: unrendered,
      created_at: createdAt(),
      relation_name: quoted(DATABASE, TARGET_SCHEMA, alias),
      raw_code: raw,
      doc_blocks: [],
      language: 'sql',
      refs: scan.refs,
      sources: scan.sources,
      metrics: [],
      depends_on: dependsOn(scan, spec.macros ?? []),
      compiled_path: null,
      contract: { ...clone(config.contract), checksum: null },
      access: config.access,
      constraints: (spec.yaml?.constraints ?? []).map((x) => constraintObject(x, true)),
      version: version ? version.v : null,
      latest_version: version ? spec.yaml.latest_version : null,
      deprecation_date: version?.deprecation_date ?? null,
      primary_key: [],
      time_spine: null,
    };
    if (node.contract.enforced) node.contract.checksum = contractChecksum(node);
    nodes[node.unique_id] = node;
    for (const col of cols) {
      for (const test of col.tests ?? []) {
        modelTestsPlan.push({
          yml: spec.yml,
          test,
          columnName: col.name,
          target: { kind: 'model', name, version: version ? version.v : null },
          attachedNode: node.unique_id,
          fileKeyName: `models.${name}`,
        });
      }
    }
  }

  // --- snapshots -----------------------------------------------------------------------------
  for (const spec of SNAPSHOTS) {
    const text = readText(spec.file);
    const block = /\{%-?\s*snapshot\s+(\w+)\s*-?%\}([\s\S]*?)\{%-?\s*endsnapshot\s*-?%\}/.exec(
      text,
    );
    if (!block) throw new Error(`no snapshot block in ${spec.file}`);
    const [, name, body] = block;
    const { dirs, rel } = splitResourcePath(spec.file);
    const fqn = [PKG, ...dirs, stem(spec.file), name];
    const { config, unrendered } = resolveConfig(snapshotConfigDefaults(), [
      ...projectLayers('snapshots', fqn),
      spec.sqlConfig,
    ]);
    const scan = scanSql(body);
    const schema = config.target_schema ?? TARGET_SCHEMA;
    const id = `snapshot.${PKG}.${name}`;
    nodes[id] = {
      database: DATABASE,
      schema,
      name,
      resource_type: 'snapshot',
      package_name: PKG,
      path: rel,
      original_file_path: spec.file,
      unique_id: id,
      fqn,
      alias: name,
      checksum: fileChecksum(spec.file),
      config,
      tags: dedupe(config.tags),
      description: '',
      columns: {},
      meta: clone(config.meta),
      group: config.group,
      docs: clone(config.docs),
      patch_path: null,
      build_path: null,
      unrendered_config: unrendered,
      created_at: createdAt(),
      relation_name: quoted(DATABASE, schema, name),
      raw_code: body,
      doc_blocks: [],
      language: 'sql',
      refs: scan.refs,
      sources: scan.sources,
      metrics: [],
      depends_on: dependsOn(scan),
      compiled_path: null,
      contract: { ...clone(config.contract), checksum: null },
    };
  }

  // --- singular tests ------------------------------------------------------------------------
  for (const file of SINGULAR_TESTS) {
    const name = stem(file);
    const { dirs, rel } = splitResourcePath(file);
    const fqn = [PKG, ...dirs, name];
    const { config, unrendered } = resolveConfig(
      testConfigDefaults(),
      projectLayers('data_tests', fqn),
    );
    const raw = readStripped(file);
    const scan = scanSql(raw);
    const id = `test.${PKG}.${name}`;
    nodes[id] = {
      database: DATABASE,
      schema: `${TARGET_SCHEMA}_${TEST_SCHEMA}`,
      name,
      resource_type: 'test',
      package_name: PKG,
      path: rel,
      original_file_path: file,
      unique_id: id,
      fqn,
      alias: name,
      checksum: fileChecksum(file),
      config,
      tags: dedupe(config.tags),
      description: '',
      columns: {},
      meta: clone(config.meta),
      group: config.group,
      docs: { show: true, node_color: null },
      patch_path: null,
      build_path: null,
      unrendered_config: unrendered,
      created_at: createdAt(),
      relation_name: null,
      raw_code: raw,
      doc_blocks: [],
      language: 'sql',
      refs: scan.refs,
      sources: scan.sources,
      metrics: [],
      depends_on: dependsOn(scan),
      compiled_path: null,
      contract: { enforced: false, alias_types: true, checksum: null },
    };
  }

  // --- seeds ---------------------------------------------------------------------------------
  const seedTestsPlan = [];
  for (const spec of SEEDS) {
    const name = stem(spec.file);
    const { dirs, rel } = splitResourcePath(spec.file);
    const fqn = [PKG, ...dirs, name];
    const { config, unrendered } = resolveConfig(seedConfigDefaults(), [
      ...projectLayers('seeds', fqn),
      yamlConfigLayer(spec.yaml),
    ]);
    const id = `seed.${PKG}.${name}`;
    nodes[id] = {
      database: DATABASE,
      schema: TARGET_SCHEMA,
      name,
      resource_type: 'seed',
      package_name: PKG,
      path: rel,
      original_file_path: spec.file,
      unique_id: id,
      fqn,
      alias: name,
      checksum: fileChecksum(spec.file),
      config,
      tags: dedupe(config.tags),
      description: spec.yaml?.description ?? '',
      columns: columnsDict(spec.yaml?.columns),
      meta: clone(config.meta),
      group: config.group,
      docs: clone(config.docs),
      patch_path: spec.yml ? `${PKG}://${spec.yml}` : null,
      build_path: null,
      unrendered_config: unrendered,
      created_at: createdAt(),
      relation_name: quoted(DATABASE, TARGET_SCHEMA, name),
      raw_code: '',
      doc_blocks: [],
      root_path: ROOT_PATH,
      depends_on: { macros: [] },
    };
    for (const col of spec.yaml?.columns ?? []) {
      for (const test of col.tests ?? []) {
        seedTestsPlan.push({
          yml: spec.yml,
          test,
          columnName: col.name,
          target: { kind: 'seed', name },
          attachedNode: id,
          fileKeyName: `seeds.${name}`,
        });
      }
    }
  }

  // --- sources -------------------------------------------------------------------------------
  const sourceTestsPlan = [];
  for (const src of SOURCES) {
    const { dirs } = splitResourcePath(src.yml);
    const sourceMeta = { ...(src.meta ?? {}), ...(src.configMeta ?? {}) };
    for (const table of src.tables) {
      const id = sourceId(src.name, table.name);
      // dbt >= 1.10.5: source meta, source config.meta, table meta, table config.meta.
      const meta = { ...sourceMeta, ...(table.meta ?? {}), ...(table.configMeta ?? {}) };
      const freshness = () => ({
        warn_after: { count: null, period: null },
        error_after: { count: null, period: null },
        filter: null,
      });
      sources[id] = {
        database: DATABASE,
        schema: src.schema,
        name: table.name,
        resource_type: 'source',
        package_name: PKG,
        path: src.yml,
        original_file_path: src.yml,
        unique_id: id,
        fqn: [PKG, ...dirs, src.name, table.name],
        source_name: src.name,
        source_description: src.description ?? '',
        loader: src.loader ?? '',
        identifier: table.name,
        quoting: { database: null, schema: null, identifier: null, column: null },
        loaded_at_field: null,
        loaded_at_query: null,
        freshness: freshness(),
        external: null,
        description: table.description ?? '',
        columns: columnsDict(table.columns),
        meta: clone(meta),
        source_meta: clone(sourceMeta),
        tags: [],
        config: {
          enabled: true,
          event_time: null,
          freshness: freshness(),
          loaded_at_field: null,
          loaded_at_query: null,
          meta: clone(meta),
          tags: [],
        },
        patch_path: null,
        unrendered_config: {
          loaded_at_field: null,
          loaded_at_query: null,
          meta: clone(meta),
          tags: [],
        },
        relation_name: quoted(DATABASE, src.schema, table.name),
        created_at: createdAt(),
        unrendered_database: null,
        unrendered_schema: src.schema,
        doc_blocks: [],
      };
      for (const col of table.columns ?? []) {
        for (const test of col.tests ?? []) {
          sourceTestsPlan.push({
            yml: src.yml,
            test,
            columnName: col.name,
            target: { kind: 'source', sourceName: src.name, tableName: table.name },
            attachedNode: null,
            fileKeyName: `sources.${src.name}`,
          });
        }
      }
    }
  }

  // --- generic tests -------------------------------------------------------------------------
  const ymlOrder = (p) => {
    const i = YAML_FILES.indexOf(p.yml);
    if (i < 0) throw new Error(`unknown properties file ${p.yml}`);
    return i;
  };
  const plans = [...modelTestsPlan, ...seedTestsPlan]
    .map((p, i) => ({ p, i }))
    .sort((a, b) => ymlOrder(a.p) - ymlOrder(b.p) || a.i - b.i)
    .map((x) => x.p);
  // Source tests are built after all properties files are read (SourcePatcher).
  for (const plan of [...plans, ...sourceTestsPlan]) {
    const node = genericTestNode(plan, { resolveRef, resolveSource, nodes });
    nodes[node.unique_id] = node;
  }

  // --- primary keys (process_model_inferred_primary_keys) ------------------------------------
  for (const node of Object.values(nodes)) {
    if (node.resource_type !== 'model') continue;
    node.primary_key = inferPrimaryKey(node, nodes);
  }

  // --- groups --------------------------------------------------------------------------------
  for (const g of GROUPS) {
    const id = `group.${PKG}.${g.name}`;
    groups[id] = {
      name: g.name,
      resource_type: 'group',
      package_name: PKG,
      path: splitResourcePath(g.yml).rel,
      original_file_path: g.yml,
      unique_id: id,
      owner: clone(g.owner),
      description: g.description ?? null,
      config: { meta: {} },
    };
  }
  const groupNames = new Set(GROUPS.map((g) => g.name));
  for (const node of Object.values(nodes)) {
    if (node.group !== null && !groupNames.has(node.group)) {
      throw new Error(`${node.unique_id} is in undeclared group ${node.group}`);
    }
  }

  // --- exposures -----------------------------------------------------------------------------
  for (const x of EXPOSURES) {
    const { dirs, rel } = splitResourcePath(x.yml);
    const scan = scanSql(x.depends_on.join('\n'));
    const id = `exposure.${PKG}.${x.name}`;
    // ExposureParser: node meta = project exposure meta, YAML meta and config.meta, merged; the
    // merged value is written to config.meta too.
    const meta = { ...(x.meta ?? {}), ...(x.config?.meta ?? {}) };
    exposures[id] = {
      name: x.name,
      resource_type: 'exposure',
      package_name: PKG,
      path: rel,
      original_file_path: x.yml,
      unique_id: id,
      fqn: [PKG, ...dirs, x.name],
      type: x.type,
      owner: clone(x.owner),
      description: x.description ?? '',
      label: x.label ?? null,
      maturity: x.maturity ?? null,
      meta: clone(meta),
      tags: [],
      config: { enabled: true, tags: [], meta: clone(meta) },
      unrendered_config: x.config ? clone(x.config) : {},
      url: x.url ?? null,
      depends_on: { macros: [], nodes: dependsOn(scan).nodes },
      refs: scan.refs,
      sources: scan.sources,
      metrics: [],
      created_at: createdAt(),
    };
  }

  // --- semantic models (SemanticModelParser; node_relation resolved from the model) --------
  const semanticModels = {};
  const measureOwner = new Map(); // measure name -> semantic model unique_id
  const elementConfig = () => ({ meta: {} });
  for (const sm of SEMANTIC_MODELS) {
    const { dirs, rel } = splitResourcePath(sm.yml);
    const id = `semantic_model.${PKG}.${sm.name}`;
    const modelId = resolveRef({ name: sm.model, package: null, version: null });
    const model = nodes[modelId];
    for (const m of sm.measures) measureOwner.set(m.name, id);
    semanticModels[id] = {
      name: sm.name,
      resource_type: 'semantic_model',
      package_name: PKG,
      path: rel,
      original_file_path: sm.yml,
      unique_id: id,
      fqn: [PKG, ...dirs, sm.name],
      model: `ref('${sm.model}')`,
      node_relation: {
        alias: model.alias,
        schema_name: model.schema,
        database: model.database,
        relation_name: model.relation_name,
      },
      description: sm.description ?? null,
      label: null,
      defaults: sm.aggTimeDimension ? { agg_time_dimension: sm.aggTimeDimension } : null,
      entities: sm.entities.map((e) => ({
        name: e.name,
        type: e.type,
        description: e.description ?? null,
        label: null,
        role: null,
        expr: e.expr ?? null,
        config: elementConfig(),
      })),
      measures: sm.measures.map((m) => ({
        name: m.name,
        agg: m.agg,
        description: m.description ?? null,
        label: null,
        create_metric: false,
        expr: m.expr ?? null,
        agg_params: null,
        non_additive_dimension: null,
        agg_time_dimension: null,
        config: elementConfig(),
      })),
      dimensions: sm.dimensions.map((d) => ({
        name: d.name,
        type: d.type,
        description: null,
        label: null,
        is_partition: false,
        type_params: d.timeGranularity
          ? { time_granularity: d.timeGranularity, validity_params: null }
          : null,
        expr: null,
        metadata: null,
        config: elementConfig(),
      })),
      metadata: null,
      depends_on: { macros: [], nodes: [modelId] },
      refs: [{ name: sm.model, package: null, version: null }],
      created_at: createdAt(),
      config: { enabled: true, group: null, meta: {} },
      unrendered_config: {},
      primary_entity: null,
      group: null,
    };
  }

  // --- metrics (MetricParser; input measures resolved after parsing) ------------------------
  const metrics = {};
  const metricId = (name) => `metric.${PKG}.${name}`;
  const inputMeasure = (name) => ({
    name,
    filter: null,
    alias: null,
    join_to_timespine: false,
    fill_nulls_with: null,
  });
  const byName = new Map(METRICS.map((m) => [m.name, m]));
  const inputMeasuresOf = (m, seen = new Set()) => {
    if (seen.has(m.name)) throw new Error(`metric cycle at ${m.name}`);
    seen.add(m.name);
    if (m.type === 'simple') return [m.measure];
    return m.metrics.flatMap((name) => {
      const input = byName.get(name);
      if (!input) throw new Error(`metric ${m.name} uses unknown metric ${name}`);
      return inputMeasuresOf(input, seen);
    });
  };
  for (const m of METRICS) {
    const { dirs, rel } = splitResourcePath(m.yml);
    const id = metricId(m.name);
    let dependsOnNodes;
    if (m.type === 'simple') {
      const sm = measureOwner.get(m.measure);
      if (!sm) throw new Error(`metric ${m.name} uses unknown measure ${m.measure}`);
      dependsOnNodes = [sm];
    } else {
      dependsOnNodes = m.metrics.map(metricId);
    }
    // A non-empty config.meta is copied to the node's meta.
    const configMeta = m.config?.meta ?? {};
    metrics[id] = {
      name: m.name,
      resource_type: 'metric',
      package_name: PKG,
      path: rel,
      original_file_path: m.yml,
      unique_id: id,
      fqn: [PKG, ...dirs, m.name],
      description: m.description ?? '',
      label: m.label,
      type: m.type,
      type_params: {
        measure: m.type === 'simple' ? inputMeasure(m.measure) : null,
        input_measures: dedupe(inputMeasuresOf(m)).map(inputMeasure),
        numerator: null,
        denominator: null,
        expr: m.type === 'simple' ? null : m.expr,
        window: null,
        grain_to_date: null,
        metrics: (m.metrics ?? []).map((name) => ({
          name,
          filter: null,
          alias: null,
          offset_window: null,
          offset_to_grain: null,
        })),
        conversion_type_params: null,
        cumulative_type_params: null,
        metric_aggregation_params: null,
      },
      filter: null,
      metadata: null,
      time_granularity: null,
      meta: clone(configMeta),
      tags: [],
      config: { enabled: true, group: null, meta: clone(configMeta) },
      unrendered_config: m.config ? clone(m.config) : {},
      sources: [],
      depends_on: { macros: [], nodes: dependsOnNodes },
      refs: [],
      metrics: [],
      created_at: createdAt(),
      group: null,
    };
  }

  // --- maps ----------------------------------------------------------------------------------
  const edgeMembers = [
    ...Object.values(nodes),
    ...Object.values(sources),
    ...Object.values(exposures),
    ...Object.values(metrics),
    ...Object.values(semanticModels),
  ];
  const childMap = {};
  const parentMap = {};
  for (const m of edgeMembers) childMap[m.unique_id] = [];
  for (const m of edgeMembers) {
    const parents = m.depends_on?.nodes ?? [];
    parentMap[m.unique_id] = [...parents];
    for (const p of parents) if (p in childMap) childMap[p].push(m.unique_id);
  }
  for (const k of Object.keys(childMap)) childMap[k] = sortedStrings(childMap[k]);
  for (const k of Object.keys(parentMap)) parentMap[k] = sortedStrings(parentMap[k]);

  const groupMap = {};
  for (const g of Object.values(groups)) groupMap[g.name] = [];
  for (const node of Object.values(nodes)) {
    if (node.group !== null && node.group in groupMap) groupMap[node.group].push(node.unique_id);
  }

  return {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
      dbt_version: '1.10.5',
      generated_at: '2025-07-23T12:00:05.000000Z',
      invocation_id: '5d0c8c3e-7f1a-4b2e-9a44-1c3f2b8e6d70',
      invocation_started_at: '2025-07-23T11:59:58.000000+00:00',
      env: {},
      project_name: PKG,
      project_id: md5(PKG),
      user_id: null,
      send_anonymous_usage_stats: false,
      adapter_type: 'duckdb',
      quoting: { database: true, schema: true, identifier: true, column: null },
    },
    nodes,
    sources,
    macros,
    docs: {},
    exposures,
    metrics,
    groups,
    selectors: {},
    disabled: {},
    parent_map: parentMap,
    child_map: childMap,
    group_map: groupMap,
    saved_queries: {},
    semantic_models: semanticModels,
    unit_tests: {},
  };
}

/** One generic test node (SchemaGenericTestParser + synthesize_generic_test_names). */
function genericTestNode(plan, { resolveRef, resolveSource, nodes }) {
  const [testName, args] =
    typeof plan.test === 'string' ? [plan.test, {}] : Object.entries(plan.test)[0];
  const t = plan.target;
  let modelArg;
  let targetName;
  let testType = testName;
  if (t.kind === 'source') {
    modelArg = `source('${t.sourceName}', '${t.tableName}')`;
    targetName = `${t.sourceName}_${t.tableName}`;
    testType = `source_${testName}`;
  } else if (t.version !== null && t.version !== undefined) {
    modelArg = `ref('${t.name}', version='${t.version}')`;
    targetName = `${t.name}_v${t.version}`;
  } else {
    modelArg = `ref('${t.name}')`;
    targetName = t.name;
  }
  const kwargs = {
    column_name: plan.columnName,
    ...clone(args),
    model: `{{ get_where_subquery(${modelArg}) }}`,
  };

  const flat = [];
  for (const key of sortedStrings(Object.keys(kwargs))) {
    if (key === 'model') continue;
    const v = kwargs[key];
    const parts = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : [v];
    flat.push(...parts.map((x) => String(x).replace(/[^0-9a-zA-Z_]+/g, '_')));
  }
  const identifier = `${testType}_${targetName}`;
  const fullName = `${identifier}_${flat.join('__')}`;
  const shortName =
    fullName.length >= 64 ? `${identifier.slice(0, 30)}_${md5(fullName)}` : fullName;

  const testMetadata = { name: testName, kwargs, namespace: null };
  const hash = md5(
    fullName + pyRepr(hashableMd({ name: testName, kwargs, namespace: null })),
  ).slice(-10);
  const id = `test.${PKG}.${fullName}.${hash}`;

  // refs in the order dbt records them: relationship target first, then the tested model.
  const scanText = [args.to ?? '', t.kind === 'source' ? '' : modelArg].join('\n');
  const refs = scanSql(scanText).refs.map((r) =>
    r.version === null ? r : { ...r, version: Number(r.version) },
  );
  const srcs = t.kind === 'source' ? [[t.sourceName, t.tableName]] : [];
  const depNodes = dedupe([...srcs.map(resolveSource), ...refs.map(resolveRef)]);

  const { dirs } = splitResourcePath(plan.yml);
  const config = testConfigDefaults();
  const unrendered = {};
  let raw = `{{ test_${testName}(**_dbt_generic_test_kwargs) }}`;
  if (shortName !== fullName) {
    config.alias = shortName;
    unrendered.alias = shortName;
    raw += `{{ config(alias="${shortName}") }}`;
  }
  const attachedGroup = plan.attachedNode ? nodes[plan.attachedNode].group : null;
  return {
    database: DATABASE,
    schema: `${TARGET_SCHEMA}_${TEST_SCHEMA}`,
    name: fullName,
    resource_type: 'test',
    package_name: PKG,
    path: `${shortName}.sql`,
    original_file_path: plan.yml,
    unique_id: id,
    fqn: [PKG, ...dirs, fullName],
    alias: shortName,
    checksum: { name: 'none', checksum: '' },
    config,
    tags: [],
    description: '',
    columns: {},
    meta: {},
    group: attachedGroup,
    docs: { show: true, node_color: null },
    patch_path: null,
    build_path: null,
    unrendered_config: unrendered,
    created_at: createdAt(),
    relation_name: null,
    raw_code: raw,
    doc_blocks: [],
    language: 'sql',
    refs,
    sources: srcs,
    metrics: [],
    depends_on: {
      macros: [`macro.dbt.test_${testName}`, 'macro.dbt.get_where_subquery'],
      nodes: depNodes,
    },
    compiled_path: null,
    contract: { enforced: false, alias_types: true, checksum: null },
    column_name: plan.columnName,
    file_key_name: plan.fileKeyName,
    attached_node: plan.attachedNode,
    test_metadata: testMetadata,
  };
}

/** ModelNode.infer_primary_key. */
function inferPrimaryKey(model, nodes) {
  for (const con of model.constraints) if (con.type === 'primary_key') return [...con.columns];
  for (const [name, col] of Object.entries(model.columns)) {
    if (col.constraints.some((x) => x.type === 'primary_key')) return [name];
  }
  const unique = [];
  const notNull = [];
  for (const n of Object.values(nodes)) {
    if (n.resource_type !== 'test' || n.attached_node !== model.unique_id || !n.test_metadata) {
      continue;
    }
    const col = n.test_metadata.kwargs.column_name;
    if (typeof col !== 'string') continue;
    if (n.test_metadata.name === 'unique') unique.push(col);
    else if (n.test_metadata.name === 'not_null') notNull.push(col);
  }
  const both = dedupe(notNull.filter((x) => unique.includes(x)));
  if (both.length) return both;
  return dedupe(unique);
}

// ---------------------------------------------------------------------------------------------

function parseArgs(argv) {
  let out = DEFAULT_OUT;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') {
      const value = argv[++i];
      if (!value) throw new Error('--out needs a file path');
      out = path.resolve(value);
    } else if (argv[i].startsWith('--out=')) {
      out = path.resolve(argv[i].slice('--out='.length));
    } else {
      throw new Error(
        `unknown argument ${argv[i]} (usage: build-example-manifest.mjs [--out FILE])`,
      );
    }
  }
  return { out };
}

const { out } = parseArgs(process.argv.slice(2));
const manifest = buildManifest();
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(
  `wrote ${path.relative(process.cwd(), out) || out}: ${Object.keys(manifest.nodes).length} nodes, ` +
    `${Object.keys(manifest.sources).length} sources, ${Object.keys(manifest.exposures).length} exposures, ` +
    `${Object.keys(manifest.semantic_models).length} semantic models, ${Object.keys(manifest.metrics).length} metrics`,
);
