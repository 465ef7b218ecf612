import { z } from 'zod';
import { defineRule, displayName, documentationApplies, isDocumented } from '../src/index.js';

const options = z.object({
  sources: z.boolean().default(false).describe('Also check the columns declared on source tables.'),
  seeds: z.boolean().default(false).describe('Also check the columns declared on seeds.'),
  snapshots: z.boolean().default(false).describe('Also check the columns declared on snapshots.'),
});

type Options = z.infer<typeof options>;

const KIND: Record<string, string> = {
  model: 'model',
  source: 'source table',
  seed: 'seed',
  snapshot: 'snapshot',
};

export default defineRule<Options>({
  id: 'columns-documented',
  description:
    'Every column declared in YAML for a model has a description (one finding per undescribed column).',
  category: 'documentation',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: ['model', 'source', 'seed', 'snapshot'],
  severity: 'warn',
  recommended: false,
  messages: {
    missing:
      "Column '{{column}}' of {{kind}} '{{name}}' has no description: add `description:` to the column in its YAML entry.",
  },
  identity: ['column'],
  options,
  check(resource, context) {
    if (!documentationApplies(resource, context.options)) return;
    const name = displayName(resource);
    const kind = KIND[resource.resourceType] ?? resource.resourceType;
    for (const column of resource.columns) {
      // As the evaluator counts described columns (`selectattr('description')`): non-empty text.
      if (isDocumented(column.description)) continue;
      context.report({ messageId: 'missing', data: { column: column.name, kind, name } });
    }
  },
});
