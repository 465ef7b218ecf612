/** The reports as CSV (see csv.ts for quoting and formula neutralization): one table each. */
import type {
  DomainLineage,
  DomainsReport,
  OwnershipStats,
  OwnersReport,
  ProductsReport,
} from '../engine/reports.js';
import type { LineageResult } from '../engine/lineage.js';
import { formatCsv } from './csv.js';
import { byTypeText } from './report-text.js';
import { ownerText } from './owner.js';

const STATS_HEADER = [
  'resources',
  'models',
  'public_models',
  'data_products',
  'described',
  'described_pct',
  'tested',
  'tested_pct',
  'contract_enforced',
  'contract_enforced_pct',
  'errors',
  'warnings',
  'info',
  'suppressed',
  'by_type',
];

function stats(s: OwnershipStats): Array<string | number | null> {
  return [
    s.resources,
    s.models,
    s.publicModels,
    s.dataProducts,
    s.described.count,
    s.described.percent,
    s.tested.count,
    s.tested.percent,
    s.contractEnforced.count,
    s.contractEnforced.percent,
    s.findings.error,
    s.findings.warn,
    s.findings.info,
    s.findings.suppressed,
    byTypeText(s),
  ];
}

/**
 * One row per owner (`scope` owner, `related` its domains), per domain (`related` its
 * owners) and per resource without an owner (`scope` unowned, `name` its unique_id).
 */
export function formatOwnersCsv(report: OwnersReport): string {
  const rows: Array<Array<string | number | null>> = [];
  for (const o of report.owners) rows.push(['owner', o.owner, o.domains.join('; '), ...stats(o)]);
  for (const d of report.domains) rows.push(['domain', d.domain, d.owners.join('; '), ...stats(d)]);
  for (const r of report.unowned)
    rows.push(['unowned', r.id, r.domain ?? '', 1, ...STATS_HEADER.slice(1).map(() => null)]);
  return formatCsv(['scope', 'name', 'related', ...STATS_HEADER], rows);
}

/** One row per cross-domain edge. */
export function formatDomainsCsv(report: DomainsReport): string {
  return formatCsv(
    [
      'from_domain',
      'from',
      'from_type',
      'to_domain',
      'to',
      'to_type',
      'target_access',
      'contract_enforced',
      'allowed',
      'waived',
      'rules',
    ],
    report.edges.map((e) => [
      e.fromDomain,
      e.from,
      e.fromType,
      e.toDomain,
      e.to,
      e.toType,
      e.targetAccess ?? '',
      e.contractEnforced,
      e.allowed,
      e.waived,
      e.rules.join('; '),
    ]),
  );
}

/** One row per product; consumers as `domain: name; name | domain: …`. */
export function formatProductsCsv(report: ProductsReport): string {
  return formatCsv(
    [
      'id',
      'name',
      'owner',
      'domain',
      'access',
      'version',
      'latest_version',
      'contract_enforced',
      'columns',
      'storage',
      'tables',
      'sla',
      'description',
      'consumers',
    ],
    report.products.map((p) => [
      p.id,
      p.name,
      p.owner ?? '',
      p.domain ?? '',
      p.access ?? '',
      p.version ?? '',
      p.latestVersion ?? '',
      p.contract.enforced,
      p.contract.columns.map((c) => (c.dataType ? `${c.name} ${c.dataType}` : c.name)).join('; '),
      p.storage.relation,
      p.tables.join('; '),
      p.sla === null ? '' : typeof p.sla === 'string' ? p.sla : JSON.stringify(p.sla),
      p.description,
      p.consumers
        .map((g) => `${g.domain ?? '(no domain)'}: ${g.consumers.map((c) => c.name).join('; ')}`)
        .join(' | '),
    ]),
  );
}

/** One row per edge between domains. */
export function formatDomainLineageCsv(result: DomainLineage): string {
  return formatCsv(
    ['from', 'to', 'edges'],
    result.edges.map((e) => [e.from, e.to, e.count]),
  );
}

/** One row per node, with its upstream ids. */
export function formatLineageCsv(result: LineageResult): string {
  const parents = new Map<string, string[]>();
  for (const e of result.edges) {
    const l = parents.get(e.to) ?? [];
    l.push(e.from);
    parents.set(e.to, l);
  }
  return formatCsv(
    ['id', 'resource_type', 'name', 'package', 'domain', 'owner', 'access', 'upstream'],
    result.nodes.map((n) => [
      n.id,
      n.resourceType,
      n.name,
      n.package,
      n.domain ?? '',
      ownerText(n.owner),
      n.access ?? '',
      (parents.get(n.id) ?? []).join('; '),
    ]),
  );
}
