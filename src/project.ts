import type { LineageGraph } from './graph/lineage.js';
import type { Group, LoadWarning, ProjectInfo, Resource } from './model.js';

/** Everything loaded from the inputs: one graph across all of them, keyed by unique_id. */
export interface Project {
  /** One entry per input, in the order given. */
  projects: ProjectInfo[];
  resources: ReadonlyMap<string, Resource>;
  /** dbt groups by unique_id. */
  groups: ReadonlyMap<string, Group>;
  graph: LineageGraph;
  warnings: LoadWarning[];
}

/** The dbt group a resource names, looked up in its own package first. */
export function groupOf(project: Project, resource: Resource): Group | null {
  if (!resource.group) return null;
  const own = project.groups.get(`group.${resource.packageName}.${resource.group}`);
  if (own) return own;
  for (const g of project.groups.values()) if (g.name === resource.group) return g;
  return null;
}
