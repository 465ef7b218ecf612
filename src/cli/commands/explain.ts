/**
 * `dbt-steward explain`: for each selected resource, its domain and owner with the chain step
 * and the file:line that decided them, the effective rule settings after extends and
 * overrides, and the waivers or baseline entries that suppressed findings on it.
 */
import {
  explainReporters,
  explainResources,
  Locator,
  printableConfig,
  runRules,
  selectResources,
  Settings,
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

interface ExplainArgs extends CommonArgs {
  baseline: string | undefined;
  printConfig: boolean;
}

export const explainCommand: Command = {
  command: 'explain [inputs..]',
  describe: 'show why resources get their domain, owner, rule settings and suppressions',
  builder: (y) =>
    formatOptions(inputOptions(y), Object.keys(explainReporters).join(', '))
      .option('baseline', {
        type: 'string',
        describe: 'the baseline file whose entries to show (default: the config key)',
      })
      .option('print-config', {
        type: 'boolean',
        default: false,
        describe: 'print the fully resolved configuration as JSON instead',
      }),
  run: async (raw: Record<string, unknown>, io: CliIO) => {
    const args = raw as unknown as ExplainArgs;
    const specs = args.printConfig ? [] : outputs(args, explainReporters);
    const { project, config, resolver, selected, now } = await prepare(args, io);
    if (args.printConfig) {
      io.stdout(`${JSON.stringify(printableConfig(config), null, 2)}\n`);
      return 0;
    }
    if (selected === null)
      throw new UsageError(
        'explain needs resources to explain: give --select (or --selector), e.g. --select fct_orders',
      );
    const domainOf = (id: string) => resolver.domain(id)?.value ?? null;
    const ownerOf = (id: string) => resolver.owner(id)?.value ?? null;
    const settings = new Settings(config.registry, config.engine, {
      domainOf,
      select: (s) =>
        selectResources({ select: [s], allowEmpty: true }, project.resources, project.graph, {
          domainOf,
          ownerOf,
        }) ?? new Set(project.resources.keys()),
    });
    const result = runRules(project, {
      registry: config.registry,
      config: config.engine,
      now,
      selected,
      baseline: readBaselineOption(args, config, io),
      continueOnRuleError: true,
    });
    const suppressions = result.findings
      .filter((f) => f.suppressed)
      .map((f) => ({
        ...(f.nodeId !== undefined ? { nodeId: f.nodeId } : {}),
        ruleId: f.ruleId,
        messageId: f.messageId,
        by: f.suppressed!.by,
        reason: f.suppressed!.reason,
        ...(f.suppressed!.origin !== undefined ? { origin: f.suppressed!.origin } : {}),
      }));
    const rootOf = new Map(project.projects.map((p) => [p.name, p.rootDir]));
    const locator = new Locator(
      (r) => rootOf.get(r.projectName) ?? null,
      (g) => rootOf.get(g.packageName) ?? null,
    );
    // Explain the resources the selection names, not the tests dbt adds to it indirectly.
    const ids = [...selected].filter((id) => {
      const r = project.resources.get(id);
      return r !== undefined && r.resourceType !== 'test' && r.resourceType !== 'unit_test';
    });
    const explained = explainResources(
      project,
      resolver,
      ids.length > 0 ? ids : selected,
      (r) =>
        settings
          .allForResource(r)
          .filter((s) => {
            // Node rules that never look at this resource type do not apply to it.
            const rule = config.registry.get(s.id)?.rule;
            return !rule || rule.scope !== 'node' || rule.resourceTypes.includes(r.resourceType);
          })
          .map((s) => ({
            id: s.id,
            severity: s.severity,
            options: s.options,
            origins: s.origins,
          })),
      suppressions,
      locator,
    );
    writeOutputs(specs, (name) => explainReporters[name]!(explained), io);
    return 0;
  },
};
