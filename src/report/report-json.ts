/** The reports as JSON (schemas in src/report/schemas.ts, published under schemas/). */
import type {
  DomainLineage,
  DomainsReport,
  OwnersReport,
  ProductsReport,
} from '../engine/reports.js';

export function formatReportJson(
  report: OwnersReport | DomainsReport | ProductsReport | DomainLineage,
): string {
  return JSON.stringify(report, null, 2) + '\n';
}
