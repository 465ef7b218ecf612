import { defineRule } from '../src/index.js';

export default defineRule({
  id: 'owner-present',
  description:
    'Every model has an owner: meta.owner (or config.meta.owner) or the owner of its dbt group.',
  category: 'ownership',
  scope: 'node',
  resourceTypes: ['model'],
  severity: 'error',
  recommended: true,
  messages: {
    missing:
      "Model '{{name}}' has no owner: set meta.owner in its YAML or dbt_project.yml, or put it in a dbt group that has an owner.",
  },
  check(model, context) {
    if (context.ownerOf(model.uniqueId) === null) {
      context.report({ messageId: 'missing', data: { name: model.name } });
    }
  },
});
