import { z } from 'zod';
import {
  BOUNDARY_TARGET_TYPES,
  DEFAULT_PRODUCT_META_KEY,
  DEFAULT_PRODUCT_TAG,
  defineRule,
  isDeclaredProduct,
  resourceTypeLabel,
  type Resource,
  type RuleContext,
} from '../src/index.js';

const options = z.object({
  /** Meta key whose truthy value declares a model a data product (as the product rules read it). */
  productMetaKey: z.string().min(1).default(DEFAULT_PRODUCT_META_KEY),
  /** Tag that declares a model a data product. */
  productTag: z.string().min(1).default(DEFAULT_PRODUCT_TAG),
});

type Options = z.infer<typeof options>;

/** Whether `target` is in its domain's public interface. */
function inPublicInterface(
  target: Resource,
  domain: string,
  context: RuleContext<Options>,
): boolean {
  if (target.resourceType === 'model' && target.access === 'public') return true;
  if (
    isDeclaredProduct(target, {
      productMetaKey: context.options.productMetaKey,
      productTag: context.options.productTag,
    })
  )
    return true;
  if (!Object.prototype.hasOwnProperty.call(context.declaredDomains, domain)) return false;
  for (const selector of context.declaredDomains[domain]!.public) {
    if (selector.trim() === '') continue;
    if (context.select(selector).has(target.uniqueId)) return true;
  }
  return false;
}

export default defineRule<Options>({
  id: 'cross-domain-ref',
  description:
    "A reference into another domain goes to that domain's public interface: a public model, a declared data product, or one of its public selectors.",
  category: 'boundaries',
  scope: 'edge',
  reach: 'neighbours',
  resourceTypes: BOUNDARY_TARGET_TYPES,
  severity: 'error',
  recommended: true,
  requiresDomains: true,
  identity: ['target'],
  options,
  messages: {
    private:
      "{{childType}} '{{child}}' (domain {{childDomain}}) depends on '{{parent}}' of domain {{parentDomain}}, a private model: use a public model of {{parentDomain}} instead.",
    protected:
      "{{childType}} '{{child}}' (domain {{childDomain}}) depends on '{{parent}}' of domain {{parentDomain}}, a protected model outside the public interface of {{parentDomain}}: use a public model of {{parentDomain}}, or have {{parentDomain}} make '{{parent}}' public (access: public) or declare it a data product.",
    notInterface:
      "{{childType}} '{{child}}' (domain {{childDomain}}) depends on the {{parentType}} '{{parent}}' of domain {{parentDomain}}, which is outside the public interface of {{parentDomain}}: go through a public model of {{parentDomain}}, or have {{parentDomain}} list it under domains.declared.{{parentDomain}}.public.",
  },
  check({ parent, child }, context) {
    if (child.resourceType === 'test' || child.resourceType === 'unit_test') return;
    const childDomain = context.domainOf(child.uniqueId);
    if (childDomain === null) return;
    const parentDomain = context.domainOf(parent.uniqueId);
    if (parentDomain === null || parentDomain === childDomain) return;
    if (inPublicInterface(parent, parentDomain, context)) return;
    const messageId =
      parent.resourceType !== 'model'
        ? 'notInterface'
        : parent.access === 'private'
          ? 'private'
          : 'protected';
    context.report({
      messageId,
      data: {
        childType: resourceTypeLabel(child.resourceType, true),
        child: child.name,
        childDomain,
        parent: parent.version !== null ? `${parent.name}.v${parent.version}` : parent.name,
        parentType: resourceTypeLabel(parent.resourceType),
        parentDomain,
        access: parent.access ?? 'none',
        target: parent.uniqueId,
      },
      related: [parent.uniqueId],
    });
  },
});
