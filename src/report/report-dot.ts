/**
 * Graphs in Graphviz DOT. Node ids are generated (`n0`, …); names only appear in quoted
 * `label` strings with backslashes and quotes escaped and control characters made visible,
 * so a name can neither close the string nor use DOT's label escapes (`\N`, `\G`, `\l`).
 */
import type { LineageResult } from '../engine/lineage.js';
import type { DomainLineage, DomainsReport } from '../engine/reports.js';
import { domainGraphEdges, type GraphEdge } from './graph-edges.js';
import { plain } from './owner.js';

/** A quoted DOT string for untrusted text. */
export function dotString(text: string): string {
  return `"${plain(text).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function graph(
  name: string,
  nodes: readonly string[],
  labelOf: (node: string) => string,
  edges: readonly GraphEdge[],
): string {
  const id = new Map(nodes.map((n, i) => [n, `n${i}`]));
  const lines = [`digraph ${dotString(name)} {`, '  rankdir=LR;', '  node [shape=box];'];
  for (const n of nodes) lines.push(`  ${id.get(n)!} [label=${dotString(labelOf(n))}];`);
  for (const e of edges) {
    const from = id.get(e.from);
    const to = id.get(e.to);
    if (from === undefined || to === undefined) continue;
    const attrs: string[] = [];
    if (e.label !== undefined) attrs.push(`label=${dotString(e.label)}`);
    if (e.alert) attrs.push('color="#dd0000"', 'penwidth=2');
    lines.push(`  ${from} -> ${to}${attrs.length > 0 ? ` [${attrs.join(', ')}]` : ''};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** The domain graph: an arrow from a domain to each domain it depends on, with edge counts. */
export function formatDomainsDot(report: DomainsReport): string {
  return graph('domains', report.domains, (d) => d, domainGraphEdges(report));
}

export function formatDomainLineageDot(result: DomainLineage): string {
  return graph(
    'lineage',
    result.nodes.map((n) => n.domain),
    (d) => d,
    result.edges.map((e) => ({ from: e.from, to: e.to, label: String(e.count) })),
  );
}

export function formatLineageDot(result: LineageResult): string {
  const names = new Map(result.nodes.map((n) => [n.id, n.name]));
  return graph(
    'lineage',
    result.nodes.map((n) => n.id),
    (id) => names.get(id) ?? id,
    result.edges,
  );
}
