import { condense, defineRule, type Project, type Resource } from '../src/index.js';

const isTest = (r: Resource | undefined) =>
  r !== undefined && (r.resourceType === 'test' || r.resourceType === 'unit_test');

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A shortest cycle through the domains of one strongly connected component, in "depends on"
 * order (`a` depends on `b` depends on … on `a`): a breadth-first search from every domain of
 * the component, the shortest found winning (ties: the first domain in name order).
 */
function shortestCycle(members: readonly string[], dependsOn: Map<string, string[]>): string[] {
  const inside = new Set(members);
  let best: string[] | null = null;
  for (const start of [...members].sort(cmp)) {
    const pred = new Map<string, string>();
    const queue = [start];
    let found: string | null = null;
    for (let head = 0; head < queue.length && found === null; head++) {
      const d = queue[head]!;
      for (const next of dependsOn.get(d) ?? []) {
        if (!inside.has(next)) continue;
        if (next === start) {
          found = d;
          break;
        }
        if (pred.has(next)) continue;
        pred.set(next, d);
        queue.push(next);
      }
    }
    if (found === null) continue;
    const path = [found];
    for (let cur = found; cur !== start;) {
      cur = pred.get(cur)!;
      path.push(cur);
    }
    path.reverse(); // start … found
    const cycle = [...path, start];
    if (best === null || cycle.length < best.length) best = cycle;
  }
  return best ?? [...members, members[0]!];
}

/** For each domain pair (a depends on b), the first resource edge that makes it, by id. */
function exampleEdges(
  project: Project,
  domainOf: (id: string) => string | null,
): Map<string, [string, string]> {
  // The smallest (child, parent) pair per domain pair: what a walk in sorted order finds
  // first, without sorting every id and every dependency list.
  const out = new Map<string, [string, string]>();
  for (const [id, child] of project.resources) {
    if (isTest(child)) continue;
    const a = domainOf(id);
    if (a === null) continue;
    for (const pid of child.dependsOn) {
      if (isTest(project.resources.get(pid)) || !project.resources.has(pid)) continue;
      const b = domainOf(pid);
      if (b === null || b === a) continue;
      const key = `${a}\0${b}`;
      const prev = out.get(key);
      if (!prev || cmp(id, prev[0]) < 0 || (id === prev[0] && cmp(pid, prev[1]) < 0))
        out.set(key, [id, pid]);
    }
  }
  return out;
}

export default defineRule({
  id: 'domain-cycle',
  description:
    'Domains do not depend on each other in a cycle (one finding per group of mutually dependent domains, with one example cycle).',
  category: 'boundaries',
  scope: 'project',
  resourceTypes: ['model', 'seed', 'snapshot', 'source', 'exposure', 'semantic_model', 'metric'],
  severity: 'error',
  recommended: true,
  requiresDomains: true,
  identity: ['domains'],
  messages: {
    cycle:
      'Domains {{domains}} depend on each other in a cycle: {{cycle}} (for example {{examples}}). Move what both sides need into one domain, or into a shared one that depends on neither.',
  },
  check(project, context) {
    const keyOf = (id: string): string | null => {
      const r = project.resources.get(id);
      if (!r || isTest(r)) return null;
      return context.domainOf(id);
    };
    const condensed = condense(context.graph, keyOf);
    if (condensed.cycles.length === 0) return;
    // Condensed edges run upstream → downstream; the cycle reads "depends on".
    const dependsOn = new Map<string, string[]>();
    for (const e of condensed.edges) {
      const l = dependsOn.get(e.to);
      if (l) l.push(e.from);
      else dependsOn.set(e.to, [e.from]);
    }
    for (const l of dependsOn.values()) l.sort(cmp);
    const examples = exampleEdges(project, keyOf);
    const name = (id: string) => {
      const r = project.resources.get(id);
      if (!r) return id;
      return r.version !== null ? `${r.name}.v${r.version}` : r.name;
    };
    for (const component of condensed.cycles) {
      const members = [...component].sort(cmp);
      const cycle = shortestCycle(members, dependsOn);
      const related: string[] = [];
      const shown: string[] = [];
      for (let i = 0; i + 1 < cycle.length; i++) {
        const edge = examples.get(`${cycle[i]!}\0${cycle[i + 1]!}`);
        if (!edge) continue;
        related.push(...edge);
        shown.push(`${name(edge[0])} (${cycle[i]!}) → ${name(edge[1])} (${cycle[i + 1]!})`);
      }
      context.report({
        messageId: 'cycle',
        domain: members[0]!,
        data: {
          domains: members.join(', '),
          cycle: cycle.join(' → '),
          examples: shown.join('; '),
          length: cycle.length - 1,
        },
        related: [...new Set(related)],
      });
    }
  },
});
