/**
 * The domain graph's edges as the graph formats (mermaid, dot) draw them: one per matrix cell,
 * labelled with its count and, where some of its resource edges are violations (neither
 * allowed nor waived), how many, and marked for highlighting.
 */
import type { DomainsReport } from '../engine/reports.js';

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  alert?: boolean;
}

export function domainGraphEdges(report: DomainsReport): GraphEdge[] {
  const bad = new Map<string, number>();
  for (const e of report.edges)
    if (!e.allowed && !e.waived) {
      const k = `${e.fromDomain}\0${e.toDomain}`;
      bad.set(k, (bad.get(k) ?? 0) + 1);
    }
  return report.matrix.map((m) => {
    const violations = bad.get(`${m.from}\0${m.to}`) ?? 0;
    return {
      from: m.from,
      to: m.to,
      label:
        violations > 0
          ? `${m.count} (${violations} violation${violations === 1 ? '' : 's'})`
          : String(m.count),
      alert: violations > 0,
    };
  });
}
