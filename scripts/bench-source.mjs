#!/usr/bin/env node
// Source-mode benchmark: loading a dbt project tree from its files (no manifest), against a
// baseline timed in the same run.
//
//   npm run bench:source [-- --sizes 1000,10000] [--runs 3] [--seed 1] [--regen] [--profile N]
//
// For each size, generates bench-out/tree-<N>/ when missing (`npm run gen -- --tree`), then
// measures in fresh child processes, baseline and load alternating (one process per run; time
// is the median, peak RSS the highest):
//   baseline  fast-glob the project's YAML and SQL files, fs.readFileSync each one, and parse
//             every YAML file with js-yaml's load() (the YAML library the source reader uses)
//   load      loadProject([dir], { mode: 'source' }) from the built library (dist/)
// and reports load / baseline at each size and load(10k) / load(1k) (linear growth is 10).
// Targets (issue 5, item 8): load <= 2x baseline at 1,000 models, time(10k)/time(1k) <= 12.
// --profile N also runs one load of the N-model tree under `node --cpu-prof` and prints the
// functions with the most self time. Build the library first: `npm run build`.

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
  modelCount,
  parseBenchCli,
  ratio,
  RESULT_PREFIX,
  runWorker,
} from './bench-common.mjs';

const SCRIPT = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SCRIPT), '..');
const LIB = path.join(ROOT, 'dist', 'src', 'index.js');
const GEN = path.join(ROOT, 'scripts', 'gen-manifest.mjs');
const OUT_DIR = path.join(ROOT, 'bench-out');
const TARGET_RATIO = 2;
const TARGET_GROWTH = 12;

const USAGE = `usage: node scripts/bench-source.mjs [--sizes 1000,10000] [--runs 3] [--seed 1] [--regen] [--profile N]

  --sizes LIST  comma-separated model counts (default: 1000,10000; accepts 10k)
  --runs N      fresh-process repetitions per measurement (default: 3; median time)
  --seed S      generator seed for missing trees (default: 1)
  --regen       regenerate the trees even when bench-out/tree-<N>/ exists
  --profile N   also profile one source load of the N-model tree (node --cpu-prof)
  --out FILE    results JSON (default: bench-out/results-source.json)`;

// ---------------------------------------------------------------------------------------------
// Worker mode: `bench-source.mjs --worker <baseline|load|noop> <dir>` prints one result line.

async function worker(mode, dir) {
  const gc = globalThis.gc ?? (() => {});
  // everything imported before the clock starts
  const fg = (await import('fast-glob')).default;
  const { load } = await import('js-yaml');
  const lib = mode === 'load' ? await import('../dist/src/index.js') : null;
  gc();
  const t0 = process.hrtime.bigint();
  const extra = {};
  if (mode === 'baseline') {
    const ignore = ['target/**', 'dbt_packages/**', 'logs/**', 'node_modules/**'];
    const yamlFiles = fg.sync(['**/*.yml', '**/*.yaml'], { cwd: dir, ignore });
    const sqlFiles = fg.sync(['**/*.sql'], { cwd: dir, ignore });
    let docs = 0;
    let bytes = 0;
    for (const f of yamlFiles) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      bytes += text.length;
      if (load(text) != null) docs++;
    }
    for (const f of sqlFiles) bytes += fs.readFileSync(path.join(dir, f), 'utf8').length;
    extra.yamlFiles = yamlFiles.length;
    extra.sqlFiles = sqlFiles.length;
    extra.docs = docs;
    extra.chars = bytes;
  } else if (mode === 'load') {
    const project = await lib.loadProject([dir], { mode: 'source' });
    extra.input = project.projects[0]?.input ?? null;
    extra.resources = project.resources.size;
    let models = 0;
    for (const r of project.resources.values()) if (r.resourceType === 'model') models++;
    extra.models = models;
    extra.diagnostics = project.diagnostics.length;
    const byId = {};
    for (const d of project.diagnostics) byId[d.id] = (byId[d.id] ?? 0) + 1;
    extra.diagnosticsById = byId;
    extra.edges = project.graph.edgeCount;
  } else if (mode !== 'noop') {
    throw new Error(`unknown worker mode ${mode}`);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const maxRssKiB = process.resourceUsage().maxRSS;
  process.stdout.write(RESULT_PREFIX + JSON.stringify({ mode, ms, maxRssKiB, ...extra }) + '\n');
}

// ---------------------------------------------------------------------------------------------
// Orchestrator

const die = dieAs('bench-source');

function parseCli(argv) {
  const v = parseBenchCli(argv, {
    usage: USAGE,
    out: path.join(OUT_DIR, 'results-source.json'),
    extra: { profile: { type: 'string' } },
    die,
  });
  const profile = v.profile === undefined ? null : modelCount(v.profile, '--profile', die);
  return { sizes: v.sizes, runs: v.runs, seed: v.seed, regen: v.regen, profile, out: v.out };
}

function ensureTree(n, seed, regen) {
  const dir = path.join(OUT_DIR, `tree-${n}`);
  if (!regen && fs.existsSync(path.join(dir, 'dbt_project.yml'))) return dir;
  console.error(`bench-source: generating ${path.relative(ROOT, dir)} (${n} models)...`);
  const res = spawnSync(
    process.execPath,
    [GEN, '--tree', '--models', String(n), '--out', dir, '--seed', String(seed), '--quiet'],
    { stdio: ['ignore', 2, 2] },
  );
  if (res.status !== 0) die(`generator failed for ${n} models (exit ${res.status ?? res.signal})`);
  return dir;
}

function treeBytes(dir) {
  let bytes = 0;
  let files = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        bytes += fs.statSync(p).size;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, files };
}

function runChild(mode, dir, nodeArgs = []) {
  return runWorker(SCRIPT, [mode, dir], { nodeArgs, label: `${mode} ${path.relative(ROOT, dir)}` });
}

/** Self time per function of a .cpuprofile, highest first. */
function hotSpots(file, top = 15) {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = prof.timeDeltas ?? [];
  let total = 0;
  prof.samples.forEach((id, i) => {
    const dt = deltas[i] ?? 0;
    total += dt;
    self.set(id, (self.get(id) ?? 0) + dt);
  });
  const byFn = new Map();
  for (const [id, us] of self) {
    const cf = byId.get(id)?.callFrame;
    if (!cf) continue;
    const url = !cf.url
      ? ''
      : cf.url.startsWith('file:')
        ? path.relative(ROOT, fileURLToPath(cf.url))
        : cf.url;
    const key = `${cf.functionName || '(anonymous)'} ${url ? `${url}:${cf.lineNumber + 1}` : '(native)'}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
  }
  return {
    totalMs: total / 1000,
    rows: [...byFn]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, us]) => ({ fn, ms: us / 1000, share: us / total })),
  };
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--worker') {
    await worker(argv[1], argv[2]);
    return;
  }
  const opts = parseCli(argv);
  if (!fs.existsSync(LIB))
    die(`${path.relative(ROOT, LIB)} not found: run \`npm run build\` first`);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const machine = machineInfo();

  let failed = 0;
  const results = [];
  for (const n of opts.sizes) {
    const dir = ensureTree(n, opts.seed, opts.regen);
    const { bytes, files } = treeBytes(dir);
    const row = { models: n, dir: path.relative(ROOT, dir), bytes, files };
    console.error(
      `bench-source: ${n} models, ${files} files, ${fmtMiB(bytes)} MiB, ${opts.runs} run(s) each...`,
    );
    // Baseline and load alternate, run by run.
    Object.assign(
      row,
      measureRounds(
        { baseline: () => runChild('baseline', dir), load: () => runChild('load', dir) },
        opts.runs,
        (err) => {
          console.error(`bench-source: ${err.message}${err.stderr ? `\n${err.stderr}` : ''}`);
          failed++;
        },
      ),
    );
    if (row.load && !row.load.error && row.load.input !== 'source') {
      console.error(
        `bench-source: ${n} models: the load used input "${row.load.input}", not source mode`,
      );
      failed++;
    }
    const base = row.baseline?.error ? null : (row.baseline?.ms ?? null);
    const load = row.load?.error ? null : (row.load?.ms ?? null);
    row.ratio = base && load ? load / base : null;
    results.push(row);
  }

  const lines = [];
  lines.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.totalMemGiB} GiB RAM, Node ${machine.node} (${machine.platform})`,
  );
  lines.push(`Runs: ${opts.runs} fresh processes per cell, median time, highest peak RSS`);
  lines.push('');
  lines.push(
    '| models | files | tree MiB | baseline (read + YAML parse) | source load | load / baseline | load peak RSS | resources | edges | diagnostics |',
  );
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const ms = (m) => (m == null ? 'n/a' : m.error ? 'FAILED' : fmtMs(m.ms));
  for (const r of results) {
    const l = r.load && !r.load.error ? r.load : null;
    const diag = l
      ? `${l.diagnostics}${
          l.diagnostics
            ? ` (${Object.entries(l.diagnosticsById)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')})`
            : ''
        }`
      : 'n/a';
    lines.push(
      `| ${r.models.toLocaleString('en-US')} | ${r.files.toLocaleString('en-US')} | ${fmtMiB(r.bytes)} | ${ms(r.baseline)} | ${ms(r.load)} | ${r.ratio == null ? 'n/a' : ratio(r.ratio, 1)} | ${l ? `${fmtMiB(l.maxRssKiB * 1024)} MiB` : 'n/a'} | ${l ? l.resources.toLocaleString('en-US') : 'n/a'} | ${l ? l.edges.toLocaleString('en-US') : 'n/a'} | ${diag} |`,
    );
  }
  lines.push('');
  const at = (n) => results.find((r) => r.models === n);
  const small = at(1000);
  if (small?.ratio != null)
    lines.push(
      `- load / baseline at 1,000 models: **${small.ratio.toFixed(2)}×** (target ≤ ${TARGET_RATIO}×: ${small.ratio <= TARGET_RATIO ? 'met' : 'NOT met'})`,
    );
  const big = at(10000);
  const growth = (mode) =>
    small?.[mode]?.ms && big?.[mode]?.ms && !small[mode].error && !big[mode].error
      ? big[mode].ms / small[mode].ms
      : null;
  const g = growth('load');
  if (g != null)
    lines.push(
      `- time(10k) / time(1k) of the source load: **${g.toFixed(1)}** (target ≤ ${TARGET_GROWTH}, linear is 10: ${g <= TARGET_GROWTH ? 'met' : 'NOT met'}); of the baseline: ${growth('baseline')?.toFixed(1) ?? 'n/a'}`,
    );
  for (const r of results)
    if (r.load && !r.load.error && r.load.models !== r.models)
      lines.push(`- ${r.models} models generated, ${r.load.models} loaded as models`);
  console.log(lines.join('\n'));

  let profile = null;
  if (opts.profile !== null) {
    const dir = ensureTree(opts.profile, opts.seed, false);
    const profDir = path.join(OUT_DIR, 'prof');
    fs.rmSync(profDir, { recursive: true, force: true });
    try {
      runChild('load', dir, ['--cpu-prof', '--cpu-prof-dir', profDir]);
      const file = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      profile = {
        file: path.relative(ROOT, path.join(profDir, file)),
        ...hotSpots(path.join(profDir, file)),
      };
      const out = [
        '',
        `Hot spots of one source load at ${opts.profile.toLocaleString('en-US')} models (self time; ${profile.file}, whole process ${fmtMs(profile.totalMs)}):`,
        '',
      ];
      out.push('| self ms | share | function |', '|---:|---:|---|');
      for (const row of profile.rows)
        out.push(`| ${row.ms.toFixed(0)} | ${(row.share * 100).toFixed(1)}% | \`${row.fn}\` |`);
      console.log(out.join('\n'));
    } catch (err) {
      console.error(`bench-source: profile: ${err.message}${err.stderr ? `\n${err.stderr}` : ''}`);
      failed++;
    }
  }

  const report = {
    generatedAt: new Date().toISOString(),
    machine,
    runs: opts.runs,
    seed: opts.seed,
    targets: { ratioAt1k: TARGET_RATIO, growth10kOver1k: TARGET_GROWTH },
    growth10kOver1k: g,
    results,
    profile,
  };
  fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n');
  console.error(`bench-source: wrote ${path.relative(ROOT, path.resolve(opts.out)) || opts.out}`);
  if (failed) die(`${failed} measurement(s) failed`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
