import {
  BOUNDARY_TARGET_TYPES,
  defineRule,
  resourceTypeLabel,
  type Resource,
} from '../src/index.js';

const display = (r: Resource) => (r.version !== null ? `${r.name}.v${r.version}` : r.name);

export default defineRule({
  id: 'domain-unknown-edge',
  description:
    'A dependency whose one end has a domain and whose other end has none: a boundary that cannot be checked.',
  category: 'boundaries',
  scope: 'edge',
  reach: 'neighbours',
  resourceTypes: BOUNDARY_TARGET_TYPES,
  severity: 'warn',
  recommended: false,
  requiresDomains: true,
  identity: ['target'],
  messages: {
    unknownParent:
      "The {{childType}} '{{child}}' (domain {{domain}}) depends on the {{parentType}} '{{parent}}', which has no domain: whether this crosses a domain boundary cannot be checked.",
    unknownChild:
      "The {{childType}} '{{child}}' has no domain but depends on the {{parentType}} '{{parent}}' of domain {{domain}}: whether this crosses a domain boundary cannot be checked.",
  },
  check({ parent, child }, context) {
    if (child.resourceType === 'test' || child.resourceType === 'unit_test') return;
    const childDomain = context.domainOf(child.uniqueId);
    const parentDomain = context.domainOf(parent.uniqueId);
    if ((childDomain === null) === (parentDomain === null)) return;
    context.report({
      messageId: childDomain === null ? 'unknownChild' : 'unknownParent',
      data: {
        childType: resourceTypeLabel(child.resourceType),
        child: display(child),
        parentType: resourceTypeLabel(parent.resourceType),
        parent: display(parent),
        domain: (childDomain ?? parentDomain)!,
        target: parent.uniqueId,
      },
      related: [parent.uniqueId],
    });
  },
});
