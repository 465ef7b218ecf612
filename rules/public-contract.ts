import { defineRule, displayName } from '../src/index.js';

export default defineRule({
  id: 'public-contract',
  description:
    'Every public model enforces its contract (mirrors dbt-project-evaluator fct_public_models_without_contract).',
  category: 'contracts',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: ['model'],
  severity: 'error',
  recommended: true,
  messages: {
    missing:
      "Model '{{name}}' is public but its contract is not enforced: set `config: {contract: {enforced: true}}` and declare every column with its data_type.",
  },
  check(model, context) {
    if (model.access !== 'public') return;
    if (model.contract?.enforced === true) return;
    context.report({ messageId: 'missing', data: { name: displayName(model) } });
  },
});
