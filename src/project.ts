import { LineageGraph } from './graph/lineage.js';
import type {
  Group,
  LoadDiagnostic,
  LoadWarning,
  ProjectInfo,
  Resource,
  ResourceType,
} from './model.js';

/** Everything loaded from the inputs: one graph across all of them, keyed by unique_id. */
export interface Project {
  /** One entry per input, in the order given. */
  projects: ProjectInfo[];
  resources: ReadonlyMap<string, Resource>;
  /** dbt groups by unique_id. */
  groups: ReadonlyMap<string, Group>;
  graph: LineageGraph;
  warnings: LoadWarning[];
  /** Faults found while loading, reported as findings (source mode). */
  diagnostics: LoadDiagnostic[];
}

/** The dbt group a resource names, looked up in its own package first. */
export function groupOf(project: Project, resource: Resource): Group | null {
  if (!resource.group) return null;
  const own = project.groups.get(`group.${resource.packageName}.${resource.group}`);
  if (own) return own;
  for (const g of project.groups.values()) if (g.name === resource.group) return g;
  return null;
}

/** The fields a hand-built resource must give; the rest take neutral defaults. */
export type ResourceInit = Pick<Resource, 'uniqueId' | 'resourceType' | 'name'> & Partial<Resource>;

/** Builds a resource with defaults, for projects made in code (rule tests, other tools). */
export function makeResource(init: ResourceInit, projectName = 'my_project'): Resource {
  return {
    packageName: projectName,
    filePath: null,
    patchPath: null,
    yamlPosition: null,
    fqn: [projectName, init.name],
    description: '',
    meta: {},
    tags: [],
    group: null,
    access: init.resourceType === 'model' ? 'protected' : null,
    contract: init.resourceType === 'model' ? { enforced: false, aliasTypes: true } : null,
    materialized: null,
    columns: [],
    constraints: [],
    version: null,
    latestVersion: null,
    deprecationDate: null,
    dependsOn: [],
    external: false,
    sourceName: null,
    owner: null,
    test: null,
    projectName,
    ...init,
  };
}

/** A project made in code rather than loaded: for rule tests and tools that build their own. */
export function createProject(options: {
  name?: string;
  resources: readonly ResourceInit[];
  groups?: ReadonlyArray<Pick<Group, 'name'> & Partial<Group>>;
}): Project {
  const name = options.name ?? 'my_project';
  const resources = new Map<string, Resource>();
  for (const init of options.resources) resources.set(init.uniqueId, makeResource(init, name));
  const groups = new Map<string, Group>();
  for (const g of options.groups ?? []) {
    const group: Group = {
      uniqueId: `group.${name}.${g.name}`,
      packageName: name,
      owner: null,
      description: '',
      meta: {},
      filePath: null,
      ...g,
    };
    groups.set(group.uniqueId, group);
  }
  const counts: Partial<Record<ResourceType, number>> = {};
  for (const r of resources.values()) counts[r.resourceType] = (counts[r.resourceType] ?? 0) + 1;
  return {
    projects: [
      {
        name,
        schemaVersion: 12,
        dbtVersion: 'n/a',
        generatedAt: null,
        input: 'manifest',
        path: '(in memory)',
        rootDir: null,
        counts,
        selectors: null,
      },
    ],
    resources,
    groups,
    graph: LineageGraph.fromResources(resources.values()),
    warnings: [],
    diagnostics: [],
  };
}
