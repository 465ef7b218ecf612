/**
 * How findings name resources and resource types, and the resource types a domain boundary
 * is checked at. Shared by the boundary rules (cross-domain-ref, domain-unknown-edge,
 * domain-dependency), the ownership rules (owner-consistent, owner-valid) and the rules that
 * name a resource as dbt-project-evaluator does (description-present, columns-documented,
 * primary-key-tested, required-meta, layer-dependency, …), so that messages agree.
 */
import type { Resource, ResourceType } from '../model.js';

/** Resource types as messages name them; a type without a label is named by its resource_type. */
export const RESOURCE_TYPE_LABELS: Readonly<Partial<Record<ResourceType, string>>> = {
  model: 'model',
  seed: 'seed',
  snapshot: 'snapshot',
  semantic_model: 'semantic model',
  source: 'source',
  exposure: 'exposure',
  metric: 'metric',
  saved_query: 'saved query',
  analysis: 'analysis',
};

const capitalizedLabels = new Map<string, string>();

/** The label of a resource type (`semantic model`), capitalized to start a sentence. */
export function resourceTypeLabel(type: ResourceType, capitalized = false): string {
  const label = RESOURCE_TYPE_LABELS[type] ?? type;
  if (!capitalized) return label;
  // Asked for on every target by several rules: capitalize each label once.
  let cap = capitalizedLabels.get(label);
  if (cap === undefined) {
    cap = label.replace(/^./, (c) => c.toUpperCase());
    capitalizedLabels.set(label, cap);
  }
  return cap;
}

/**
 * The resource types whose dependencies cross-domain-ref and domain-unknown-edge judge: a
 * dependency on one of them is a domain boundary.
 */
export const BOUNDARY_TARGET_TYPES: readonly ResourceType[] = [
  'model',
  'seed',
  'snapshot',
  'semantic_model',
];

/**
 * A resource's name as the evaluator shows it: `name.v2` for a model version,
 * `source_name.table` for a source table, else `name`.
 */
export function displayName(r: Resource): string {
  if (r.resourceType === 'source' && r.sourceName) return `${r.sourceName}.${r.name}`;
  return r.version !== null ? `${r.name}.v${r.version}` : r.name;
}
