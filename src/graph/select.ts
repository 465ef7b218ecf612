/**
 * Resource selection. For now a selector is a resource name or unique_id with dbt's graph
 * operators (`+name`, `name+`, `2+name+1`); the full dbt selector syntax comes with the
 * engine's config work.
 */
import type { Resource } from '../model.js';
import type { LineageGraph } from './lineage.js';

const OPERATORS = /^(?:(\d*)\+)?(.+?)(?:\+(\d*))?$/;

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

function matchNodes(term: string, resources: ReadonlyMap<string, Resource>): string[] {
  if (resources.has(term)) return [term];
  const out: string[] = [];
  for (const r of resources.values()) if (r.name === term) out.push(r.uniqueId);
  return out;
}

/** The ids one selector term picks (with its graph operators applied). */
export function selectTerm(
  term: string,
  resources: ReadonlyMap<string, Resource>,
  graph: LineageGraph,
): string[] {
  const m = OPERATORS.exec(term.trim());
  if (!m || !m[2]) throw new SelectorError(`--select ${JSON.stringify(term)}: empty selector`);
  const [, up, name, down] = m;
  const hits = matchNodes(name, resources);
  const out = new Set(hits);
  if (up !== undefined) {
    const depth = up === '' ? undefined : Number(up);
    for (const id of graph.upstream(hits, depth === undefined ? {} : { depth })) out.add(id);
  }
  if (down !== undefined) {
    const depth = down === '' ? undefined : Number(down);
    for (const id of graph.downstream(hits, depth === undefined ? {} : { depth })) out.add(id);
  }
  return [...out];
}

export interface Selection {
  select?: readonly string[];
  exclude?: readonly string[];
}

/**
 * The selected ids: the union of `select` terms (everything when none) minus the union of
 * `exclude` terms. Returns null when nothing restricts the selection. A `select` term that
 * matches no resource is an error, as a typo would otherwise pass silently.
 */
export function selectResources(
  selection: Selection,
  resources: ReadonlyMap<string, Resource>,
  graph: LineageGraph,
): Set<string> | null {
  const select = (selection.select ?? []).flatMap(splitTerms);
  const exclude = (selection.exclude ?? []).flatMap(splitTerms);
  if (select.length === 0 && exclude.length === 0) return null;
  let chosen: Set<string>;
  if (select.length === 0) chosen = new Set(resources.keys());
  else {
    chosen = new Set();
    for (const term of select) {
      const ids = selectTerm(term, resources, graph);
      if (ids.length === 0)
        throw new SelectorError(
          `--select ${JSON.stringify(term)} matches no resource; check the name`,
        );
      for (const id of ids) chosen.add(id);
    }
  }
  for (const term of exclude)
    for (const id of selectTerm(term, resources, graph)) chosen.delete(id);
  return chosen;
}

/** dbt accepts space-separated terms inside one argument. */
function splitTerms(arg: string): string[] {
  return arg.split(/\s+/).filter((t) => t !== '');
}
