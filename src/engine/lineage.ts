/** The lineage view of a project: nodes with their domain and owner, and edges. */
import type { OwnerValue, ResourceType } from '../model.js';
import type { Project } from '../project.js';
import { emptyEngineConfig } from './config.js';
import { Resolver } from './resolve.js';

export const LINEAGE_FORMAT_VERSION = 1;

export interface LineageNode {
  id: string;
  resourceType: ResourceType;
  name: string;
  package: string;
  domain: string | null;
  owner: OwnerValue;
  access: string | null;
  file: string | null;
  external: boolean;
}

export interface LineageResult {
  formatVersion: number;
  nodes: LineageNode[];
  /** `from` is the upstream node. */
  edges: Array<{ from: string; to: string }>;
}

/** The lineage of the given ids (all resources when null), with the edges among them. */
export function lineageOf(
  project: Project,
  ids: Iterable<string> | null,
  resolver: Pick<Resolver, 'domain' | 'owner'> = new Resolver(project, emptyEngineConfig()),
): LineageResult {
  const wanted = [...(ids ?? project.resources.keys())]
    .filter((id) => project.resources.has(id))
    .sort();
  const sub = project.graph.subgraph(wanted);
  const nodes: LineageNode[] = [];
  for (const id of sub.nodes) {
    const r = project.resources.get(id)!;
    nodes.push({
      id,
      resourceType: r.resourceType,
      name: r.name,
      package: r.packageName,
      domain: resolver.domain(id)?.value ?? null,
      owner: resolver.owner(id)?.value ?? null,
      access: r.access,
      file: r.filePath,
      external: r.external,
    });
  }
  return {
    formatVersion: LINEAGE_FORMAT_VERSION,
    nodes,
    edges: sub.edges.map(([from, to]) => ({ from, to })),
  };
}
