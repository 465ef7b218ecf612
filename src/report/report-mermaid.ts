/**
 * Graphs as Mermaid flowcharts. Node ids are generated (`n0`, `n1`, …); names only appear in
 * quoted labels, where every character outside a small safe set is written as a Mermaid
 * entity code (`#60;`), so a name can neither end the label nor inject markup or directives.
 */
import type { LineageResult } from '../engine/lineage.js';
import type { DomainLineage, DomainsReport } from '../engine/reports.js';
import { domainGraphEdges, type GraphEdge } from './graph-edges.js';

/** A quoted Mermaid label for untrusted text. */
export function mermaidLabel(text: string): string {
  let out = '';
  for (const ch of text) out += /^[A-Za-z0-9 _.,:/-]$/.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  return `"${out}"`;
}

function graph(
  nodes: readonly string[],
  labelOf: (node: string) => string,
  edges: readonly GraphEdge[],
): string {
  const id = new Map(nodes.map((n, i) => [n, `n${i}`]));
  const lines = ['flowchart LR'];
  for (const n of nodes) lines.push(`  ${id.get(n)!}[${mermaidLabel(labelOf(n))}]`);
  const alerts: number[] = [];
  edges.forEach((e, i) => {
    const from = id.get(e.from);
    const to = id.get(e.to);
    if (from === undefined || to === undefined) return;
    const label = e.label !== undefined ? `|${mermaidLabel(e.label)}|` : '';
    lines.push(`  ${from} -->${label} ${to}`);
    if (e.alert) alerts.push(i);
  });
  if (alerts.length > 0) lines.push(`  linkStyle ${alerts.join(',')} stroke:#d00,stroke-width:2px`);
  return lines.join('\n') + '\n';
}

/** The domain graph: an arrow from a domain to each domain it depends on, with edge counts. */
export function formatDomainsMermaid(report: DomainsReport): string {
  return graph(report.domains, (d) => d, domainGraphEdges(report));
}

/** Lineage collapsed to domains (upstream → downstream), with edge counts. */
export function formatDomainLineageMermaid(result: DomainLineage): string {
  return graph(
    result.nodes.map((n) => n.domain),
    (d) => d,
    result.edges.map((e) => ({ from: e.from, to: e.to, label: String(e.count) })),
  );
}

/** The lineage graph (upstream → downstream), one box per resource. */
export function formatLineageMermaid(result: LineageResult): string {
  const names = new Map(result.nodes.map((n) => [n.id, n.name]));
  return graph(
    result.nodes.map((n) => n.id),
    (id) => names.get(id) ?? id,
    result.edges,
  );
}
