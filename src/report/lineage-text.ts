/** Lineage as text: one block per node with its upstream (<-) and downstream (->) neighbours. */
import type { LineageResult } from '../engine/lineage.js';
import { ownerText, plain } from './owner.js';

export function formatLineageText(result: LineageResult): string {
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const e of result.edges) {
    (parents.get(e.to) ?? parents.set(e.to, []).get(e.to)!).push(e.from);
    (children.get(e.from) ?? children.set(e.from, []).get(e.from)!).push(e.to);
  }
  const lines: string[] = [];
  for (const n of result.nodes) {
    const facts: string[] = [n.resourceType];
    if (n.domain) facts.push(`domain ${n.domain}`);
    const owner = ownerText(n.owner);
    if (owner) facts.push(`owner ${owner}`);
    if (n.access) facts.push(n.access);
    if (n.external) facts.push('external');
    lines.push(plain(`${n.id}  (${facts.join(', ')})`));
    for (const p of parents.get(n.id) ?? []) lines.push(plain(`  <- ${p}`));
    for (const c of children.get(n.id) ?? []) lines.push(plain(`  -> ${c}`));
  }
  lines.push(`${result.nodes.length} nodes, ${result.edges.length} edges`);
  return lines.join('\n') + '\n';
}
