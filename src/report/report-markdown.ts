/**
 * The reports as GitHub-flavoured Markdown. Names and descriptions are untrusted: control
 * characters are made visible, HTML is entity-escaped (renderers pass raw HTML through) and
 * Markdown punctuation is backslash-escaped, so a cell can neither inject markup nor break
 * out of its table.
 */
import type {
  DomainLineage,
  DomainsReport,
  OwnersReport,
  ProductsReport,
} from '../engine/reports.js';
import { plain } from './owner.js';
import {
  byTypeText,
  domainsSummary,
  edgeStatus,
  ownersSummary,
  productsSummary,
  statsCells,
} from './report-text.js';

/** Escapes untrusted text for inline Markdown (a table cell, a list item, a heading). */
export function mdText(text: string): string {
  return plain(text.replace(/\r\n|\r|\n|\t/g, ' '))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+\-.!|~"]/g, (c) => `\\${c}`);
}

function table(
  header: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  right: number[] = [],
): string {
  const sep = header.map((_, i) => (right.includes(i) ? '---:' : '---'));
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(sep), ...rows.map(line)].join('\n') + '\n';
}

const STATS = [
  'Resources',
  'Models',
  'Public',
  'Products',
  'Described',
  'Tested',
  'Contract',
  'E/W/I',
];
const STATS_RIGHT = [2, 3, 4, 5, 6, 7, 8, 9];

export function formatOwnersMarkdown(report: OwnersReport): string {
  const s = report.summary;
  const out: string[] = [];
  out.push(`# Ownership report\n\nProjects: ${report.projects.map(mdText).join(', ')}\n`);
  out.push(`\n${ownersSummary(s)}\n`);
  out.push('\n## Owners\n\n');
  out.push(
    report.owners.length === 0
      ? 'No owners.\n'
      : table(
          ['Owner', 'Domains', ...STATS, 'By type'],
          report.owners.map((o) => [
            mdText(o.owner),
            mdText(o.domains.join(', ')),
            ...statsCells(o),
            mdText(byTypeText(o)),
          ]),
          STATS_RIGHT,
        ),
  );
  out.push('\n## Domains\n\n');
  out.push(
    report.domains.length === 0
      ? 'No domains.\n'
      : table(
          ['Domain', 'Owners', ...STATS, 'By type'],
          report.domains.map((d) => [
            mdText(d.domain),
            mdText(d.owners.join(', ')),
            ...statsCells(d),
            mdText(byTypeText(d)),
          ]),
          STATS_RIGHT,
        ),
  );
  out.push('\n## Resources without an owner\n\n');
  out.push(
    report.unowned.length === 0
      ? 'None.\n'
      : table(
          ['Resource', 'Type', 'Domain', 'File'],
          report.unowned.map((r) => [
            mdText(r.id),
            r.resourceType,
            mdText(r.domain ?? ''),
            mdText(r.file ?? ''),
          ]),
        ),
  );
  out.push('\n## Owners without a domain\n\n');
  out.push(
    report.ownersWithoutDomain.length === 0
      ? 'None.\n'
      : report.ownersWithoutDomain.map((o) => `- ${mdText(o)}\n`).join(''),
  );
  return out.join('');
}

export function formatDomainsMarkdown(report: DomainsReport): string {
  const s = report.summary;
  const out: string[] = [];
  out.push(`# Domain dependency report\n\nProjects: ${report.projects.map(mdText).join(', ')}\n`);
  out.push(`\n${domainsSummary(s)}\n`);
  out.push('\n## Matrix\n\nRows depend on columns (edge counts).\n\n');
  if (report.domains.length === 0) out.push('No domains.\n');
  else {
    const cell = new Map(report.matrix.map((m) => [`${m.from}\0${m.to}`, m.count]));
    out.push(
      table(
        ['', ...report.domains.map(mdText)],
        report.domains.map((from) => [
          `**${mdText(from)}**`,
          ...report.domains.map((to) =>
            from === to ? '' : String(cell.get(`${from}\0${to}`) ?? 0),
          ),
        ]),
        report.domains.map((_, i) => i + 1),
      ),
    );
  }
  if (report.projectMatrix) {
    out.push('\n## Dependencies between projects\n\n');
    out.push(
      report.projectMatrix.length === 0
        ? 'None.\n'
        : table(
            ['Project', 'Depends on', 'Edges'],
            report.projectMatrix.map((m) => [mdText(m.from), mdText(m.to), String(m.count)]),
            [2],
          ),
    );
  }
  out.push('\n## Coupling\n\n');
  out.push(
    table(
      ['Domain', 'Ca', 'Ce', 'I'],
      report.coupling.map((c) => [
        mdText(c.domain),
        String(c.ca),
        String(c.ce),
        c.instability === null ? '-' : c.instability.toFixed(2),
      ]),
      [1, 2, 3],
    ),
  );
  out.push('\n## Cross-domain edges\n\n');
  out.push(
    report.edges.length === 0
      ? 'None.\n'
      : table(
          ['From', 'From domain', 'To', 'To domain', 'Access', 'Contract', 'Status'],
          report.edges.map((e) => [
            mdText(e.fromName),
            mdText(e.fromDomain),
            mdText(e.toName),
            mdText(e.toDomain),
            e.targetAccess ?? e.toType,
            e.contractEnforced ? 'enforced' : '',
            (e.allowed || e.waived ? edgeStatus(e) : `**${edgeStatus(e)}**`) +
              (e.rules.length > 0 ? ` (${mdText(e.rules.join(', '))})` : ''),
          ]),
        ),
  );
  out.push('\n## Domain cycles\n\n');
  out.push(
    report.cycles.length === 0
      ? 'None.\n'
      : report.cycles.map((c) => `- ${c.map(mdText).join(' ↔ ')}\n`).join(''),
  );
  return out.join('');
}

export function formatProductsMarkdown(report: ProductsReport): string {
  const s = report.summary;
  const out: string[] = [];
  out.push(`# Data products\n\nProjects: ${report.projects.map(mdText).join(', ')}\n`);
  out.push(`\n${productsSummary(s)}\n`);
  for (const p of report.products) {
    const title = p.version !== null ? `${p.name} v${p.version}` : p.name;
    out.push(`\n## ${mdText(title)}\n\n`);
    if (p.description) out.push(`${mdText(p.description)}\n\n`);
    const sla = p.sla === null ? '' : typeof p.sla === 'string' ? p.sla : JSON.stringify(p.sla);
    out.push(
      table(
        ['Field', 'Value'],
        [
          ['id', mdText(p.id)],
          ['owner', mdText(p.owner ?? '')],
          ['domain', mdText(p.domain ?? '')],
          ['access', p.access ?? ''],
          [
            'version',
            mdText(
              p.version === null ? '' : `${p.version} (latest ${p.latestVersion ?? 'unknown'})`,
            ),
          ],
          ['storage', mdText(p.storage.relation)],
          ['tables', mdText(p.tables.join(', '))],
          ['sla', mdText(sla)],
          ['contract', p.contract.enforced ? 'enforced' : 'not enforced'],
          ...p.consumers.map((g) => [
            `consumers: ${mdText(g.domain ?? '(no domain)')}`,
            mdText(g.consumers.map((c) => c.name).join(', ')),
          ]),
        ],
      ),
    );
    if (p.contract.columns.length > 0) {
      out.push('\n');
      out.push(
        table(
          ['Column', 'Type', 'Constraints', 'Description'],
          p.contract.columns.map((c) => [
            mdText(c.name),
            mdText(c.dataType ?? ''),
            mdText(c.constraints.join(', ')),
            mdText(c.description),
          ]),
        ),
      );
    }
  }
  return out.join('');
}

export function formatDomainLineageMarkdown(result: DomainLineage): string {
  const out: string[] = ['# Lineage by domain\n\n'];
  out.push(
    table(
      ['Domain', 'Resources'],
      result.nodes.map((n) => [mdText(n.domain), String(n.resources)]),
      [1],
    ),
  );
  out.push('\n');
  out.push(
    result.edges.length === 0
      ? 'No edges between domains.\n'
      : table(
          ['Upstream', 'Downstream', 'Edges'],
          result.edges.map((e) => [mdText(e.from), mdText(e.to), String(e.count)]),
          [2],
        ),
  );
  if (result.cycles.length > 0)
    out.push('\n' + result.cycles.map((c) => `- cycle: ${c.map(mdText).join(' ↔ ')}\n`).join(''));
  return out.join('');
}
