/** `dbt-steward lineage`: the lineage graph, all of it or what the selection picks. */
import {
  buildDomainLineage,
  lineageOf,
  lineageReporters,
  type Reporter,
  formatDomainLineageCsv,
  formatLineageCsv,
  formatDomainLineageDot,
  formatLineageDot,
  formatReportJson,
  formatDomainLineageMarkdown,
  formatDomainLineageMermaid,
  formatLineageMermaid,
  formatDomainLineageText,
} from '../../index.js';
import type { DomainLineage, LineageResult } from '../../index.js';
import {
  formatOptions,
  inputOptions,
  outputs,
  prepare,
  UsageError,
  type CliIO,
  type Command,
  type CommonArgs,
} from '../common.js';
import { writeOutputs } from '../output.js';

/** Formats of the resource lineage. */
export const nodeLineageReporters: Readonly<Record<string, Reporter<LineageResult>>> = {
  ...lineageReporters,
  csv: formatLineageCsv,
  mermaid: formatLineageMermaid,
  dot: formatLineageDot,
};

/** Formats of `--group-by domain`. */
export const domainLineageReporters: Readonly<Record<string, Reporter<DomainLineage>>> = {
  text: formatDomainLineageText,
  markdown: formatDomainLineageMarkdown,
  csv: formatDomainLineageCsv,
  json: formatReportJson,
  mermaid: formatDomainLineageMermaid,
  dot: formatDomainLineageDot,
};

interface LineageArgs extends CommonArgs {
  upstream: boolean;
  downstream: boolean;
  depth: number | undefined;
  groupBy: string | undefined;
}

export const lineageCommand: Command = {
  command: 'lineage [inputs..]',
  describe: 'print the lineage graph (all of it, or what --select picks)',
  builder: (y) =>
    formatOptions(
      inputOptions(y),
      'text, json, csv, mermaid, dot; with --group-by domain also markdown',
    )
      .option('upstream', {
        type: 'boolean',
        default: false,
        describe: 'add the ancestors of the selected resources',
      })
      .option('downstream', {
        type: 'boolean',
        default: false,
        describe: 'add the descendants of the selected resources',
      })
      .option('depth', {
        type: 'number',
        describe: 'with --upstream/--downstream: at most N hops (alone: both directions, N hops)',
      })
      .option('group-by', {
        type: 'string',
        describe: 'collapse the graph: "domain" draws the domain graph with edge counts',
      }),
  run: async (raw: Record<string, unknown>, io: CliIO) => {
    const args = raw as unknown as LineageArgs;
    if (args.groupBy !== undefined && args.groupBy !== 'domain')
      throw new UsageError(`--group-by ${JSON.stringify(args.groupBy)}: only "domain" is known`);
    if (args.depth !== undefined && (!Number.isInteger(args.depth) || args.depth < 0))
      throw new UsageError(`--depth ${String(args.depth)}: give a whole number of hops, 0 or more`);
    const grouped = args.groupBy === 'domain';
    const specs = outputs(args, grouped ? domainLineageReporters : nodeLineageReporters);
    const { project, selected, resolver } = await prepare(args, io);
    let ids: Set<string> | null = selected;
    const both = args.depth !== undefined && !args.upstream && !args.downstream;
    if (selected !== null && (args.upstream || args.downstream || both)) {
      const start = [...selected];
      const opts = args.depth !== undefined ? { depth: args.depth } : {};
      ids = new Set(start);
      if (args.upstream || both) for (const id of project.graph.upstream(start, opts)) ids.add(id);
      if (args.downstream || both)
        for (const id of project.graph.downstream(start, opts)) ids.add(id);
    }
    if (grouped) {
      const result = buildDomainLineage(project, ids, resolver);
      writeOutputs(specs, (name) => domainLineageReporters[name]!(result), io);
    } else {
      const result = lineageOf(project, ids, resolver);
      writeOutputs(specs, (name) => nodeLineageReporters[name]!(result), io);
    }
    return 0;
  },
};
