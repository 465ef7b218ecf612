import { z } from 'zod';
import {
  defineRule,
  displayName,
  modelTypeOf,
  modelTypesOption,
  type ModelTypes,
  type Project,
  type Resource,
} from '../src/index.js';

const options = z.object({
  modelTypes: modelTypesOption.describe(
    'The model types (layers) with their name prefixes and folder names, as in naming-convention. The checks use the types named staging, intermediate and marts.',
  ),
  stagingOnStaging: z
    .boolean()
    .default(true)
    .describe(
      'Report a staging model that depends on another staging model (fct_staging_dependent_on_staging).',
    ),
  stagingOnDownstream: z
    .boolean()
    .default(true)
    .describe(
      'Report a staging model that depends on an intermediate or marts model (fct_staging_dependent_on_marts_or_intermediate).',
    ),
  downstreamOnSource: z
    .boolean()
    .default(true)
    .describe(
      'Report an intermediate or marts model that reads a source directly (fct_marts_or_intermediate_dependent_on_source).',
    ),
  rootModels: z
    .boolean()
    .default(true)
    .describe('Report a model with no parent at all: no ref() and no source() (fct_root_models).'),
  fanout: z
    .boolean()
    .default(true)
    .describe('Report a resource with too many direct leaf children (fct_model_fanout).'),
  fanoutThreshold: z
    .number()
    .int()
    .min(1)
    .default(3)
    .describe(
      "How many direct leaf children (models with no children of their own) make a fanout (the evaluator's models_fanout_threshold).",
    ),
});

type Options = z.infer<typeof options>;

/** Resource types in the evaluator's DAG: graph nodes (not tests), sources, exposures, metrics. */
const DAG_TYPES = new Set([
  'model',
  'seed',
  'snapshot',
  'source',
  'analysis',
  'exposure',
  'metric',
]);
/** Resource types that have a model type (the evaluator gives none to tests, sources, seeds, exposures, metrics). */
const TYPED = new Set(['model', 'snapshot', 'analysis']);
const DOWNSTREAM = new Set(['intermediate', 'marts']);

/**
 * The evaluator's model_type: the prefix's type, else the folder's, else `other` (no type
 * without `other` among the types: the checks look at staging, intermediate and marts only).
 */
function layerOf(r: Resource, types: ModelTypes): string | null {
  if (!TYPED.has(r.resourceType)) return null;
  return modelTypeOf(r, types);
}

function modelOrSnapshot(r: Resource): boolean {
  return r.resourceType === 'model' || r.resourceType === 'snapshot';
}

function isOwn(r: Resource, own: ReadonlySet<string>): boolean {
  return !r.external && own.has(r.packageName);
}

/** Parents and children within the evaluator's DAG (tests, unit tests, semantic models left out). */
function dagNeighbours(project: Project, ids: readonly string[]): Resource[] {
  const out: Resource[] = [];
  for (const id of ids) {
    const r = project.resources.get(id);
    if (r && DAG_TYPES.has(r.resourceType)) out.push(r);
  }
  return out;
}

export default defineRule<Options>({
  id: 'layer-dependency',
  description:
    'Dependencies follow the layers: no staging on staging or on downstream models, no source read past staging, no root models, no wide fanout (dbt-project-evaluator DAG rules).',
  category: 'structure',
  scope: 'project',
  resourceTypes: ['model', 'snapshot', 'analysis', 'seed', 'source'],
  severity: 'warn',
  recommended: true,
  messages: {
    stagingOnStaging:
      "Staging model '{{name}}' depends on another staging model, '{{parent}}': read the source instead, or make '{{name}}' an intermediate model.",
    stagingOnDownstream:
      "Staging model '{{name}}' depends on {{parentType}} model '{{parent}}': staging models read sources only; rename it, or point it at the source.",
    downstreamOnSource:
      "{{modelType}} model '{{name}}' reads the source '{{parent}}' directly: go through the source's staging model.",
    rootModel:
      "Model '{{name}}' has no parent: it uses no ref() and no source(), so its lineage is unknown; reference its inputs with ref() or source().",
    fanout:
      "'{{name}}' has {{count}} direct leaf children (threshold {{threshold}}): {{children}}; move shared logic upstream, or leave the last step to the BI tool.",
  },
  options,
  check(project, context) {
    const o = context.options;
    const types = o.modelTypes;
    const own = new Set(project.projects.map((p) => p.name));
    const layers = new Map<string, string | null>();
    const layer = (r: Resource): string | null => {
      let l = layers.get(r.uniqueId);
      if (l === undefined) {
        l = layerOf(r, types);
        layers.set(r.uniqueId, l);
      }
      return l;
    };

    // Whether a model has no DAG children, once per model (asked again for each of its parents).
    const leaf = new Map<string, boolean>();
    const isLeaf = (r: Resource): boolean => {
      let l = leaf.get(r.uniqueId);
      if (l === undefined) {
        l = !context.graph.children(r.uniqueId).some((id) => {
          const c = project.resources.get(id);
          return c !== undefined && DAG_TYPES.has(c.resourceType);
        });
        leaf.set(r.uniqueId, l);
      }
      return l;
    };

    for (const child of project.resources.values()) {
      if (!isOwn(child, own) || !DAG_TYPES.has(child.resourceType)) continue;
      const childLayer = layer(child);
      const parents = dagNeighbours(project, context.graph.parents(child.uniqueId));

      for (const parent of parents) {
        const parentLayer = layer(parent);
        // Built when a finding needs it: most edges report nothing.
        let dataMemo: { name: string; parent: string } | null = null;
        const data = () => (dataMemo ??= { name: displayName(child), parent: displayName(parent) });
        if (
          o.stagingOnStaging &&
          childLayer === 'staging' &&
          parentLayer === 'staging' &&
          modelOrSnapshot(child) &&
          modelOrSnapshot(parent)
        ) {
          context.report({
            messageId: 'stagingOnStaging',
            node: child.uniqueId,
            related: [parent.uniqueId],
            data: data(),
          });
        }
        if (
          o.stagingOnDownstream &&
          childLayer === 'staging' &&
          parentLayer !== null &&
          DOWNSTREAM.has(parentLayer) &&
          child.resourceType === 'model' &&
          parent.resourceType === 'model'
        ) {
          context.report({
            messageId: 'stagingOnDownstream',
            node: child.uniqueId,
            related: [parent.uniqueId],
            data: { ...data(), parentType: parentLayer },
          });
        }
        if (
          o.downstreamOnSource &&
          parent.resourceType === 'source' &&
          childLayer !== null &&
          DOWNSTREAM.has(childLayer)
        ) {
          context.report({
            messageId: 'downstreamOnSource',
            node: child.uniqueId,
            related: [parent.uniqueId],
            data: { ...data(), modelType: childLayer === 'marts' ? 'Marts' : 'Intermediate' },
          });
        }
      }

      if (
        o.rootModels &&
        child.resourceType === 'model' &&
        parents.length === 0 &&
        displayName(child) !== 'metricflow_time_spine'
      ) {
        context.report({
          messageId: 'rootModel',
          node: child.uniqueId,
          data: { name: displayName(child) },
        });
      }

      if (o.fanout) {
        const leaves = dagNeighbours(project, context.graph.children(child.uniqueId)).filter(
          (c) => c.resourceType === 'model' && isLeaf(c),
        );
        if (leaves.length >= o.fanoutThreshold) {
          context.report({
            messageId: 'fanout',
            node: child.uniqueId,
            data: {
              name: displayName(child),
              count: leaves.length,
              threshold: o.fanoutThreshold,
              children: leaves.map(displayName).sort().join(', '),
            },
          });
        }
      }
    }
  },
});
