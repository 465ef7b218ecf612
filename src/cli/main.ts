/**
 * The command line. One grammar for every command: positionals are inputs, selection goes
 * through --select/--exclude, outputs through --format NAME[=FILE]. Uses only the public
 * API; never touches `process` (bin.ts does), so it runs in-process in tests.
 */
import yargs from 'yargs';
import { ConfigError, InputError, SelectorError, VERSION } from '../index.js';
import { commands } from './commands/index.js';
import { UsageError, type CliIO } from './common.js';

export type { CliIO } from './common.js';

const EPILOGUE =
  'Inputs: manifest.json files, directories holding one, or dbt project directories with target/manifest.json (default: the current directory).\n' +
  'Config: dbt-steward.yml (or .yaml, .json) found walking up from the project, or --config FILE; without one, the recommended preset.\n' +
  'Exit codes: 0 clean, 1 findings that fail the run, 2 usage, config or input error (or a rule that threw).';

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let debug = argv.includes('--debug');
  let exitCode: number;
  let helpOutput = '';
  const parser = yargs([...argv])
    .scriptName('dbt-steward')
    .usage('$0 <command> [inputs..] [options]')
    .command(
      commands.map((c) => ({
        command: c.command,
        describe: c.describe,
        builder: c.builder,
        handler: () => undefined,
      })),
    )
    .demandCommand(1, `name a command: ${commands.map((c) => c.command.split(' ')[0]).join(', ')}`)
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
    const name = (args._ as string[])[0];
    const command = commands.find((c) => c.command.split(' ')[0] === name);
    if (!command) throw new UsageError(`unknown command ${String(name)}; run dbt-steward --help`);
    exitCode = await command.run(args, io);
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
    io.stderr(`dbt-steward: ${oneLine(message)} (see dbt-steward --help)\n`);
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

/** yargs writes some usage errors on several lines (`Invalid values:` then the details). */
function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}
