// What the benchmark scripts (bench.mjs, bench-source.mjs) share: the worker protocol (a child
// process per measurement prints one result line), medians, the command line's common options
// and the table formats.

import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';

/** A worker's result line starts with this, followed by JSON. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

/** A `die(message, exitCode)` that prefixes messages with the script's name. */
export function dieAs(name) {
  return (msg, code = 1) => {
    console.error(`${name}: ${msg}`);
    process.exit(code);
  };
}

/** `1000` or `10k` as a model count. */
export function modelCount(text, flag, die) {
  const m = /^(\d+)(k)?$/i.exec(String(text).trim());
  if (!m || Number(m[1]) < 1) die(`${flag}: not a model count: ${text}`, 2);
  return Number(m[1]) * (m[2] ? 1000 : 1);
}

/**
 * Parses the options every benchmark takes (--sizes, --runs, --seed, --regen, --out, --help)
 * plus `extra` (parseArgs option specs); prints `usage` on --help or an unknown option.
 */
export function parseBenchCli(argv, { usage, out, extra = {}, die }) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sizes: { type: 'string', default: '1000,10000' },
        runs: { type: 'string', default: '3' },
        seed: { type: 'string', default: '1' },
        regen: { type: 'boolean', default: false },
        out: { type: 'string', default: out },
        help: { type: 'boolean', short: 'h', default: false },
        ...extra,
      },
      strict: true,
    }));
  } catch (err) {
    die(`${err.message}\n\n${usage}`, 2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const sizes = values.sizes
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => modelCount(s, '--sizes', die));
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) die('--runs must be a positive integer', 2);
  return { ...values, sizes, runs };
}

/**
 * Runs `node --expose-gc [nodeArgs] script --worker ...workerArgs` and returns the JSON of its
 * result line; throws (with the child's last stderr lines in `err.stderr`) when it fails.
 */
export function runWorker(script, workerArgs, { nodeArgs = [], label }) {
  const res = spawnSync(
    process.execPath,
    ['--expose-gc', ...nodeArgs, script, '--worker', ...workerArgs],
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const line = (res.stdout ?? '').split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (res.status !== 0 || !line) {
    const why = res.error
      ? res.error.message
      : res.signal
        ? `killed by ${res.signal}`
        : `exit ${res.status}`;
    const err = new Error(`${label}: child failed (${why})`);
    err.stderr = (res.stderr ?? '').trim().split('\n').slice(-15).join('\n');
    throw err;
  }
  return JSON.parse(line.slice(RESULT_PREFIX.length));
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * `runs` rounds, each running every runner once in turn, so that a slow stretch of a shared
 * machine weighs on the baseline and the measurements alike. Per runner: the median time, the
 * highest peak RSS, every run's figures and the other facts its last run reported; or
 * `{ error }` once one of its runs failed (`onError` is told; the other runners go on).
 */
export function measureRounds(runners, runs, onError) {
  const samples = {};
  const errors = {};
  for (const k of Object.keys(runners)) samples[k] = [];
  for (let i = 0; i < runs; i++) {
    for (const [k, run] of Object.entries(runners)) {
      if (errors[k]) continue;
      try {
        samples[k].push(run());
      } catch (err) {
        errors[k] = err;
        onError(err);
      }
    }
  }
  const out = {};
  for (const k of Object.keys(runners))
    out[k] = errors[k] ? { error: errors[k].message } : summarizeSamples(samples[k]);
  return out;
}

function summarizeSamples(samples) {
  const facts = { ...samples[samples.length - 1] };
  for (const k of ['ms', 'maxRssKiB', 'mode']) delete facts[k];
  return {
    ms: median(samples.map((s) => s.ms)),
    maxRssKiB: Math.max(...samples.map((s) => s.maxRssKiB)),
    runsMs: samples.map((s) => Math.round(s.ms * 10) / 10),
    runsRssKiB: samples.map((s) => s.maxRssKiB),
    ...facts,
  };
}

/** The machine, for the report. */
export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

export const MiB = 2 ** 20;
export const fmtMs = (ms) => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
export const fmtMiB = (bytes) =>
  bytes >= 10 * MiB ? `${Math.round(bytes / MiB)}` : (bytes / MiB).toFixed(1);
export const ratio = (a, b) => (a == null || b == null ? 'n/a' : `${(a / b).toFixed(2)}×`);
