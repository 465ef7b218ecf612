/**
 * `dbt-steward baseline write|prune`: record today's findings so that `check --baseline`
 * shows only new ones, and shrink the record as findings get fixed (it never grows on prune).
 */
import path from 'node:path';
import {
  buildBaseline,
  pruneBaseline,
  readBaselineFile,
  runRules,
  writeBaselineFile,
} from '../../index.js';
import {
  inputOptions,
  prepare,
  shownPath,
  UsageError,
  type CliIO,
  type Command,
  type CommonArgs,
} from '../common.js';

interface BaselineArgs extends CommonArgs {
  action: 'write' | 'prune';
  baseline: string | undefined;
}

export const DEFAULT_BASELINE_FILE = 'dbt-steward-baseline.json';

export const baselineCommand: Command = {
  command: 'baseline <action> [inputs..]',
  describe: 'write or prune the baseline of known findings (for gradual adoption)',
  builder: (y) =>
    inputOptions(
      y.positional('action', {
        choices: ['write', 'prune'] as const,
        describe: 'write: record every current finding; prune: drop what no longer occurs',
      }),
    ).option('baseline', {
      type: 'string',
      describe: `the baseline file (default: the config's baseline key, else ${DEFAULT_BASELINE_FILE} beside the config file or in the project)`,
    }),
  run: async (raw: Record<string, unknown>, io: CliIO) => {
    const args = raw as unknown as BaselineArgs;
    if (args.select.length > 0 || args.exclude.length > 0 || args.selector !== undefined)
      throw new UsageError(
        `baseline ${args.action} records a full run; drop --select, --exclude and --selector`,
      );
    const { project, config, now } = await prepare(args, io);
    const file =
      args.baseline !== undefined
        ? path.resolve(io.cwd, args.baseline)
        : (config.baseline ??
          path.join(
            config.file ? path.dirname(config.file) : (project.projects[0]?.rootDir ?? io.cwd),
            DEFAULT_BASELINE_FILE,
          ));
    const shown = shownPath(file, io);
    const run = (baseline: Parameters<typeof pruneBaseline>[0] | null) =>
      runRules(project, {
        registry: config.registry,
        config: config.engine,
        now,
        selected: null,
        baseline: baseline ? { baseline, file: shown } : null,
      });
    if (args.action === 'write') {
      const result = run(null);
      if (result.ruleFailures.length > 0)
        throw new UsageError(
          `rule ${result.ruleFailures[0]!.ruleId} threw; fix it before recording a baseline`,
        );
      const baseline = buildBaseline(result.findings);
      writeBaselineFile(file, baseline, shown);
      const total = baseline.entries.reduce((n, e) => n + e.count, 0);
      io.stderr(
        `dbt-steward: wrote ${shown}: ${total} finding(s) in ${baseline.entries.length} entries\n`,
      );
      return 0;
    }
    const current = readBaselineFile(file, shown);
    const result = run(current);
    const { baseline, removed } = pruneBaseline(current, result.findings);
    writeBaselineFile(file, baseline, shown);
    io.stderr(
      `dbt-steward: pruned ${shown}: ${removed} finding(s) removed, ${baseline.entries.length} entries left\n`,
    );
    return 0;
  },
};
