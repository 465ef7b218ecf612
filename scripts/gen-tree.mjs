#!/usr/bin/env node
// Synthetic dbt project *tree* generator: the project of scripts/gen-manifest.mjs written as the
// files a team would commit (dbt_project.yml, SQL, properties YAML, macros, docs, seeds), for
// the source-mode reader's tests and benchmarks.
//
//   npm run gen -- --tree --models N [--out DIR] [--seed S] [--quiet]
//   node scripts/gen-tree.mjs --models N [--out DIR] [--seed S] [--quiet]
//
// Same plan as the manifest generator (eight domains, staging -> intermediate -> marts, refs
// across domains, versioned marts, sources per domain system, seeds, snapshots, exposures,
// groups), so the DAG has the same shape and the same unique_ids. Config is spread the way real
// projects spread it: folder `+meta`/`+tags`/`+group`/`+materialized` in dbt_project.yml,
// per-model settings in properties YAML (both the dbt 1.10 `config:` layout and the legacy
// top-level one) and in `{{ config(...) }}` calls, with a little Jinja in SQL and YAML
// (doc() descriptions, var(), is_incremental(), project macros, anchors in sources files).
//
// Everything is a pure function of (--models, --seed): same arguments -> byte-identical files.
// The output directory is replaced as a whole; a directory this script did not write is
// refused (it must be empty or hold the marker file `.dbt-steward-gen-tree`).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  D,
  DOMAINS,
  K,
  LAYER_DIRS,
  LAYER_TIER,
  PROJECT,
  Rng,
  T_ACCEPTED,
  T_NOT_NULL,
  T_REL,
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
  strHash,
} from './gen-manifest.mjs';

const MARKER = '.dbt-steward-gen-tree';
const K_TREE = 101; // sub-stream kind of this generator's own choices

const USAGE = `usage: node scripts/gen-tree.mjs --models N [--out DIR] [--seed S] [--quiet]
       npm run gen -- --tree --models N [--out DIR] [--seed S] [--quiet]

  --models N   number of model nodes (required; accepts 1000, 10k)
  --out DIR    output directory, replaced as a whole (default: bench-out/tree-<N>)
  --seed S     PRNG seed, integer or string (default: 1)
  --quiet      only print the final "wrote ..." line`;

function fail(msg) {
  console.error(`gen-tree: ${msg}`);
  process.exit(2);
}

function parseCli(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        models: { type: 'string', short: 'n' },
        out: { type: 'string', short: 'o' },
        seed: { type: 'string', default: '1' },
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
  if (!Number.isSafeInteger(models) || models < 1 || models > 1_000_000) {
    fail(`--models must be between 1 and 1000000 (got ${values.models})`);
  }
  const seedText = values.seed.trim();
  const seed = /^-?\d+$/.test(seedText) ? Number(seedText) >>> 0 : strHash(seedText);
  const out = values.out ?? path.join('bench-out', `tree-${models}`);
  return { models, seed, out, quiet: values.quiet };
}

// ---------------------------------------------------------------------------------------------
// A small YAML writer: block style, dbt-project conventions (lists indented under their key),
// plain scalars where YAML 1.1 and 1.2 read them the same, double quotes otherwise.

const ANCHOR = Symbol('anchor');
const ALIAS = Symbol('alias');
const RAW = Symbol('raw');
const anchor = (name, value) => ({ [ANCHOR]: name, value });
const alias = (name) => ({ [ALIAS]: name });
/** A scalar written as given (an unquoted date, say). */
const raw = (text) => ({ [RAW]: text });

const RESERVED = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null', '~']);

function plainOk(s, flow) {
  if (!/^\+?[A-Za-z_][\w .,;:'()/@#+-]*$/.test(s)) return false;
  if (flow && /[,[\]{}]/.test(s)) return false;
  if (/: |:$| #| $/.test(s)) return false;
  return !RESERVED.has(s.toLowerCase());
}

function scalar(v, flow = false) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (typeof v === 'object' && RAW in v) return v[RAW];
  const s = String(v);
  if (plainOk(s, flow)) return s;
  // single quotes where they need no escaping (how people write Jinja in YAML), else double
  const simple = !/['\\]/.test(s) && [...s].every((c) => c.charCodeAt(0) >= 0x20);
  return simple ? `'${s}'` : JSON.stringify(s);
}

function isScalar(v) {
  return v === null || typeof v !== 'object' || RAW in v;
}

function folded(text, ind) {
  const pad = ' '.repeat(ind);
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > 88) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return ` >-\n${lines.map((l) => pad + l).join('\n')}`;
}

function mapLines(obj, ind, out) {
  const pad = ' '.repeat(ind);
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    const head = `${pad}${scalar(k)}:`;
    if (v !== null && typeof v === 'object' && ALIAS in v) {
      out.push(`${head} *${v[ALIAS]}`);
    } else if (v !== null && typeof v === 'object' && ANCHOR in v) {
      out.push(`${head} &${v[ANCHOR]}`);
      mapLines(v.value, ind + 2, out);
    } else if (isScalar(v)) {
      if (
        k === 'description' &&
        typeof v === 'string' &&
        v.length > 100 &&
        !v.includes('\n') &&
        !v.includes('  ') &&
        !v.includes('{{')
      )
        out.push(head + folded(v, ind + 2));
      else out.push(`${head} ${scalar(v)}`);
    } else if (Array.isArray(v)) {
      if (v.length === 0) out.push(`${head} []`);
      else if (v.every((x) => isScalar(x) && plainOrShort(x))) {
        out.push(`${head} [${v.map((x) => scalar(x, true)).join(', ')}]`);
      } else {
        out.push(head);
        listLines(v, ind + 2, out);
      }
    } else if (Object.keys(v).length === 0) out.push(`${head} {}`);
    else {
      out.push(head);
      mapLines(v, ind + 2, out);
    }
  }
}

function plainOrShort(x) {
  return typeof x !== 'string' || x.length <= 40;
}

function listLines(arr, ind, out) {
  const pad = ' '.repeat(ind);
  for (const item of arr) {
    if (isScalar(item)) {
      out.push(`${pad}- ${scalar(item)}`);
      continue;
    }
    if (Array.isArray(item)) throw new Error('gen-tree: nested lists are not written');
    const sub = [];
    mapLines(item, ind + 2, sub);
    if (sub.length === 0) {
      out.push(`${pad}- {}`);
      continue;
    }
    sub[0] = `${pad}- ${sub[0].slice(ind + 2)}`;
    out.push(...sub);
  }
}

/** A YAML document: a blank line before and after each top-level block (nested) value. */
function yamlDoc(obj, { header = '' } = {}) {
  const parts = [];
  let prevBlock = false;
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    const out = [];
    mapLines({ [k]: v }, 0, out);
    const block = out.length > 1;
    if (parts.length && (block || prevBlock)) parts.push('');
    parts.push(...out);
    prevBlock = block;
  }
  return `${header}${parts.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Jinja / Python literals for config() calls

function pyStr(s) {
  return s.includes("'") ? JSON.stringify(s) : `'${s}'`;
}

function pyLit(v) {
  if (v === null) return 'none';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return pyStr(v);
  if (Array.isArray(v)) return `[${v.map(pyLit).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${pyStr(k)}: ${pyLit(x)}`)
    .join(', ')}}`;
}

function configCall(settings) {
  const lines = Object.entries(settings).map(([k, v]) => `        ${k}=${pyLit(v)}`);
  return `{{\n    config(\n${lines.join(',\n')}\n    )\n}}\n\n`;
}

const CONFIG_BLOCK = /^\{\{\n {4}config\(\n[\s\S]*?\n {4}\)\n\}\}\n\n/;

// ---------------------------------------------------------------------------------------------
// Folder defaults (dbt_project.yml) and per-model placement of settings

const FOLDER_MAT = ['view', 'view', 'table'];
const FOLDER_ACCESS = ['protected', 'protected', 'public'];

function dbtProjectYml() {
  const models = { '+materialized': 'view' };
  for (const dom of DOMAINS) {
    const folder = {
      '+group': dom.name,
      '+meta': { domain: dom.name },
      '+tags': [dom.name],
    };
    LAYER_DIRS.forEach((layer, l) => {
      const sub = {
        '+tags': [layer],
        '+meta': { tier: LAYER_TIER[l] },
      };
      if (FOLDER_MAT[l] !== 'view') sub['+materialized'] = FOLDER_MAT[l];
      if (FOLDER_ACCESS[l] !== 'protected') sub['+access'] = FOLDER_ACCESS[l];
      if (l === 2) sub['+persist_docs'] = { relation: true, columns: true };
      folder[layer] = sub;
    });
    models[dom.name] = folder;
  }
  const snapshots = { '+target_schema': 'snapshots', '+tags': ['snapshot'] };
  for (const dom of DOMAINS) snapshots[dom.name] = { '+tags': [dom.name] };
  return yamlDoc(
    {
      name: PROJECT,
      version: '1.0.0',
      'config-version': 2,
      profile: PROJECT,
      'model-paths': ['models'],
      'seed-paths': ['seeds'],
      'snapshot-paths': ['snapshots'],
      'macro-paths': ['macros'],
      'test-paths': ['tests'],
      'analysis-paths': ['analyses'],
      'target-path': 'target',
      'clean-targets': ['target', 'dbt_packages'],
      vars: { start_date: '2019-01-01', recent_days: 30, raw_database: 'raw' },
      models: { [PROJECT]: models },
      seeds: { [PROJECT]: { '+schema': 'seeds' } },
      snapshots: { [PROJECT]: snapshots },
      sources: { [PROJECT]: { '+meta': { loader_team: 'data-platform' }, '+tags': ['raw'] } },
      data_tests: { [PROJECT]: { '+schema': 'dbt_test__audit' } },
    },
    {
      header:
        '# ACME analytics: one dbt project, eight domains, each with staging -> intermediate -> marts.\n\n',
    },
  );
}

function docOrText(col) {
  return col.doc_blocks.length ? `{{ doc("${col.name}") }}` : col.description;
}

function columnEntry(col, style, tests, opts) {
  const e = { name: col.name, description: docOrText(col) };
  if (col.data_type) e.data_type = col.data_type;
  if (opts.contract && col.constraints.length)
    e.constraints = col.constraints.map((c) => ({ type: c.type }));
  const metaKeys = Object.keys(col.meta);
  if (metaKeys.length || col.tags.length) {
    if (style === 'config') e.config = { meta: { ...col.meta }, tags: [...col.tags] };
    else {
      if (metaKeys.length) e.meta = { ...col.meta };
      if (col.tags.length) e.tags = [...col.tags];
    }
  }
  if (tests.length) e[opts.testsKey] = tests;
  return e;
}

/**
 * One model's files: SQL text (per version) and its properties entry (or null when the
 * model is undocumented). `m` is the first version for versioned pairs.
 */
function modelFiles(plan, m) {
  const tr = new Rng(hash3(plan.seed, K_TREE, m));
  const l = plan.layerOf[m];
  const dom = DOMAINS[plan.domainOf[m]].name;
  const versions = plan.versionOf[m] ? [m, m + 1] : [m];
  const nodes = versions.map((x) => buildModel(plan, x));
  const node = nodes[0];
  const documented = !!plan.documented[m];
  const mat = node.config.materialized;
  const incremental =
    mat === 'incremental'
      ? {
          unique_key: node.config.unique_key,
          incremental_strategy: 'merge',
          on_schema_change: 'append_new_columns',
        }
      : null;
  const extraTags = node.tags.filter((t) => t !== LAYER_DIRS[l] && t !== dom);
  const { owner, sla_hours: sla, slack_channel: slack } = node.meta;
  const postHook = node.config['post-hook'].map((h) => h.sql);
  const style = tr.chance(0.6) ? 'config' : 'legacy';
  const testsKey = tr.chance(0.75) ? 'data_tests' : 'tests';
  const jinjaSet = tr.chance(0.06);

  // Where each setting goes: the SQL config() call or the properties entry.
  const sqlCfg = {};
  const yamlCfg = {};
  const hadCall = CONFIG_BLOCK.test(node.raw_code);
  const needsCall =
    hadCall ||
    (!documented &&
      (mat !== FOLDER_MAT[l] ||
        node.access !== FOLDER_ACCESS[l] ||
        extraTags.length > 0 ||
        postHook.length > 0));
  const inSql = needsCall ? sqlCfg : yamlCfg;
  if (hadCall || mat !== FOLDER_MAT[l]) inSql.materialized = mat;
  if (incremental) Object.assign(inSql, incremental);
  if (extraTags.length) inSql.tags = extraTags;
  if (!documented && node.access !== FOLDER_ACCESS[l]) sqlCfg.access = node.access;
  const meta = {};
  if (owner !== undefined) meta.owner = owner;
  if (sla !== undefined) {
    if (hadCall && tr.chance(0.3)) sqlCfg.meta = { sla_hours: sla };
    else meta.sla_hours = sla;
  }
  if (slack !== undefined) meta.slack_channel = slack;
  if (postHook.length) {
    if (needsCall) sqlCfg.post_hook = postHook;
    else yamlCfg['post-hook'] = postHook;
  }

  const sql = nodes.map((n) => {
    let body = n.raw_code.replace(CONFIG_BLOCK, '');
    if (jinjaSet)
      body = `{%- set lookback_days = var('lookback_days', 3) -%}\n-- incremental lookback: {{ lookback_days }} days\n\n${body}`;
    return (needsCall ? configCall(sqlCfg) : '') + body;
  });
  if (!documented) {
    // a versioned model needs its properties entry, documented or not
    const entry =
      versions.length > 1
        ? {
            name: plan.names[m],
            latest_version: 2,
            versions: [{ v: 1, deprecation_date: raw('2026-06-30') }, { v: 2 }],
          }
        : null;
    return { sql, nodes, entry, tests: 0 };
  }

  // Properties entry
  const entry = { name: plan.names[m], description: node.description };
  if (versions.length > 1) entry.latest_version = 2;
  const cfg = { ...yamlCfg };
  const contract = node.contract.enforced;
  if (style === 'config') {
    if (node.access !== FOLDER_ACCESS[l]) cfg.access = node.access;
    if (Object.keys(meta).length) cfg.meta = meta;
  } else {
    if (node.access !== FOLDER_ACCESS[l]) entry.access = node.access;
    if (Object.keys(meta).length) entry.meta = meta;
  }
  if (contract) cfg.contract = { enforced: true };
  if (Object.keys(cfg).length) entry.config = cfg;
  if (contract) entry.constraints = [{ type: 'primary_key', columns: [pkCol(node)] }];

  // Columns with their tests
  const mask = plan.testMask[m];
  const cols = Object.values(node.columns);
  const testsOn = new Map();
  const addTest = (col, t) => {
    if (!testsOn.has(col)) testsOn.set(col, []);
    testsOn.get(col).push(t);
  };
  const pk = cols[0].name;
  if (mask & (1 << T_UNIQUE)) addTest(pk, 'unique');
  if (mask & (1 << T_NOT_NULL)) addTest(pk, 'not_null');
  let testCount = 0;
  if (mask & (1 << T_ACCEPTED)) {
    const status = `${plan.nounOf[m]}_status`;
    const values = acceptedValues(plan, m);
    addTest(status, { accepted_values: { values, config: { severity: 'warn' } } });
  }
  if (mask & (1 << T_REL)) {
    const to = plan.relTo[m];
    const field = `${plan.nounOf[to]}_id`;
    const toRef =
      plan.versionOf[to] === 1 ? `ref('${plan.names[to]}', v=1)` : `ref('${plan.names[to]}')`;
    addTest(field, { relationships: { to: toRef, field } });
  }
  const colEntries = cols.map((c) => {
    const tests = testsOn.get(c.name) ?? [];
    testsOn.delete(c.name);
    testCount += tests.length;
    return columnEntry(c, style, tests, { contract, testsKey });
  });
  for (const [name, tests] of testsOn) {
    testCount += tests.length;
    colEntries.push({ name, [testsKey]: tests });
  }
  entry.columns = colEntries;
  if (versions.length > 1) {
    entry.versions = [{ v: 1, deprecation_date: raw('2026-06-30') }, { v: 2 }];
    testCount *= 2;
  }
  return { sql, nodes, entry, tests: testCount };
}

function pkCol(node) {
  return Object.keys(node.columns)[0];
}

function acceptedValues(plan, m) {
  // the manifest generator's accepted values for model m (same stream, same draws)
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
  const r = new Rng(hash3(plan.seed, K.TEST_VALUES, m));
  return r.sample(STATUS_VALUES, r.int(3, 6)).sort();
}

// ---------------------------------------------------------------------------------------------
// Sources, seeds, snapshots, exposures, groups, macros, docs

function sourceFiles(plan) {
  // one file per (domain, system): models/<domain>/staging/_<system>__sources.yml
  const bySystem = new Map();
  for (let j = 0; j < plan.S; j++) {
    const node = buildSource(plan, j);
    const key = node.original_file_path;
    if (!bySystem.has(key)) bySystem.set(key, []);
    bySystem.get(key).push({ j, node });
  }
  const files = [];
  let tests = 0;
  for (const [file, tables] of bySystem) {
    const first = tables[0].node;
    const sys = first.source_name;
    const tableEntries = [];
    let anchored = false;
    for (const { j, node } of tables) {
      const t = { name: node.name, description: node.description };
      if (node.loaded_at_field) {
        t.loaded_at_field = node.loaded_at_field;
        if (!anchored) {
          t.freshness = anchor(`${sys}_freshness`, {
            warn_after: { count: 12, period: 'hour' },
            error_after: { count: 24, period: 'hour' },
          });
          anchored = true;
        } else t.freshness = alias(`${sys}_freshness`);
      }
      if (node.meta.contains_pii) t.config = { meta: { contains_pii: true } };
      const cols = Object.values(node.columns).map((c) => {
        const e = { name: c.name, description: c.description, data_type: c.data_type };
        if (Object.keys(c.meta).length) e.meta = { ...c.meta };
        return e;
      });
      const mask = plan.srcTestMask[j];
      const idTests = [];
      if (mask & 1) idTests.push('unique');
      if (mask & 2) idTests.push('not_null');
      if (idTests.length) {
        cols[0].data_tests = idTests;
        tests += idTests.length;
      }
      t.columns = cols;
      tableEntries.push(t);
    }
    const src = {
      name: sys,
      description: first.source_description,
      database: "{{ var('raw_database', 'raw') }}",
      schema: sys,
      loader: first.loader,
      config: { meta: { owner: first.source_meta.owner }, tags: [sys] },
      tables: tableEntries,
    };
    files.push([file, yamlDoc({ version: 2, sources: [src] })]);
  }
  return { files, tests };
}

const SEED_COLS = ['code', 'label', 'mapped_value', 'valid_from', 'valid_to', 'sort_order'];

function seedFiles(plan) {
  const files = [];
  const entriesByDomain = new Map();
  for (let e = 0; e < plan.E; e++) {
    const node = buildSeed(plan, e);
    const r = new Rng(hash3(plan.seed, K_TREE + 1, e));
    const used = new Set([...Object.keys(node.columns), ...Object.keys(node.config.column_types)]);
    const cols = SEED_COLS.filter((c) => used.has(c) || c === 'code' || c === 'label');
    const rows = [cols.join(',')];
    const n = r.int(3, 8);
    for (let i = 1; i <= n; i++) {
      rows.push(
        cols
          .map((c) =>
            c.startsWith('valid')
              ? `20${19 + (i % 6)}-0${1 + (i % 9)}-01`
              : c === 'sort_order'
                ? String(i)
                : `${c}_${i}`,
          )
          .join(','),
      );
    }
    files.push([node.original_file_path, rows.join('\n') + '\n']);
    const dom = DOMAINS[plan.seedDomain[e]].name;
    const documented = Object.keys(node.columns).length > 0;
    if (
      !documented &&
      !Object.keys(node.meta).length &&
      !Object.keys(node.config.column_types).length
    )
      continue;
    const entry = { name: node.name };
    if (node.description) entry.description = node.description;
    const cfg = {};
    if (Object.keys(node.config.column_types).length)
      cfg.column_types = { ...node.config.column_types };
    if (Object.keys(node.meta).length) cfg.meta = { ...node.meta };
    if (Object.keys(cfg).length) entry.config = cfg;
    if (documented)
      entry.columns = Object.values(node.columns).map((c) => ({
        name: c.name,
        description: c.description,
      }));
    if (!entriesByDomain.has(dom)) entriesByDomain.set(dom, []);
    entriesByDomain.get(dom).push(entry);
  }
  for (const [dom, entries] of entriesByDomain)
    files.push([`seeds/${dom}/_seeds.yml`, yamlDoc({ version: 2, seeds: entries })]);
  return files;
}

function snapshotFiles(plan) {
  const files = [];
  const byDomain = new Map();
  for (let p = 0; p < plan.P; p++) {
    const node = buildSnapshot(plan, p);
    files.push([node.original_file_path, node.raw_code + '\n']);
    const dom = DOMAINS[plan.domainOf[plan.snapParent[p]]].name;
    const entry = { name: node.name, description: node.description };
    if (Object.keys(node.meta).length) entry.config = { meta: { ...node.meta } };
    if (!byDomain.has(dom)) byDomain.set(dom, []);
    byDomain.get(dom).push(entry);
  }
  for (const [dom, entries] of byDomain)
    files.push([
      `snapshots/${dom}/_${dom}__snapshots.yml`,
      yamlDoc({ version: 2, snapshots: entries }),
    ]);
  return files;
}

function exposureFiles(plan) {
  const byFile = new Map();
  for (let x = 0; x < plan.X; x++) {
    const node = buildExposure(plan, x);
    const e = {
      name: node.name,
      label: node.label,
      type: node.type,
      maturity: node.maturity,
      url: node.url,
      description: node.description,
      owner: { ...node.owner },
      depends_on: node.refs.map((r) =>
        r.version ? `ref('${r.name}', v=${r.version})` : `ref('${r.name}')`,
      ),
      config: {
        tags: [...node.tags],
        ...(Object.keys(node.meta).length ? { meta: node.meta } : {}),
      },
    };
    if (!byFile.has(node.original_file_path)) byFile.set(node.original_file_path, []);
    byFile.get(node.original_file_path).push(e);
  }
  return [...byFile].map(([file, list]) => [file, yamlDoc({ version: 2, exposures: list })]);
}

function groupFiles(plan) {
  const files = [];
  for (let d = 0; d < D; d++) {
    const g = buildGroup(plan, d);
    files.push([
      g.original_file_path,
      yamlDoc({
        version: 2,
        groups: [
          {
            name: g.name,
            description: g.description,
            owner: { ...g.owner },
            config: { meta: { ...g.config.meta } },
          },
        ],
      }),
    ]);
  }
  return files;
}

const HAND_MACROS = {
  cents_to_dollars: `{% macro cents_to_dollars(column_name, scale=2) -%}
    round({{ column_name }} / 100.0, {{ scale }})::number(16, {{ scale }})
{%- endmacro %}`,
  safe_divide: `{% macro safe_divide(numerator, denominator) -%}
    case when {{ denominator }} = 0 then null else {{ numerator }} / {{ denominator }} end
{%- endmacro %}`,
  audit_row_count: `{% macro audit_row_count(model_name) -%}
    {%- if execute -%}
    insert into {{ target.schema }}_audit.row_counts (model_name, row_count, counted_at)
    select '{{ model_name }}', count(*), current_timestamp() from {{ this }}
    {%- endif -%}
{%- endmacro %}`,
  generate_schema_name: `{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set default_schema = target.schema -%}
    {%- if custom_schema_name is none -%}
        {{ default_schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}`,
};

function macroFiles(seed) {
  const byFile = new Map();
  const props = [];
  macroPlan(seed).forEach((mac, i) => {
    if (mac.pkg !== PROJECT) return;
    const node = buildMacro(seed, i, mac);
    const file = macroPath(mac.pkg, mac.name);
    if (!byFile.has(file)) byFile.set(file, []);
    byFile.get(file).push(HAND_MACROS[mac.name] ?? node.macro_sql);
    props.push({
      name: node.name,
      description: node.description,
      arguments: node.arguments.map((a) => ({ ...a })),
    });
  });
  const files = [...byFile].map(([file, bodies]) => [file, bodies.join('\n\n') + '\n']);
  files.push(['macros/_macros.yml', yamlDoc({ version: 2, macros: props })]);
  return files;
}

function docFiles() {
  const byFile = new Map();
  for (const doc of docsEntries()) {
    if (doc.package_name !== PROJECT) continue;
    if (!byFile.has(doc.original_file_path)) byFile.set(doc.original_file_path, []);
    byFile
      .get(doc.original_file_path)
      .push(`{% docs ${doc.name} %}\n${doc.block_contents}\n{% enddocs %}`);
  }
  return [...byFile].map(([file, blocks]) => [file, blocks.join('\n\n') + '\n']);
}

// ---------------------------------------------------------------------------------------------
// Emit

function prepareOut(dir) {
  if (fs.existsSync(dir)) {
    const entries = fs.readdirSync(dir);
    if (entries.length > 0 && !entries.includes(MARKER))
      fail(
        `${dir} exists and was not written by this script (no ${MARKER}); pass an empty or new --out directory`,
      );
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.mkdirSync(dir, { recursive: true });
}

export function generateTree({ models: N, seed, out, quiet }) {
  const t0 = process.hrtime.bigint();
  const plan = makePlan(N, seed);
  const log = (msg) => {
    if (!quiet) console.error(`gen-tree: ${msg}`);
  };
  prepareOut(out);
  const madeDirs = new Set();
  let files = 0;
  let bytes = 0;
  const write = (rel, text) => {
    const abs = path.join(out, rel);
    const dir = path.dirname(abs);
    if (!madeDirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      madeDirs.add(dir);
    }
    fs.writeFileSync(abs, text);
    files++;
    bytes += Buffer.byteLength(text);
  };

  write(MARKER, `${JSON.stringify({ generator: 'scripts/gen-tree.mjs', models: N, seed })}\n`);
  write('dbt_project.yml', dbtProjectYml());
  write(
    'packages.yml',
    yamlDoc({ packages: [{ package: 'dbt-labs/dbt_utils', version: ['>=1.1.0', '<2.0.0'] }] }),
  );

  // Models: SQL per node, one properties file per domain/layer folder.
  const entries = new Map();
  let modelTests = 0;
  let modelCount = 0;
  for (let m = 0; m < N; m++) {
    if (plan.versionOf[m] === 2) continue; // written with its v1
    const { sql, nodes, entry, tests } = modelFiles(plan, m);
    nodes.forEach((node, i) => {
      write(node.original_file_path, sql[i]);
      modelCount++;
    });
    if (entry) {
      const dom = DOMAINS[plan.domainOf[m]].name;
      const layer = LAYER_DIRS[plan.layerOf[m]];
      const file = `models/${dom}/${layer}/_${dom}__${layer}__models.yml`;
      if (!entries.has(file)) entries.set(file, []);
      entries.get(file).push(entry);
      modelTests += tests;
    }
  }
  for (const [file, list] of entries) write(file, yamlDoc({ version: 2, models: list }));

  // Disabled models, as teams leave them behind.
  const disabled = new Set();
  for (let q = 0; q < plan.Q; q++) disabled.add((q * 997 + 11) % N);
  for (const m of disabled) {
    const node = buildModel(plan, m, { disabled: true });
    const body = node.raw_code.replace(CONFIG_BLOCK, '');
    write(
      `models/${DOMAINS[plan.domainOf[m]].name}/${LAYER_DIRS[plan.layerOf[m]]}/${node.name}.sql`,
      `-- replaced by ${plan.names[m]}; kept until the consumers have migrated\n{{ config(enabled=false) }}\n\n${body}`,
    );
  }

  const src = sourceFiles(plan);
  for (const [f, t] of src.files) write(f, t);
  for (const [f, t] of seedFiles(plan)) write(f, t);
  for (const [f, t] of snapshotFiles(plan)) write(f, t);
  for (const [f, t] of exposureFiles(plan)) write(f, t);
  for (const [f, t] of groupFiles(plan)) write(f, t);
  for (const [f, t] of macroFiles(seed)) write(f, t);
  for (const [f, t] of docFiles()) write(f, t);

  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const summary = {
    models: modelCount,
    disabledModels: disabled.size,
    sources: plan.S,
    seeds: plan.E,
    snapshots: plan.P,
    exposures: plan.X,
    groups: D,
    tests: modelTests + src.tests,
    files,
    bytes,
  };
  log(`done: ${JSON.stringify(summary)}`);
  return { summary, secs };
}

function fmtBytes(n) {
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
}

export function main(argv) {
  const opts = parseCli(argv);
  const { summary: s, secs } = generateTree(opts);
  console.log(
    `wrote ${opts.out} (${s.files} files, ${fmtBytes(s.bytes)}, ${s.models} models, ${s.sources} sources, ${s.seeds} seeds, ${s.snapshots} snapshots, ${s.exposures} exposures, ${s.tests} tests) in ${secs.toFixed(1)} s`,
  );
}

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) main(process.argv.slice(2));
