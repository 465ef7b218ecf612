import { defineRule } from '../src/index.js';

const KIND: Record<string, string> = { metric: 'Metric', semantic_model: 'Semantic model' };

export default defineRule({
  id: 'metric-ownership',
  description:
    'Every metric and semantic model has an owner: meta.owner (or config.meta.owner) or the owner of its dbt group.',
  category: 'semantics',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: ['metric', 'semantic_model'],
  severity: 'warn',
  recommended: true,
  messages: {
    owner:
      "{{kind}} '{{name}}' has no owner: set `config: {meta: {owner: …}}` or put it in a dbt group with an owner, so that someone answers for its definition.",
  },
  check(resource, context) {
    if (context.ownerOf(resource.uniqueId) !== null) return;
    context.report({
      messageId: 'owner',
      data: { kind: KIND[resource.resourceType] ?? resource.resourceType, name: resource.name },
    });
  },
});
