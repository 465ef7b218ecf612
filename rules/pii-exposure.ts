import {
  defineRule,
  displayName,
  isDeclaredProduct,
  metaValue,
  productOptionsSchema,
} from '../src/index.js';
import { z } from 'zod';

/** dbt YAML truthiness: true, a non-empty list or object, a number other than 0, or text other than false/no/off/0. */
function truthy(v: unknown): boolean {
  if (typeof v === 'string')
    return !['', 'false', 'no', '0', 'off', 'none'].includes(v.trim().toLowerCase());
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

const options = z.object({
  piiMetaKey: z
    .string()
    .min(1)
    .default('pii')
    .describe('Column meta key (dotted path allowed) whose truthy value marks personal data.'),
  piiTag: z.string().min(1).default('pii').describe('Column tag that marks personal data.'),
  protectionMetaKeys: z
    .array(z.string().min(1))
    .default(['masking_policy'])
    .describe(
      'Column meta keys (dotted paths allowed); a truthy value in any of them protects the column.',
    ),
  protectionTags: z
    .array(z.string().min(1))
    .default([])
    .describe('Column tags any of which protects the column.'),
  productMetaKey: productOptionsSchema.shape.productMetaKey,
  productTag: productOptionsSchema.shape.productTag,
});

export default defineRule({
  id: 'pii-exposure',
  description:
    'Personal-data columns of public models and data products carry a protection (a masking policy).',
  category: 'privacy',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: ['model'],
  severity: 'warn',
  recommended: true,
  options,
  identity: ['column'],
  messages: {
    unprotected:
      "Column '{{column}}' of {{kind}} '{{name}}' holds personal data but has no protection ({{protection}}): mask it, or keep it out of the published interface.",
  },
  check(model, context) {
    const o = context.options;
    if (model.access !== 'public' && !isDeclaredProduct(model, o)) return;
    const kind = model.access === 'public' ? 'public model' : 'data product';
    // Only a finding needs the protections' text.
    const protectionText = () =>
      [
        ...o.protectionMetaKeys.map((k) => `meta.${k}`),
        ...o.protectionTags.map((t) => `tag ${t}`),
      ].join(' or ');
    for (const column of model.columns) {
      const personal =
        truthy(metaValue(column.meta, o.piiMetaKey)) || column.tags.includes(o.piiTag);
      if (!personal) continue;
      const protectedColumn =
        o.protectionMetaKeys.some((k) => truthy(metaValue(column.meta, k))) ||
        o.protectionTags.some((t) => column.tags.includes(t));
      if (protectedColumn) continue;
      context.report({
        messageId: 'unprotected',
        data: {
          column: column.name,
          kind,
          name: displayName(model),
          protection: protectionText() || 'none configured',
        },
      });
    }
  },
});
