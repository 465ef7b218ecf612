import { defineRule, isDataProduct, metaValue, productOptionsSchema } from '../src/index.js';
import { z } from 'zod';

const DEFAULT_PATTERN =
  '^(?<domain>[a-z][a-z0-9_]*)\\.(?<product>[a-z][a-z0-9_]*)\\.(?<grain>[a-z][a-z0-9_]*)$';

function isRegex(p: string): boolean {
  try {
    new RegExp(p, 'u');
    return true;
  } catch {
    return false;
  }
}

const compiled = new Map<string, RegExp>();
function regex(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    compiled.set(pattern, re);
  }
  return re;
}

/** Domains compare case-insensitively, `-`, `_` and spaces alike. */
function sameDomain(a: string, b: string): boolean {
  const norm = (s: string) =>
    s
      .trim()
      .toLowerCase()
      .replace(/[-_\s]+/g, '_');
  return norm(a) === norm(b);
}

const options = z.object({
  nameMetaKey: z
    .string()
    .min(1)
    .nullable()
    .default('product')
    .describe(
      "Meta key (dotted path allowed) whose text value is the product's name (payments.revenue.daily); null: always use the model name.",
    ),
  separator: z
    .string()
    .min(1)
    .default('__')
    .describe(
      'Separator between the parts of a model name used as product name (payments__revenue__daily).',
    ),
  pattern: z
    .string()
    .refine(isRegex, { message: 'not a valid regular expression' })
    .default(DEFAULT_PATTERN)
    .describe(
      'Regular expression the dotted product name must match; a named group `domain` marks the domain part (else the first part is).',
    ),
  ...productOptionsSchema.shape,
});

export default defineRule({
  id: 'product-naming',
  description:
    "Data product names follow `<domain>.<product>.<grain>`, and the domain part is the product's own domain.",
  category: 'products',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: ['model'],
  severity: 'warn',
  recommended: false,
  options,
  messages: {
    pattern:
      "Data product '{{name}}' is named '{{productName}}' (from {{from}}), which does not follow the naming convention {{convention}}.",
    domain:
      "Data product '{{name}}' is named '{{productName}}' (from {{from}}), but its domain part '{{namedDomain}}' is not its domain '{{domain}}'.",
  },
  check(model, context) {
    const o = context.options;
    if (!isDataProduct(model, o)) return;
    let productName: string;
    let from: string;
    const declared = o.nameMetaKey === null ? undefined : metaValue(model.meta, o.nameMetaKey);
    if (typeof declared === 'string' && declared.trim() !== '') {
      productName = declared.trim();
      from = `meta.${o.nameMetaKey}`;
    } else {
      productName = model.name.split(o.separator).join('.');
      from = 'the model name';
    }
    const convention =
      o.pattern === DEFAULT_PATTERN ? '<domain>.<product>.<grain>' : `/${o.pattern}/`;
    const m = regex(o.pattern).exec(productName);
    if (!m) {
      context.report({
        messageId: 'pattern',
        data: { name: model.name, productName, from, convention },
      });
      return;
    }
    const domain = context.domainOf(model.uniqueId);
    if (domain === null) return; // domain-present reports it
    const namedDomain = m.groups?.domain ?? productName.split('.')[0] ?? '';
    if (!sameDomain(namedDomain, domain))
      context.report({
        messageId: 'domain',
        data: { name: model.name, productName, from, namedDomain, domain },
      });
  },
});
