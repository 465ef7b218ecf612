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
  /** The dbt project the resource belongs to; only in a run over several projects (a mesh). */
  project?: string;
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
  const isMesh = project.projects.length > 1;
  for (const id of sub.nodes) {
    const r = project.resources.get(id)!;
    const node: LineageNode = {
      id,
      resourceType: r.resourceType,
      name: r.name,
      package: r.packageName,
      domain: resolver.domain(id)?.value ?? null,
      owner: resolver.owner(id)?.value ?? null,
      access: r.access,
      file: r.filePath,
      external: r.external,
    };
    // `file` is relative to the resource's project: in a mesh, say which one.
    if (isMesh) node.project = r.projectName;
    nodes.push(node);
  }
  return {
    formatVersion: LINEAGE_FORMAT_VERSION,
    nodes,
    edges: sub.edges.map(([from, to]) => ({ from, to })),
  };
}
