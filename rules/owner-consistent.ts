import {
  comparableOwners,
  defineRule,
  groupOf,
  metaValue,
  ownerLabel,
  parseOwner,
  resourceTypeLabel,
  sameOwner,
} from '../src/index.js';

export default defineRule({
  id: 'owner-consistent',
  description:
    "A model's meta owner agrees with its dbt group's owner, and a resource's owner is one of its declared domain's owners.",
  category: 'ownership',
  scope: 'node',
  resourceTypes: ['model', 'seed', 'snapshot', 'source', 'exposure'],
  severity: 'warn',
  recommended: true,
  messages: {
    groupMismatch:
      "{{type}} '{{name}}' has {{key}} '{{owner}}', but its group '{{group}}' is owned by '{{groupOwner}}': make them agree, or drop {{key}} and let the group own it.",
    notDomainOwner:
      "{{type}} '{{name}}' is owned by '{{owner}}', who is not an owner of its domain '{{domain}}' ({{domainOwners}}).",
  },
  check(resource, context) {
    const base = {
      type: resourceTypeLabel(resource.resourceType, true),
      name: resource.name,
    };

    // 1. The resource's own meta owner against its dbt group's owner.
    const metaStep = context.owners.resolution.find((s) => s.kind === 'meta');
    const group = groupOf(context.project, resource);
    if (metaStep && group && group.owner) {
      const own = parseOwner(metaValue(resource.meta, metaStep.key)).owners;
      const theirs = parseOwner(group.owner).owners;
      const comparable = own.some((a) => theirs.some((b) => comparableOwners(a, b)));
      const agree = own.some((a) => theirs.some((b) => sameOwner(a, b)));
      if (own.length > 0 && theirs.length > 0 && comparable && !agree)
        context.report({
          messageId: 'groupMismatch',
          data: {
            ...base,
            key: `meta.${metaStep.key}`,
            owner: own.map((o) => o.text).join(', '),
            group: group.name,
            groupOwner: theirs.map((o) => o.text).join(', '),
          },
        });
    }

    // 2. The resolved owner against the declared owners of the resource's domain.
    const domain = context.domainOf(resource.uniqueId);
    if (domain === null || !Object.prototype.hasOwnProperty.call(context.declaredDomains, domain))
      return;
    const declared = context.declaredDomains[domain]!.owners.filter((o) => o.trim() !== '');
    if (declared.length === 0) return;
    const owner = context.ownerOf(resource.uniqueId);
    const owners = parseOwner(owner).owners;
    if (owners.length === 0) return;
    const domainOwners = parseOwner(declared).owners;
    if (owners.some((o) => domainOwners.some((d) => sameOwner(o, d)))) return;
    context.report({
      messageId: 'notDomainOwner',
      data: { ...base, owner: ownerLabel(owner), domain, domainOwners: declared.join(', ') },
    });
  },
});
