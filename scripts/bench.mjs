#!/usr/bin/env node
// Load/check benchmark for dbt-steward against synthetic manifests.
//
//   npm run bench [-- --sizes 1000,10000] [--huge] [--runs 3] [--seed 1] [--regen]
//
// For each size, generates bench-out/manifest-<N>.json when missing (scripts/gen-manifest.mjs),
// then measures in fresh child processes (one process per run, so peak RSS is per measurement):
//   baseline  JSON.parse(fs.readFileSync(file, 'utf8'))   (skipped for files over 512 MiB)
//   load      loadProject([file])                          from the built library (dist/)
//   check     loadProject([file]) + check(project)         end to end
//   base      `check HEAD --base BASE --format json` through the CLI's own entry point (in
//             process, output discarded): the head (bench-out/manifest-<N>-head.json, the
//             manifest with a set of changes written by this script) against the manifest as
//             the base: both sides loaded and checked (the base sharing the head's unchanged
//             entries and findings, as the CLI does), then changes, breaking changes, impact,
//             classification, the JSON output
// The measurements alternate: each of --runs rounds runs every one once. Time is the median
// over the runs; peak RSS (process.resourceUsage().maxRSS) is the highest over the runs. Prints a Markdown table and writes bench-out/results.json. Exits non-zero when a
// child fails. Build the library first: `npm run build`.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  dieAs,
  fmtMiB,
  fmtMs,
  machineInfo,
  measureRounds,
  parseBenchCli,
  ratio,
  RESULT_PREFIX,
  runWorker,
} from './bench-common.mjs';
import { py } from './gen-manifest.mjs';

const SCRIPT = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SCRIPT), '..');
const LIB = path.join(ROOT, 'dist', 'src', 'index.js');
const GEN = path.join(ROOT, 'scripts', 'gen-manifest.mjs');
const OUT_DIR = path.join(ROOT, 'bench-out');
const BASELINE_LIMIT = 512 * 2 ** 20;

const USAGE = `usage: node --expose-gc scripts/bench.mjs [--sizes 1000,10000] [--huge] [--runs 3] [--seed 1] [--regen]

  --sizes LIST  comma-separated model counts (default: 1000,10000; accepts 10k)
  --huge        also run 100000 models (~1.7 GiB manifest; baseline reported as n/a)
  --runs N      fresh-process repetitions per measurement (default: 3; median time)
  --seed S      generator seed for missing manifests (default: 1)
  --regen       regenerate the manifests even when bench-out/manifest-<N>.json exists (and
                rewrite the base-mode heads, bench-out/manifest-<N>-head.json)
  --out FILE    results JSON (default: bench-out/results.json)`;

// ---------------------------------------------------------------------------------------------
// Worker mode: `bench.mjs --worker <baseline|load|check|base|noop> <file> [base file]` prints
// one result line.

async function worker(mode, file, baseFile) {
  const gc = globalThis.gc ?? (() => {});
  let lib = null;
  let cliBase = null;
  if (mode === 'load' || mode === 'check' || mode === 'base') {
    lib = await import('../dist/src/index.js'); // imported before the clock starts
  }
  if (mode === 'base') cliBase = await import('../dist/src/cli/main.js');
  gc();
  const t0 = process.hrtime.bigint();
  let stop = null;
  const extra = {};
  if (mode === 'baseline') {
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    extra.nodes = Object.keys(data.nodes ?? {}).length;
  } else if (mode === 'load') {
    const project = await lib.loadProject([file]);
    extra.resources = project.resources.size;
  } else if (mode === 'check') {
    const project = await lib.loadProject([file]);
    const result = lib.check(project);
    extra.resources = project.resources.size;
    extra.findings = result.findings.length;
    extra.summary = result.summary;
  } else if (mode === 'base') {
    // The CLI as a user runs it (no config file above bench-out/: the recommended preset).
    let stdout = '';
    let stderr = '';
    const code = await cliBase.main(
      [
        'check',
        path.resolve(file),
        '--base',
        path.resolve(baseFile),
        '--format',
        'json',
        '--exit-zero',
      ],
      {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        cwd: path.dirname(file),
        env: process.env,
      },
    );
    // The clock stops with the CLI: reading its JSON back below is the bench's own work.
    stop = process.hrtime.bigint();
    if (code !== 0) throw new Error(`check --base exited ${code}: ${stderr.trim()}`);
    const result = JSON.parse(stdout);
    extra.resources = result.projects.reduce(
      (n, p) => n + Object.values(p.counts).reduce((a, b) => a + b, 0),
      0,
    );
    // The JSON lists fixed findings among the others, with status `fixed`.
    const current = result.findings.filter((f) => f.status !== 'fixed');
    extra.findings = current.length;
    extra.summary = result.summary;
    const c = result.changes;
    extra.changes = {
      added: c.added.length,
      removed: c.removed.length,
      renamed: c.renamed.length,
      modified: c.modified.length,
    };
    extra.breaking = current.filter((f) => f.ruleId === 'breaking-change').length;
    extra.newFindings = current.filter((f) => f.status === 'new').length;
    extra.fixed = result.findings.length - current.length;
    extra.impact = result.impact.length;
  } else if (mode !== 'noop') {
    throw new Error(`unknown worker mode ${mode}`);
  }
  const ms = Number((stop ?? process.hrtime.bigint()) - t0) / 1e6;
  const maxRssKiB = process.resourceUsage().maxRSS;
  process.stdout.write(RESULT_PREFIX + JSON.stringify({ mode, ms, maxRssKiB, ...extra }) + '\n');
}

// ---------------------------------------------------------------------------------------------
// Orchestrator

const die = dieAs('bench');

function parseCli(argv) {
  const v = parseBenchCli(argv, {
    usage: USAGE,
    out: path.join(OUT_DIR, 'results.json'),
    extra: { huge: { type: 'boolean', default: false } },
    die,
  });
  if (v.huge && !v.sizes.includes(100000)) v.sizes.push(100000);
  return { sizes: v.sizes, runs: v.runs, seed: v.seed, regen: v.regen, out: v.out };
}

function ensureManifest(n, seed, regen) {
  const file = path.join(OUT_DIR, `manifest-${n}.json`);
  if (!regen && fs.existsSync(file)) return file;
  console.error(`bench: generating ${path.relative(ROOT, file)} (${n} models)...`);
  const res = spawnSync(
    process.execPath,
    [GEN, '--models', String(n), '--out', file, '--seed', String(seed), '--quiet'],
    { stdio: ['ignore', 2, 2] }, // keep stdout for the table
  );
  if (res.status !== 0) die(`generator failed for ${n} models (exit ${res.status ?? res.signal})`);
  return file;
}

/**
 * The head of a pull request against manifest-<N>.json: a copy with a realistic set of changes,
 * scaled with N (per 1,000 models: 1 model removed, 1 renamed in place, 2 columns removed from
 * public models, 1 access narrowed, 1 contract no longer enforced, 1 data type changed and 5
 * descriptions edited). As a second `dbt parse` would, it gives every entry a new created_at
 * and is written the way dbt (and the generator) writes a manifest: Python's json.dumps style.
 * Written next to the manifest; rewritten when the manifest is newer or the head is in
 * another style (an older bench wrote it compactly). Picks are every k-th model in unique_id
 * order: deterministic.
 */
function ensureHead(n, baseFile, regen) {
  const file = path.join(OUT_DIR, `manifest-${n}-head.json`);
  const fresh = () => {
    if (fs.statSync(file).mtimeMs < fs.statSync(baseFile).mtimeMs) return false;
    const fd = fs.openSync(file, 'r');
    try {
      const start = Buffer.alloc(14);
      fs.readSync(fd, start, 0, 14, 0);
      return start.toString('latin1') === '{"metadata": {';
    } finally {
      fs.closeSync(fd);
    }
  };
  if (!regen && fs.existsSync(file) && fresh()) return file;
  console.error(`bench: writing ${path.relative(ROOT, file)} (the head for base mode)...`);
  const m = JSON.parse(fs.readFileSync(baseFile, 'utf8'));
  const per = Math.max(1, Math.round(n / 1000));
  const models = Object.values(m.nodes)
    .filter((x) => x.resource_type === 'model')
    .sort((a, b) => (a.unique_id < b.unique_id ? -1 : 1));
  const pub = models.filter((x) => x.access === 'public' && x.version == null);
  const contracted = pub.filter((x) => x.contract?.enforced && Object.keys(x.columns).length > 1);
  const used = new Set();
  const pick = (list, count, offset) => {
    const out = [];
    const step = Math.max(1, Math.floor(list.length / (count + 1)));
    for (let i = offset % step; i < list.length && out.length < count; i += step) {
      if (used.has(list[i].unique_id)) continue;
      used.add(list[i].unique_id);
      out.push(list[i]);
    }
    return out;
  };
  const removed = new Set(pick(pub, per, 1).map((x) => x.unique_id));
  const renamed = new Map(pick(pub, per, 2).map((x) => [x.unique_id, `${x.unique_id}_renamed`]));
  for (const x of pick(pub, 2 * per, 3)) delete x.columns[Object.keys(x.columns).at(-1)];
  for (const x of pick(pub, per, 4)) x.access = x.config.access = 'protected';
  for (const x of pick(contracted, per, 5))
    x.contract = x.config.contract = { ...x.config.contract, enforced: false };
  for (const x of pick(contracted, per, 6)) {
    const col = Object.values(x.columns).find((c) => c.data_type);
    if (col) col.data_type = col.data_type === 'varchar' ? 'integer' : 'varchar';
  }
  for (const x of pick(models, 5 * per, 7)) x.description = `${x.description} (edited)`;

  // Removed models go with their tests; consumers drop the ref (as if re-pointed elsewhere).
  const gone = (id) => removed.has(id);
  const tests = Object.values(m.nodes).filter(
    (x) => x.resource_type === 'test' && (x.depends_on?.nodes ?? []).some(gone),
  );
  for (const t of tests) removed.add(t.unique_id);
  for (const id of removed) delete m.nodes[id];
  // Renames: the unique_id and name change, the file stays (a rename in place).
  const swap = (id) => renamed.get(id) ?? id;
  for (const [from, to] of renamed) {
    const x = m.nodes[from];
    delete m.nodes[from];
    const oldName = x.name;
    x.unique_id = to;
    x.name = `${oldName}_renamed`;
    x.alias = x.name;
    x.fqn = [...x.fqn.slice(0, -1), x.name];
    m.nodes[to] = x;
    renamed.set(from, to);
  }
  for (const group of ['nodes', 'exposures', 'metrics', 'semantic_models', 'saved_queries']) {
    for (const x of Object.values(m[group] ?? {})) {
      if (x.depends_on?.nodes)
        x.depends_on.nodes = x.depends_on.nodes.filter((id) => !gone(id)).map(swap);
      if (typeof x.attached_node === 'string') x.attached_node = swap(x.attached_node);
    }
  }
  for (const key of ['parent_map', 'child_map']) {
    const map = {};
    for (const [id, list] of Object.entries(m[key] ?? {}))
      if (!gone(id)) map[swap(id)] = list.filter((x) => !gone(x)).map(swap);
    m[key] = map;
  }
  // A later parse: every entry gets a new created_at (one hour on), as dbt stamps them.
  for (const section of ['nodes', 'sources', 'exposures', 'metrics', 'semantic_models']) {
    for (const x of Object.values(m[section] ?? {}))
      if (typeof x.created_at === 'number') x.created_at += 3600.25;
  }
  fs.writeFileSync(file, py(m));
  return file;
}

function runChild(mode, file, baseFile) {
  return runWorker(SCRIPT, [mode, file, ...(baseFile ? [baseFile] : [])], {
    label: `${mode} ${path.relative(ROOT, file)}`,
  });
}

const rssCell = (kib, fileBytes) =>
  kib == null ? 'n/a' : `${fmtMiB(kib * 1024)} MiB (${((kib * 1024) / fileBytes).toFixed(2)}×)`;

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--worker') {
    await worker(argv[1], argv[2], argv[3]);
    return;
  }
  const opts = parseCli(argv);
  if (!fs.existsSync(LIB))
    die(`${path.relative(ROOT, LIB)} not found: run \`npm run build\` first`);
  fs.mkdirSync(OUT_DIR, { recursive: true });

  const machine = machineInfo();
  let failed = 0;
  let nodeFloorKiB = null;
  try {
    nodeFloorKiB = runChild('noop', SCRIPT).maxRssKiB;
  } catch (err) {
    console.error(`bench: ${err.message}\n${err.stderr ?? ''}`);
    failed++;
  }

  const results = [];
  for (const n of opts.sizes) {
    const file = ensureManifest(n, opts.seed, opts.regen);
    const bytes = fs.statSync(file).size;
    const row = { models: n, file: path.relative(ROOT, file), bytes };
    console.error(`bench: ${n} models, ${fmtMiB(bytes)} MiB, ${opts.runs} run(s) each...`);
    // One round runs every measurement once; rounds repeat, so that a slow stretch of the
    // machine weighs on the baseline and the measurements alike.
    const runners = {};
    if (bytes <= BASELINE_LIMIT) runners.baseline = () => runChild('baseline', file);
    else row.baseline = null; // readFileSync + JSON.parse cannot hold a string this large
    runners.load = () => runChild('load', file);
    runners.check = () => runChild('check', file);
    if (bytes <= BASELINE_LIMIT) {
      try {
        const headFile = ensureHead(n, file, opts.regen);
        row.headFile = path.relative(ROOT, headFile);
        runners.base = () => runChild('base', headFile, file);
      } catch (err) {
        console.error(`bench: ${err.message}`);
        row.base = { error: err.message };
        failed++;
      }
    }
    Object.assign(
      row,
      measureRounds(runners, opts.runs, (err) => {
        console.error(`bench: ${err.message}${err.stderr ? `\n${err.stderr}` : ''}`);
        failed++;
      }),
    );
    const base = row.baseline?.ms ?? null;
    row.baseRatio = row.base?.ms != null && base ? row.base.ms / base : null;
    row.baseRssPerFile = row.base?.maxRssKiB ? (row.base.maxRssKiB * 1024) / bytes : null;
    row.loadRatio = row.load?.ms != null && base ? row.load.ms / base : null;
    row.checkRatio = row.check?.ms != null && base ? row.check.ms / base : null;
    row.loadRssPerFile = row.load?.maxRssKiB ? (row.load.maxRssKiB * 1024) / bytes : null;
    row.checkRssPerFile = row.check?.maxRssKiB ? (row.check.maxRssKiB * 1024) / bytes : null;
    results.push(row);
  }

  const lines = [];
  lines.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.totalMemGiB} GiB RAM, Node ${machine.node} (${machine.platform})`,
  );
  lines.push(
    `Runs: ${opts.runs} fresh processes per cell, median time, highest peak RSS; empty Node process: ${nodeFloorKiB ? fmtMiB(nodeFloorKiB * 1024) : '?'} MiB RSS`,
  );
  lines.push('');
  lines.push(
    '| models | file MiB | JSON.parse ms | parse RSS (×file) | load ms | load / parse | check ms | check / parse | load RSS (×file) | check RSS (×file) |',
  );
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const ms = (m) => (m == null ? 'n/a' : m.error ? 'FAILED' : fmtMs(m.ms));
  for (const r of results) {
    const base = r.baseline && !r.baseline.error ? r.baseline.ms : null;
    const loadMs = r.load && !r.load.error ? r.load.ms : null;
    const checkMs = r.check && !r.check.error ? r.check.ms : null;
    lines.push(
      `| ${r.models.toLocaleString('en-US')} | ${fmtMiB(r.bytes)} | ${ms(r.baseline)} | ${rssCell(r.baseline?.maxRssKiB, r.bytes)} | ${ms(r.load)} | ${ratio(loadMs, base)} | ${ms(r.check)} | ${ratio(checkMs, base)} | ${rssCell(r.load?.maxRssKiB, r.bytes)} | ${rssCell(r.check?.maxRssKiB, r.bytes)} |`,
    );
  }
  const withFindings = results.filter((r) => r.check?.findings !== undefined);
  if (withFindings.length) {
    lines.push('');
    for (const r of withFindings) {
      const s = r.check.summary ?? {};
      lines.push(
        `- ${r.models.toLocaleString('en-US')} models: ${r.check.resources} resources loaded, ${r.check.findings} findings (error ${s.error ?? '?'}, warn ${s.warn ?? '?'}, info ${s.info ?? '?'})`,
      );
    }
  }
  const withBase = results.filter((r) => r.base !== undefined);
  if (withBase.length) {
    lines.push('');
    lines.push(
      'Base mode (`check --base`: the head and the base manifest, both loaded and checked, then compared; target ≤ 2.5× one JSON.parse):',
    );
    lines.push('');
    lines.push('| models | JSON.parse ms | check --base ms | base / parse | peak RSS (×file) |');
    lines.push('|---:|---:|---:|---:|---:|');
    for (const r of withBase) {
      const parse = r.baseline && !r.baseline.error ? r.baseline.ms : null;
      const baseMs = r.base && !r.base.error ? r.base.ms : null;
      lines.push(
        `| ${r.models.toLocaleString('en-US')} | ${ms(r.baseline)} | ${ms(r.base)} | ${ratio(baseMs, parse)} | ${rssCell(r.base?.maxRssKiB, r.bytes)} |`,
      );
    }
    lines.push('');
    for (const r of withBase) {
      if (!r.base?.changes) continue;
      const c = r.base.changes;
      lines.push(
        `- ${r.models.toLocaleString('en-US')} models: ${c.added} added, ${c.removed} removed, ${c.renamed} renamed, ${c.modified} modified; ${r.base.breaking} breaking changes, ${r.base.newFindings} new findings, ${r.base.fixed} fixed, ${r.base.impact} changed resources with downstream impact`,
      );
    }
  }
  console.log(lines.join('\n'));

  const report = {
    generatedAt: new Date().toISOString(),
    machine: { ...machine, nodeFloorRssKiB: nodeFloorKiB },
    runs: opts.runs,
    seed: opts.seed,
    baselineLimitBytes: BASELINE_LIMIT,
    results,
  };
  fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n');
  console.error(`bench: wrote ${path.relative(ROOT, path.resolve(opts.out)) || opts.out}`);
  if (failed) die(`${failed} measurement(s) failed`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
