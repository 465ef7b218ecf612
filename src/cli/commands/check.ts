/** `dbt-steward check`: the governance rules over the inputs, with waivers and the baseline. */
import {
  checkReporters,
  compareFindings,
  yamlFileOf,
  exitCodeOf,
  Locator,
  printableConfig,
  runRules,
  type CheckResult,
} from '../../index.js';
import {
  formatOptions,
  inputOptions,
  outputs,
  prepare,
  readBaselineOption,
  UsageError,
  type CliIO,
  type Command,
  type CommonArgs,
} from '../common.js';
import { writeOutputs } from '../output.js';
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
      policyOptions(formatOptions(inputOptions(y), Object.keys(checkReporters).join(', '))),
    ),
  run: async (raw: Record<string, unknown>, io: CliIO) => {
    const args = raw as unknown as CheckArgs;
    if (
      args.maxWarnings !== undefined &&
      !(Number.isInteger(args.maxWarnings) && args.maxWarnings >= 0)
    )
      throw new UsageError('--max-warnings takes a whole number of 0 or more');
    const { project, config, selected: bySelect, now } = await prepare(args, io);
    if (args.printConfig) {
      io.stdout(`${JSON.stringify(printableConfig(config), null, 2)}\n`);
      return 0;
    }
    // --changed-files/--changed-from: the whole graph is loaded, findings are scoped
    const changed = changedScopeFor(args, project, config, io);
    if (changed && !args.quiet) io.stderr(`dbt-steward: ${changed.note}\n`);
    const selected = intersectSelection(bySelect, changed?.scope ?? null);
    const reporters = { ...checkReporters, ...config.reporters };
    const specs = outputs(args, reporters);
    const baseline = readBaselineOption(args, config, io);
    const result = runRules(project, {
      registry: config.registry,
      config: config.engine,
      now,
      selected,
      baseline,
      continueOnRuleError: args.continueOnRuleError,
    });
    locateFindings(result, project);
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
    writeOutputs(specs, (name) => reporters[name]!(shown), io);
    const code = exitCodeOf(result, {
      failOn: args.failOn,
      ...(args.maxWarnings !== undefined ? { maxWarnings: args.maxWarnings } : {}),
    });
    if (code === 2) return 2;
    return args.exitZero ? 0 : code;
  },
};
