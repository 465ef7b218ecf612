import { defineRule } from '../src/index.js';

export default defineRule({
  id: 'domain-present',
  description:
    'Every model belongs to a domain: meta.domain (or config.meta.domain) or its dbt group.',
  category: 'ownership',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: ['model'],
  severity: 'error',
  recommended: true,
  requiresDomains: true,
  messages: {
    missing:
      "Model '{{name}}' has no domain: set meta.domain in its YAML or in dbt_project.yml (+meta for a folder), or put it in a dbt group.",
  },
  check(model, context) {
    if (context.domainOf(model.uniqueId) === null) {
      context.report({ messageId: 'missing', data: { name: model.name } });
    }
  },
});
