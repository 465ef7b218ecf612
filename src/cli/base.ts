/**
 * `check --base BASE`: reading the base side. BASE is a manifest file, a directory holding
 * one (manifest.json or target/manifest.json), or a git ref. An argument that exists as a
 * path is a path; otherwise it must be a commit (`git rev-parse --verify BASE^{commit}`).
 *
 * A git ref is read without touching the working tree: `git archive REF -- PROJECT_DIR`
 * extracted into a temporary directory with `tar`, then loaded in source mode (the head is
 * read in source mode too, so that like is compared with like).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  applySuppressions,
  breakingChanges,
  breakingFindings,
  classifyFindings,
  compareFindings,
  compareProjects,
  fingerprintOf,
  formatMessage,
  impactOf,
  InputError,
  loadProject,
  Resolver,
  readFileInBackground,
  replayScope,
  resolutionContext,
  resolveInput,
  runRules,
  Settings,
  severityOf,
  summarize,
  unparsedFiles,
  type BaseModeResult,
  type CheckResult,
  type Finding,
  type LoadedConfig,
  type ManifestMemo,
  type RunRecording,
  type Project,
  type RunOptions,
  type SuppressionOptions,
} from '../index.js';

export type BaseSpec =
  | { kind: 'path'; path: string }
  | { kind: 'git'; ref: string; commit: string; root: string; prefix: string };

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 2 ** 20,
  });
}

function stderrOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { stderr?: string | Buffer };
  if (e.code === 'ENOENT') return 'git is not installed or not on PATH';
  const text = typeof e.stderr === 'string' ? e.stderr : (e.stderr?.toString('utf8') ?? '');
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  return (line ?? e.message ?? String(err)).replace(/^fatal: /, '');
}

/** The directory the head project is in, from the first input (a manifest file's folder). */
export function headDirOf(inputs: readonly string[], cwd: string): string {
  const first = path.resolve(cwd, inputs[0] ?? '.');
  try {
    return fs.statSync(first).isDirectory() ? first : path.dirname(first);
  } catch {
    return cwd;
  }
}

/**
 * What BASE names. `projectDir`: the head's dbt project directory, whose path inside the
 * repository is the one read from the ref.
 */
export function resolveBase(base: string, cwd: string, projectDir: string): BaseSpec {
  const asPath = path.resolve(cwd, base);
  if (fs.existsSync(asPath)) return { kind: 'path', path: asPath };
  let commit: string;
  let root: string;
  try {
    commit = git(['rev-parse', '--verify', '--quiet', `${base}^{commit}`], projectDir).trim();
    root = git(['rev-parse', '--show-toplevel'], projectDir).trim();
  } catch (err) {
    throw new InputError(
      `--base ${base}: not a file, a directory or a git commit (${stderrOf(err) || 'unknown revision'}); give a manifest, a directory holding one, or a ref (fetch it first in a shallow CI clone)`,
      base,
    );
  }
  if (!commit)
    throw new InputError(`--base ${base}: not a file, a directory or a git commit`, base);
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const rel = path.relative(real(root), real(projectDir));
  if (rel.startsWith('..') || path.isAbsolute(rel))
    throw new InputError(`--base ${base}: ${projectDir} is not inside the git repository`, base);
  return { kind: 'git', ref: base, commit, root, prefix: rel.split(path.sep).join('/') };
}

/**
 * Reads the base side: one spec per head project (a mesh compares each project with its own
 * base). Manifests are read as manifests; git refs are extracted (`git archive` of the
 * project's folder at that commit) to a temporary directory, removed after, and read from
 * source. All specs of one run are of one kind, so that like is compared with like.
 */
export async function loadBase(
  specs: BaseSpec | readonly BaseSpec[],
  cwd: string,
  vars?: Record<string, unknown>,
  reuse: BaseReuse = {},
): Promise<Project> {
  const list = Array.isArray(specs) ? (specs as readonly BaseSpec[]) : [specs as BaseSpec];
  const paths = list.filter((s): s is Extract<BaseSpec, { kind: 'path' }> => s.kind === 'path');
  if (paths.length === list.length) {
    const prefetched = reuse.prefetched ? await reuse.prefetched : null;
    return loadProject(
      paths.map((s) => s.path),
      {
        cwd,
        mode: 'manifest',
        ...(reuse.memos && reuse.memos.length > 0 ? { manifestReuse: { from: reuse.memos } } : {}),
        ...(prefetched ? { prefetched } : {}),
      },
    );
  }
  if (paths.length > 0)
    throw new InputError(
      `--base: ${paths[0]!.path} is a manifest while another project's base is a git ref; give every project a base of one kind`,
      paths[0]!.path,
    );
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dbt-steward-base-'));
  try {
    const dirs = list.map((spec, i) =>
      extract(spec as Extract<BaseSpec, { kind: 'git' }>, path.join(tmp, String(i))),
    );
    return await loadProject(dirs, { cwd, mode: 'source', ...(vars ? { vars } : {}) });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The project's folder at the commit, extracted under `tmp`; returns the project directory. */
function extract(spec: Extract<BaseSpec, { kind: 'git' }>, tmp: string): string {
  fs.mkdirSync(tmp, { recursive: true });
  let archive: Buffer;
  try {
    archive = execFileSync(
      'git',
      ['archive', '--format=tar', spec.commit, '--', spec.prefix === '' ? '.' : spec.prefix],
      { cwd: spec.root, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 2 ** 31 - 1 },
    );
  } catch (err) {
    throw new InputError(
      `--base ${spec.ref}: git cannot read the project at that commit (${stderrOf(err)}); was the project in ${spec.prefix || 'the repository root'} then?`,
      spec.ref,
    );
  }
  try {
    execFileSync('tar', ['-x', '-f', '-', '-C', tmp], {
      input: archive,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
  } catch (err) {
    throw new InputError(
      `--base ${spec.ref}: cannot extract the project (${stderrOf(err)}); is tar installed?`,
      spec.ref,
    );
  }
  const dir = path.join(tmp, ...(spec.prefix === '' ? [] : spec.prefix.split('/')));
  if (!fs.existsSync(path.join(dir, 'dbt_project.yml')))
    throw new InputError(
      `--base ${spec.ref}: there is no dbt_project.yml in ${spec.prefix || 'the repository root'} at that commit`,
      spec.ref,
    );
  return dir;
}

/** The base side of a comparison: the base project and the findings of the same rules on it. */
export interface BaseSide {
  base: Project;
  baseResult: Pick<CheckResult, 'findings'>;
  /** The resolver the base's rules ran with, when there is one to share. */
  resolver?: Resolver;
}

type RunSettings = Pick<RunOptions, 'now' | 'baseline' | 'continueOnRuleError'>;

/** The head's side of a base-mode run, for the base's run to take findings from. */
export interface HeadRun {
  project: Project;
  resolver: Resolver;
  /** What the head's full run recorded (RunOptions.record). */
  recording: RunRecording;
}

/** What a manifest base may take instead of doing the work again. */
export interface BaseReuse {
  /** The head's manifest loads (ManifestMemo): unchanged entries are shared. */
  memos?: readonly ManifestMemo[];
  /** The head's run: unchanged targets take its findings. */
  head?: HeadRun;
  /** The base manifest, read in the background while the head loaded (prefetchBase). */
  prefetched?: Promise<ReadonlyMap<string, Buffer> | null>;
}

/**
 * Starts reading a manifest base in the background (the head's load and rules run
 * meanwhile); null for a git base. The file is found as loadBase finds it.
 */
export function prefetchBase(
  spec: BaseSpec,
  cwd: string,
): Promise<ReadonlyMap<string, Buffer> | null> | null {
  if (spec.kind !== 'path') return null;
  let file: string | null;
  try {
    file = resolveInput(spec.path, cwd, { mode: 'manifest' }).manifest;
  } catch {
    return null; // loadBase reports it
  }
  if (file === null) return null;
  const manifest = file;
  return readFileInBackground(manifest).then((buf) => (buf ? new Map([[manifest, buf]]) : null));
}

/**
 * Loads the base and runs the configuration's rules over it, taking from the head what did
 * not change (`reuse`).
 */
export async function checkBaseSide(
  specs: BaseSpec | readonly BaseSpec[],
  cwd: string,
  vars: Record<string, unknown> | undefined,
  config: LoadedConfig,
  run: RunSettings,
  reuse: BaseReuse = {},
): Promise<BaseSide> {
  const base = await loadBase(specs, cwd, vars, reuse);
  assertParsed(base, 'base');
  const resolver = new Resolver(base, config.engine);
  // Targets whose neighbourhood did not change take the head's findings (RunRecording).
  const headRun = reuse.head;
  const fresh = headRun
    ? replayScope(base, headRun.project, resolver, headRun.resolver, config.engine, config.registry)
    : null;
  const baseResult = runRules(base, {
    registry: config.registry,
    config: config.engine,
    resolver,
    ...(fresh !== null ? { replay: { recording: headRun!.recording, fresh } } : {}),
    ...(run.now ? { now: run.now } : {}),
    baseline: run.baseline ?? null,
    ...(run.continueOnRuleError !== undefined
      ? { continueOnRuleError: run.continueOnRuleError }
      : {}),
  });
  return { base, baseResult, resolver };
}

/** Parse errors make the comparison meaningless (false fixes, false removals): exit 2. */
function assertParsed(p: Project, side: string): void {
  const bad = p.diagnostics.find((d) => d.id === 'parse-error');
  const unparsed = p.projects.flatMap((i) => i.unparsedFiles ?? []);
  if (!bad && unparsed.length === 0) return;
  const file = bad?.file ?? unparsed[0]!;
  throw new InputError(
    `--base: the ${side} has a file that cannot be parsed (${file}); a comparison would report false fixes and removals, so fix the file first`,
    file,
  );
}

/** Findings the suppression step itself makes: about waivers and baseline entries. */
function aboutSuppressions(ruleId: string): boolean {
  return ruleId.startsWith('waiver-') || ruleId === 'baseline-stale';
}

/**
 * The head's findings with the breaking changes among them, waivers and the baseline applied
 * again over all of them (the breaking changes are found after the rules ran), so that a
 * waiver or a baseline entry suppresses a breaking change as any other finding, and one
 * that does is neither unused nor stale.
 */
function resuppress(
  head: Project,
  headFindings: readonly Finding[],
  breaking: readonly Finding[],
  config: LoadedConfig,
  options: SuppressionOptions,
): Finding[] {
  const previous = new Map<string, Finding>();
  const baselined: Finding[] = [];
  const rest: Finding[] = [];
  for (const f of headFindings) {
    if (aboutSuppressions(f.ruleId)) {
      previous.set(f.fingerprint, f);
      continue;
    }
    const copy = { ...f };
    delete copy.suppressed;
    (f.suppressed?.by === 'baseline' ? baselined : rest).push(copy);
  }
  // What the baseline hid comes first: where an entry accepts fewer findings than match, it
  // hides the same ones as in the head's run.
  const findings = [...baselined, ...rest, ...breaking];
  for (const d of applySuppressions(findings, head, options)) {
    const entry = config.registry.get(d.ruleId);
    if (!entry) continue;
    const identity: Record<string, unknown> = {};
    for (const k of entry.identity) identity[k] = d.data[k] ?? null;
    const old = previous.get(fingerprintOf(entry.id, d.messageId, d.subject, [], identity));
    // More findings only use waivers and baseline entries up: each draft was a finding of the
    // head's run already (or was dropped there, being off or outside the selection, and stays
    // dropped); only a stale entry's count of missing findings may have fallen.
    if (!old) continue;
    const message = formatMessage(entry.messages[d.messageId] ?? old.message, d.data);
    findings.push(message === old.message ? old : { ...old, data: d.data, message });
  }
  return findings;
}

/**
 * Base mode: runs the same configuration over the base, adds the breaking changes to the
 * head's result, and marks every finding new, existing or fixed.
 */
export function compareWithBase(
  side: BaseSide,
  head: Project,
  headResult: CheckResult,
  config: LoadedConfig,
  run: Pick<RunOptions, 'now' | 'selected' | 'baseline' | 'continueOnRuleError'>,
  headResolver?: Resolver,
): BaseModeResult {
  const { base, baseResult } = side;
  assertParsed(base, 'base');
  assertParsed(head, 'head');
  const selected = run.selected ?? null;
  const resolverBase = side.resolver ?? new Resolver(base, config.engine);
  const resolverHead = headResolver ?? new Resolver(head, config.engine);
  const changes = compareProjects(base, head, resolverBase, resolverHead);
  const impact = impactOf(changes, base, head, resolverBase, resolverHead);
  let findings = [...headResult.findings];
  const entry = config.registry.get('breaking-change');
  if (entry) {
    // The head's settings and selectors, built as runRules builds them.
    const { domainOf, ownerOf, select } = resolutionContext(head, resolverHead);
    const settings = new Settings(config.registry, config.engine, { domainOf, select });
    const breaking = breakingChanges(base, head, changes, run.now ? { now: run.now } : {});
    const added = breakingFindings(
      breaking,
      entry,
      head,
      (r) => severityOf(settings.forResource(entry.id, r), entry, 'breaking'),
      { base, ownerOf },
    ).filter(
      (f) => !selected || selected.has(f.nodeId ?? '') || !head.resources.has(f.nodeId ?? ''),
    );
    if (added.length > 0)
      findings = resuppress(head, headResult.findings, added, config, {
        registry: config.registry,
        config: config.engine,
        now: run.now ?? new Date(),
        selected,
        baseline: run.baseline ?? null,
        settings,
        select,
        domainOf,
        baseMode: true,
      });
  }
  findings.sort(compareFindings);
  const classified = classifyFindings(
    baseResult,
    { findings },
    { unparsedFiles: unparsedFiles(base, head), projects: [base, head] },
  );
  // The base run never finds breaking changes: its waivers and baseline entries for them are
  // always unused or stale there, and reporting them as fixed would be noise.
  const fixed = classified.fixed.filter(
    (f) =>
      (!selected || f.nodeId === undefined || selected.has(f.nodeId)) &&
      !(aboutSuppressions(f.ruleId) && f.data.rule === 'breaking-change'),
  );
  return {
    ...headResult,
    findings: classified.findings,
    summary: summarize(classified.findings),
    fixed,
    changes,
    impact,
  };
}
