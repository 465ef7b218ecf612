/**
 * The lineage graph: one node per resource, an edge `dep → resource` for every entry of
 * `Resource.dependsOn`.
 *
 * Built for 100k+ node projects. Internally every node is numbered by the rank of its id in
 * sorted (UTF-16 code unit) order, so that "sorted by id" output is simply ascending node
 * numbers. Adjacency is stored in CSR form (Int32Array offsets + targets, each segment sorted
 * ascending and de-duplicated) for both directions. Traversals are iterative and reuse a
 * shared Int32Array queue and an epoch-stamped visited array: no recursion, no per-node
 * objects on hot paths.
 *
 * Public indices (`index(id)`, `id(index)`, `ids()`) are insertion indices: resources in the
 * order given to `fromResources`, followed by dangling ids in order of first mention.
 */
import type { Resource } from '../model.js';

export interface TraversalOptions {
  /** Maximum number of hops from the start nodes (1 = direct neighbours). Default: unlimited. */
  depth?: number;
}

export interface Subgraph {
  nodes: string[];
  edges: Array<[string, string]>;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A growable Int32 buffer for construction-time edge lists. */
class IntBuffer {
  data: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(Math.max(16, capacity));
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
}

interface Csr {
  offsets: Int32Array;
  targets: Int32Array;
}

/**
 * Build a CSR adjacency from parallel (source, target) lists of node numbers: segments sorted
 * ascending, duplicates removed.
 */
function buildCsr(n: number, src: Int32Array, dst: Int32Array, count: number): Csr {
  const offsets = new Int32Array(n + 1);
  for (let e = 0; e < count; e++) offsets[src[e]! + 1]!++;
  for (let v = 0; v < n; v++) offsets[v + 1]! += offsets[v]!;
  const cursor = offsets.slice(0, n);
  const raw = new Int32Array(count);
  for (let e = 0; e < count; e++) raw[cursor[src[e]!]!++] = dst[e]!;

  // Sort each segment and compact duplicates in place.
  const compact = new Int32Array(n + 1);
  let write = 0;
  for (let v = 0; v < n; v++) {
    const start = offsets[v]!;
    const end = offsets[v + 1]!;
    compact[v] = write;
    if (end - start > 1) raw.subarray(start, end).sort();
    let prev = -1;
    for (let e = start; e < end; e++) {
      const t = raw[e]!;
      if (t !== prev) {
        raw[write++] = t;
        prev = t;
      }
    }
  }
  compact[n] = write;
  return { offsets: compact, targets: write === count ? raw : raw.slice(0, write) };
}

/** Reverse a (sorted, de-duplicated) CSR; the result's segments are sorted as well. */
function reverseCsr(n: number, csr: Csr): Csr {
  const { offsets, targets } = csr;
  const m = targets.length;
  const rOffsets = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) rOffsets[targets[e]! + 1]!++;
  for (let v = 0; v < n; v++) rOffsets[v + 1]! += rOffsets[v]!;
  const cursor = rOffsets.slice(0, n);
  const rTargets = new Int32Array(m);
  // Sources visited in ascending order, so each reversed segment is filled in ascending order.
  for (let v = 0; v < n; v++) {
    for (let e = offsets[v]!, end = offsets[v + 1]!; e < end; e++) {
      rTargets[cursor[targets[e]!]!++] = v;
    }
  }
  return { offsets: rOffsets, targets: rTargets };
}

export class LineageGraph {
  /** Node count. */
  private readonly n: number;
  /** Node number (sorted rank) → id. */
  private readonly sortedIds: string[];
  /** Insertion index → id (public `ids()`). */
  private readonly insertionIds: string[];
  /** id → node number. */
  private readonly rankOf: Map<string, number>;
  private readonly rankToIndex: Int32Array;
  private readonly indexToRank: Int32Array;

  private readonly childOffsets: Int32Array;
  private readonly childTargets: Int32Array;
  private readonly parentOffsets: Int32Array;
  private readonly parentTargets: Int32Array;

  /** 1 for ids named in dependsOn without a resource. */
  private readonly danglingFlags: Uint8Array;
  /** 1 for nodes with an edge to themselves. */
  private readonly selfLoops: Uint8Array;

  /** Tests attached to each node (CSR over node numbers). */
  private readonly testOffsets: Int32Array;
  private readonly testTargets: Int32Array;
  /** Test node → node number of the attached node, -1 when none / not in the graph. */
  private readonly attachedRank: Int32Array;
  /** Test id → attachedNode for attached nodes that are not in the graph (rare). */
  private readonly attachedElsewhere: Map<string, string>;

  // Scratch space shared by traversals (allocated lazily, reused).
  private visited: Int32Array | null = null;
  private epoch = 0;
  private queueBuf: Int32Array | null = null;
  private predBuf: Int32Array | null = null;

  private constructor(init: {
    sortedIds: string[];
    insertionIds: string[];
    rankOf: Map<string, number>;
    rankToIndex: Int32Array;
    indexToRank: Int32Array;
    children: Csr;
    parents: Csr;
    dangling: Uint8Array;
    selfLoops: Uint8Array;
    tests: Csr;
    attachedRank: Int32Array;
    attachedElsewhere: Map<string, string>;
  }) {
    this.n = init.sortedIds.length;
    this.sortedIds = init.sortedIds;
    this.insertionIds = init.insertionIds;
    this.rankOf = init.rankOf;
    this.rankToIndex = init.rankToIndex;
    this.indexToRank = init.indexToRank;
    this.childOffsets = init.children.offsets;
    this.childTargets = init.children.targets;
    this.parentOffsets = init.parents.offsets;
    this.parentTargets = init.parents.targets;
    this.danglingFlags = init.dangling;
    this.selfLoops = init.selfLoops;
    this.testOffsets = init.tests.offsets;
    this.testTargets = init.tests.targets;
    this.attachedRank = init.attachedRank;
    this.attachedElsewhere = init.attachedElsewhere;
  }

  /**
   * One node per resource (the first occurrence of a repeated unique_id wins; the dependsOn of
   * repeats are merged), an edge `dep → resource` per dependsOn entry. Ids in dependsOn that
   * are not resources become dangling nodes.
   */
  static fromResources(resources: Iterable<Resource>): LineageGraph {
    const list = Array.isArray(resources)
      ? (resources as readonly Resource[])
      : Array.from(resources);
    const ids: string[] = [];
    const temp = new Map<string, number>();
    // Insertion index of each resource in `list` (repeats map to the first occurrence).
    const resourceIndex = new Int32Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const id = list[i]!.uniqueId;
      let idx = temp.get(id);
      if (idx === undefined) {
        idx = ids.length;
        temp.set(id, idx);
        ids.push(id);
      }
      resourceIndex[i] = idx;
    }
    const resourceCount = ids.length;

    // Edges in insertion-index space; dangling nodes are appended as first mentioned.
    const src = new IntBuffer(list.length * 2);
    const dst = new IntBuffer(list.length * 2);
    for (let i = 0; i < list.length; i++) {
      const deps = list[i]!.dependsOn;
      const to = resourceIndex[i]!;
      for (let d = 0; d < deps.length; d++) {
        const dep = deps[d]!;
        let from = temp.get(dep);
        if (from === undefined) {
          from = ids.length;
          temp.set(dep, from);
          ids.push(dep);
        }
        src.push(from);
        dst.push(to);
      }
    }

    // Rank nodes by id. The default sort orders strings by UTF-16 code units, as
    // compareStrings does, and runs without a JavaScript comparator call per comparison.
    const n = ids.length;
    const sortedIds = ids.slice().sort();
    const rankToIndex = new Int32Array(n);
    const indexToRank = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const idx = temp.get(sortedIds[r]!)!;
      rankToIndex[r] = idx;
      indexToRank[idx] = r;
    }
    for (let i = 0; i < n; i++) temp.set(ids[i]!, indexToRank[i]!);
    const rankOf = temp; // now id → node number

    const m = src.length;
    const srcData = src.data;
    const dstData = dst.data;
    for (let e = 0; e < m; e++) {
      srcData[e] = indexToRank[srcData[e]!]!;
      dstData[e] = indexToRank[dstData[e]!]!;
    }
    const children = buildCsr(n, srcData, dstData, m);
    const parents = reverseCsr(n, children);

    const selfLoops = new Uint8Array(n);
    for (let v = 0; v < n; v++) {
      const start = children.offsets[v]!;
      const end = children.offsets[v + 1]!;
      // Segments are sorted: binary search for v.
      let lo = start;
      let hi = end;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (children.targets[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      if (lo < end && children.targets[lo] === v) selfLoops[v] = 1;
    }

    const dangling = new Uint8Array(n);
    for (let i = resourceCount; i < n; i++) dangling[indexToRank[i]!] = 1;

    // Tests attached to nodes.
    const attachedRank = new Int32Array(n).fill(-1);
    const attachedElsewhere = new Map<string, string>();
    const testSrc = new IntBuffer();
    const testDst = new IntBuffer();
    const firstSeen = new Uint8Array(resourceCount);
    for (let i = 0; i < list.length; i++) {
      const idx = resourceIndex[i]!;
      if (firstSeen[idx] === 1) continue; // repeated unique_id: first occurrence wins
      firstSeen[idx] = 1;
      const res = list[i]!;
      if (res.resourceType !== 'test' && res.resourceType !== 'unit_test') continue;
      const attached = res.test?.attachedNode;
      if (attached === null || attached === undefined) continue;
      const testRank = indexToRank[idx]!;
      const target = rankOf.get(attached);
      if (target === undefined) {
        attachedElsewhere.set(res.uniqueId, attached);
        continue;
      }
      attachedRank[testRank] = target;
      testSrc.push(target);
      testDst.push(testRank);
    }
    const tests = buildCsr(n, testSrc.data, testDst.data, testSrc.length);

    return new LineageGraph({
      sortedIds,
      insertionIds: ids,
      rankOf,
      rankToIndex,
      indexToRank,
      children,
      parents,
      dangling,
      selfLoops,
      tests,
      attachedRank,
      attachedElsewhere,
    });
  }

  // ---------------------------------------------------------------------------------------
  // Basic accessors

  /** Number of nodes (resources + dangling ids). */
  get size(): number {
    return this.n;
  }

  /** Number of distinct edges (self-edges included). */
  get edgeCount(): number {
    return this.childTargets.length;
  }

  /** All node ids in insertion order: resources first, then dangling ids. */
  ids(): readonly string[] {
    return this.insertionIds;
  }

  has(id: string): boolean {
    return this.rankOf.has(id);
  }

  /** Insertion index of `id` (position in `ids()`), -1 when absent. */
  index(id: string): number {
    const r = this.rankOf.get(id);
    return r === undefined ? -1 : this.rankToIndex[r]!;
  }

  /** The id at insertion index `index`. */
  id(index: number): string {
    const id = this.insertionIds[index];
    if (id === undefined) throw new RangeError(`LineageGraph: no node at index ${index}`);
    return id;
  }

  /** True for ids that appear in some dependsOn but were not among the resources. */
  isDangling(id: string): boolean {
    const r = this.rankOf.get(id);
    return r !== undefined && this.danglingFlags[r] === 1;
  }

  /** Direct parents (upstream neighbours), sorted. Empty for unknown ids. */
  parents(id: string): string[] {
    return this.neighbours(id, this.parentOffsets, this.parentTargets);
  }

  /** Direct children (downstream neighbours), sorted. Empty for unknown ids. */
  children(id: string): string[] {
    return this.neighbours(id, this.childOffsets, this.childTargets);
  }

  /**
   * Calls `fn(fromIndex, toIndex)` (insertion indices) for every edge, in (from, to) id order.
   * Low-level access for integrations that work on indices.
   */
  forEachEdgeIndex(fn: (fromIndex: number, toIndex: number) => void): void {
    const { n, childOffsets, childTargets, rankToIndex } = this;
    for (let v = 0; v < n; v++) {
      const from = rankToIndex[v]!;
      for (let e = childOffsets[v]!, end = childOffsets[v + 1]!; e < end; e++) {
        fn(from, rankToIndex[childTargets[e]!]!);
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Traversals

  /**
   * Transitive ancestors of the start node(s), in BFS order (each level sorted by id), the
   * start nodes themselves excluded. Unknown start ids are ignored.
   */
  upstream(start: string | readonly string[], opts?: TraversalOptions): string[] {
    return this.bfs(start, opts?.depth, this.parentOffsets, this.parentTargets);
  }

  /** Transitive descendants of the start node(s); see `upstream`. */
  downstream(start: string | readonly string[], opts?: TraversalOptions): string[] {
    return this.bfs(start, opts?.depth, this.childOffsets, this.childTargets);
  }

  /**
   * A shortest downstream path `from → … → to`, both inclusive; `[from]` when from === to;
   * null when either is unknown or `to` is not reachable. Among shortest paths, the one found
   * by BFS over id-sorted children is returned (deterministic).
   */
  path(from: string, to: string): string[] | null {
    const s = this.rankOf.get(from);
    const t = this.rankOf.get(to);
    if (s === undefined || t === undefined) return null;
    if (s === t) return [from];
    const { childOffsets, childTargets } = this;
    const stamp = this.nextEpoch();
    const seen = this.visited!;
    const queue = this.queue();
    const pred = this.preds();
    let head = 0;
    let tail = 0;
    seen[s] = stamp;
    queue[tail++] = s;
    while (head < tail) {
      const v = queue[head++]!;
      for (let e = childOffsets[v]!, end = childOffsets[v + 1]!; e < end; e++) {
        const w = childTargets[e]!;
        if (seen[w] === stamp) continue;
        seen[w] = stamp;
        pred[w] = v;
        if (w === t) return this.unwindPath(pred, s, t);
        queue[tail++] = w;
      }
    }
    return null;
  }

  /**
   * Cycles: strongly connected components with more than one node, and single nodes with a
   * self-edge. Iterative Tarjan. Ids within a cycle sorted; cycles sorted by first id.
   */
  cycles(): string[][] {
    const { n, childOffsets, childTargets, sortedIds, selfLoops } = this;
    const out: string[][] = [];
    if (n === 0) return out;
    const index = new Int32Array(n).fill(-1);
    const low = new Int32Array(n);
    const onStack = new Uint8Array(n);
    const stack = new Int32Array(n);
    const callStack = new Int32Array(n);
    const edgePos = new Int32Array(n);
    let sp = 0;
    let counter = 0;

    for (let root = 0; root < n; root++) {
      if (index[root] !== -1) continue;
      let csp = 0;
      index[root] = low[root] = counter++;
      stack[sp++] = root;
      onStack[root] = 1;
      edgePos[root] = childOffsets[root]!;
      callStack[csp++] = root;

      while (csp > 0) {
        const v = callStack[csp - 1]!;
        const pos = edgePos[v]!;
        if (pos < childOffsets[v + 1]!) {
          edgePos[v] = pos + 1;
          const w = childTargets[pos]!;
          if (index[w] === -1) {
            index[w] = low[w] = counter++;
            stack[sp++] = w;
            onStack[w] = 1;
            edgePos[w] = childOffsets[w]!;
            callStack[csp++] = w;
          } else if (onStack[w] === 1 && index[w]! < low[v]!) {
            low[v] = index[w]!;
          }
          continue;
        }
        // v is finished.
        csp--;
        if (csp > 0) {
          const u = callStack[csp - 1]!;
          if (low[v]! < low[u]!) low[u] = low[v]!;
        }
        if (low[v] === index[v]) {
          // Pop the component rooted at v. Stack entries above v are its members.
          let bottom = sp - 1;
          while (stack[bottom] !== v) bottom--;
          const size = sp - bottom;
          if (size > 1 || selfLoops[v] === 1) {
            const members = stack.slice(bottom, sp).sort();
            const cycle: string[] = new Array<string>(size);
            for (let i = 0; i < size; i++) cycle[i] = sortedIds[members[i]!]!;
            out.push(cycle);
          }
          for (let i = bottom; i < sp; i++) onStack[stack[i]!] = 0;
          sp = bottom;
        }
      }
    }
    out.sort((a, b) => compareStrings(a[0]!, b[0]!));
    return out;
  }

  // ---------------------------------------------------------------------------------------
  // Tests

  /** Ids of test / unit_test resources whose `test.attachedNode` is `id`, sorted. */
  testsOf(id: string): string[] {
    return this.neighbours(id, this.testOffsets, this.testTargets);
  }

  /** The `attachedNode` of a test / unit_test resource, null when none or not a test. */
  attachedTo(testId: string): string | null {
    const r = this.rankOf.get(testId);
    if (r === undefined) return null;
    const target = this.attachedRank[r]!;
    if (target >= 0) return this.sortedIds[target]!;
    return this.attachedElsewhere.get(testId) ?? null;
  }

  // ---------------------------------------------------------------------------------------
  // Whole-graph views

  /** Every edge as [from, to], sorted by (from, to). */
  edges(): Array<[string, string]> {
    const { n, childOffsets, childTargets, sortedIds } = this;
    const out: Array<[string, string]> = new Array<[string, string]>(childTargets.length);
    let k = 0;
    for (let v = 0; v < n; v++) {
      const from = sortedIds[v]!;
      for (let e = childOffsets[v]!, end = childOffsets[v + 1]!; e < end; e++) {
        out[k++] = [from, sortedIds[childTargets[e]!]!];
      }
    }
    return out;
  }

  /** The subgraph induced by `ids` (unknown ids ignored): nodes and edges sorted. */
  subgraph(ids: Iterable<string>): Subgraph {
    const { childOffsets, childTargets, sortedIds } = this;
    const stamp = this.nextEpoch();
    const seen = this.visited!;
    const members = this.queue();
    let count = 0;
    for (const id of ids) {
      const r = this.rankOf.get(id);
      if (r === undefined || seen[r] === stamp) continue;
      seen[r] = stamp;
      members[count++] = r;
    }
    const sorted = members.subarray(0, count).sort();
    const nodes: string[] = new Array<string>(count);
    const edges: Array<[string, string]> = [];
    for (let i = 0; i < count; i++) {
      const v = sorted[i]!;
      const from = sortedIds[v]!;
      nodes[i] = from;
      for (let e = childOffsets[v]!, end = childOffsets[v + 1]!; e < end; e++) {
        const w = childTargets[e]!;
        if (seen[w] === stamp) edges.push([from, sortedIds[w]!]);
      }
    }
    return { nodes, edges };
  }

  // ---------------------------------------------------------------------------------------
  // Internals

  private neighbours(id: string, offsets: Int32Array, targets: Int32Array): string[] {
    const r = this.rankOf.get(id);
    if (r === undefined) return [];
    const start = offsets[r]!;
    const end = offsets[r + 1]!;
    const out: string[] = new Array<string>(end - start);
    const sortedIds = this.sortedIds;
    for (let e = start; e < end; e++) out[e - start] = sortedIds[targets[e]!]!;
    return out;
  }

  private bfs(
    start: string | readonly string[],
    depth: number | undefined,
    offsets: Int32Array,
    targets: Int32Array,
  ): string[] {
    const maxDepth = depth === undefined ? Infinity : Math.floor(depth);
    if (!(maxDepth >= 1) || this.n === 0) return [];
    const stamp = this.nextEpoch();
    const seen = this.visited!;
    const queue = this.queue();
    let tail = 0;
    if (typeof start === 'string') {
      const r = this.rankOf.get(start);
      if (r !== undefined) {
        seen[r] = stamp;
        queue[tail++] = r;
      }
    } else {
      for (let i = 0; i < start.length; i++) {
        const r = this.rankOf.get(start[i]!);
        if (r === undefined || seen[r] === stamp) continue;
        seen[r] = stamp;
        queue[tail++] = r;
      }
    }
    const firstResult = tail;
    let head = 0;
    let level = 0;
    while (head < tail && level < maxDepth) {
      const levelEnd = tail;
      while (head < levelEnd) {
        const v = queue[head++]!;
        for (let e = offsets[v]!, end = offsets[v + 1]!; e < end; e++) {
          const w = targets[e]!;
          if (seen[w] !== stamp) {
            seen[w] = stamp;
            queue[tail++] = w;
          }
        }
      }
      // Node numbers are id ranks: sorting the level sorts it by id.
      if (tail - levelEnd > 1) queue.subarray(levelEnd, tail).sort();
      level++;
    }
    const out: string[] = new Array<string>(tail - firstResult);
    const sortedIds = this.sortedIds;
    for (let i = firstResult; i < tail; i++) out[i - firstResult] = sortedIds[queue[i]!]!;
    return out;
  }

  private unwindPath(pred: Int32Array, s: number, t: number): string[] {
    const out: string[] = [];
    for (let v = t; v !== s; v = pred[v]!) out.push(this.sortedIds[v]!);
    out.push(this.sortedIds[s]!);
    return out.reverse();
  }

  /** A fresh visited stamp; `this.visited` is allocated on first use. */
  private nextEpoch(): number {
    if (this.visited === null) this.visited = new Int32Array(this.n);
    if (this.epoch >= 0x7ffffffe) {
      this.visited.fill(0);
      this.epoch = 0;
    }
    return ++this.epoch;
  }

  private queue(): Int32Array {
    return (this.queueBuf ??= new Int32Array(this.n));
  }

  private preds(): Int32Array {
    return (this.predBuf ??= new Int32Array(this.n));
  }
}
