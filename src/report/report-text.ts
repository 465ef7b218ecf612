/** The reports as text: aligned tables that fit an 80-column terminal. */

import type {
  CrossDomainEdge,
  DomainLineage,
  DomainsReport,
  OwnershipStats,
  OwnersReport,
  ProductsReport,
  SeverityCounts,
  Share,
} from '../engine/reports.js';
import { plain } from './owner.js';
import { renderTable, wrapParagraph, type TableColumn } from './table.js';

/** A share as text: `75%` (rounded to a whole percent), `-` when there is nothing to count. */
export function percentText(s: Share): string {
  return s.percent === null ? '-' : `${Math.round(s.percent)}%`;
}

/** error/warn/info counts as `E/W/I`. */
export function findingsText(c: SeverityCounts): string {
  return `${c.error}/${c.warn}/${c.info}`;
}

/** Resources by type as `model 3, seed 1`. */
export function byTypeText(s: OwnershipStats): string {
  return Object.entries(s.byType)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
}

/** `1 edge`, `2 edges`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The one-sentence summaries shared by the text and Markdown forms. */
export function ownersSummary(s: OwnersReport['summary']): string {
  const f = s.findings;
  return `${plural(s.resources, 'resource')}: ${s.owned} owned, ${s.unowned} without an owner, ${s.withoutDomain} without a domain; ${plural(s.owners, 'owner')}, ${plural(s.domains, 'domain')}. Findings: ${plural(f.error, 'error')}, ${plural(f.warn, 'warning')}, ${f.info} info, ${f.suppressed} suppressed.`;
}

export function domainsSummary(s: DomainsReport['summary']): string {
  return `${plural(s.domains, 'domain')}, ${plural(s.crossDomainEdges, 'cross-domain edge')}: ${plural(s.violations, 'violation')}, ${s.waived} waived; ${plural(s.cycles, 'domain cycle')}.`;
}

export function productsSummary(s: ProductsReport['summary']): string {
  return `${plural(s.products, 'data product')}: ${s.contractEnforced} with an enforced contract, ${s.withOwner} with an owner, ${s.withDomain} with a domain.`;
}

const num = (header: string): TableColumn => ({ header, align: 'right' });

/** An owner's or a domain's figures as table cells (text and markdown). */
export function statsCells(s: OwnershipStats): string[] {
  return [
    String(s.resources),
    String(s.models),
    String(s.publicModels),
    String(s.dataProducts),
    percentText(s.described),
    percentText(s.tested),
    percentText(s.contractEnforced),
    findingsText(s.findings),
  ];
}

const STATS_COLUMNS: TableColumn[] = [
  num('Res'),
  num('Mod'),
  num('Pub'),
  num('Prod'),
  num('Desc'),
  num('Test'),
  num('Contr'),
  num('E/W/I'),
];

function heading(title: string): string {
  return `${plain(title)}\n${'='.repeat(Math.min(80, [...plain(title)].length))}\n`;
}

const LEGEND =
  'Res resources, Mod models, Pub public models, Prod data products; Desc, Test and Contr: share of models described, tested, with an enforced contract; E/W/I findings by severity (error/warn/info).';

export function formatOwnersText(report: OwnersReport): string {
  const s = report.summary;
  const parts: string[] = [];
  parts.push(heading(`Ownership report (${report.projects.join(', ')})`));
  parts.push(wrapParagraph(ownersSummary(s)));
  parts.push('\n' + heading('Owners'));
  if (report.owners.length === 0) parts.push('No owners.\n');
  else
    parts.push(
      renderTable(
        [{ header: 'Owner' }, { header: 'Domains' }, ...STATS_COLUMNS],
        report.owners.map((o) => [o.owner, o.domains.join(', ') || '-', ...statsCells(o)]),
      ),
    );
  parts.push('\n' + heading('Domains'));
  if (report.domains.length === 0) parts.push('No domains.\n');
  else
    parts.push(
      renderTable(
        [{ header: 'Domain' }, { header: 'Owners' }, ...STATS_COLUMNS],
        report.domains.map((d) => [d.domain, d.owners.join(', ') || '-', ...statsCells(d)]),
      ),
    );
  parts.push('\n' + wrapParagraph(LEGEND));
  const typed = [...report.owners.map((o) => [o.owner, byTypeText(o)])];
  if (typed.length > 0) {
    parts.push('\n' + heading('Resources by type'));
    parts.push(renderTable([{ header: 'Owner' }, { header: 'Resources' }], typed));
  }
  parts.push('\n' + heading('Resources without an owner'));
  if (report.unowned.length === 0) parts.push('None.\n');
  else
    parts.push(
      renderTable(
        [{ header: 'Resource' }, { header: 'Type' }, { header: 'Domain' }, { header: 'File' }],
        report.unowned.map((r) => [r.name, r.resourceType, r.domain ?? '-', r.file ?? '-']),
      ),
    );
  parts.push('\n' + heading('Owners without a domain'));
  parts.push(
    report.ownersWithoutDomain.length === 0
      ? 'None.\n'
      : report.ownersWithoutDomain.map((o) => wrapParagraph(`- ${o}`, 80, 0)).join(''),
  );
  return parts.join('');
}

/** An edge's status: ok, VIOLATION, or waived. */
export function edgeStatus(e: CrossDomainEdge): string {
  if (e.waived) return 'waived';
  return e.allowed ? 'ok' : 'VIOLATION';
}

export function formatDomainsText(report: DomainsReport): string {
  const s = report.summary;
  const parts: string[] = [];
  parts.push(heading(`Domain dependency report (${report.projects.join(', ')})`));
  parts.push(wrapParagraph(domainsSummary(s)));
  parts.push('\n' + heading('Coupling'));
  if (report.coupling.length === 0) parts.push('No domains.\n');
  else
    parts.push(
      renderTable(
        [{ header: 'Domain' }, num('Ca'), num('Ce'), num('I')],
        report.coupling.map((c) => [
          c.domain,
          String(c.ca),
          String(c.ce),
          c.instability === null ? '-' : c.instability.toFixed(2),
        ]),
      ),
    );
  parts.push(
    '\n' +
      wrapParagraph(
        'Ca: domains that depend on it; Ce: domains it depends on; I = Ce / (Ca + Ce), 0 stable, 1 unstable.',
      ),
  );
  parts.push('\n' + heading('Dependencies between domains'));
  if (report.matrix.length === 0) parts.push('None.\n');
  else
    parts.push(
      renderTable(
        [{ header: 'Domain' }, { header: 'Depends on' }, num('Edges')],
        report.matrix.map((m) => [m.from, m.to, String(m.count)]),
      ),
    );
  if (report.projectMatrix) {
    parts.push('\n' + heading('Dependencies between projects'));
    if (report.projectMatrix.length === 0) parts.push('None.\n');
    else
      parts.push(
        renderTable(
          [{ header: 'Project' }, { header: 'Depends on' }, num('Edges')],
          report.projectMatrix.map((m) => [m.from, m.to, String(m.count)]),
        ),
      );
  }
  parts.push('\n' + heading('Cross-domain edges'));
  if (report.edges.length === 0) parts.push('None.\n');
  else
    parts.push(
      renderTable(
        [
          { header: 'From' },
          { header: 'To' },
          { header: 'Access' },
          { header: 'Contract' },
          { header: 'Status' },
        ],
        report.edges.map((e) => [
          `${e.fromDomain}: ${e.fromName}`,
          `${e.toDomain}: ${e.toName}`,
          e.targetAccess ?? e.toType,
          e.contractEnforced ? 'enforced' : '-',
          edgeStatus(e) + (e.rules.length > 0 ? ` (${e.rules.join(', ')})` : ''),
        ]),
      ),
    );
  parts.push('\n' + heading('Domain cycles'));
  parts.push(
    report.cycles.length === 0
      ? 'None.\n'
      : report.cycles.map((c) => wrapParagraph(`- ${c.join(' <-> ')}`)).join(''),
  );
  return parts.join('');
}

export function formatProductsText(report: ProductsReport): string {
  const s = report.summary;
  const parts: string[] = [];
  parts.push(heading(`Data products (${report.projects.join(', ')})`));
  parts.push(wrapParagraph(productsSummary(s)));
  if (report.products.length > 0) {
    parts.push('\n');
    parts.push(
      renderTable(
        [
          { header: 'Product' },
          { header: 'Domain' },
          { header: 'Owner' },
          { header: 'Access' },
          { header: 'Contract' },
          num('Consumers'),
        ],
        report.products.map((p) => [
          p.version !== null ? `${p.name} v${p.version}` : p.name,
          p.domain ?? '-',
          p.owner ?? '-',
          p.access ?? '-',
          p.contract.enforced ? 'enforced' : '-',
          String(p.consumers.reduce((n, g) => n + g.consumers.length, 0)),
        ]),
      ),
    );
  }
  for (const p of report.products) {
    parts.push('\n' + heading(p.version !== null ? `${p.name} v${p.version}` : p.name));
    const rows: string[][] = [
      ['id', p.id],
      ['owner', p.owner ?? '-'],
      ['domain', p.domain ?? '-'],
      ['access', p.access ?? '-'],
      [
        'version',
        p.version === null ? '-' : `${p.version} (latest ${p.latestVersion ?? 'unknown'})`,
      ],
      ['storage', p.storage.relation],
      ['tables', p.tables.join(', ')],
      ['sla', p.sla === null ? '-' : typeof p.sla === 'string' ? p.sla : JSON.stringify(p.sla)],
      ['contract', p.contract.enforced ? 'enforced' : 'not enforced'],
      ['description', p.description || '-'],
    ];
    for (const g of p.consumers)
      rows.push([
        `consumers ${g.domain ?? '(no domain)'}`,
        g.consumers.map((c) => c.name).join(', '),
      ]);
    parts.push(renderTable([{ header: '' }, { header: '' }], rows, { noHeader: true }));
    if (p.contract.columns.length > 0) {
      parts.push('\n');
      parts.push(
        renderTable(
          [{ header: 'Column' }, { header: 'Type' }, { header: 'Constraints' }],
          p.contract.columns.map((c) => [
            c.name,
            c.dataType ?? '-',
            c.constraints.join(', ') || '-',
          ]),
          { indent: 2 },
        ),
      );
    }
  }
  return parts.join('');
}

export function formatDomainLineageText(result: DomainLineage): string {
  const parts: string[] = [];
  parts.push(
    renderTable(
      [{ header: 'Domain' }, num('Resources')],
      result.nodes.map((n) => [n.domain, String(n.resources)]),
    ),
  );
  parts.push('\n');
  if (result.edges.length === 0) parts.push('No edges between domains.\n');
  else
    parts.push(
      renderTable(
        [{ header: 'Upstream' }, { header: 'Downstream' }, num('Edges')],
        result.edges.map((e) => [e.from, e.to, String(e.count)]),
      ),
    );
  if (result.cycles.length > 0) parts.push('\n');
  for (const c of result.cycles) parts.push(wrapParagraph(`cycle: ${c.join(' <-> ')}`));
  parts.push(
    `${plural(result.nodes.length, 'domain')}, ${plural(result.edges.length, 'edge')}, ${plural(result.withoutDomain, 'resource')} without a domain\n`,
  );
  return parts.join('');
}
