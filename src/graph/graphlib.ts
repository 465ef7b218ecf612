/**
 * Interoperability with @dagrejs/graphlib. This is the only module allowed to import it;
 * everything else works on `LineageGraph`.
 */
import { Graph, alg } from '@dagrejs/graphlib';
import type { LineageGraph } from './lineage.js';

export interface CondensedEdge {
  from: string;
  to: string;
  /** Number of lineage edges between the two groups. */
  count: number;
}

export interface CondensedGraph {
  /** Every distinct non-null group key, sorted. */
  nodes: string[];
  /** Edges between different groups, sorted by (from, to). */
  edges: CondensedEdge[];
  /** Cycles among groups (each sorted; sorted by first key). */
  cycles: string[][];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortCycles(components: string[][]): string[][] {
  const out = components.map((c) => [...c].sort(compareStrings));
  out.sort((a, b) => compareStrings(a[0] ?? '', b[0] ?? ''));
  return out;
}

/** A directed graphlib Graph with one node per lineage node (name and label = id). */
export function toGraphlib(graph: LineageGraph): Graph {
  const g = new Graph({ directed: true, multigraph: false, compound: false });
  const ids = graph.ids();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    g.setNode(id, id);
  }
  graph.forEachEdgeIndex((from, to) => {
    g.setEdge(ids[from]!, ids[to]!);
  });
  return g;
}

/**
 * Collapse lineage nodes into groups (e.g. domains). `keyOf` is called once per node; nodes
 * with a null key are left out. Edges within a group, or touching a node without a key, are
 * dropped; the others are counted per (fromGroup, toGroup). Cycles of the condensed graph
 * come from graphlib's `alg.findCycles` (Tarjan).
 */
export function condense(
  graph: LineageGraph,
  keyOf: (id: string) => string | null,
): CondensedGraph {
  const ids = graph.ids();
  const groupIndex = new Map<string, number>();
  const groupNames: string[] = [];
  const groupOf = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const key = keyOf(ids[i]!);
    if (key === null || key === undefined) {
      groupOf[i] = -1;
      continue;
    }
    let g = groupIndex.get(key);
    if (g === undefined) {
      g = groupNames.length;
      groupIndex.set(key, g);
      groupNames.push(key);
    }
    groupOf[i] = g;
  }

  const groupCount = groupNames.length;
  const counts = new Map<number, number>();
  graph.forEachEdgeIndex((from, to) => {
    const a = groupOf[from]!;
    const b = groupOf[to]!;
    if (a < 0 || b < 0 || a === b) return;
    const pair = a * groupCount + b;
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  });

  const edges: CondensedEdge[] = [];
  for (const [pair, count] of counts) {
    const a = Math.floor(pair / groupCount);
    const b = pair - a * groupCount;
    edges.push({ from: groupNames[a]!, to: groupNames[b]!, count });
  }
  edges.sort((x, y) => compareStrings(x.from, y.from) || compareStrings(x.to, y.to));

  const g = new Graph({ directed: true });
  for (const name of groupNames) g.setNode(name, name);
  for (const e of edges) g.setEdge(e.from, e.to, e.count);
  const cycles = sortCycles(alg.findCycles(g));

  return { nodes: [...groupNames].sort(compareStrings), edges, cycles };
}
