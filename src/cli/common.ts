/**
 * What every command shares: the I/O seam, usage errors, the common options (inputs,
 * selection, formats, config, run policy) and the load → config → select preamble.
 */
import path from 'node:path';
import type { Argv } from 'yargs';
import {
  getBuiltinRules,
  parseVars,
  InputError,
  loadConfig,
  loadProject,
  projectSelectors,
  readBaselineFile,
  readSelectorsFile,
  Resolver,
  selectionFor,
  type Baseline,
  type LoadedConfig,
  type ManifestReuse,
  type MeshProject,
  type ProjectInfo,
  type Project,
  type Reporter,
} from '../index.js';
import { parseFormats, type OutputSpec } from './output.js';
import { startProgress } from './progress.js';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  /** Environment variables the CLI reads (SOURCE_DATE_EPOCH); bin.ts passes process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * stderr is a terminal a person watches: progress lines may be drawn on it. bin.ts sets it
   * when stderr is a terminal and CI is unset; absent (tests, pipes, CI logs): never.
   */
  isTTY?: boolean;
}

/** A usage error: bad flags or arguments. Printed as one line with a pointer to --help. */
export class UsageError extends Error {}

export interface CommonArgs {
  inputs: string[];
  select: string[];
  exclude: string[];
  selector: string | undefined;
  format: string[];
  output: string | undefined;
  config: string | undefined;
  now: string | undefined;
  debug: boolean;
  /** Read dbt project directories from their files, never from target/manifest.json. */
  source?: boolean;
  /** Read this manifest for the (single) input. */
  manifest?: string | undefined;
  /** A file that cannot be parsed (parse-error) is an input error: exit 2. */
  strictParse?: boolean;
  /** Source mode: dbt's `--vars` (a YAML mapping). */
  vars?: string | undefined;
}

/** One CLI command: its yargs definition and its run function (returns the exit code). */
export interface Command {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv;
  run: (args: Record<string, unknown>, io: CliIO) => Promise<number>;
}

/** Inputs and selection: every command that reads projects takes these. */
export function inputOptions(y: Argv): Argv {
  return y
    .positional('inputs', {
      describe:
        "dbt project directories, manifest files, directories holding manifest.json, or monorepo directories holding dbt projects (default: the config's mesh: projects, else .)",
      type: 'string',
      array: true,
      default: [] as string[],
    })
    .option('select', {
      alias: 's',
      type: 'string',
      array: true,
      default: [] as string[],
      describe:
        'resources to include, in dbt selection syntax (name, tag:x, path:models/x, domain:x, owner:x, +name+, a,b)',
    })
    .option('exclude', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'resources to leave out (same syntax as --select)',
    })
    .option('selector', {
      type: 'string',
      describe: 'a YAML selector by name (selectors.yml or the manifest), instead of --select',
    })
    .option('config', {
      alias: 'c',
      type: 'string',
      describe: 'config file (default: dbt-steward.yml found walking up from the project)',
    })
    .option('now', {
      type: 'string',
      describe:
        "the run's date for deprecation dates and waiver expiry, YYYY-MM-DD or ISO time (default: SOURCE_DATE_EPOCH, else the clock)",
    })
    .option('source', {
      type: 'boolean',
      default: false,
      describe:
        'read dbt project directories from their YAML and SQL, even when target/manifest.json is fresh',
    })
    .option('manifest', {
      type: 'string',
      describe: 'read this manifest.json for the project, fresh or not',
    })
    .option('vars', {
      type: 'string',
      describe:
        "source mode: variables as dbt's --vars takes them, a YAML mapping such as '{start_date: \"2024-01-01\"}'",
    })
    .option('strict-parse', {
      type: 'boolean',
      default: false,
      describe: 'a project file that cannot be parsed is an input error (exit 2), not a finding',
    })
    .option('debug', { type: 'boolean', default: false, describe: 'show stack traces for errors' });
}

/** --format/--output: every command that writes a result. */
export function formatOptions(y: Argv, formats: string): Argv {
  return y
    .option('format', {
      alias: 'f',
      type: 'string',
      array: true,
      default: [] as string[],
      describe: `output format NAME or NAME=FILE; repeatable (${formats})`,
    })
    .option('output', {
      alias: 'o',
      type: 'string',
      describe: 'write the single output format to FILE',
    });
}

export function outputs(
  args: { format: string[]; output: string | undefined },
  reporters: Readonly<Record<string, unknown>>,
): OutputSpec[] {
  try {
    return parseFormats(args.format, args.output, Object.keys(reporters));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/**
 * The run's clock: --now, else SOURCE_DATE_EPOCH (seconds, as reproducible-builds defines
 * it), else the real clock. A bare date means midnight UTC.
 */
export function runClock(now: string | undefined, env: CliIO['env']): Date {
  if (now !== undefined) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(now);
    const d = m ? new Date(`${now}T00:00:00Z`) : new Date(now);
    if (Number.isNaN(d.getTime()) || (m && d.toISOString().slice(0, 10) !== now))
      throw new UsageError(
        `--now ${JSON.stringify(now)} is not a date; use YYYY-MM-DD or an ISO 8601 time`,
      );
    return d;
  }
  const epoch = env?.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch))
      throw new InputError(
        `SOURCE_DATE_EPOCH=${JSON.stringify(epoch)} is not a number of seconds; unset it or give an integer`,
        'SOURCE_DATE_EPOCH',
      );
    return new Date(Number(epoch) * 1000);
  }
  return new Date();
}

/** The directory a loaded input belongs to: its dbt project, else the manifest's folder. */
export function projectDirOf(p: { rootDir: string | null; path: string }): string {
  return p.rootDir ?? path.dirname(p.path);
}

export type { Reporter };

/** A path as messages show it: relative to the working directory, when that is not empty. */
export function shownPath(file: string, io: CliIO): string {
  return path.relative(io.cwd, file) || file;
}

/**
 * The baseline a checking command applies: the --baseline file (relative to the working
 * directory), else the config's `baseline` key; null when neither names one. `file` is the
 * path as shown in messages and results.
 */
export function readBaselineOption(
  args: { baseline: string | undefined },
  config: LoadedConfig,
  io: CliIO,
): { baseline: Baseline; file: string } | null {
  const file = args.baseline !== undefined ? path.resolve(io.cwd, args.baseline) : config.baseline;
  if (!file) return null;
  const shown = shownPath(file, io);
  return { baseline: readBaselineFile(file, shown), file: shown };
}

/** The `mesh:` entry a loaded project comes from (matched by its directory or manifest), if any. */
export function meshEntryOf(
  config: Pick<LoadedConfig, 'mesh'>,
  info: ProjectInfo,
  cwd: string,
): MeshProject | undefined {
  const file = path.resolve(cwd, info.path);
  const dirs = new Set([info.rootDir, file, path.dirname(file)]);
  return config.mesh.find((m) => dirs.has(m.path));
}

/**
 * The mesh entries' default domains, by the name of the project each entry loaded. Entries
 * whose project is not loaded in this run are left out.
 */
export function applyMeshDomains(config: LoadedConfig, project: Project, cwd: string): void {
  const projects: Record<string, { domain: string; origin: string }> = Object.create(
    null,
  ) as Record<string, { domain: string; origin: string }>;
  for (const p of project.projects) {
    const m = meshEntryOf(config, p, cwd);
    if (m?.domain != null) projects[p.name] = { domain: m.domain, origin: m.origin };
  }
  if (Object.keys(projects).length > 0) config.engine.domains.projects = projects;
}

/** What a command works on once inputs, config and selection are read. */
export interface Prepared {
  project: Project;
  config: LoadedConfig;
  resolver: Resolver;
  /** null: nothing restricts the run (a full run). */
  selected: Set<string> | null;
  now: Date;
  /** `--vars`, parsed. */
  vars: Record<string, unknown> | undefined;
}

/** The config found from the working directory (or --config): where a `mesh:` section is read. */
export function loadCwdConfig(args: Pick<CommonArgs, 'config'>, io: CliIO): Promise<LoadedConfig> {
  return loadConfig({
    cwd: io.cwd,
    ...(args.config !== undefined ? { configFile: args.config } : {}),
    startDirs: [io.cwd],
    rules: getBuiltinRules(),
  });
}

/**
 * Loads the inputs, finds and reads the config, resolves the clock and the selection.
 * `cwdConfig`: loadCwdConfig()'s result when the caller has it already; `manifestReuse`:
 * passed to loadProject (check --base records the head for the base to reuse).
 */
export async function prepare(
  args: CommonArgs,
  io: CliIO,
  cwdConfig?: LoadedConfig,
  manifestReuse?: ManifestReuse,
): Promise<Prepared> {
  const now = runClock(args.now, io.env);
  if (args.source === true && args.manifest !== undefined)
    throw new UsageError('--source and --manifest contradict each other; give one of them');
  // A progress line on a terminal when preparing takes more than a second; cleared however it
  // ends. (Loading is synchronous for now, so the line is drawn between inputs and steps.)
  const progress = startProgress(io, 'loading');
  try {
    // No input on the command line: a config with a `mesh:` section names the projects.
    let meshConfig: LoadedConfig | null = null;
    let inputs = args.inputs;
    if (inputs.length === 0) {
      const early = cwdConfig ?? (await loadCwdConfig(args, io));
      if (early.mesh.length > 0) {
        meshConfig = early;
        inputs = early.mesh.map((m) => path.relative(io.cwd, m.path) || '.');
      }
    }
    const vars = args.vars !== undefined ? parseVars(args.vars) : undefined;
    const project = await loadProject(inputs, {
      cwd: io.cwd,
      ...(vars ? { vars } : {}),
      ...(args.source === true ? { mode: 'source' as const } : {}),
      ...(args.manifest !== undefined ? { manifest: args.manifest } : {}),
      ...(manifestReuse ? { manifestReuse } : {}),
      // The first line on stderr says what each project directory was read from.
      onInput: (note) => {
        if (note.chosen) progress.note(`dbt-steward: ${note.message}\n`);
        progress.update(shownPath(note.path, io));
      },
    });
    for (const w of project.warnings)
      progress.note(`dbt-steward: warning: ${w.file}: ${w.message}\n`);
    if (args.strictParse === true) {
      const bad = project.diagnostics.find((d) => d.id === 'parse-error');
      if (bad) {
        const at = `${bad.file}${bad.line !== undefined ? `:${bad.line}${bad.column !== undefined ? `:${bad.column}` : ''}` : ''}`;
        const error = typeof bad.data.error === 'string' ? bad.data.error : 'cannot be parsed';
        throw new InputError(
          `${at}: ${error} (--strict-parse: fix the file, or drop --strict-parse to report it as a parse-error finding)`,
          bad.file,
        );
      }
    }
    progress.update('config');
    const config =
      meshConfig ??
      (await loadConfig({
        cwd: io.cwd,
        ...(args.config !== undefined ? { configFile: args.config } : {}),
        startDirs: project.projects.map(projectDirOf),
        rules: getBuiltinRules(),
      }));
    applyMeshDomains(config, project, io.cwd);
    progress.update('selection');
    const resolver = new Resolver(project, config.engine);
    const selectors = projectSelectors(
      project.projects,
      project.projects.map((p) =>
        p.rootDir ? readSelectorsFile(p.rootDir, { cwd: io.cwd }) : null,
      ),
    );
    const selected = selectionFor(
      { select: args.select, exclude: args.exclude, selector: args.selector },
      selectors,
      {
        resources: project.resources,
        graph: project.graph,
        domainOf: (id) => resolver.domain(id)?.value ?? null,
        ownerOf: (id) => resolver.owner(id)?.value ?? null,
      },
    );
    return { project, config, resolver, selected, now, vars };
  } finally {
    progress.done();
  }
}
