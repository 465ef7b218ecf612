/** `dbt-steward check`: the governance rules over the inputs, with waivers and the baseline. */
import fs from 'node:fs';
import path from 'node:path';
import {
  checkReporters,
  compareFindings,
  detectPathPrefix,
  normalizePrefix,
  resolveRuleEntries,
  yamlFileOf,
  exitCodeOf,
  findingStatus,
  Locator,
  summarize,
  printableConfig,
  runRules,
  RunRecording,
  type CheckResult,
  type LoadedConfig,
  type ManifestMemo,
  type MeshProject,
  type Project,
  type Reporter,
  type ReportContext,
} from '../../index.js';
import {
  formatOptions,
  inputOptions,
  loadCwdConfig,
  meshEntryOf,
  outputs,
  prepare,
  projectDirOf,
  readBaselineOption,
  UsageError,
  type CliIO,
  type Command,
  type CommonArgs,
} from '../common.js';
import { writeOutputs } from '../output.js';
import { startProgress } from '../progress.js';
import {
  checkBaseSide,
  prefetchBase,
  type BaseReuse,
  compareWithBase,
  headDirOf,
  resolveBase,
  type BaseSpec,
} from '../base.js';
import {
  changedOptions,
  changedScopeFor,
  intersectSelection,
  type ChangedArgs,
} from '../changed.js';

interface CheckArgs extends CommonArgs, ChangedArgs {
  exitZero: boolean;
  maxWarnings: number | undefined;
  failOn: 'error' | 'warn';
  quiet: boolean;
  baseline: string | undefined;
  continueOnRuleError: boolean;
  printConfig: boolean;
  pathPrefix: string | undefined;
  base: string | undefined;
  failOnExisting: boolean;
}

/** Formats that point at files in the repository (and so need the path prefix). */
const TEXT_ONLY = new Set(['text', 'json']);

/** --path-prefix: where the dbt project sits in the repository. */
export const pathPrefixOption = (y: Parameters<Command['builder']>[0]) =>
  y.option('path-prefix', {
    type: 'string',
    describe:
      "the dbt project's folder relative to the repository root, for the paths in sarif, junit, github, codequality and markdown output (default: detected with git rev-parse --show-toplevel)",
  });

/** The ids of the rules a configuration enables somewhere (base setting or an override). */
function enabledRuleIds(config: LoadedConfig): string[] {
  const out: string[] = [];
  for (const id of config.registry.entries.keys()) {
    const base = resolveRuleEntries(config.engine.rules[id] ?? []).severity;
    const overridden = config.engine.overrides.some((o) => {
      const sev = o.rules[id]?.severity;
      return sev !== undefined && sev !== 'off';
    });
    if (base !== 'off' || overridden) out.push(id);
  }
  return out;
}

/** `--base` with no value: the config's mesh entries that name a base (at least one). */
function meshEntriesWithBase(config: LoadedConfig): { entries: MeshProject[] } {
  const entries = config.mesh.filter((m) => m.base !== null);
  if (entries.length === 0)
    throw new UsageError(
      "--base without a value compares each project with the `base` of its entry in the config's mesh: section, and no entry has one; add `base:` to the entries or give --base REF",
    );
  return { entries };
}

function meshBaseKind({ entries }: { entries: MeshProject[] }): BaseSpec['kind'] {
  const kinds = new Set(
    entries.map((m) => (fs.existsSync(path.resolve(m.baseDir, m.base!)) ? 'path' : 'git')),
  );
  if (kinds.size > 1)
    throw new UsageError(
      "the mesh: entries' bases mix manifests and git refs; give every project a base of one kind",
    );
  return [...kinds][0]!;
}

/**
 * One base per loaded project: BASE for each (a git ref is read at each project's own
 * folder; a manifest is the base of a single project), or, for `--base` with no value, each
 * project's mesh entry's base.
 */
function baseSpecsFor(base: string, project: Project, config: LoadedConfig, io: CliIO): BaseSpec[] {
  const dirs = project.projects.map(projectDirOf);
  if (base !== '') {
    const asPath = path.resolve(io.cwd, base);
    if (fs.existsSync(asPath)) {
      if (dirs.length > 1)
        throw new UsageError(
          `--base ${base}: a manifest is the base of one project, and ${dirs.length} projects are checked; give a git ref, or each project's base in the config's mesh: section and --base with no value`,
        );
      return [{ kind: 'path', path: asPath }];
    }
    return dirs.map((dir) => resolveBase(base, io.cwd, dir));
  }
  return project.projects.map((p, i) => {
    const entry = meshEntryOf(config, p, io.cwd);
    if (!entry || entry.base === null)
      throw new UsageError(
        `--base: project ${p.name} has no base in the config's mesh: section${entry ? ` (${entry.origin})` : ''}; add \`base:\` to its entry, or give --base REF`,
      );
    return resolveBase(entry.base, entry.baseDir, dirs[i]!);
  });
}

/** What reporters get besides the result: registry, path prefix, CI environment. */
export function reportContext(
  args: { pathPrefix: string | undefined },
  project: Project,
  config: LoadedConfig,
  io: CliIO,
  needsPrefix: boolean,
): ReportContext {
  const first = project.projects[0];
  const pathPrefix =
    args.pathPrefix !== undefined
      ? normalizePrefix(args.pathPrefix)
      : needsPrefix && first
        ? detectPathPrefix(projectDirOf(first))
        : '';
  const context: ReportContext = {
    registry: config.registry,
    pathPrefix,
    env: io.env ?? {},
    enabledRules: enabledRuleIds(config),
  };
  if (needsPrefix && first && project.projects.length > 1) {
    // A mesh: each project's folder in the repository. With --path-prefix (the first
    // project's folder) the others follow from where they sit relative to it.
    const firstDir = projectDirOf(first);
    const prefixes: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const p of project.projects) {
      const dir = projectDirOf(p);
      prefixes[p.name] =
        args.pathPrefix !== undefined
          ? normalizePrefix(
              path.posix.normalize(
                `${pathPrefix || '.'}/${path.relative(firstDir, dir).split(path.sep).join('/')}`,
              ),
            )
          : detectPathPrefix(dir);
    }
    context.projectPrefixes = prefixes;
  }
  return context;
}

/** Run-policy flags shared by the commands that check. */
export const policyOptions = (y: Parameters<Command['builder']>[0]) =>
  y
    .option('exit-zero', {
      type: 'boolean',
      default: false,
      describe:
        'exit 0 even when findings fail the run (2 still means a usage, config or input error)',
    })
    .option('max-warnings', {
      type: 'number',
      describe: 'fail the run when more than N warnings remain',
    })
    .option('fail-on', {
      choices: ['error', 'warn'] as const,
      default: 'error' as const,
      describe: 'the lowest severity that fails the run',
    })
    .option('quiet', {
      alias: 'q',
      type: 'boolean',
      default: false,
      describe: 'report errors only, and no hints',
    })
    .option('baseline', {
      type: 'string',
      describe: 'hide the findings recorded in this baseline file (default: the config key)',
    })
    .option('continue-on-rule-error', {
      type: 'boolean',
      default: false,
      describe: 'turn a rule that throws into a rule-error finding instead of exit 2',
    })
    .option('print-config', {
      type: 'boolean',
      default: false,
      describe: 'print the fully resolved configuration as JSON and exit',
    });

/**
 * Findings about the config file (central waivers) and the baseline file carry paths as the
 * CLI named them (relative to the working directory); every location is relative to the dbt
 * project, so that outputs that add the repository prefix point at the right file.
 */
export function projectRelativeEngineFiles(
  result: CheckResult,
  project: import('../../index.js').Project,
  cwd: string,
): void {
  const root = project.projects[0]?.rootDir;
  if (!root) return;
  for (const f of result.findings) {
    if (!f.location || f.subject.kind === 'node') continue;
    if (!f.ruleId.startsWith('waiver-') && f.ruleId !== 'baseline-stale') continue;
    const rel = path.relative(root, path.resolve(cwd, f.location.file));
    f.location.file = rel.split(path.sep).join('/');
  }
}

/** Line numbers for findings located in YAML files, read from the project directories. */
export function locateFindings(
  result: CheckResult,
  project: import('../../index.js').Project,
): void {
  const rootOf = new Map(project.projects.map((p) => [p.name, p.rootDir]));
  const locator = new Locator((r) => rootOf.get(r.projectName) ?? null);
  for (const f of result.findings) {
    // Lines already known (source mode) stay, unless the finding points at a key inside the entry.
    if (!f.nodeId || !f.location || (f.location.line !== undefined && !f.keyPath)) continue;
    const r = project.resources.get(f.nodeId);
    if (!r || f.location.file !== yamlFileOf(r)) continue;
    const at = locator.lineOf(r, f.keyPath);
    if (at && at.file === f.location.file) {
      f.location.line = at.line;
      f.location.column = at.column;
    }
  }
  // Lines are known now: order by them within each file.
  result.findings.sort(compareFindings);
}

export const checkCommand: Command = {
  command: 'check [inputs..]',
  describe: 'check dbt projects against the governance rules',
  builder: (y) =>
    changedOptions(
      pathPrefixOption(
        policyOptions(formatOptions(inputOptions(y), Object.keys(checkReporters).join(', '))),
      ),
    )
      .option('base', {
        type: 'string',
        describe:
          "compare with BASE (a manifest, a directory holding one, or a git ref, read at each project's folder): findings become new, existing or fixed, breaking changes and their impact are reported, and only new errors fail the run; with no value, each project's base from the config's mesh: section",
      })
      .option('fail-on-existing', {
        type: 'boolean',
        default: false,
        describe: 'with --base: existing findings fail the run too, not only new ones',
      }),
  run: async (raw: Record<string, unknown>, io: CliIO) => {
    const args = raw as unknown as CheckArgs;
    if (
      args.maxWarnings !== undefined &&
      !(Number.isInteger(args.maxWarnings) && args.maxWarnings >= 0)
    )
      throw new UsageError('--max-warnings takes a whole number of 0 or more');
    // The kind of base is known before loading: with a git ref both sides are read from
    // source, so that like is compared with like.
    let baseKind: BaseSpec['kind'] | null = null;
    let prefetched: BaseReuse['prefetched'] | null = null;
    // Read for `--base` alone; prepare() reuses it rather than reading it again.
    let cwdConfig: LoadedConfig | undefined;
    if (args.base !== undefined) {
      if (args.base === '') {
        cwdConfig = await loadCwdConfig(args, io);
        baseKind = meshBaseKind(meshEntriesWithBase(cwdConfig));
      } else {
        const spec = resolveBase(args.base, io.cwd, headDirOf(args.inputs, io.cwd));
        baseKind = spec.kind;
        // A manifest base is read in the background while the head loads.
        prefetched = prefetchBase(spec, io.cwd);
      }
      if (baseKind === 'git' && args.manifest !== undefined)
        throw new UsageError(
          '--base with a git ref reads both sides from source; drop --manifest, or give the base as a manifest file',
        );
    } else if (args.failOnExisting) throw new UsageError('--fail-on-existing needs --base');
    return checkRun(args, io, baseKind, cwdConfig, prefetched);
  },
};

async function checkRun(
  args: CheckArgs,
  io: CliIO,
  baseKind: BaseSpec['kind'] | null,
  cwdConfig: LoadedConfig | undefined,
  prefetched: BaseReuse['prefetched'] | null,
): Promise<number> {
  // A manifest base reuses the head's unchanged entries (the memos hold the head's file
  // until the base is loaded).
  const headMemos: ManifestMemo[] = [];
  const {
    project,
    config,
    resolver,
    selected: bySelect,
    now,
    vars,
  } = await prepare(
    baseKind === 'git' ? { ...args, source: true } : args,
    io,
    cwdConfig,
    baseKind === 'path' ? { record: (m) => headMemos.push(m) } : undefined,
  );
  const baseSpec = args.base !== undefined ? baseSpecsFor(args.base, project, config, io) : null;
  if (args.printConfig) {
    io.stdout(`${JSON.stringify(printableConfig(config), null, 2)}\n`);
    return 0;
  }
  // --changed-files/--changed-from: the whole graph is loaded, findings are scoped
  const changed = changedScopeFor(args, project, config, io);
  if (changed && !args.quiet) io.stderr(`dbt-steward: ${changed.note}\n`);
  const selected = intersectSelection(bySelect, changed?.scope ?? null);
  const reporters: Record<string, Reporter<CheckResult>> = {
    ...checkReporters,
    ...config.reporters,
  };
  const specs = outputs(args, reporters);
  const baseline = readBaselineOption(args, config, io);
  const progress = startProgress(io, 'check');
  let result: CheckResult;
  // Base mode: the head's findings per rule and target, for the base's run to take.
  const recording = baseSpec ? new RunRecording() : undefined;
  try {
    progress.update('running rules');
    const headResult = runRules(project, {
      ...(recording ? { record: recording } : {}),
      registry: config.registry,
      config: config.engine,
      now,
      selected,
      baseline,
      continueOnRuleError: args.continueOnRuleError,
      baseMode: baseSpec !== null,
      resolver,
    });
    if (baseSpec) progress.update('comparing with the base');
    const run = { now, baseline, continueOnRuleError: args.continueOnRuleError };
    result = baseSpec
      ? compareWithBase(
          await checkBaseSide(baseSpec, io.cwd, vars, config, run, {
            memos: headMemos.splice(0),
            ...(recording ? { head: { project, resolver, recording } } : {}),
            ...(prefetched ? { prefetched } : {}),
          }),
          project,
          headResult,
          config,
          { ...run, selected },
          resolver,
        )
      : headResult;
  } finally {
    progress.done();
  }
  locateFindings(result, project);
  projectRelativeEngineFiles(result, project, io.cwd);
  if (!args.quiet) for (const h of result.hints) io.stderr(`dbt-steward: hint: ${h}\n`);
  for (const f of result.ruleFailures)
    io.stderr(
      `dbt-steward: error: rule ${f.ruleId} threw on ${f.subject}${f.count > 1 ? ` (and ${f.count - 1} more target(s))` : ''}: ${f.error}; rerun with --continue-on-rule-error to report it as a finding, and please report it to the rule's author\n`,
    );
  const shown: CheckResult = args.quiet
    ? {
        ...result,
        findings: result.findings.filter((f) => f.severity === 'error' || f.suppressed),
      }
    : result;
  const context = reportContext(
    args,
    project,
    config,
    io,
    specs.some((s) => !TEXT_ONLY.has(s.format)),
  );
  writeOutputs(specs, (name) => reporters[name]!(shown, context), io);
  // Base mode: only new findings fail the run, unless --fail-on-existing.
  const judged =
    baseSpec && !args.failOnExisting
      ? {
          ...result,
          summary: summarize(result.findings.filter((f) => findingStatus(f) === 'new')),
        }
      : result;
  const code = exitCodeOf(judged, {
    failOn: args.failOn,
    ...(args.maxWarnings !== undefined ? { maxWarnings: args.maxWarnings } : {}),
  });
  if (code === 2) return 2;
  return args.exitZero ? 0 : code;
}
