import { defineRule } from '../src/index.js';

export default defineRule({
  id: 'cross-domain-source',
  description:
    "A model reads only its own domain's sources; another domain's raw data is reached through that domain's public models.",
  category: 'boundaries',
  scope: 'edge',
  reach: 'neighbours',
  resourceTypes: ['source'],
  severity: 'error',
  recommended: true,
  requiresDomains: true,
  identity: ['target'],
  messages: {
    foreignSource:
      "{{childType}} '{{child}}' (domain {{childDomain}}) reads the source '{{source}}' of domain {{sourceDomain}} directly: read it through the public models of {{sourceDomain}} instead.",
  },
  check({ parent: source, child }, context) {
    if (child.resourceType !== 'model' && child.resourceType !== 'snapshot') return;
    const childDomain = context.domainOf(child.uniqueId);
    if (childDomain === null) return;
    const sourceDomain = context.domainOf(source.uniqueId);
    if (sourceDomain === null || sourceDomain === childDomain) return;
    // A domain may share a source on purpose by listing it in its public interface.
    if (Object.prototype.hasOwnProperty.call(context.declaredDomains, sourceDomain)) {
      for (const selector of context.declaredDomains[sourceDomain]!.public) {
        if (selector.trim() !== '' && context.select(selector).has(source.uniqueId)) return;
      }
    }
    context.report({
      messageId: 'foreignSource',
      data: {
        childType: child.resourceType === 'model' ? 'Model' : 'Snapshot',
        child: child.name,
        childDomain,
        source: `${source.sourceName ?? ''}.${source.name}`,
        sourceDomain,
        target: source.uniqueId,
      },
      related: [source.uniqueId],
    });
  },
});
