/** A tiny v12 manifest of models (project `tiny`), written by tests into temporary directories. */
export interface TinyModel {
  name: string;
  owner?: string;
  domain?: string;
  deps?: string[];
  /** More meta (merged over owner and domain). */
  meta?: Record<string, unknown>;
}

export function tinyManifest(models: TinyModel[]): string {
  const nodes: Record<string, unknown> = {};
  const parentMap: Record<string, string[]> = {};
  for (const m of models) {
    const id = `model.tiny.${m.name}`;
    const meta: Record<string, unknown> = {};
    if (m.owner !== undefined) meta.owner = m.owner;
    if (m.domain !== undefined) meta.domain = m.domain;
    Object.assign(meta, m.meta ?? {});
    const deps = (m.deps ?? []).map((d) => `model.tiny.${d}`);
    nodes[id] = {
      unique_id: id,
      resource_type: 'model',
      name: m.name,
      package_name: 'tiny',
      path: `${m.name}.sql`,
      original_file_path: `models/${m.name}.sql`,
      patch_path: 'tiny://models/schema.yml',
      fqn: ['tiny', m.name],
      raw_code: 'select 1',
      meta,
      tags: [],
      config: { meta, tags: [], materialized: 'view', access: 'protected' },
      access: 'protected',
      depends_on: { nodes: deps, macros: [] },
    };
    parentMap[id] = deps;
  }
  return JSON.stringify({
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
      dbt_version: '1.9.4',
      generated_at: '2025-01-01T00:00:00Z',
      project_name: 'tiny',
      adapter_type: 'duckdb',
    },
    nodes,
    sources: {},
    macros: {},
    docs: {},
    exposures: {},
    metrics: {},
    groups: {},
    selectors: {},
    disabled: {},
    parent_map: parentMap,
    child_map: {},
    group_map: {},
    saved_queries: {},
    semantic_models: {},
    unit_tests: {},
  });
}

/**
 * Makes a node of a parsed tiny manifest a contracted interface: `access` (default public),
 * materialized as a table, its contract enforced, with these columns typed `int`.
 */
export function makeContracted(
  node: Record<string, unknown>,
  columns: readonly string[],
  access = 'public',
): void {
  node.access = access;
  node.config = {
    ...(node.config as object),
    access,
    materialized: 'table',
    contract: { enforced: true, alias_types: true },
  };
  node.contract = { enforced: true, alias_types: true };
  node.columns = Object.fromEntries(
    columns.map((c) => [c, { name: c, data_type: 'int', constraints: [], meta: {}, tags: [] }]),
  );
}
