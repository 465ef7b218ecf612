import { defineRule, type OwnerStep, type Resource, type RuleContext } from '../src/index.js';

/** The steps of the owner chain that apply to a resource, as the message lists them. */
function stepsTried(model: Resource, context: RuleContext<unknown>): string {
  const out: string[] = [];
  for (const step of context.owners.resolution as readonly OwnerStep[]) {
    switch (step.kind) {
      case 'meta':
        out.push(`meta.${step.key}`);
        break;
      case 'exposure':
        if (model.resourceType === 'exposure') out.push('the exposure owner');
        break;
      case 'group':
        out.push(model.group ? `the owner of group ${model.group}` : 'a group owner (no group)');
        break;
      case 'domain': {
        const domain = context.domainOf(model.uniqueId);
        out.push(
          domain === null
            ? 'the domain owners (no domain)'
            : Object.prototype.hasOwnProperty.call(context.declaredDomains, domain)
              ? `the owners of domain ${domain}`
              : `the owners of domain ${domain} (not declared)`,
        );
        break;
      }
      case 'codeowners':
        out.push(step.file);
        break;
    }
  }
  return out.join(', ') || 'no step (owners.resolution is empty)';
}

export default defineRule({
  id: 'owner-present',
  description:
    'Every model has an owner: meta.owner (or config.meta.owner) or the owner of its dbt group.',
  category: 'ownership',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: ['model'],
  severity: 'error',
  recommended: true,
  messages: {
    missing:
      "Model '{{name}}' has no owner (tried {{tried}}): set meta.owner in its YAML or dbt_project.yml, or put it in a dbt group that has an owner.",
  },
  check(model, context) {
    if (context.ownerOf(model.uniqueId) === null) {
      context.report({
        messageId: 'missing',
        data: { name: model.name, tried: stepsTried(model, context) },
      });
    }
  },
});
