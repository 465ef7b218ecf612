import { z } from 'zod';
import { defineRule, displayName, documentationApplies, isDocumented } from '../src/index.js';

const options = z.object({
  sources: z
    .boolean()
    .default(false)
    .describe('Also require a description on every source table (fct_undocumented_source_tables).'),
  seeds: z.boolean().default(false).describe('Also require a description on every seed.'),
  snapshots: z.boolean().default(false).describe('Also require a description on every snapshot.'),
});

type Options = z.infer<typeof options>;

const KIND: Record<string, string> = {
  model: 'Model',
  source: 'Source table',
  seed: 'Seed',
  snapshot: 'Snapshot',
};

export default defineRule<Options>({
  id: 'description-present',
  description:
    'Every model has a description (dbt-project-evaluator fct_undocumented_models); optionally sources, seeds and snapshots too.',
  category: 'documentation',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: ['model', 'source', 'seed', 'snapshot'],
  severity: 'warn',
  recommended: true,
  messages: {
    missing:
      "{{kind}} '{{name}}' has no description: add `description:` to its YAML entry (plain text, or a doc() block).",
  },
  options,
  check(resource, context) {
    if (!documentationApplies(resource, context.options)) return;
    // As the evaluator (`{% if node.description %}`): any non-empty text counts.
    if (isDocumented(resource.description)) return;
    context.report({
      messageId: 'missing',
      data: {
        kind: KIND[resource.resourceType] ?? resource.resourceType,
        name: displayName(resource),
      },
    });
  },
});
