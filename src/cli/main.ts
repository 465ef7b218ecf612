/**
 * The command line. One grammar for every command: positionals are inputs, selection goes
 * through --select/--exclude, outputs through --format NAME[=FILE]. Uses only the public
 * API; never touches `process` (bin.ts does), so it runs in-process in tests.
 */
import yargs from 'yargs';
import type { Argv } from 'yargs';
import {
  check,
  checkReporters,
  ConfigError,
  exitCodeOf,
  InputError,
  lineageOf,
  lineageReporters,
  loadProject,
  SelectorError,
  selectResources,
  VERSION,
  type Project,
  type Reporter,
} from '../index.js';
import { parseFormats, writeOutputs, type OutputSpec } from './output.js';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
}

/** A usage error: bad flags or arguments. */
class UsageError extends Error {}

interface CommonArgs {
  inputs: string[];
  select: string[];
  exclude: string[];
  format: string[];
  output: string | undefined;
  debug: boolean;
}

interface CheckArgs extends CommonArgs {
  exitZero: boolean;
}

const EPILOGUE =
  'Inputs: manifest.json files, directories holding one, or dbt project directories with target/manifest.json (default: the current directory).\n' +
  'Exit codes: 0 clean, 1 error findings, 2 usage, config or input error.';

function commonOptions<T>(y: Argv<T>) {
  return y
    .positional('inputs', {
      describe: 'manifest files or directories (default: .)',
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
        'resources to include, in dbt selection syntax (name, tag:x, path:models/x, +name+, a,b)',
    })
    .option('exclude', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'resources to leave out (same syntax as --select)',
    })
    .option('format', {
      alias: 'f',
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'output format NAME or NAME=FILE; repeatable (text, json)',
    })
    .option('output', {
      alias: 'o',
      type: 'string',
      describe: 'write the single output format to FILE',
    })
    .option('debug', { type: 'boolean', default: false, describe: 'show stack traces for errors' });
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let debug = argv.includes('--debug');
  let exitCode: number;
  let helpOutput = '';
  const parser = yargs([...argv])
    .scriptName('dbt-steward')
    .usage('$0 <command> [inputs..] [options]')
    .command('check [inputs..]', 'check dbt projects against the governance rules', (y) =>
      commonOptions(y).option('exit-zero', {
        type: 'boolean',
        default: false,
        describe: 'exit 0 even when error findings remain',
      }),
    )
    .command(
      'lineage [inputs..]',
      'print the lineage graph (all of it, or what --select picks)',
      (y) => commonOptions(y),
    )
    .demandCommand(1, 'name a command: check or lineage')
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .epilogue(EPILOGUE)
    .wrap(Math.min(100, 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    });

  try {
    const args = await new Promise<Record<string, unknown> | null>((resolve, reject) => {
      void parser.parse(
        [...argv],
        {},
        (err: Error | undefined, parsed: Record<string, unknown>, output: string) => {
          if (err) reject(err);
          else if (output) {
            helpOutput = output;
            resolve(null);
          } else resolve(parsed);
        },
      );
    }).catch((err: unknown) => {
      if (err instanceof UsageError) throw err;
      throw new UsageError(err instanceof Error ? err.message : String(err));
    });
    if (args === null) {
      io.stdout(helpOutput.endsWith('\n') ? helpOutput : `${helpOutput}\n`);
      return 0;
    }
    debug = Boolean(args.debug);
    const command = (args._ as string[])[0];
    if (command === 'check') exitCode = await runCheck(args as unknown as CheckArgs, io);
    else if (command === 'lineage') exitCode = await runLineage(args as unknown as CommonArgs, io);
    else throw new UsageError(`unknown command ${String(command)}; run dbt-steward --help`);
  } catch (err) {
    return reportError(err, io, debug);
  }
  return exitCode;
}

function reportError(err: unknown, io: CliIO, debug: boolean): number {
  const known =
    err instanceof InputError ||
    err instanceof ConfigError ||
    err instanceof SelectorError ||
    err instanceof UsageError;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof UsageError) {
    io.stderr(`dbt-steward: ${message.split('\n')[0]} (see dbt-steward --help)\n`);
  } else if (known) {
    io.stderr(`dbt-steward: error: ${message}\n`);
  } else {
    io.stderr(
      `dbt-steward: internal error: ${message.split('\n')[0]}${debug ? '' : ' (run with --debug for the stack trace, and please report it)'}\n`,
    );
  }
  if (debug && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
  return 2;
}

async function load(
  args: CommonArgs,
  io: CliIO,
): Promise<{ project: Project; selected: Set<string> | null }> {
  const project = await loadProject(args.inputs, { cwd: io.cwd });
  for (const w of project.warnings) io.stderr(`dbt-steward: warning: ${w.file}: ${w.message}\n`);
  const selected = selectResources(
    { select: args.select, exclude: args.exclude },
    project.resources,
    project.graph,
  );
  return { project, selected };
}

function outputs<R>(
  args: CommonArgs,
  reporters: Readonly<Record<string, Reporter<R>>>,
): OutputSpec[] {
  try {
    return parseFormats(args.format, args.output, Object.keys(reporters));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function runCheck(args: CheckArgs, io: CliIO): Promise<number> {
  const specs = outputs(args, checkReporters);
  const { project, selected } = await load(args, io);
  const result = check(project, selected ? { selected } : {});
  writeOutputs(specs, (name) => checkReporters[name]!(result), io);
  return args.exitZero ? 0 : exitCodeOf(result);
}

async function runLineage(args: CommonArgs, io: CliIO): Promise<number> {
  const specs = outputs(args, lineageReporters);
  const { project, selected } = await load(args, io);
  const result = lineageOf(project, selected);
  writeOutputs(specs, (name) => lineageReporters[name]!(result), io);
  return 0;
}
