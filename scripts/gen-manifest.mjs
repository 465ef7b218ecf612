#!/usr/bin/env node
// Synthetic dbt manifest generator (schema v12, dbt 1.10.5 shapes) for benchmarks and tests.
//
//   npm run gen -- --models N [--out FILE] [--seed S] [--pretty] [--quiet]
//   npm run gen -- --tree --models N [--out DIR] [--seed S] [--quiet]   (a source tree: gen-tree.mjs)
//
// Plain Node ESM, node: builtins only. The output is streamed to disk in ~1 MiB pieces with
// fs.writeSync, so memory stays bounded by the project plan (a few typed arrays and one id string
// per node), never by the size of the file: `--models 100000` writes ~1.7 GiB.
//
// Layout: 8 domains (core first), each with staging -> intermediate -> marts layers. Staging models
// read sources (and sometimes seeds); intermediate and marts ref models of their own domain, of
// `core`, and occasionally of other domains (a few of those refs point at private/protected
// models, i.e. governance violations a checker should find). Everything is a pure function of
// (--models, --seed): same arguments -> byte-identical file.

import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nodeConfigDefaults } from './dbt-defaults.mjs';

const USAGE = `usage: node scripts/gen-manifest.mjs --models N [--out FILE] [--seed S] [--pretty] [--quiet]

  --models N   number of model nodes (required; accepts 1000, 10k, 100k)
  --out FILE   output path (default: bench-out/manifest-<N>.json)
  --seed S     PRNG seed, integer or string (default: 1)
  --pretty     indent with 2 spaces (default: dbt's own single-line ", " / ": " style)
  --quiet      only print the final "wrote ..." line
  --tree       write a dbt project tree instead (see scripts/gen-tree.mjs --help)`;

// ---------------------------------------------------------------------------------------------
// CLI

function parseCli(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        models: { type: 'string', short: 'n' },
        out: { type: 'string', short: 'o' },
        seed: { type: 'string', default: '1' },
        pretty: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    fail(`${err.message}\n\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.models === undefined) fail(`--models is required\n\n${USAGE}`);
  const match = /^(\d+)(k)?$/i.exec(values.models.trim());
  if (!match) fail(`--models must be a positive integer (got ${values.models})`);
  const models = Number(match[1]) * (match[2] ? 1000 : 1);
  if (!Number.isSafeInteger(models) || models < 1 || models > 5_000_000) {
    fail(`--models must be between 1 and 5000000 (got ${values.models})`);
  }
  const seedText = values.seed.trim();
  const seed = /^-?\d+$/.test(seedText) ? Number(seedText) >>> 0 : strHash(seedText);
  const out = values.out ?? path.join('bench-out', `manifest-${models}.json`);
  return { models, seed, out, pretty: values.pretty, quiet: values.quiet };
}

function fail(msg) {
  console.error(`gen-manifest: ${msg}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Deterministic PRNG (mulberry32) with independent sub-streams per (kind, index)

function mulberry32(a) {
  return function next() {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fmix(h) {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hash3(a, b, c) {
  let h = fmix((a ^ 0x9e3779b9) >>> 0);
  h = fmix((h + Math.imul(b + 1, 0x632be5ab)) >>> 0);
  h = fmix((h + Math.imul(c + 1, 0x27d4eb2f)) >>> 0);
  return h;
}

function strHash(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h >>> 0);
}

class Rng {
  constructor(seed) {
    this.next = mulberry32(seed);
  }
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(arr) {
    return arr[Math.floor(this.next() * arr.length)];
  }
  /** index into a list of weights (need not sum to 1) */
  weighted(weights) {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i];
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
  hex(n) {
    let s = '';
    while (s.length < n) s += ((this.next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
    return s.slice(0, n);
  }
  /** k distinct elements of arr (k clipped to arr.length), in random order */
  sample(arr, k) {
    const copy = arr.slice();
    const out = [];
    k = Math.min(k, copy.length);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j], copy[i]];
      out.push(copy[i]);
    }
    return out;
  }
}

// sub-stream kinds
const K = {
  PLAN: 1,
  MODEL: 2,
  SOURCE: 3,
  SEED: 4,
  SNAPSHOT: 5,
  TEST: 6,
  EXPOSURE: 7,
  MACRO: 8,
  MACRO_PLAN: 9,
  DOC: 10,
  META: 11,
  DISABLED: 12,
  TEST_VALUES: 13,
  GROUP: 14,
};

// ---------------------------------------------------------------------------------------------
// Vocabulary

const PROJECT = 'acme_analytics';
const DATABASE = 'analytics';
const RAW_DATABASE = 'raw';
const LAYER_DIRS = ['staging', 'intermediate', 'marts'];
const LAYER_TIER = ['bronze', 'silver', 'gold'];

const DOMAINS = [
  {
    name: 'core',
    title: 'Core',
    systems: ['app_db', 'salesforce', 'erp'],
    nouns: [
      'customer',
      'account',
      'user',
      'organization',
      'product',
      'subscription',
      'plan',
      'order',
      'order_item',
      'address',
      'region',
      'country',
      'employee',
      'contract',
      'vendor',
      'calendar_day',
    ],
  },
  {
    name: 'payments',
    title: 'Payments',
    systems: ['stripe', 'adyen', 'ledger'],
    nouns: [
      'payment',
      'refund',
      'chargeback',
      'payout',
      'invoice',
      'payment_method',
      'settlement',
      'dispute',
      'fee',
      'authorization',
      'capture',
      'wallet',
      'transfer',
      'balance',
      'ledger_entry',
      'card',
    ],
  },
  {
    name: 'growth',
    title: 'Growth',
    systems: ['amplitude', 'segment', 'braze'],
    nouns: [
      'signup',
      'trial',
      'activation',
      'referral',
      'experiment',
      'cohort',
      'funnel_step',
      'session',
      'invite',
      'conversion',
      'feature_flag',
      'paywall_view',
      'upsell',
      'churn_signal',
      'page_view',
      'event',
    ],
  },
  {
    name: 'finance',
    title: 'Finance',
    systems: ['netsuite', 'workday', 'coupa'],
    nouns: [
      'journal_entry',
      'gl_account',
      'budget',
      'forecast',
      'expense',
      'purchase_order',
      'cost_center',
      'revenue_schedule',
      'accrual',
      'fx_rate',
      'tax_line',
      'bill',
      'vendor_payment',
      'asset',
      'depreciation',
      'period_close',
    ],
  },
  {
    name: 'marketing',
    title: 'Marketing',
    systems: ['hubspot', 'google_ads', 'facebook_ads'],
    nouns: [
      'campaign',
      'ad_group',
      'ad',
      'keyword',
      'impression',
      'click',
      'lead',
      'contact',
      'email_send',
      'email_open',
      'landing_page',
      'utm_touch',
      'attribution',
      'audience',
      'ad_spend',
      'form_submission',
    ],
  },
  {
    name: 'logistics',
    title: 'Logistics',
    systems: ['shipbob', 'wms', 'fedex'],
    nouns: [
      'shipment',
      'parcel',
      'warehouse',
      'inventory_level',
      'stock_movement',
      'carrier',
      'delivery',
      'return',
      'pick_list',
      'route',
      'sku',
      'bin_location',
      'fulfillment',
      'tracking_event',
      'purchase_receipt',
      'dock_slot',
    ],
  },
  {
    name: 'support',
    title: 'Support',
    systems: ['zendesk', 'intercom', 'stella'],
    nouns: [
      'ticket',
      'ticket_comment',
      'agent',
      'conversation',
      'csat_response',
      'macro_usage',
      'sla_policy',
      'escalation',
      'call',
      'chat',
      'knowledge_article',
      'queue',
      'shift',
      'survey_response',
      'tag_assignment',
      'handoff',
    ],
  },
  {
    name: 'risk',
    title: 'Risk',
    systems: ['sift', 'onfido', 'rules_engine'],
    nouns: [
      'risk_score',
      'fraud_case',
      'kyc_check',
      'sanction_hit',
      'device',
      'login_attempt',
      'rule_hit',
      'review',
      'blocklist_entry',
      'identity_document',
      'alert',
      'investigation',
      'watchlist',
      'velocity_check',
      'decision',
      'appeal',
    ],
  },
];
const D = DOMAINS.length;
const DOMAIN_WEIGHTS = [0.16, 0.12, 0.12, 0.12, 0.12, 0.12, 0.12, 0.12];
const LAYER_WEIGHTS = [0.4, 0.35, 0.25];

const QUALIFIERS = [
  'history',
  'daily',
  'current',
  'eu',
  'us',
  'apac',
  'legacy',
  'archive',
  'backfill',
  'latam',
  'emea',
  'hourly',
];
const INT_VERBS = [
  'enriched',
  'joined',
  'aggregated',
  'deduped',
  'unioned',
  'pivoted',
  'filtered',
  'scored',
  'windowed',
  'mapped',
  'classified',
  'reconciled',
];
const MART_QUALS = [
  '',
  'daily',
  'monthly',
  'summary',
  'snapshot',
  'by_region',
  'by_channel',
  'weekly',
  'history',
  'rollup',
  'by_segment',
  'quarterly',
];
const FIRST_NAMES = [
  'priya',
  'marcus',
  'lena',
  'tomas',
  'aisha',
  'kenji',
  'sofia',
  'daniel',
  'mei',
  'oluwaseun',
  'ines',
  'jakob',
  'fatima',
  'luca',
  'hannah',
  'rafael',
  'noor',
  'erik',
  'chloe',
  'arjun',
  'zoe',
  'mateo',
  'yara',
  'felix',
];
const LAST_NAMES = [
  'shah',
  'johnson',
  'berg',
  'novak',
  'okafor',
  'tanaka',
  'rossi',
  'kim',
  'chen',
  'adeyemi',
  'garcia',
  'fischer',
  'haddad',
  'bianchi',
  'meyer',
  'silva',
  'rahman',
  'larsen',
  'dubois',
  'patel',
  'nguyen',
  'lopez',
  'costa',
  'wagner',
];
const STATUS_VALUES = [
  'pending',
  'active',
  'completed',
  'cancelled',
  'failed',
  'refunded',
  'on_hold',
  'expired',
];
const EXPOSURE_KINDS = [
  ['dashboard', 'kpi_dashboard', 'KPI dashboard'],
  ['dashboard', 'weekly_business_review', 'Weekly business review'],
  ['dashboard', 'executive_overview', 'Executive overview'],
  ['notebook', 'deep_dive', 'Deep-dive notebook'],
  ['analysis', 'quarterly_analysis', 'Quarterly analysis'],
  ['ml', 'propensity_model', 'Propensity model features'],
  ['application', 'ops_console', 'Operations console'],
  ['dashboard', 'health_monitor', 'Health monitor'],
];

/** common columns: [name, data_type, description, docBlock?, pii?] */
const COLUMN_POOL = [
  [
    'created_at',
    'timestamp_ntz',
    'Timestamp (UTC) at which the record was created in the source system.',
    1,
  ],
  [
    'updated_at',
    'timestamp_ntz',
    'Timestamp (UTC) of the most recent change to the record in the source system.',
    1,
  ],
  [
    '_loaded_at',
    'timestamp_ltz',
    'Timestamp at which the loader last synced this row into the raw database.',
    1,
  ],
  [
    'is_deleted',
    'boolean',
    'True when the record was soft-deleted upstream; deleted rows are kept for auditability.',
    1,
  ],
  [
    'currency_code',
    'varchar(3)',
    'ISO 4217 three-letter currency code of the monetary amounts on this row.',
    1,
  ],
  [
    'amount_usd',
    'number(38,2)',
    'Amount converted to US dollars using the daily FX rate of the transaction date.',
  ],
  [
    'amount_local',
    'number(38,2)',
    'Amount in the original (local) currency, before any FX conversion.',
  ],
  [
    'country_code',
    'varchar(2)',
    'ISO 3166-1 alpha-2 country code derived from the billing or shipping address.',
    1,
  ],
  ['region', 'varchar', 'Commercial region (AMER, EMEA, APAC, LATAM) the record is attributed to.'],
  [
    'channel',
    'varchar',
    'Acquisition or sales channel, e.g. web, ios, android, partner or field sales.',
  ],
  ['event_date', 'date', 'Calendar date of the event in the reporting timezone (UTC).'],
  [
    'event_ts',
    'timestamp_ntz',
    'Exact timestamp of the event as emitted by the producing service.',
  ],
  ['quantity', 'number(38,0)', 'Number of units involved in the record.'],
  [
    'unit_price',
    'number(38,4)',
    'Price per unit in the local currency at the time of the transaction.',
  ],
  ['discount_amount', 'number(38,2)', 'Total discount applied, in the local currency.'],
  ['tax_amount', 'number(38,2)', 'Total tax amount, in the local currency.'],
  ['source_system', 'varchar', 'Name of the upstream system the row originates from.', 1],
  ['external_id', 'varchar', 'Identifier of the record in the external (vendor) system.'],
  [
    'email',
    'varchar',
    'Email address of the person; PII, masked outside of the restricted schemas.',
    0,
    1,
  ],
  ['phone_number', 'varchar', 'Phone number in E.164 format; PII.', 0, 1],
  ['first_name', 'varchar', 'Given name of the person; PII.', 0, 1],
  ['last_name', 'varchar', 'Family name of the person; PII.', 0, 1],
  ['ip_address', 'varchar', 'IP address the request originated from; PII.', 0, 1],
  ['user_agent', 'varchar', 'Raw user agent string of the client.'],
  ['platform', 'varchar', 'Client platform (web, ios, android, api).'],
  ['app_version', 'varchar', 'Semantic version of the client application.'],
  [
    'segment',
    'varchar',
    'Customer segment (self-serve, mid-market, enterprise) at the time of the record.',
  ],
  ['tier', 'varchar', 'Pricing tier of the account at the time of the record.'],
  [
    'is_test',
    'boolean',
    'True for internal or test traffic that must be excluded from reporting.',
    1,
  ],
  [
    'valid_from',
    'timestamp_ntz',
    'Start of the validity window of this version of the record (SCD type 2).',
    1,
  ],
  [
    'valid_to',
    'timestamp_ntz',
    'End of the validity window; null for the current version (SCD type 2).',
    1,
  ],
  ['is_current', 'boolean', 'True for the currently valid version of the record.', 1],
  ['row_hash', 'varchar', 'MD5 hash of all business columns, used for change detection.'],
  ['batch_id', 'varchar', 'Identifier of the load batch that produced this row.'],
  ['notes', 'varchar', 'Free-text notes entered by operators; may contain sensitive information.'],
  ['priority', 'number(38,0)', 'Priority from 1 (highest) to 5 (lowest).'],
  ['score', 'float', 'Model or rule score between 0 and 1.'],
  ['duration_seconds', 'number(38,0)', 'Duration of the activity in seconds.'],
  ['first_seen_at', 'timestamp_ntz', 'First time the entity was observed in any source.'],
  ['last_seen_at', 'timestamp_ntz', 'Most recent time the entity was observed in any source.'],
  ['fiscal_period', 'varchar', 'Fiscal period (YYYY-PP) the record is booked in.', 1],
  ['owner_email', 'varchar', 'Email of the internal owner of the record; PII.', 0, 1],
  ['timezone', 'varchar', 'IANA timezone name of the account.'],
  ['locale', 'varchar', 'BCP 47 locale of the user interface.'],
  ['utm_source', 'varchar', 'UTM source parameter of the attributed touch.', 1],
  ['utm_medium', 'varchar', 'UTM medium parameter of the attributed touch.', 1],
  ['utm_campaign', 'varchar', 'UTM campaign parameter of the attributed touch.', 1],
];
const DOC_COLUMNS = COLUMN_POOL.filter((c) => c[3]);

const RAW_COLUMNS = [
  ['id', 'varchar', 'Primary key of the table in the source system.'],
  ['created', 'timestamp_ntz', 'Creation timestamp as reported by the vendor API.'],
  ['updated', 'timestamp_ntz', 'Last update timestamp as reported by the vendor API.'],
  ['amount', 'number(38,0)', 'Amount in minor units (cents) of the currency.'],
  ['currency', 'varchar', 'Lower-case ISO currency code.'],
  ['status', 'varchar', 'Vendor-specific status string.'],
  ['customer', 'varchar', 'Identifier of the customer the record belongs to.'],
  ['metadata', 'variant', 'Free-form key/value metadata attached by the application.'],
  ['livemode', 'boolean', 'False for records created with test credentials.'],
  ['description', 'varchar', 'Human readable description.'],
  ['country', 'varchar', 'Country name or code as entered by the user.'],
  ['email', 'varchar', 'Email address; PII.'],
  ['_fivetran_synced', 'timestamp_ltz', 'Time when the row was last synced by Fivetran.'],
  ['_fivetran_deleted', 'boolean', 'True if the row was deleted in the source.'],
  ['external_ref', 'varchar', 'Reference to an object in a third-party system.'],
  ['type', 'varchar', 'Vendor-specific type discriminator.'],
  ['quantity', 'number(38,0)', 'Quantity as reported by the source.'],
  ['account', 'varchar', 'Identifier of the owning account.'],
  ['event_time', 'timestamp_ntz', 'Time of the event.'],
  ['payload', 'variant', 'Raw JSON payload of the event.'],
];

const MODEL_SENTENCES = [
  'It is rebuilt every hour by the production job and is safe to query during business hours.',
  'Rows for internal test accounts are excluded upstream.',
  'All timestamps are in UTC; monetary amounts are in USD unless the column name says otherwise.',
  'Late-arriving records are picked up by a three-day lookback on incremental runs.',
  'The grain is enforced by unique and not_null tests on the primary key.',
  'See the domain overview in the docs site for the business definitions used here.',
  'Consumers outside the owning team should prefer the public marts over this model.',
  'Historical data before 2019 was migrated from the legacy warehouse and may be incomplete.',
  'Soft-deleted records are retained and flagged with is_deleted.',
  'PII columns are masked by a dynamic masking policy outside the restricted role.',
];

// ---------------------------------------------------------------------------------------------
// Small helpers

function plural(noun) {
  if (/[^aeiou]y$/.test(noun)) return noun.slice(0, -1) + 'ies';
  if (/(s|x|ch|sh)$/.test(noun)) return noun + 'es';
  return noun + 's';
}
function human(noun) {
  return noun.replace(/_/g, ' ');
}
function qualifier(k) {
  // k >= 1
  const q = QUALIFIERS[(k - 1) % QUALIFIERS.length];
  const n = Math.floor((k - 1) / QUALIFIERS.length);
  return n ? `${q}_${n + 1}` : q;
}
function md5(s) {
  return createHash('md5').update(s).digest('hex');
}
function sha256(s) {
  return createHash('sha256').update(s).digest('hex');
}
function uuidFrom(rng) {
  const h = rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
function personOf(domainIdx, k) {
  const r = new Rng(hash3(domainIdx, 977, k));
  const first = r.pick(FIRST_NAMES);
  const last = r.pick(LAST_NAMES);
  return {
    email: `${first}.${last}@acme.io`,
    name: `${first[0].toUpperCase()}${first.slice(1)} ${last[0].toUpperCase()}${last.slice(1)}`,
  };
}
function teamEmail(d) {
  return `${DOMAINS[d].name}-data@acme.io`;
}

// ---------------------------------------------------------------------------------------------
// Serialisation: dbt writes `json.dumps(...)` style, i.e. single line with ", " and ": ".

function py(v) {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    let s = '[' + py(v[0]);
    for (let i = 1; i < v.length; i++) s += ', ' + py(v[i]);
    return s + ']';
  }
  let s = '';
  for (const k in v) s += (s ? ', ' : '{') + JSON.stringify(k) + ': ' + py(v[k]);
  return s ? s + '}' : '{}';
}

class Out {
  constructor(fd, pretty) {
    this.fd = fd;
    this.pretty = pretty;
    this.parts = [];
    this.len = 0;
    this.bytes = 0;
    this.topFirst = true;
    this.mapFirst = true;
  }
  w(s) {
    this.parts.push(s);
    this.len += s.length;
    if (this.len >= 1 << 20) this.flush();
  }
  flush() {
    if (this.len === 0) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.len = 0;
    let off = 0;
    while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
    this.bytes += buf.length;
  }
  val(v, depth) {
    if (!this.pretty) return py(v);
    const s = JSON.stringify(v, null, 2);
    return depth ? s.replace(/\n/g, '\n' + '  '.repeat(depth)) : s;
  }
  topSep() {
    if (this.pretty) this.w(this.topFirst ? '\n  ' : ',\n  ');
    else if (!this.topFirst) this.w(', ');
    this.topFirst = false;
  }
  begin() {
    this.w('{');
  }
  end() {
    this.w(this.pretty ? '\n}\n' : '}');
    this.flush();
  }
  top(key, value) {
    this.topSep();
    this.w(JSON.stringify(key) + ': ' + this.val(value, 1));
  }
  openMap(key) {
    this.topSep();
    this.w(JSON.stringify(key) + ': {');
    this.mapFirst = true;
  }
  entry(key, value) {
    if (this.pretty) this.w((this.mapFirst ? '\n    ' : ',\n    ') + JSON.stringify(key) + ': ');
    else this.w((this.mapFirst ? '' : ', ') + JSON.stringify(key) + ': ');
    this.w(this.val(value, 2));
    this.mapFirst = false;
  }
  closeMap() {
    this.w(this.pretty && !this.mapFirst ? '\n  }' : '}');
  }
}

// ---------------------------------------------------------------------------------------------
// Project plan: structure only (typed arrays + id strings); content is generated when emitted.

const MAT = ['view', 'table', 'incremental', 'ephemeral'];
const ACCESS = ['private', 'protected', 'public'];
const T_UNIQUE = 0;
const T_NOT_NULL = 1;
const T_ACCEPTED = 2;
const T_REL = 3;
const T_SRC_NOT_NULL = 4;
const T_SRC_UNIQUE = 5;

function makePlan(N, seed) {
  const r = new Rng(hash3(seed, K.PLAN, 0));
  const S = Math.max(D, Math.round(N / 10));
  const E = Math.max(2, Math.round(N / 100));
  const P = Math.max(1, Math.round(N / 200));
  const X = Math.max(1, Math.round(N / 200));
  const Q = Math.ceil(N / 1000);

  // --- models: domain, layer, local index, versions
  const domainOf = new Uint8Array(N);
  const layerOf = new Uint8Array(N);
  const localOf = new Int32Array(N);
  const versionOf = new Uint8Array(N); // 0 = unversioned
  const counters = Array.from({ length: D }, () => [0, 0, 0]);
  for (let m = 0; m < N; m++) {
    const d = r.weighted(DOMAIN_WEIGHTS);
    const l = r.weighted(LAYER_WEIGHTS);
    domainOf[m] = d;
    layerOf[m] = l;
    localOf[m] = counters[d][l]++;
    if (l === 2 && m + 1 < N && r.chance(0.02)) {
      versionOf[m] = 1;
      versionOf[m + 1] = 2;
      domainOf[m + 1] = d;
      layerOf[m + 1] = 2;
      localOf[m + 1] = localOf[m];
      m++;
    }
  }
  const lists = Array.from({ length: D }, () => [[], [], []]);
  for (let m = 0; m < N; m++) lists[domainOf[m]][layerOf[m]].push(m);

  // --- sources: source j -> domain j % D, local floor(j / D)
  const srcCount = (d) => Math.ceil((S - d) / D);
  const srcSystem = new Array(S);
  const srcTable = new Array(S);
  const srcNoun = new Array(S);
  for (let j = 0; j < S; j++) {
    const dom = DOMAINS[j % D];
    const local = Math.floor(j / D);
    const ns = dom.systems.length;
    const t = Math.floor(local / ns);
    const noun = dom.nouns[t % dom.nouns.length];
    const extra = Math.floor(t / dom.nouns.length);
    srcSystem[j] = dom.systems[local % ns];
    srcNoun[j] = noun;
    srcTable[j] = plural(noun) + (extra ? '_' + qualifier(extra) : '');
  }

  // --- model names / entity nouns
  const names = new Array(N);
  const nounOf = new Array(N);
  const stagingSrc = new Int32Array(N).fill(-1);
  for (let m = 0; m < N; m++) {
    const d = domainOf[m];
    const dom = DOMAINS[d];
    const j = localOf[m];
    const nn = dom.nouns.length;
    if (layerOf[m] === 0) {
      const sd = srcCount(d);
      const sj = (j % sd) * D + d;
      const k = Math.floor(j / sd);
      stagingSrc[m] = sj;
      nounOf[m] = srcNoun[sj];
      // `__` before the variant: table names only contain single underscores, so no collisions
      names[m] = `stg_${srcSystem[sj]}__${srcTable[sj]}` + (k ? '__' + qualifier(k) : '');
    } else if (layerOf[m] === 1) {
      const noun = dom.nouns[j % nn];
      const v = Math.floor(j / nn);
      const extra = Math.floor(v / INT_VERBS.length);
      nounOf[m] = noun;
      names[m] =
        `int_${dom.name}__${plural(noun)}_${INT_VERBS[v % INT_VERBS.length]}` +
        (extra ? `_${extra + 1}` : '');
    } else {
      const ni = j % nn;
      const noun = dom.nouns[ni];
      const q = Math.floor(j / nn);
      const qual = MART_QUALS[q % MART_QUALS.length];
      const extra = Math.floor(q / MART_QUALS.length);
      nounOf[m] = noun;
      names[m] =
        `${ni % 3 === 0 ? 'dim' : 'fct'}_${dom.name}__${plural(noun)}` +
        (qual ? `_${qual}` : '') +
        (extra ? `_${extra + 1}` : '');
    }
  }

  // --- documentation, tests, access, groups, materialization
  const documented = new Uint8Array(N);
  const testMask = new Uint8Array(N);
  const accessOf = new Uint8Array(N);
  const groupOf = new Int8Array(N);
  const matOf = new Uint8Array(N);
  for (let m = 0; m < N; m++) {
    const l = layerOf[m];
    documented[m] = r.chance(0.96) ? 1 : 0;
    if (documented[m]) {
      const t = r.next();
      let mask = t < 0.85 ? 0b11 : t < 0.95 ? 0b10 : 0;
      if (r.chance(0.1)) mask |= 1 << T_ACCEPTED;
      testMask[m] = mask; // relationships bit added once parents are known
    }
    if (versionOf[m]) accessOf[m] = 2;
    else if (l === 0) accessOf[m] = r.chance(0.7) ? 1 : 0;
    else if (l === 1) accessOf[m] = r.chance(0.55) ? 1 : 0;
    else accessOf[m] = [2, 1, 0][r.weighted([0.75, 0.2, 0.05])];
    groupOf[m] = accessOf[m] === 0 || r.chance(0.8) ? domainOf[m] : -1;
    if (versionOf[m] === 2) {
      // same settings as v1
      documented[m] = documented[m - 1];
      groupOf[m] = groupOf[m - 1];
      if (!documented[m]) testMask[m] = 0;
    }
    if (l === 0) matOf[m] = [0, 1, 2][r.weighted([0.85, 0.1, 0.05])];
    else if (l === 1) {
      const x = r.weighted([0.4, 0.3, 0.2, 0.1]);
      matOf[m] = x === 3 && testMask[m] !== 0 ? 0 : x;
    } else matOf[m] = r.chance(0.55) ? 1 : 2;
  }

  // --- global index layout
  const oSeed = N;
  const oSnap = oSeed + E;
  const oTest = oSnap + P;
  // tests counted below; sources and exposures placed after tests

  // --- seeds
  const seedNames = new Array(E);
  const seedDomain = new Uint8Array(E);
  for (let e = 0; e < E; e++) {
    const d = e % D;
    const dom = DOMAINS[d];
    const local = Math.floor(e / D);
    const noun = dom.nouns[(local * 5 + 3) % dom.nouns.length];
    const extra = Math.floor(local / dom.nouns.length);
    seedDomain[e] = d;
    seedNames[e] = `${dom.name}__${noun}_mapping` + (extra ? `_${extra + 1}` : '');
  }
  const seedsByDomain = Array.from({ length: D }, () => []);
  for (let e = 0; e < E; e++) seedsByDomain[seedDomain[e]].push(e);

  // --- model parents (global indices: models < N, seeds oSeed+e, sources oSrc+j resolved later)
  // Temporarily encode sources as -(j + 1).
  const parents = new Array(N);
  const relTo = new Int32Array(N).fill(-1);
  const anyOf = (list) => (list.length ? list[Math.floor(r.next() * list.length)] : -1);
  const before = (list, m) => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] < m) lo = mid + 1;
      else hi = mid;
    }
    return lo ? list[Math.floor(r.next() * lo)] : -1;
  };
  const otherDomain = (d) => {
    let o = 1 + Math.floor(r.next() * (D - 1));
    if (o === d) o = o === D - 1 ? 1 : o + 1;
    return o;
  };
  const sameName = (a, b) =>
    domainOf[a] === domainOf[b] && layerOf[a] === layerOf[b] && localOf[a] === localOf[b];

  for (let m = 0; m < N; m++) {
    const d = domainOf[m];
    const l = layerOf[m];
    const L = lists;
    const refs = [];
    const srcs = [];
    if (l === 0) {
      srcs.push(stagingSrc[m]);
      const sd = srcCount(d);
      if (sd > 1 && r.chance(0.2)) {
        const other = r.int(0, sd - 1) * D + d;
        if (other !== stagingSrc[m]) srcs.push(other);
      }
      if (r.chance(0.1)) {
        const e = anyOf(seedsByDomain[d].length ? seedsByDomain[d] : seedsByDomain[0]);
        if (e >= 0) refs.push(oSeed + e);
      }
    } else {
      const k = 1 + r.weighted([0.3, 0.35, 0.2, 0.15]);
      const chosen = new Set();
      const add = (p) => {
        if (p < 0 || p === m || chosen.has(p) || sameName(p, m)) return false;
        chosen.add(p);
        refs.push(p);
        return true;
      };
      for (let i = 0; i < k; i++) {
        const c = r.next();
        let p = -1;
        if (d === 0) {
          if (l === 1) p = c < 0.75 ? anyOf(L[0][0]) : before(L[0][1], m);
          else p = c < 0.6 ? anyOf(L[0][1]) : c < 0.8 ? anyOf(L[0][0]) : before(L[0][2], m);
        } else if (l === 1) {
          if (c < 0.62) p = anyOf(L[d][0]);
          else if (c < 0.77) p = before(L[d][1], m);
          else if (c < 0.89) p = anyOf(L[0][2]);
          else if (c < 0.95) p = anyOf(r.chance(0.5) ? L[0][0] : L[0][1]);
          else p = anyOf(L[otherDomain(d)][0]);
        } else {
          if (c < 0.45) p = anyOf(L[d][1]);
          else if (c < 0.6) p = anyOf(L[d][0]);
          else if (c < 0.7) p = before(L[d][2], m);
          else if (c < 0.82) p = anyOf(L[0][2]);
          else if (c < 0.95) {
            const od = otherDomain(d);
            for (let t = 0; t < 3; t++) {
              p = before(L[od][2], m);
              if (p < 0 || accessOf[p] === 2) break;
            }
          } else p = anyOf(L[otherDomain(d)][1]);
        }
        if (!add(p) && refs.length === 0) {
          // fallbacks, most local first
          const fb =
            d === 0
              ? [L[0][l - 1], L[0][0]]
              : l === 1
                ? [L[d][0], L[0][2], L[0][1], L[0][0]]
                : [L[d][1], L[d][0], L[0][2], L[0][1], L[0][0]];
          for (const list of fb) if (add(anyOf(list))) break;
          if (refs.length === 0) {
            const b = before(L[d][l], m);
            add(b);
          }
        }
      }
      if (refs.length === 0) {
        // tiny projects: read a source of the domain directly
        srcs.push(d); // source index d is the first source of domain d (S >= D)
      }
      if (testMask[m] && r.chance(0.15)) {
        const firstModel = refs.find((p) => p < N);
        if (firstModel !== undefined) {
          relTo[m] = firstModel;
          testMask[m] |= 1 << T_REL;
        }
      }
    }
    parents[m] = { refs, srcs };
  }

  // --- snapshots (each on a staging model)
  const snapNames = new Array(P);
  const snapParent = new Int32Array(P);
  {
    const staging = [];
    for (let m = 0; m < N; m++) if (layerOf[m] === 0) staging.push(m);
    const pool = staging.length ? staging : Array.from({ length: N }, (_, i) => i);
    const used = new Set();
    for (let p = 0; p < P; p++) {
      const m = pool[(p * 7919 + 13) % pool.length];
      let name = 'snp_' + names[m].replace(/^stg_/, '');
      for (let k = 2; used.has(name); k++) name = `snp_${names[m].replace(/^stg_/, '')}_${k}`;
      used.add(name);
      snapNames[p] = name;
      snapParent[p] = m;
    }
  }

  // --- tests
  const tOwner = [];
  const tKind = [];
  for (let m = 0; m < N; m++) {
    const mask = testMask[m];
    for (const kind of [T_UNIQUE, T_NOT_NULL, T_ACCEPTED, T_REL]) {
      if (mask & (1 << kind)) {
        tOwner.push(m);
        tKind.push(kind);
      }
    }
  }
  const srcTestMask = new Uint8Array(S);
  for (let j = 0; j < S; j++) {
    const x = r.next();
    srcTestMask[j] = x < 0.3 ? 0b11 : x < 0.75 ? 0b10 : 0;
    if (srcTestMask[j] & 1) {
      tOwner.push(j);
      tKind.push(T_SRC_UNIQUE);
    }
    if (srcTestMask[j] & 2) {
      tOwner.push(j);
      tKind.push(T_SRC_NOT_NULL);
    }
  }
  const T = tOwner.length;
  const oSrc = oTest + T;
  const oExp = oSrc + S;
  const total = oExp + X;

  // --- exposures
  const expNames = new Array(X);
  const expDomain = new Uint8Array(X);
  const expParents = new Array(X);
  for (let x = 0; x < X; x++) {
    const d = x % D;
    const kind = EXPOSURE_KINDS[Math.floor(x / D) % EXPOSURE_KINDS.length];
    const n = Math.floor(x / (D * EXPOSURE_KINDS.length));
    expDomain[x] = d;
    expNames[x] = `${DOMAINS[d].name}_${kind[1]}` + (n ? `_${n + 1}` : '');
    const marts = lists[d][2].length ? lists[d][2] : lists[0][2];
    const pool = marts.length ? marts : Array.from({ length: N }, (_, i) => i);
    const k = r.int(1, 5);
    const chosen = new Set();
    for (let i = 0; i < k * 2 && chosen.size < k; i++) {
      const p = pool[Math.floor(r.next() * pool.length)];
      if (accessOf[p] === 2 || i >= k) chosen.add(p);
    }
    if (chosen.size === 0) chosen.add(pool[0]);
    expParents[x] = [...chosen];
  }

  const plan = {
    N,
    S,
    E,
    P,
    X,
    Q,
    T,
    seed,
    oSeed,
    oSnap,
    oTest,
    oSrc,
    oExp,
    total,
    domainOf,
    layerOf,
    localOf,
    versionOf,
    names,
    nounOf,
    stagingSrc,
    documented,
    testMask,
    accessOf,
    groupOf,
    matOf,
    parents,
    relTo,
    srcSystem,
    srcTable,
    srcNoun,
    srcTestMask,
    seedNames,
    seedDomain,
    snapNames,
    snapParent,
    tOwner: Int32Array.from(tOwner),
    tKind: Uint8Array.from(tKind),
    expNames,
    expDomain,
    expParents,
    lists,
  };

  // --- global parent lists (depends_on.nodes order: refs, then sources)
  const dep = new Array(total);
  for (let m = 0; m < N; m++) {
    const { refs, srcs } = parents[m];
    dep[m] = refs.concat(srcs.map((j) => oSrc + j));
  }
  for (let e = 0; e < E; e++) dep[oSeed + e] = [];
  for (let p = 0; p < P; p++) dep[oSnap + p] = [snapParent[p]];
  for (let t = 0; t < T; t++) {
    const o = plan.tOwner[t];
    const kind = plan.tKind[t];
    if (kind === T_REL) dep[oTest + t] = [relTo[o], o];
    else if (kind === T_SRC_NOT_NULL || kind === T_SRC_UNIQUE) dep[oTest + t] = [oSrc + o];
    else dep[oTest + t] = [o];
  }
  for (let j = 0; j < S; j++) dep[oSrc + j] = [];
  for (let x = 0; x < X; x++) dep[oExp + x] = expParents[x];
  plan.dep = dep;

  // --- ids
  const ids = new Array(total);
  for (let m = 0; m < N; m++) ids[m] = modelId(plan, m);
  for (let e = 0; e < E; e++) ids[oSeed + e] = `seed.${PROJECT}.${seedNames[e]}`;
  for (let p = 0; p < P; p++) ids[oSnap + p] = `snapshot.${PROJECT}.${snapNames[p]}`;
  for (let t = 0; t < T; t++) ids[oTest + t] = testInfo(plan, t).uniqueId;
  for (let j = 0; j < S; j++) ids[oSrc + j] = `source.${PROJECT}.${srcSystem[j]}.${srcTable[j]}`;
  for (let x = 0; x < X; x++) ids[oExp + x] = `exposure.${PROJECT}.${expNames[x]}`;
  if (new Set(ids).size !== ids.length)
    throw new Error('internal error: duplicate unique_id in plan');
  plan.ids = ids;

  // --- children (CSR)
  const childCount = new Int32Array(total + 1);
  for (let g = 0; g < total; g++) for (const p of dep[g]) childCount[p + 1]++;
  for (let g = 0; g < total; g++) childCount[g + 1] += childCount[g];
  const childList = new Int32Array(childCount[total]);
  const fill = childCount.slice(0, total);
  for (let g = 0; g < total; g++) for (const p of dep[g]) childList[fill[p]++] = g;
  plan.childStart = childCount;
  plan.childList = childList;
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Derived per-node facts shared by several emitters

function modelId(plan, m) {
  const v = plan.versionOf[m];
  return `model.${PROJECT}.${plan.names[m]}` + (v ? `.v${v}` : '');
}
function modelAlias(plan, m) {
  const v = plan.versionOf[m];
  return plan.names[m] + (v ? `_v${v}` : '');
}
function modelSchema(plan, m) {
  return `${DOMAINS[plan.domainOf[m]].name}_${LAYER_DIRS[plan.layerOf[m]]}`;
}
function modelRelation(plan, m) {
  if (plan.matOf[m] === 3) return null;
  return `${DATABASE}.${modelSchema(plan, m)}.${modelAlias(plan, m)}`;
}
function modelCompiledRef(plan, m) {
  return plan.matOf[m] === 3
    ? `__dbt__cte__${plan.names[m]}`
    : `${DATABASE}.${modelSchema(plan, m)}.${modelAlias(plan, m)}`;
}
function modelDir(plan, m) {
  return `${DOMAINS[plan.domainOf[m]].name}/${LAYER_DIRS[plan.layerOf[m]]}`;
}
function modelYml(plan, m) {
  const dom = DOMAINS[plan.domainOf[m]].name;
  const layer = LAYER_DIRS[plan.layerOf[m]];
  return `models/${dom}/${layer}/_${dom}__${layer}__models.yml`;
}
function pkOf(plan, m) {
  return `${plan.nounOf[m]}_id`;
}
function statusColOf(plan, m) {
  return `${plan.nounOf[m]}_status`;
}
function refOf(plan, g) {
  // ref object for a model or seed parent
  if (g < plan.N) {
    const v = plan.versionOf[g];
    return { name: plan.names[g], package: null, version: v === 1 ? 1 : null };
  }
  return { name: plan.seedNames[g - plan.oSeed], package: null, version: null };
}
function groupName(g) {
  return g < 0 ? null : DOMAINS[g].name;
}

/** dbt's synthesize_generic_test_names (core/dbt/parser/generic_test_builders.py) */
function synthesizeTestName(testType, targetName, args) {
  const flat = [];
  for (const k of Object.keys(args).sort()) {
    if (k === 'model') continue;
    const v = args[k];
    if (Array.isArray(v)) flat.push(...v.map(String));
    else flat.push(String(v));
  }
  const unique = flat.map((a) => a.replace(/[^0-9a-zA-Z_]+/g, '_')).join('__');
  const identifier = `${testType}_${targetName}`;
  const fullName = `${identifier}_${unique}`;
  const shortName =
    fullName.length >= 64 ? `${identifier.slice(0, 30)}_${md5(fullName)}` : fullName;
  return { fullName, shortName };
}

function acceptedValuesFor(plan, m) {
  const r = new Rng(hash3(plan.seed, K.TEST_VALUES, m));
  return r.sample(STATUS_VALUES, r.int(3, 6)).sort();
}

function testInfo(plan, t) {
  const o = plan.tOwner[t];
  const kind = plan.tKind[t];
  if (kind === T_SRC_NOT_NULL || kind === T_SRC_UNIQUE) {
    const sys = plan.srcSystem[o];
    const table = plan.srcTable[o];
    const type = kind === T_SRC_UNIQUE ? 'unique' : 'not_null';
    const args = {
      column_name: 'id',
      model: `{{ get_where_subquery(source('${sys}', '${table}')) }}`,
    };
    const { fullName, shortName } = synthesizeTestName(`source_${type}`, `${sys}_${table}`, args);
    return finishTestInfo(plan, t, { type, args, fullName, shortName, column: 'id', src: o });
  }
  const name = plan.names[o];
  const v = plan.versionOf[o];
  const target = name + (v ? `_v${v}` : '');
  const modelArg = v
    ? `{{ get_where_subquery(ref('${name}', version='${v}')) }}`
    : `{{ get_where_subquery(ref('${name}')) }}`;
  const pk = pkOf(plan, o);
  let type;
  let args;
  let column = pk;
  if (kind === T_UNIQUE || kind === T_NOT_NULL) {
    type = kind === T_UNIQUE ? 'unique' : 'not_null';
    args = { column_name: pk, model: modelArg };
  } else if (kind === T_ACCEPTED) {
    type = 'accepted_values';
    column = statusColOf(plan, o);
    args = { values: acceptedValuesFor(plan, o), column_name: column, model: modelArg };
  } else {
    type = 'relationships';
    const to = plan.relTo[o];
    column = pkOf(plan, to);
    const tv = plan.versionOf[to];
    args = {
      to: tv === 1 ? `ref('${plan.names[to]}', v=1)` : `ref('${plan.names[to]}')`,
      field: pkOf(plan, to),
      column_name: column,
      model: modelArg,
    };
  }
  const { fullName, shortName } = synthesizeTestName(type, target, args);
  return finishTestInfo(plan, t, { type, args, fullName, shortName, column, model: o });
}

function finishTestInfo(plan, t, info) {
  const md = { name: info.type, kwargs: info.args, namespace: null };
  info.uniqueId = `test.${PROJECT}.${info.fullName}.${md5(info.fullName + py(md)).slice(-10)}`;
  info.metadata = md;
  return info;
}

// ---------------------------------------------------------------------------------------------
// SQL text

function pairBuf() {
  const R = [];
  const C = [];
  let rawLen = 0;
  return {
    both(s) {
      R.push(s);
      C.push(s);
      rawLen += s.length;
    },
    two(raw, compiled) {
      R.push(raw);
      C.push(compiled);
      rawLen += raw.length;
    },
    get rawLen() {
      return rawLen;
    },
    result() {
      return { raw: R.join(''), compiled: C.join('') };
    },
  };
}

const COMMENTS = [
  'normalise currency codes before joining to fx rates',
  'the vendor sends duplicate rows on retries; keep the latest version only',
  'late-arriving events are reconciled by the nightly backfill job',
  'exclude internal and test accounts (see is_test)',
  'amounts arrive in minor units; convert to major units once, here',
  'keep soft-deleted rows so downstream snapshots stay consistent',
  'TODO(data-platform): replace with the shared calendar model once migrated',
  'business rule agreed with the domain owners in the quarterly review',
  'guard against division by zero for brand-new accounts',
  'timestamps are stored as UTC without timezone in the warehouse',
];

function columnsByKind(cols) {
  const ts = [];
  const num = [];
  const str = [];
  const bool = [];
  for (const c of cols) {
    const t = c.data_type;
    if (t.startsWith('timestamp') || t === 'date') ts.push(c.name);
    else if (t.startsWith('number') || t === 'float') num.push(c.name);
    else if (t === 'boolean') bool.push(c.name);
    else str.push(c.name);
  }
  if (!ts.length) ts.push('updated_at');
  if (!num.length) num.push('amount_usd');
  if (!str.length) str.push('source_system');
  if (!bool.length) bool.push('is_deleted');
  return { ts, num, str, bool };
}

function derivedLine(r, k, aliasFor) {
  const ts = r.pick(k.ts);
  const others = k.ts.filter((c) => c !== ts);
  const ts2 = others.length ? r.pick(others) : ts === '_loaded_at' ? 'updated_at' : '_loaded_at';
  const num = r.pick(k.num);
  const str = r.pick(k.str);
  const bool = r.pick(k.bool);
  const key = r.pick(k.keys);
  switch (r.int(0, 12)) {
    case 0: {
      const part = r.pick(['day', 'week', 'month', 'quarter']);
      const a = aliasFor(`${ts}_${part}`);
      return [
        `{{ dbt.date_trunc('${part}', '${ts}') }} as ${a}`,
        `date_trunc('${part}', ${ts}) as ${a}`,
      ];
    }
    case 1: {
      const a = aliasFor(`days_between_${ts}_and_${ts2}`);
      return [
        `{{ dbt.datediff('${ts2}', '${ts}', 'day') }} as ${a}`,
        `datediff(day, ${ts2}, ${ts}) as ${a}`,
      ];
    }
    case 2: {
      const a = aliasFor(`${num}_dollars`);
      return [
        `{{ cents_to_dollars('${num}') }} as ${a}`,
        `round(${num} / 100.0, 2)::number(16, 2) as ${a}`,
      ];
    }
    case 3: {
      const a = aliasFor(`${num}_or_zero`);
      return [`coalesce(${num}, 0) as ${a}`];
    }
    case 4: {
      const a = aliasFor(`${str}_group`);
      return [
        `case\n            when ${str} is null then 'unknown'\n            when lower(${str}) in ('active', 'open', 'pending') then 'open'\n            when lower(${str}) in ('closed', 'completed', 'done') then 'closed'\n            else 'other'\n        end as ${a}`,
      ];
    }
    case 5: {
      const a = aliasFor(`${key.replace(/_id$/, '')}_sk`);
      const compiled = `md5(cast(coalesce(cast(${key} as TEXT), '_dbt_utils_surrogate_key_null_') || '-' || coalesce(cast(${ts} as TEXT), '_dbt_utils_surrogate_key_null_') as TEXT)) as ${a}`;
      return [`{{ dbt_utils.generate_surrogate_key(['${key}', '${ts}']) }} as ${a}`, compiled];
    }
    case 6: {
      const a = aliasFor(`cumulative_${num}`);
      return [
        `sum(${num}) over (\n            partition by ${key}\n            order by ${ts}\n            rows between unbounded preceding and current row\n        ) as ${a}`,
      ];
    }
    case 7: {
      const a = aliasFor(`previous_${ts}`);
      return [`lag(${ts}) over (partition by ${key} order by ${ts}) as ${a}`];
    }
    case 8: {
      const a = aliasFor(`${bool}_flag`);
      return [`iff(${bool}, 1, 0) as ${a}`];
    }
    case 9: {
      const a = aliasFor(`${str}_clean`);
      return [`nullif(trim(${str}), '') as ${a}`];
    }
    case 10: {
      const a = aliasFor(`${num}_share_of_${key.replace(/_id$/, '')}`);
      return [
        `{{ safe_divide('${num}', 'sum(' ~ '${num}' ~ ') over (partition by ${key})') }} as ${a}`,
        `case when sum(${num}) over (partition by ${key}) = 0 then null else ${num} / sum(${num}) over (partition by ${key}) end as ${a}`,
      ];
    }
    case 11: {
      const a = aliasFor(`is_recent_${ts}`);
      return [
        `${ts} >= {{ dbt.dateadd('day', -var('recent_days', 30), dbt.current_timestamp()) }} as ${a}`,
        `${ts} >= dateadd(day, -30, current_timestamp()) as ${a}`,
      ];
    }
    default: {
      const a = aliasFor(`${str}_rank`);
      return [`dense_rank() over (partition by ${key} order by ${str}) as ${a}`];
    }
  }
}

/**
 * Model SQL. `inputs`: [{ cte, raw, compiled, pk }] in depends_on order.
 * Returns { raw, compiled, macros } (macros = unique ids used).
 */
function modelSql(r, ctx) {
  const b = pairBuf();
  const macros = new Set();
  const target = 1000 + Math.floor(3000 * Math.pow(r.next(), 1.4));
  if (ctx.configCall) {
    const lines = [`        materialized='${ctx.mat}'`];
    if (ctx.mat === 'incremental') {
      lines.push(
        `        unique_key='${ctx.pk}'`,
        `        incremental_strategy='merge'`,
        `        on_schema_change='append_new_columns'`,
      );
    }
    if (ctx.tags.length) lines.push(`        tags=[${ctx.tags.map((t) => `'${t}'`).join(', ')}]`);
    b.two(`{{\n    config(\n${lines.join(',\n')}\n    )\n}}\n\n`, '\n\n');
  }
  b.both(`-- ${ctx.name}: ${ctx.summary}\n-- grain: one row per ${human(ctx.noun)}\n\n`);
  const eph = ctx.inputs.filter((i) => i.ephemeral);
  const injected = eph
    .map(
      (i) =>
        `__dbt__cte__${i.name} as (\n\n-- ephemeral model ${i.name}\nselect * from ${DATABASE}.${i.schema}.${i.name}_base\n)`,
    )
    .join(', ');
  b.two('with\n\n', eph.length ? `with ${injected},\n\n` : 'with\n\n');
  const ctes = [];
  ctx.inputs.forEach((inp, i) => {
    ctes.push(inp.cte);
    b.two(
      `${inp.cte} as (\n\n    select * from ${inp.raw}\n`,
      `${inp.cte} as (\n\n    select * from ${inp.compiled}\n`,
    );
    if (i === 0 && ctx.mat === 'incremental') {
      macros.add('macro.dbt.is_incremental');
      b.two(
        `    {% if is_incremental() %}\n    where updated_at > (select max(updated_at) from {{ this }})\n    {% endif %}\n`,
        `    \n    where updated_at > (select max(updated_at) from ${ctx.relation})\n    \n`,
      );
    }
    b.both('\n),\n\n');
  });
  const kinds = columnsByKind(ctx.columns);
  kinds.keys = [ctx.pk, ...ctx.inputs.map((i) => i.pk).filter(Boolean)];
  const used = new Set(ctx.columns.map((c) => c.name));
  const aliasFor = (base) => {
    let a = base;
    for (let i = 2; used.has(a); i++) a = `${base}_${i}`;
    used.add(a);
    return a;
  };
  // first logic CTE: select / rename the columns from the inputs
  const main = ctes[0] ?? 'source';
  const sel = ctx.columns.map((c, i) => {
    if (ctx.layer === 0) {
      const rawName = i === 0 ? 'id' : c.name;
      return `        cast(${rawName} as ${c.data_type}) as ${c.name}`;
    }
    return `        ${main}.${c.name}`;
  });
  let joins = '';
  for (let i = 1; i < ctx.inputs.length; i++) {
    const inp = ctx.inputs[i];
    if (!inp.pk) continue;
    joins += `    left join ${inp.cte}\n        on ${main}.${inp.pk} = ${inp.cte}.${inp.pk}\n`;
  }
  b.both(`renamed as (\n\n    select\n${sel.join(',\n')}\n    from ${main}\n${joins}\n),\n\n`);
  let prev = 'renamed';
  let n = 0;
  const blockNames = [
    'enriched',
    'classified',
    'windowed',
    'converted',
    'flagged',
    'scored',
    'bucketed',
  ];
  while (b.rawLen < target - 120) {
    const kind = r.int(0, 5);
    const name = n < blockNames.length ? blockNames[n] : `step_${n + 1}`;
    n++;
    if (kind === 0) {
      b.both(
        `${name} as (\n\n    select *\n    from ${prev}\n    qualify row_number() over (\n        partition by ${ctx.pk}\n        order by ${r.pick(kinds.ts)} desc\n    ) = 1\n\n),\n\n`,
      );
    } else if (kind === 1) {
      b.two(
        `${name} as (\n\n    select *\n    from ${prev}\n    where not coalesce(is_deleted, false)\n      and ${r.pick(kinds.ts)} >= '{{ var("start_date", "2019-01-01") }}'\n\n),\n\n`,
        `${name} as (\n\n    select *\n    from ${prev}\n    where not coalesce(is_deleted, false)\n      and ${r.pick(kinds.ts)} >= '2019-01-01'\n\n),\n\n`,
      );
    } else {
      const nLines = r.int(3, 8);
      const rawLines = [];
      const compLines = [];
      for (let i = 0; i < nLines; i++) {
        const comment = r.chance(0.15) ? `        -- ${r.pick(COMMENTS)}\n` : '';
        const [raw, compiled = raw] = derivedLine(r, kinds, aliasFor);
        if (raw.includes('dbt.date_trunc')) macros.add('macro.dbt.date_trunc');
        if (raw.includes('dbt.datediff')) macros.add('macro.dbt.datediff');
        if (raw.includes('dbt.dateadd')) {
          macros.add('macro.dbt.dateadd');
          macros.add('macro.dbt.current_timestamp');
        }
        if (raw.includes('cents_to_dollars')) macros.add(`macro.${PROJECT}.cents_to_dollars`);
        if (raw.includes('safe_divide')) macros.add(`macro.${PROJECT}.safe_divide`);
        if (raw.includes('generate_surrogate_key'))
          macros.add('macro.dbt_utils.generate_surrogate_key');
        rawLines.push(`${comment}        ${raw}`);
        compLines.push(`${comment}        ${compiled}`);
      }
      b.two(
        `${name} as (\n\n    select\n        ${prev}.*,\n${rawLines.join(',\n')}\n    from ${prev}\n\n),\n\n`,
        `${name} as (\n\n    select\n        ${prev}.*,\n${compLines.join(',\n')}\n    from ${prev}\n\n),\n\n`,
      );
    }
    prev = name;
  }
  b.both(`final as (\n\n    select * from ${prev}\n\n)\n\nselect * from final\n`);
  const { raw, compiled } = b.result();
  return { raw, compiled, macros: [...macros] };
}

// ---------------------------------------------------------------------------------------------
// Columns

function columnObj(name, description, dataType, opts = {}) {
  return {
    name,
    description,
    meta: opts.pii ? { contains_pii: true } : {},
    data_type: dataType,
    constraints: opts.constraints ?? [],
    quote: null,
    config: { meta: {}, tags: [] },
    tags: opts.pii ? ['pii'] : [],
    granularity: null,
    doc_blocks: opts.doc ? [`doc.${PROJECT}.${name}`] : [],
  };
}

function modelColumns(plan, m, r) {
  const noun = plan.nounOf[m];
  const hn = human(noun);
  const dom = DOMAINS[plan.domainOf[m]];
  const count = r.int(5, 15);
  const cols = [];
  const seen = new Set();
  const add = (c) => {
    if (!seen.has(c.name)) {
      seen.add(c.name);
      cols.push(c);
    }
  };
  add(
    columnObj(
      pkOf(plan, m),
      `Unique identifier of the ${hn}. Primary key of this model.`,
      'varchar',
    ),
  );
  for (const p of plan.parents[m].refs) {
    if (p >= plan.N) continue;
    const fk = pkOf(plan, p);
    add(
      columnObj(
        fk,
        `Identifier of the related ${human(plan.nounOf[p])}; joins to ${plan.names[p]}.`,
        'varchar',
      ),
    );
    if (cols.length >= 4) break;
  }
  if (plan.testMask[m] & (1 << T_ACCEPTED) || r.chance(0.5)) {
    add(
      columnObj(
        statusColOf(plan, m),
        `Lifecycle status of the ${hn} (${STATUS_VALUES.slice(0, 4).join(', ')}, ...).`,
        'varchar',
      ),
    );
  }
  const nounCols = [
    [`${noun}_type`, 'varchar', `Type of the ${hn} as classified by the ${dom.title} team.`],
    [`${noun}_name`, 'varchar', `Display name of the ${hn}.`],
    [`${noun}_amount`, 'number(38,2)', `Amount of the ${hn} in USD.`],
    [`${noun}_created_at`, 'timestamp_ntz', `Timestamp at which the ${hn} was created.`],
    [`${noun}_count`, 'number(38,0)', `Number of ${plural(hn)} in the group.`],
  ];
  while (cols.length < count) {
    if (r.chance(0.25)) {
      const [name, type, desc] = r.pick(nounCols);
      add(columnObj(name, desc, type));
    } else {
      const [name, type, desc, doc, pii] = r.pick(COLUMN_POOL);
      add(columnObj(name, desc, type, { doc: !!doc, pii: !!pii }));
    }
  }
  return cols;
}

// ---------------------------------------------------------------------------------------------
// Node builders

const BASE_TS = 1753299140;

function createdAt(r, base) {
  return Math.round((BASE_TS + base + r.next()) * 1e6) / 1e6;
}

function ownerFor(plan, m, r) {
  const d = plan.domainOf[m];
  return r.chance(0.55) ? teamEmail(d) : personOf(d, r.int(0, 4)).email;
}

function buildModel(plan, m, opts = {}) {
  const r = new Rng(hash3(plan.seed, opts.disabled ? K.DISABLED : K.MODEL, m));
  const d = plan.domainOf[m];
  const dom = DOMAINS[d];
  const l = plan.layerOf[m];
  const v = plan.versionOf[m];
  const name = opts.disabled ? `${plan.names[m]}_deprecated` : plan.names[m];
  const alias = opts.disabled ? name : modelAlias(plan, m);
  const schema = modelSchema(plan, m);
  const mat = MAT[plan.matOf[m]];
  const access = ACCESS[plan.accessOf[m]];
  const group = groupName(plan.groupOf[m]);
  const documented = !!plan.documented[m];
  const noun = plan.nounOf[m];
  const pk = pkOf(plan, m);
  const uid = opts.disabled ? `model.${PROJECT}.${name}` : modelId(plan, m);
  const fileName = v ? `${plan.names[m]}_v${v}` : name;
  const relPath = `${modelDir(plan, m)}/${fileName}.sql`;

  // meta: owner on ~85%, domain on most; node meta mirrors config.meta (dbt behaviour)
  const meta = {};
  const hasOwner = documented ? r.chance(0.885) : false;
  if (hasOwner) meta.owner = ownerFor(plan, m, r);
  if (r.chance(0.92)) meta.domain = dom.name;
  if (r.chance(0.6)) meta.tier = LAYER_TIER[l];
  if (l === 2 && r.chance(0.5)) meta.sla_hours = r.pick([4, 12, 24, 48]);
  if (l === 2 && r.chance(0.3)) meta.slack_channel = `#${dom.name}-data`;

  const tags = [LAYER_DIRS[l], dom.name];
  if (r.chance(0.2)) tags.push(r.pick(['hourly', 'daily', 'nightly']));
  if (r.chance(0.08)) tags.push('pii');
  if (l === 2 && r.chance(0.15)) tags.push('finance-critical');

  const contractEnforced = documented && access === 'public' && l === 2 && r.chance(0.4);
  const columns = {};
  let colList;
  if (documented) {
    colList = modelColumns(plan, m, r);
    if (contractEnforced) {
      colList[0].constraints = [
        {
          type: 'not_null',
          name: null,
          expression: null,
          warn_unenforced: true,
          warn_unsupported: true,
          to: null,
          to_columns: [],
        },
      ];
    }
    for (const c of colList) columns[c.name] = c;
  } else {
    colList = [
      { name: pk, data_type: 'varchar' },
      { name: 'updated_at', data_type: 'timestamp_ntz' },
    ];
  }

  const config = nodeConfigDefaults();
  config.schema = schema;
  config.tags = tags;
  config.meta = meta;
  config.group = group;
  config.materialized = mat;
  if (mat === 'incremental') {
    config.incremental_strategy = 'merge';
    config.unique_key = pk;
    config.on_schema_change = 'append_new_columns';
  }
  if (l === 2) {
    config.persist_docs = { relation: true, columns: true };
    if (access === 'public') config.grants = { select: ['reporter', 'bi_reader'] };
    if (r.chance(0.1)) {
      config['post-hook'] = [
        { sql: `{{ audit_row_count('${name}') }}`, transaction: true, index: null },
      ];
    }
  }
  if (l === 0 && r.chance(0.1)) config.docs = { show: true, node_color: '#cd7f32' };
  config.contract = { enforced: contractEnforced, alias_types: true };
  config.access = access;
  config.freshness = null;
  if (mat === 'table' || mat === 'incremental') {
    config.transient = l !== 2;
    if (l === 2 && r.chance(0.3)) config.cluster_by = ['created_at'];
    if (l === 2 && r.chance(0.2)) config.snowflake_warehouse = 'transforming_xl';
    config.copy_grants = l === 2;
  }

  const unrendered = { materialized: mat, schema: LAYER_DIRS[l] };
  if (l === 2 || r.chance(0.3)) unrendered.tags = tags.slice(1);
  if (Object.keys(meta).length) unrendered.meta = { ...meta };
  if (group) unrendered.group = group;
  unrendered.access = access;
  if (mat === 'incremental') {
    unrendered.unique_key = pk;
    unrendered.incremental_strategy = 'merge';
  }
  if (contractEnforced) unrendered.contract = { enforced: true };

  // inputs for the SQL text
  const { refs: refParents, srcs } = plan.parents[m];
  const inputs = [];
  const cteNames = new Set();
  const cteFor = (base) => {
    let c = base;
    for (let i = 2; cteNames.has(c); i++) c = `${base}_${i}`;
    cteNames.add(c);
    return c;
  };
  const refs = [];
  for (const p of refParents) {
    const ref = refOf(plan, p);
    refs.push(ref);
    const vArg = ref.version ? `, v=${ref.version}` : '';
    if (p < plan.N) {
      inputs.push({
        cte: cteFor(plan.names[p].replace(/^(stg|int|fct|dim)_[a-z_]+?__/, '')),
        raw: `{{ ref('${ref.name}'${vArg}) }}`,
        compiled: modelCompiledRef(plan, p),
        pk: pkOf(plan, p),
        ephemeral: plan.matOf[p] === 3,
        name: plan.names[p],
        schema: modelSchema(plan, p),
      });
    } else {
      const sn = plan.seedNames[p - plan.oSeed];
      inputs.push({
        cte: cteFor(sn.replace(/^[a-z]+__/, '')),
        raw: `{{ ref('${sn}') }}`,
        compiled: `${DATABASE}.seeds.${sn}`,
        pk: null,
      });
    }
  }
  const sources = [];
  const srcInputs = [];
  for (const j of srcs) {
    sources.push([plan.srcSystem[j], plan.srcTable[j]]);
    srcInputs.push({
      cte: cteFor(j === srcs[0] ? 'source' : plan.srcTable[j]),
      raw: `{{ source('${plan.srcSystem[j]}', '${plan.srcTable[j]}') }}`,
      compiled: `${RAW_DATABASE}.${plan.srcSystem[j]}.${plan.srcTable[j]}`,
      pk: j === srcs[0] ? null : 'id',
    });
  }
  inputs.unshift(...srcInputs);
  const description = documented ? modelDescription(plan, m, r) : '';
  const sql = modelSql(r, {
    name,
    noun,
    layer: l,
    mat,
    pk,
    tags: tags.slice(1),
    configCall: r.chance(0.6),
    summary: description ? description.split('. ')[0].replace(/\.$/, '') : `${LAYER_DIRS[l]} model`,
    relation: modelRelation(plan, m) ?? name,
    columns: colList,
    inputs,
  });
  const extraCtes = inputs
    .filter((i) => i.ephemeral)
    .map((i) => ({
      id: `model.${PROJECT}.${i.name}`,
      sql: ` __dbt__cte__${i.name} as (\n\n-- ephemeral model ${i.name}\nselect * from ${DATABASE}.${i.schema}.${i.name}_base\n)`,
    }));

  const dependsNodes = opts.disabled ? [] : plan.dep[m].map((g) => plan.ids[g]);
  const primaryKey = contractEnforced || plan.testMask[m] & (1 << T_UNIQUE) ? [pk] : [];
  const fqn = [PROJECT, dom.name, LAYER_DIRS[l], plan.names[m]];
  if (v) fqn.push(`v${v}`);
  const checksum = sha256(sql.raw);
  return {
    database: DATABASE,
    schema,
    name: opts.disabled ? name : plan.names[m],
    resource_type: 'model',
    package_name: PROJECT,
    path: relPath,
    original_file_path: `models/${relPath}`,
    unique_id: uid,
    fqn,
    alias,
    checksum: { name: 'sha256', checksum },
    config: opts.disabled ? { ...config, enabled: false } : config,
    tags,
    description,
    columns,
    meta,
    group,
    docs: config.docs,
    patch_path: documented ? `${PROJECT}://${modelYml(plan, m)}` : null,
    build_path: null,
    unrendered_config: unrendered,
    created_at: createdAt(r, 2 + m * 1e-4),
    relation_name: mat === 'ephemeral' ? null : `${DATABASE}.${schema}.${alias}`,
    raw_code: sql.raw,
    doc_blocks: [],
    language: 'sql',
    refs,
    sources,
    metrics: [],
    depends_on: {
      macros: sql.macros.concat(
        config['post-hook'].length ? [`macro.${PROJECT}.audit_row_count`] : [],
      ),
      nodes: dependsNodes,
    },
    compiled_path: `target/compiled/${PROJECT}/models/${relPath}`,
    compiled: true,
    compiled_code: sql.compiled,
    extra_ctes_injected: true,
    extra_ctes: extraCtes,
    contract: {
      enforced: contractEnforced,
      alias_types: true,
      checksum: contractEnforced ? r.hex(64) : null,
    },
    access,
    constraints: contractEnforced
      ? [
          {
            type: 'primary_key',
            name: null,
            expression: null,
            warn_unenforced: true,
            warn_unsupported: true,
            to: null,
            to_columns: [],
            columns: [pk],
          },
        ]
      : [],
    version: v || null,
    latest_version: v ? 2 : null,
    deprecation_date: v === 1 ? '2026-06-30T00:00:00+00:00' : null,
    primary_key: primaryKey,
    time_spine: null,
  };
}

function modelDescription(plan, m, r) {
  const l = plan.layerOf[m];
  const noun = human(plan.nounOf[m]);
  const dom = DOMAINS[plan.domainOf[m]];
  let first;
  if (l === 0) {
    const j = plan.stagingSrc[m];
    first = `Staging model for ${plan.srcSystem[j]} ${plan.srcTable[j].replace(/_/g, ' ')}: renames and casts the raw columns, one row per ${noun}.`;
  } else if (l === 1) {
    first = `Intermediate ${dom.name} model that combines ${plural(noun)} with their related entities before they are exposed in the marts.`;
  } else {
    first = plan.names[m].startsWith('dim_')
      ? `Dimension of ${plural(noun)} owned by the ${dom.title} domain, one row per ${noun}.`
      : `Fact table of ${dom.name} ${plural(noun)} at the grain of one row per ${noun}.`;
  }
  const extra = r.sample(MODEL_SENTENCES, r.int(0, 3));
  return [first, ...extra].join(' ');
}

function testConfig(kind) {
  return {
    enabled: true,
    alias: null,
    schema: 'dbt_test__audit',
    database: null,
    tags: [],
    meta: {},
    group: null,
    materialized: 'test',
    severity: kind === T_ACCEPTED ? 'warn' : 'ERROR',
    store_failures: null,
    store_failures_as: null,
    where: null,
    limit: null,
    fail_calc: 'count(*)',
    warn_if: '!= 0',
    error_if: '!= 0',
  };
}

function buildTest(plan, t) {
  const r = new Rng(hash3(plan.seed, K.TEST, t));
  const info = testInfo(plan, t);
  const kind = plan.tKind[t];
  const isSrc = info.src !== undefined;
  const o = isSrc ? info.src : info.model;
  const config = testConfig(kind);
  const aliased = info.shortName !== info.fullName;
  if (aliased) config.alias = info.shortName;
  const unrendered = aliased ? { alias: info.shortName } : {};
  if (kind === T_ACCEPTED) unrendered.severity = 'warn';
  let relation;
  let ymlPath;
  let fqnDirs;
  let fileKey;
  if (isSrc) {
    relation = `${RAW_DATABASE}.${plan.srcSystem[o]}.${plan.srcTable[o]}`;
    const dom = DOMAINS[o % D].name;
    ymlPath = `models/${dom}/staging/_${plan.srcSystem[o]}__sources.yml`;
    fqnDirs = [dom, 'staging'];
    fileKey = `sources.${plan.srcSystem[o]}`;
  } else {
    relation = modelCompiledRef(plan, o);
    ymlPath = modelYml(plan, o);
    fqnDirs = [DOMAINS[plan.domainOf[o]].name, LAYER_DIRS[plan.layerOf[o]]];
    fileKey = `models.${plan.names[o]}`;
  }
  const col = info.column;
  let compiled;
  if (info.type === 'not_null') {
    compiled = `\n    \n    \n\n\n\nselect ${col}\nfrom ${relation}\nwhere ${col} is null\n\n\n`;
  } else if (info.type === 'unique') {
    compiled = `\n    \n    \n\nselect\n    ${col} as unique_field,\n    count(*) as n_records\n\nfrom ${relation}\nwhere ${col} is not null\ngroup by ${col}\nhaving count(*) > 1\n\n\n`;
  } else if (info.type === 'accepted_values') {
    const vals = info.args.values.map((x) => `'${x}'`).join(',');
    compiled = `\n    \n    \n\nwith all_values as (\n\n    select\n        ${col} as value_field,\n        count(*) as n_records\n\n    from ${relation}\n    group by ${col}\n\n)\n\nselect *\nfrom all_values\nwhere value_field not in (\n    ${vals}\n)\n\n\n`;
  } else {
    const to = plan.relTo[o];
    compiled = `\n    \n    \n\nwith child as (\n    select ${col} as from_field\n    from ${relation}\n    where ${col} is not null\n),\n\nparent as (\n    select ${pkOf(plan, to)} as to_field\n    from ${modelCompiledRef(plan, to)}\n)\n\nselect\n    from_field\n\nfrom child\nleft join parent\n    on child.from_field = parent.to_field\n\nwhere parent.to_field is null\n\n\n`;
  }
  let rawCode = `{{ test_${info.type}(**_dbt_generic_test_kwargs) }}`;
  if (aliased) rawCode += `{{ config(alias="${info.shortName}") }}`;
  const refs = [];
  const sources = [];
  if (isSrc) sources.push([plan.srcSystem[o], plan.srcTable[o]]);
  else {
    if (kind === T_REL) refs.push(refOf(plan, plan.relTo[o]));
    const v = plan.versionOf[o];
    refs.push({ name: plan.names[o], package: null, version: v || null });
  }
  const group = isSrc ? null : groupName(plan.groupOf[o]);
  return {
    database: DATABASE,
    schema: 'dbt_test__audit',
    name: info.fullName,
    resource_type: 'test',
    package_name: PROJECT,
    path: `${info.shortName}.sql`,
    original_file_path: ymlPath,
    unique_id: info.uniqueId,
    fqn: [PROJECT, ...fqnDirs, info.fullName],
    alias: info.shortName,
    checksum: { name: 'none', checksum: '' },
    config,
    tags: [],
    description: '',
    columns: {},
    meta: {},
    group,
    docs: { show: true, node_color: null },
    patch_path: null,
    build_path: null,
    unrendered_config: unrendered,
    created_at: createdAt(r, 20 + t * 1e-4),
    relation_name: null,
    raw_code: rawCode,
    doc_blocks: [],
    language: 'sql',
    refs,
    sources,
    metrics: [],
    depends_on: {
      macros: [`macro.dbt.test_${info.type}`, 'macro.dbt.get_where_subquery'],
      nodes: plan.dep[plan.oTest + t].map((g) => plan.ids[g]),
    },
    compiled_path: `target/compiled/${PROJECT}/${ymlPath}/${info.shortName}.sql`,
    compiled: true,
    compiled_code: compiled,
    extra_ctes_injected: true,
    extra_ctes: [],
    contract: { enforced: false, alias_types: true, checksum: null },
    column_name: col,
    file_key_name: fileKey,
    attached_node: isSrc ? null : plan.ids[o],
    test_metadata: info.metadata,
  };
}

function buildSeed(plan, e) {
  const r = new Rng(hash3(plan.seed, K.SEED, e));
  const name = plan.seedNames[e];
  const d = plan.seedDomain[e];
  const columnTypes = {};
  const columns = {};
  const documentedSeed = r.chance(0.5);
  const nCols = r.int(2, 6);
  const colNames = ['code', 'label', 'mapped_value', 'valid_from', 'valid_to', 'sort_order'].slice(
    0,
    nCols,
  );
  for (const c of colNames) {
    const type = c.startsWith('valid') ? 'date' : c === 'sort_order' ? 'integer' : 'varchar';
    if (r.chance(0.5)) columnTypes[c] = type;
    if (documentedSeed) columns[c] = columnObj(c, `Mapping column ${c.replace(/_/g, ' ')}.`, type);
  }
  const meta = r.chance(0.7) ? { owner: teamEmail(d) } : {};
  return {
    database: DATABASE,
    schema: 'seeds',
    name,
    resource_type: 'seed',
    package_name: PROJECT,
    path: `${DOMAINS[d].name}/${name}.csv`,
    original_file_path: `seeds/${DOMAINS[d].name}/${name}.csv`,
    unique_id: plan.ids[plan.oSeed + e],
    fqn: [PROJECT, DOMAINS[d].name, name],
    alias: name,
    checksum: { name: 'sha256', checksum: r.hex(64) },
    config: {
      ...nodeConfigDefaults(),
      schema: 'seeds',
      meta,
      materialized: 'seed',
      column_types: columnTypes,
      delimiter: ',',
      quote_columns: false,
    },
    tags: [],
    description: documentedSeed ? `Static mapping maintained by the ${DOMAINS[d].title} team.` : '',
    columns,
    meta,
    group: null,
    docs: { show: true, node_color: null },
    patch_path: documentedSeed ? `${PROJECT}://seeds/${DOMAINS[d].name}/_seeds.yml` : null,
    build_path: null,
    unrendered_config: { schema: 'seeds', ...(Object.keys(meta).length ? { meta } : {}) },
    created_at: createdAt(r, 1 + e * 1e-4),
    relation_name: `${DATABASE}.seeds.${name}`,
    raw_code: '',
    doc_blocks: [],
    root_path: '/usr/app/acme-analytics',
    depends_on: { macros: [] },
  };
}

function buildSnapshot(plan, p) {
  const r = new Rng(hash3(plan.seed, K.SNAPSHOT, p));
  const name = plan.snapNames[p];
  const m = plan.snapParent[p];
  const d = plan.domainOf[m];
  const pk = pkOf(plan, m);
  const meta = r.chance(0.8) ? { owner: teamEmail(d) } : {};
  const tags = ['snapshot', DOMAINS[d].name];
  const raw = `{% snapshot ${name} %}\n\n{{\n    config(\n      target_schema='snapshots',\n      unique_key='${pk}',\n      strategy='timestamp',\n      updated_at='updated_at',\n      invalidate_hard_deletes=True\n    )\n}}\n\nselect * from {{ ref('${plan.names[m]}') }}\n\n{% endsnapshot %}`;
  return {
    database: DATABASE,
    schema: 'snapshots',
    name,
    resource_type: 'snapshot',
    package_name: PROJECT,
    path: `${DOMAINS[d].name}/${name}.sql`,
    original_file_path: `snapshots/${DOMAINS[d].name}/${name}.sql`,
    unique_id: plan.ids[plan.oSnap + p],
    fqn: [PROJECT, DOMAINS[d].name, name, name],
    alias: name,
    checksum: { name: 'sha256', checksum: sha256(raw) },
    config: {
      ...nodeConfigDefaults(),
      schema: 'snapshots',
      tags,
      meta,
      materialized: 'snapshot',
      unique_key: pk,
      strategy: 'timestamp',
      target_schema: 'snapshots',
      target_database: null,
      updated_at: 'updated_at',
      check_cols: null,
      snapshot_meta_column_names: {
        dbt_valid_to: null,
        dbt_valid_from: null,
        dbt_scd_id: null,
        dbt_updated_at: null,
        dbt_is_deleted: null,
      },
      dbt_valid_to_current: null,
      invalidate_hard_deletes: true,
    },
    tags,
    description: `Type-2 history of ${plan.names[m]}.`,
    columns: {},
    meta,
    group: null,
    docs: { show: true, node_color: null },
    patch_path: null,
    build_path: null,
    unrendered_config: {
      target_schema: 'snapshots',
      unique_key: pk,
      strategy: 'timestamp',
      updated_at: 'updated_at',
      invalidate_hard_deletes: true,
      tags: ['snapshot'],
    },
    created_at: createdAt(r, 1.5 + p * 1e-4),
    relation_name: `${DATABASE}.snapshots.${name}`,
    raw_code: raw,
    doc_blocks: [],
    language: 'sql',
    refs: [{ name: plan.names[m], package: null, version: null }],
    sources: [],
    metrics: [],
    depends_on: { macros: [], nodes: [plan.ids[m]] },
    compiled_path: `target/compiled/${PROJECT}/snapshots/${DOMAINS[d].name}/${name}.sql`,
    compiled: true,
    compiled_code: `\n\n\n\nselect * from ${modelCompiledRef(plan, m)}\n\n`,
    extra_ctes_injected: true,
    extra_ctes: [],
    contract: { enforced: false, alias_types: true, checksum: null },
  };
}

function buildSource(plan, j) {
  const r = new Rng(hash3(plan.seed, K.SOURCE, j));
  const sys = plan.srcSystem[j];
  const table = plan.srcTable[j];
  const d = j % D;
  const dom = DOMAINS[d];
  const noun = plan.srcNoun[j];
  const columns = {};
  const n = r.int(5, 15);
  columns.id = columnObj('id', `Primary key of the ${human(noun)} in ${sys}.`, 'varchar');
  for (const [name, type, desc] of r.sample(RAW_COLUMNS.slice(1), n - 1)) {
    columns[name] = columnObj(name, desc, type, { pii: name === 'email' });
  }
  const loader = r.pick(['fivetran', 'fivetran', 'airbyte', 'stitch', 'custom_python']);
  const fresh = r.chance(0.7);
  const freshness = fresh
    ? {
        warn_after: { count: 12, period: 'hour' },
        error_after: { count: 24, period: 'hour' },
        filter: null,
      }
    : {
        warn_after: { count: null, period: null },
        error_after: { count: null, period: null },
        filter: null,
      };
  const loadedAt = loader === 'fivetran' ? '_fivetran_synced' : '_loaded_at';
  const sourceMeta = { owner: teamEmail(d), loader_team: 'data-platform' };
  const meta = { ...sourceMeta };
  if (r.chance(0.2)) meta.contains_pii = true;
  const tags = ['raw', sys].sort();
  return {
    database: RAW_DATABASE,
    schema: sys,
    name: table,
    resource_type: 'source',
    package_name: PROJECT,
    path: `models/${dom.name}/staging/_${sys}__sources.yml`,
    original_file_path: `models/${dom.name}/staging/_${sys}__sources.yml`,
    unique_id: plan.ids[plan.oSrc + j],
    fqn: [PROJECT, dom.name, 'staging', sys, table],
    source_name: sys,
    source_description: `Raw ${sys} data replicated by ${loader} into the ${RAW_DATABASE} database.`,
    loader,
    identifier: table,
    quoting: { database: null, schema: null, identifier: null, column: null },
    loaded_at_field: fresh ? loadedAt : null,
    loaded_at_query: null,
    freshness,
    external: null,
    description: `Raw ${human(table)} from ${sys}, one row per ${human(noun)} (latest state).`,
    columns,
    meta,
    source_meta: sourceMeta,
    tags,
    config: {
      enabled: true,
      event_time: null,
      freshness,
      loaded_at_field: fresh ? loadedAt : null,
      loaded_at_query: null,
      meta,
      tags,
    },
    patch_path: null,
    unrendered_config: {
      loaded_at_field: fresh ? loadedAt : null,
      loaded_at_query: null,
      meta,
      tags,
      ...(fresh
        ? {
            freshness: {
              warn_after: { count: 12, period: 'hour' },
              error_after: { count: 24, period: 'hour' },
            },
          }
        : {}),
    },
    relation_name: `${RAW_DATABASE}.${sys}.${table}`,
    created_at: createdAt(r, 30 + j * 1e-4),
    unrendered_database: null,
    unrendered_schema: null,
    doc_blocks: [],
  };
}

function buildExposure(plan, x) {
  const r = new Rng(hash3(plan.seed, K.EXPOSURE, x));
  const d = plan.expDomain[x];
  const dom = DOMAINS[d];
  const kind = EXPOSURE_KINDS[Math.floor(x / D) % EXPOSURE_KINDS.length];
  const name = plan.expNames[x];
  const owner = r.chance(0.3)
    ? { email: teamEmail(d), name: `${dom.title} Data Team` }
    : personOf(d, r.int(0, 4));
  const meta = r.chance(0.6) ? { tier: r.pick(['tier_1', 'tier_2']), domain: dom.name } : {};
  const parents = plan.dep[plan.oExp + x];
  return {
    name,
    resource_type: 'exposure',
    package_name: PROJECT,
    path: `${dom.name}/_${dom.name}__exposures.yml`,
    original_file_path: `models/${dom.name}/_${dom.name}__exposures.yml`,
    unique_id: plan.ids[plan.oExp + x],
    fqn: [PROJECT, dom.name, name],
    type: kind[0],
    owner,
    description: `${kind[2]} for the ${dom.title} domain, refreshed after the daily production run.`,
    label: `${dom.title} ${kind[2]}`,
    maturity: r.pick(['low', 'medium', 'high']),
    meta,
    tags: [dom.name],
    config: { enabled: true, tags: [dom.name], meta },
    unrendered_config: Object.keys(meta).length ? { meta } : {},
    url: `https://bi.acme.io/${kind[0]}s/${1000 + x}`,
    depends_on: { macros: [], nodes: parents.map((g) => plan.ids[g]) },
    refs: parents.map((g) => refOf(plan, g)),
    sources: [],
    metrics: [],
    created_at: createdAt(r, 40 + x * 1e-4),
  };
}

function buildGroup(plan, d) {
  const dom = DOMAINS[d];
  return {
    name: dom.name,
    resource_type: 'group',
    package_name: PROJECT,
    path: `${dom.name}/_${dom.name}__groups.yml`,
    original_file_path: `models/${dom.name}/_${dom.name}__groups.yml`,
    unique_id: `group.${PROJECT}.${dom.name}`,
    owner: { email: teamEmail(d), name: `${dom.title} Data Team`, slack: `#${dom.name}-data` },
    description: `Models owned by the ${dom.title} data team.`,
    config: { meta: { slack_channel: `#${dom.name}-data`, on_call: personOf(d, 0).email } },
  };
}

// ---------------------------------------------------------------------------------------------
// Macros (~1000, like dbt core + adapter + a few packages) and docs

const KNOWN_MACROS = [
  ['dbt', 'is_incremental', []],
  ['dbt', 'date_trunc', ['datepart', 'date']],
  ['dbt', 'default__date_trunc', ['datepart', 'date']],
  ['dbt', 'datediff', ['first_date', 'second_date', 'datepart']],
  ['dbt', 'default__datediff', ['first_date', 'second_date', 'datepart']],
  ['dbt', 'dateadd', ['datepart', 'interval', 'from_date_or_timestamp']],
  ['dbt', 'default__dateadd', ['datepart', 'interval', 'from_date_or_timestamp']],
  ['dbt', 'current_timestamp', []],
  ['dbt', 'default__current_timestamp', []],
  ['dbt', 'get_where_subquery', ['relation']],
  ['dbt', 'default__get_where_subquery', ['relation']],
  ['dbt', 'test_unique', ['model', 'column_name']],
  ['dbt', 'test_not_null', ['model', 'column_name']],
  ['dbt', 'test_accepted_values', ['model', 'column_name', 'values', 'quote']],
  ['dbt', 'test_relationships', ['model', 'column_name', 'to', 'field']],
  ['dbt', 'default__test_unique', ['model', 'column_name']],
  ['dbt', 'default__test_not_null', ['model', 'column_name']],
  ['dbt', 'default__test_accepted_values', ['model', 'column_name', 'values', 'quote']],
  ['dbt', 'default__test_relationships', ['model', 'column_name', 'to', 'field']],
  ['dbt', 'statement', ['name', 'fetch_result', 'auto_begin', 'language']],
  ['dbt', 'run_query', ['sql']],
  ['dbt_snowflake', 'snowflake__datediff', ['first_date', 'second_date', 'datepart']],
  ['dbt_snowflake', 'snowflake__dateadd', ['datepart', 'interval', 'from_date_or_timestamp']],
  ['dbt_snowflake', 'snowflake__current_timestamp', []],
  ['dbt_utils', 'generate_surrogate_key', ['field_list']],
  ['dbt_utils', 'default__generate_surrogate_key', ['field_list']],
  [
    'dbt_utils',
    'star',
    ['from', 'relation_alias', 'except', 'prefix', 'suffix', 'quote_identifiers'],
  ],
  ['dbt_utils', 'union_relations', ['relations', 'column_override', 'include', 'exclude']],
  [PROJECT, 'cents_to_dollars', ['column_name', 'scale']],
  [PROJECT, 'safe_divide', ['numerator', 'denominator']],
  [PROJECT, 'audit_row_count', ['model_name']],
  [PROJECT, 'generate_schema_name', ['custom_schema_name', 'node']],
];
const MACRO_VERBS = [
  'get',
  'create',
  'drop',
  'alter',
  'rename',
  'list',
  'check',
  'make',
  'truncate',
  'build',
  'render',
  'validate',
  'apply',
  'load',
  'persist',
  'format',
  'parse',
  'generate',
  'resolve',
  'collect',
  'compare',
  'merge',
  'insert',
  'describe',
  'refresh',
];
const MACRO_OBJECTS = [
  'relation',
  'schema',
  'table',
  'view',
  'columns',
  'grants',
  'index',
  'comment',
  'constraints',
  'materialized_view',
  'dynamic_table',
  'incremental_sql',
  'merge_sql',
  'delete_insert_sql',
  'snapshot_staging_table',
  'catalog',
  'relations',
  'column_values',
  'empty_subquery',
  'select_sql',
  'seed_sql',
  'batch_sql',
  'tmp_relation',
  'backup_relation',
  'query_comment',
  'column_schema',
  'contract_sql',
  'unit_test_sql',
  'fixture_sql',
  'limit_sql',
  'hash',
  'cast_expr',
  'date_spine',
  'pivot',
  'unpivot',
  'array_agg',
  'listagg',
  'split_part',
  'any_value',
  'bool_or',
];
const MACRO_ARGS = [
  'relation',
  'sql',
  'columns',
  'model',
  'target_relation',
  'config',
  'temporary',
  'limit',
  'node',
  'column_name',
];
const JINJA_LINES = [
  (a) => `{%- set ${a}_list = [] -%}`,
  (a) =>
    `{%- for col in ${a} -%}\n    {%- do ${a}_list.append(adapter.quote(col.name)) -%}\n  {%- endfor %}`,
  (a) =>
    `{% if ${a} is none %}\n    {{ exceptions.raise_compiler_error("${a} is required") }}\n  {% endif %}`,
  () => `{%- set target_relation = this.incorporate(type='table') -%}`,
  () =>
    `{% call statement('main', fetch_result=False) -%}\n    create or replace temporary table {{ tmp_relation }} as (\n      {{ sql }}\n    );\n  {%- endcall %}`,
  () => `{%- set existing_relation = load_cached_relation(this) -%}`,
  () =>
    `{{ log("Running " ~ this ~ " with strategy " ~ config.get('incremental_strategy'), info=False) }}`,
  (a) => `{%- set ${a}_csv = ${a} | map(attribute='quoted') | join(', ') -%}`,
  () => `{% do adapter.drop_relation(backup_relation) %}`,
  () =>
    `{% set grant_config = config.get('grants') %}\n  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}`,
  () => `{% do persist_docs(target_relation, model) %}`,
  () =>
    `select\n      table_catalog as "table_database",\n      table_schema as "table_schema",\n      table_name as "table_name",\n      table_type as "table_type"\n    from {{ information_schema }}.tables\n    where table_schema ilike '{{ schema }}'`,
  (a) => `{%- if ${a} | length > 0 -%}\n    {{ return(${a}[0]) }}\n  {%- endif -%}`,
  () => `{{ run_hooks(pre_hooks, inside_transaction=True) }}`,
  () =>
    `{% set on_schema_change = incremental_validate_on_schema_change(config.get('on_schema_change'), default='ignore') %}`,
  (a) => `{#-- ${a}: handle quoting differences between adapters --#}`,
  () =>
    `{%- set dest_columns = adapter.get_columns_in_relation(existing_relation) -%}\n  {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute="name")) -%}`,
  () =>
    `merge into {{ target }} as DBT_INTERNAL_DEST\n      using {{ source }} as DBT_INTERNAL_SOURCE\n      on {{ predicates | join(' and ') }}\n    when matched then update set\n      {% for column_name in update_columns -%}\n        {{ column_name }} = DBT_INTERNAL_SOURCE.{{ column_name }}\n        {%- if not loop.last %}, {%- endif %}\n      {%- endfor %}`,
];

function macroPlan(seed) {
  const r = new Rng(hash3(seed, K.MACRO_PLAN, 0));
  const list = KNOWN_MACROS.map(([pkg, name, args]) => ({
    pkg,
    name,
    args,
    dispatcher:
      !name.includes('__') &&
      pkg === 'dbt' &&
      !name.startsWith('test_') &&
      name !== 'is_incremental' &&
      name !== 'statement' &&
      name !== 'run_query',
  }));
  const seen = new Set(list.map((x) => `${x.pkg}.${x.name}`));
  const combos = [];
  for (const v of MACRO_VERBS) for (const o of MACRO_OBJECTS) combos.push(`${v}_${o}`);
  const order = r.sample(combos, combos.length);
  const addM = (pkg, name, args, dispatcher) => {
    const key = `${pkg}.${name}`;
    if (seen.has(key) || list.length >= 1000) return;
    seen.add(key);
    list.push({ pkg, name, args, dispatcher });
  };
  for (const base of order) {
    if (list.length >= 1000) break;
    const args = r.sample(MACRO_ARGS, r.int(0, 3));
    const p = r.weighted([0.55, 0.14, 0.1, 0.05, 0.04, 0.04, 0.08]);
    if (p === 0) {
      addM('dbt', base, args, true);
      addM('dbt', `default__${base}`, args, false);
      if (r.chance(0.6)) addM('dbt_snowflake', `snowflake__${base}`, args, false);
    } else if (p === 1) addM('dbt_utils', base, args, false);
    else if (p === 2) addM('dbt_expectations', `expect_${base}`, args, false);
    else if (p === 3) addM('dbt_date', `${base}_date`, args, false);
    else if (p === 4) addM('audit_helper', `${base}_audit`, args, false);
    else if (p === 5) addM('codegen', `${base}_yaml`, args, false);
    else addM(PROJECT, base, args, false);
  }
  return list;
}

function macroPath(pkg, name) {
  if (pkg === PROJECT)
    return 'macros/' + (name.startsWith('generate_') ? 'get_custom_schema.sql' : `${name}.sql`);
  if (name.startsWith('test_') || name.includes('__test_'))
    return 'macros/generic_test_sql/' + name.replace(/^(default__)?test_/, '') + '.sql';
  const base = name.replace(/^[a-z]+__/, '');
  const obj = MACRO_OBJECTS.find((o) => base.endsWith(o)) ?? 'utils';
  const dir = /sql$/.test(obj)
    ? 'materializations/models/incremental'
    : /relation|table|view/.test(obj)
      ? 'relations'
      : 'utils';
  return `macros/${dir}/${obj}.sql`;
}

function buildMacro(seed, i, mac) {
  const r = new Rng(hash3(seed, K.MACRO, i));
  const args = mac.args.join(', ');
  const header = `{#\n  ${mac.name}(${args})\n\n  ${r.pick(['Adapter-dispatched helper used by materializations and tests.', 'Renders adapter-specific SQL for the current target.', 'Shared utility used across packages; see the package docs for details.', 'Internal helper. Behaviour may change between minor versions.'])}\n#}\n`;
  let body;
  const deps = [];
  if (mac.dispatcher) {
    const pad = r.int(500, 900);
    body = `${header}{% macro ${mac.name}(${args}) -%}\n  {{ return(adapter.dispatch('${mac.name}', '${mac.pkg}')(${args})) }}\n{%- endmacro %}\n`;
    while (body.length < pad) body = `{# ${r.pick(COMMENTS)} #}\n` + body;
  } else {
    const target = 500 + Math.floor(2500 * Math.pow(r.next(), 1.6));
    const lines = [];
    let len = header.length + 80;
    const a0 = mac.args[0] ?? 'relation';
    while (len < target) {
      const line = r.pick(JINJA_LINES)(r.pick(mac.args.length ? mac.args : ['columns']));
      lines.push('  ' + line);
      len += line.length + 3;
    }
    if (r.chance(0.5)) deps.push('macro.dbt.statement');
    if (r.chance(0.3)) deps.push('macro.dbt.run_query');
    body = `${header}{% macro ${mac.name}(${args}) -%}\n${lines.join('\n')}\n  {{ return(${a0}) }}\n{%- endmacro %}`;
  }
  const p = macroPath(mac.pkg, mac.name);
  const documented = mac.pkg === PROJECT;
  return {
    name: mac.name,
    resource_type: 'macro',
    package_name: mac.pkg,
    path: p,
    original_file_path: p,
    unique_id: `macro.${mac.pkg}.${mac.name}`,
    macro_sql: body,
    depends_on: { macros: deps },
    description: documented ? `Project macro ${mac.name}; see macros/README.md.` : '',
    meta: {},
    docs: { show: true, node_color: null },
    patch_path: documented ? `${PROJECT}://macros/_macros.yml` : null,
    arguments: documented
      ? mac.args.map((a) => ({
          name: a,
          type: 'string',
          description: `The ${a.replace(/_/g, ' ')}.`,
        }))
      : [],
    created_at: createdAt(r, i * 1e-4),
    supported_languages: mac.name.startsWith('materialization_') ? ['sql'] : null,
  };
}

function docsEntries() {
  const out = [];
  out.push({
    name: '__overview__',
    resource_type: 'doc',
    package_name: 'dbt',
    path: 'overview.md',
    original_file_path: 'docs/overview.md',
    unique_id: 'doc.dbt.__overview__',
    block_contents:
      '### Welcome!\n\nThis is the auto-generated documentation site for the project. Use the Project and Database tabs on the left to browse models, sources, seeds, snapshots and tests, and the lineage graph button to explore how they depend on each other.',
  });
  out.push({
    name: '__overview__',
    resource_type: 'doc',
    package_name: PROJECT,
    path: 'overview.md',
    original_file_path: 'docs/overview.md',
    unique_id: `doc.${PROJECT}.__overview__`,
    block_contents:
      '# ACME analytics\n\nThe warehouse is organised in domains (core, payments, growth, finance, marketing, logistics, support, risk). Each domain owns its staging, intermediate and marts layers; only **public** marts are a stable interface for other domains.\n\nOwnership is recorded in `meta.owner` and in the domain groups.',
  });
  for (const dom of DOMAINS) {
    out.push({
      name: `${dom.name}_domain`,
      resource_type: 'doc',
      package_name: PROJECT,
      path: `${dom.name}/docs.md`,
      original_file_path: `models/${dom.name}/docs.md`,
      unique_id: `doc.${PROJECT}.${dom.name}_domain`,
      block_contents: `## ${dom.title}\n\nThe ${dom.title} domain covers ${dom.nouns
        .slice(0, 6)
        .map((n) => plural(human(n)))
        .join(', ')} and related entities. Raw data arrives from ${dom.systems.join(', ')}.`,
    });
  }
  for (const [name, , desc] of DOC_COLUMNS) {
    out.push({
      name,
      resource_type: 'doc',
      package_name: PROJECT,
      path: 'docs/columns.md',
      original_file_path: 'models/docs/columns.md',
      unique_id: `doc.${PROJECT}.${name}`,
      block_contents: desc,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Emit

function generate({ models: N, seed, out: outPath, pretty, quiet }) {
  const t0 = process.hrtime.bigint();
  const plan = makePlan(N, seed);
  const log = (msg) => {
    if (!quiet) console.error(`gen-manifest: ${msg}`);
  };
  log(
    `plan: ${N} models, ${plan.S} sources, ${plan.E} seeds, ${plan.P} snapshots, ${plan.T} tests, ${plan.X} exposures (${(Number(process.hrtime.bigint() - t0) / 1e6) | 0} ms)`,
  );

  fs.mkdirSync(path.dirname(path.resolve(outPath)), { recursive: true });
  const tmp = `${outPath}.partial`;
  const fd = fs.openSync(tmp, 'w');
  const o = new Out(fd, pretty);
  try {
    const mr = new Rng(hash3(seed, K.META, 0));
    o.begin();
    o.top('metadata', {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
      dbt_version: '1.10.5',
      generated_at: '2025-07-23T19:32:37.357253Z',
      invocation_id: uuidFrom(mr),
      invocation_started_at: '2025-07-23T19:32:19.844749+00:00',
      env: {},
      project_name: PROJECT,
      project_id: md5(PROJECT),
      user_id: null,
      send_anonymous_usage_stats: false,
      adapter_type: 'snowflake',
      quoting: { database: false, schema: false, identifier: false, column: null },
    });

    o.openMap('nodes');
    for (let m = 0; m < N; m++) o.entry(plan.ids[m], buildModel(plan, m));
    for (let e = 0; e < plan.E; e++) o.entry(plan.ids[plan.oSeed + e], buildSeed(plan, e));
    for (let p = 0; p < plan.P; p++) o.entry(plan.ids[plan.oSnap + p], buildSnapshot(plan, p));
    for (let t = 0; t < plan.T; t++) o.entry(plan.ids[plan.oTest + t], buildTest(plan, t));
    o.closeMap();
    log(`nodes written (${((o.bytes + o.len) / 2 ** 20).toFixed(1)} MiB so far)`);

    o.openMap('sources');
    for (let j = 0; j < plan.S; j++) o.entry(plan.ids[plan.oSrc + j], buildSource(plan, j));
    o.closeMap();

    o.openMap('macros');
    macroPlan(seed).forEach((mac, i) => {
      const node = buildMacro(seed, i, mac);
      o.entry(node.unique_id, node);
    });
    o.closeMap();

    o.openMap('docs');
    for (const doc of docsEntries()) o.entry(doc.unique_id, doc);
    o.closeMap();

    o.openMap('exposures');
    for (let x = 0; x < plan.X; x++) o.entry(plan.ids[plan.oExp + x], buildExposure(plan, x));
    o.closeMap();

    o.top('metrics', {});

    o.openMap('groups');
    for (let d = 0; d < D; d++) o.entry(`group.${PROJECT}.${DOMAINS[d].name}`, buildGroup(plan, d));
    o.closeMap();

    o.top('selectors', {});

    o.openMap('disabled');
    for (let q = 0; q < plan.Q; q++) {
      const m = (q * 997 + 11) % N;
      const node = buildModel(plan, m, { disabled: true });
      o.entry(node.unique_id, [node]);
    }
    o.closeMap();

    // parent_map / child_map: nodes, then sources, then exposures (dbt's order), values sorted
    const order = [];
    const pushRange = (a, b) => {
      for (let g = a; g < b; g++) order.push(g);
    };
    pushRange(0, plan.oSrc); // models, seeds, snapshots, tests
    pushRange(plan.oSrc, plan.oExp); // sources
    pushRange(plan.oExp, plan.total); // exposures
    const sortedIds = (gs) => gs.map((g) => plan.ids[g]).sort(cmp);
    o.openMap('parent_map');
    for (const g of order) o.entry(plan.ids[g], sortedIds(plan.dep[g]));
    o.closeMap();
    o.openMap('child_map');
    for (const g of order) {
      const a = plan.childStart[g];
      const b = plan.childStart[g + 1];
      o.entry(plan.ids[g], sortedIds(Array.from(plan.childList.subarray(a, b))));
    }
    o.closeMap();

    o.openMap('group_map');
    for (let d = 0; d < D; d++) {
      const members = [];
      for (let m = 0; m < N; m++) if (plan.groupOf[m] === d) members.push(plan.ids[m]);
      for (let t = 0; t < plan.T; t++) {
        const k = plan.tKind[t];
        if (k === T_SRC_NOT_NULL || k === T_SRC_UNIQUE) continue;
        if (plan.groupOf[plan.tOwner[t]] === d) members.push(plan.ids[plan.oTest + t]);
      }
      o.entry(DOMAINS[d].name, members);
    }
    o.closeMap();

    o.top('saved_queries', {});
    o.top('semantic_models', {});
    o.top('unit_tests', {});
    o.end();
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, outPath);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const size = fs.statSync(outPath).size;
  return { plan, size, secs };
}

function cmp(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fmtBytes(n) {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
}

// The plan and node builders, for scripts/gen-tree.mjs (the same project as a source tree).
export {
  ACCESS,
  D,
  DOMAINS,
  K,
  LAYER_DIRS,
  LAYER_TIER,
  PROJECT,
  RAW_DATABASE,
  Rng,
  T_ACCEPTED,
  T_NOT_NULL,
  T_REL,
  T_SRC_NOT_NULL,
  T_SRC_UNIQUE,
  T_UNIQUE,
  buildExposure,
  buildGroup,
  buildMacro,
  buildModel,
  buildSeed,
  buildSnapshot,
  buildSource,
  docsEntries,
  hash3,
  macroPath,
  macroPlan,
  makePlan,
  py,
  strHash,
};

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const argv = process.argv.slice(2);
  if (argv.includes('--tree')) {
    // Not awaited at the top level: gen-tree.mjs imports this module, which must finish first.
    import('./gen-tree.mjs')
      .then((m) => m.main(argv.filter((a) => a !== '--tree')))
      .catch((err) => {
        console.error(err);
        process.exit(1);
      });
  } else {
    const opts = parseCli(argv);
    const { size, secs } = generate(opts);
    console.log(
      `wrote ${opts.out} (${fmtBytes(size)}, ${size} bytes, ${opts.models} models, ${(size / opts.models / 1024).toFixed(1)} KiB/model) in ${secs.toFixed(1)} s`,
    );
  }
}
