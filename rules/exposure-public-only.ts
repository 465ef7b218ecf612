import { defineRule, displayName, type Resource, type RuleContext } from '../src/index.js';
import { z } from 'zod';

/**
 * Parents dbt-project-evaluator 1.x never reports: its graph has no semantic models or saved
 * queries, and a metric parent is dropped by its `not parent_is_excluded` filter (NULL for metrics).
 */
const NOT_JUDGED = new Set<string>(['metric', 'semantic_model', 'saved_query']);

const options = z.object({
  allowSources: z
    .boolean()
    .default(false)
    .describe('Accept exposures that read sources directly (the evaluator reports them).'),
  checkSemanticModels: z
    .boolean()
    .default(false)
    .describe('Apply the same check to semantic models: the model each one reads must be public.'),
  checkSavedQueries: z
    .boolean()
    .default(false)
    .describe(
      'Apply the same check to saved queries: every model a saved query reads, through its metrics and their semantic models, must be public.',
    ),
});
type Options = z.output<typeof options>;

const KIND: Record<string, string> = {
  exposure: 'Exposure',
  semantic_model: 'Semantic model',
  saved_query: 'Saved query',
};

/** The models a saved query reads: up through metrics and semantic models, to the first models. */
function modelsBehind(start: Resource, context: RuleContext<Options>): Resource[] {
  const out = new Map<string, Resource>();
  const seen = new Set<string>([start.uniqueId]);
  const queue = [...start.dependsOn];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const r = context.project.resources.get(id);
    if (!r) continue;
    if (r.resourceType === 'metric' || r.resourceType === 'semantic_model')
      queue.push(...r.dependsOn);
    else if (r.resourceType !== 'saved_query') out.set(id, r);
  }
  return [...out.values()];
}

export default defineRule({
  id: 'exposure-public-only',
  description:
    'Exposures depend only on public models (mirrors dbt-project-evaluator fct_exposures_dependent_on_private_models).',
  category: 'boundaries',
  scope: 'node',
  // No `reach`: a saved query is checked through its metrics and semantic models, beyond one
  // edge (checkSavedQueries), so base mode checks it on both sides.
  resourceTypes: ['exposure', 'semantic_model', 'saved_query'],
  severity: 'error',
  recommended: true,
  options,
  identity: ['parent'],
  messages: {
    notPublic:
      "{{kind}} '{{name}}' depends on '{{parent}}', {{reason}}: consumers outside the project should read only public, contracted models; make it `access: public` or depend on a public model instead.",
  },
  check(resource, context) {
    const { options: o } = context;
    if (resource.resourceType === 'semantic_model' && !o.checkSemanticModels) return;
    if (resource.resourceType === 'saved_query' && !o.checkSavedQueries) return;
    const parents =
      resource.resourceType === 'saved_query'
        ? modelsBehind(resource, context)
        : resource.dependsOn
            .map((id) => context.project.resources.get(id))
            .filter((r): r is Resource => r !== undefined && !NOT_JUDGED.has(r.resourceType));
    for (const parent of parents) {
      if (parent.resourceType === 'model' && parent.access === 'public') continue;
      if (parent.resourceType === 'source' && o.allowSources) continue;
      context.report({
        messageId: 'notPublic',
        data: {
          kind: KIND[resource.resourceType] ?? resource.resourceType,
          name: resource.name,
          parent: displayName(parent),
          reason:
            parent.resourceType === 'model'
              ? `a ${parent.access ?? 'protected'} model`
              : `a ${parent.resourceType.replace(/_/g, ' ')}, not a model`,
        },
        related: [parent.uniqueId],
      });
    }
  },
});
