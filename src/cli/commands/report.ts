/** `dbt-steward report owners|domains|products`: governance reports over the loaded projects. */
import {
  buildDomainsReport,
  buildOwnersReport,
  buildProductsReport,
  runRules,
  type DomainsReport,
  type OwnersReport,
  type ProductsReport,
  type Reporter,
  formatDomainsCsv,
  formatOwnersCsv,
  formatProductsCsv,
  formatDomainsDot,
  formatDomainsHtml,
  formatOwnersHtml,
  formatProductsHtml,
  formatReportHtml,
  formatReportJson,
  formatDomainsMarkdown,
  formatOwnersMarkdown,
  formatProductsMarkdown,
  formatDomainsMermaid,
  formatDomainsText,
  formatOwnersText,
  formatProductsText,
} from '../../index.js';
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
import { startProgress } from '../progress.js';

export const REPORT_KINDS = ['owners', 'domains', 'products'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** Output formats of each report, by --format name. */
export const ownersReporters: Readonly<Record<string, Reporter<OwnersReport>>> = {
  text: formatOwnersText,
  markdown: formatOwnersMarkdown,
  csv: formatOwnersCsv,
  json: formatReportJson,
  html: formatOwnersHtml,
};
export const domainsReporters: Readonly<Record<string, Reporter<DomainsReport>>> = {
  text: formatDomainsText,
  markdown: formatDomainsMarkdown,
  csv: formatDomainsCsv,
  json: formatReportJson,
  mermaid: formatDomainsMermaid,
  dot: formatDomainsDot,
  html: formatDomainsHtml,
};
export const productsReporters: Readonly<Record<string, Reporter<ProductsReport>>> = {
  text: formatProductsText,
  markdown: formatProductsMarkdown,
  csv: formatProductsCsv,
  json: formatReportJson,
  html: formatProductsHtml,
};

export const reportCommand: Command = {
  command: 'report <kind> [inputs..]',
  describe: 'governance reports: owners, domains (cross-domain dependencies) or products',
  builder: (y) =>
    formatOptions(
      inputOptions(
        y.positional('kind', {
          describe: 'the report: owners, domains or products',
          type: 'string',
          choices: [...REPORT_KINDS],
        }),
      ),
      'text, markdown, csv, json, html; domains also mermaid, dot',
    ),
  run: async (raw: Record<string, unknown>, io: CliIO) => {
    const args = raw as unknown as CommonArgs & { kind: string };
    const kind = args.kind;
    const known: Record<string, Readonly<Record<string, unknown>>> = {
      owners: ownersReporters,
      domains: domainsReporters,
      products: productsReporters,
    };
    const reporters = Object.prototype.hasOwnProperty.call(known, kind) ? known[kind] : undefined;
    if (!reporters)
      throw new UsageError(
        `unknown report ${JSON.stringify(kind)}; use one of: ${REPORT_KINDS.join(', ')}`,
      );
    const specs = outputs(args, reporters);
    const { project, config, resolver, selected, now } = await prepare(args, io);
    const options = { registry: config.registry, config: config.engine, now, selected, resolver };
    const progress = startProgress(io, kind);
    let check: ReturnType<typeof runRules>;
    try {
      progress.update('running rules');
      check = runRules(project, options);
    } finally {
      progress.done();
    }
    let render: (format: string) => string;
    if (kind === 'owners') {
      const report = buildOwnersReport(project, { ...options, check });
      render = (f) => ownersReporters[f]!(report);
    } else if (kind === 'domains') {
      const report = buildDomainsReport(project, { ...options, check });
      render = (f) => domainsReporters[f]!(report);
    } else {
      const report = buildProductsReport(project, { ...options, check });
      render = (f) => productsReporters[f]!(report);
    }
    // --format html is the whole governance report in one page (owners, domains and products,
    // from the same run), whichever report was asked for.
    const html = (): string =>
      formatReportHtml({
        owners: buildOwnersReport(project, { ...options, check }),
        domains: buildDomainsReport(project, { ...options, check }),
        products: buildProductsReport(project, { ...options, check }),
      });
    writeOutputs(specs, (f) => (f === 'html' ? html() : render(f)), io);
    return 0;
  },
};
