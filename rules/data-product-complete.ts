import {
  dataTestsOf,
  defineRule,
  displayName,
  hasPrimaryKeyConstraint,
  isDataProduct,
  isDocumented,
  isPrimaryKeyTested,
  listColumns,
  metaValue,
  productOptionsSchema,
  type Column,
  type Resource,
  type RuleContext,
} from '../src/index.js';
import { z } from 'zod';

/**
 * The default SLA format, matched case-insensitively against the whole value:
 * `hourly|daily|weekly|monthly`, optionally followed by `by|at|before HH:MM` and a time zone;
 * `every [N] minute(s)|hour(s)|day(s)`; or a 5-field cron expression.
 */
const DEFAULT_SLA_PATTERN =
  '^(?:' +
  '(?:hourly|daily|weekly|monthly)(?: (?:by|at|before) (?:[01]?\\d|2[0-3]):[0-5]\\d(?: [a-z][a-z0-9_+/-]*)?)?' +
  '|every (?:[1-9]\\d* )?(?:minute|hour|day)s?' +
  '|(?:[\\d*,/-]+ ){3}(?:[\\d*,/-]|[a-z]{3})+ (?:[\\d*,/-]|[a-z]{3})+' +
  ')$';

function isRegex(p: string): boolean {
  try {
    new RegExp(p, 'i');
    return true;
  } catch {
    return false;
  }
}

const options = z.object({
  ...productOptionsSchema.shape,
  includeConsumedCrossDomain: z
    .boolean()
    .default(false)
    .describe(
      'Also treat every model that a resource of another domain depends on as a data product.',
    ),
  slaMetaKey: z
    .string()
    .min(1)
    .default('sla')
    .describe('Meta key (dotted path allowed) that holds the SLA.'),
  slaPattern: z
    .string()
    .refine(isRegex, { message: 'not a valid regular expression' })
    .default(DEFAULT_SLA_PATTERN)
    .describe('Regular expression (matched case-insensitively) that the SLA text must match.'),
});
type Options = z.output<typeof options>;

const compiled = new Map<string, RegExp>();
function slaRegex(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'i');
    compiled.set(pattern, re);
  }
  return re;
}

/** The columns for a message; none at all is a defect too. */
function columnsList(columns: readonly Column[]): string {
  return columns.length === 0 ? '(no columns declared)' : listColumns(columns);
}

/**
 * A primary key is tested as primary-key-tested counts it with its default test sets (the
 * evaluator's primary_key_test_macros), or, for a data product, declared: a primary_key
 * constraint on a column or on the model.
 */
function hasPrimaryKey(model: Resource, context: RuleContext<Options>): boolean {
  return (
    hasPrimaryKeyConstraint(model) ||
    isPrimaryKeyTested(model, dataTestsOf(context.project, context.graph, model.uniqueId))
  );
}

/** Whether a resource of another (known) domain depends on the model. */
function consumedCrossDomain(model: Resource, context: RuleContext<Options>): boolean {
  const own = context.domainOf(model.uniqueId);
  if (own === null) return false;
  for (const id of context.graph.children(model.uniqueId)) {
    const child = context.project.resources.get(id);
    if (!child || child.resourceType === 'test' || child.resourceType === 'unit_test') continue;
    const other = context.domainOf(id);
    if (other !== null && other !== own) return true;
  }
  return false;
}

export default defineRule({
  id: 'data-product-complete',
  description:
    'Every data product has an owner, a description, an enforced contract, described and typed columns, an SLA and a primary-key test.',
  category: 'products',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: ['model'],
  severity: 'warn',
  recommended: true,
  options,
  messages: {
    owner:
      "Data product '{{name}}' has no owner: set meta.owner, or put it in a dbt group with an owner.",
    description:
      "Data product '{{name}}' has no description: tell consumers what it holds and at which grain.",
    contract:
      "Data product '{{name}}' does not enforce a contract: set `config: {contract: {enforced: true}}` and type every column.",
    columnDescription: "Data product '{{name}}' has columns without a description: {{columns}}.",
    columnType: "Data product '{{name}}' has columns without a data_type: {{columns}}.",
    sla: "Data product '{{name}}' has no valid SLA: {{problem}}.",
    primaryKey:
      "Data product '{{name}}' has no primary-key test: add `unique` and `not_null` on its key column, a dbt_utils.unique_combination_of_columns test, or a primary_key constraint.",
  },
  check(model, context) {
    const o = context.options;
    const product =
      isDataProduct(model, o) ||
      (o.includeConsumedCrossDomain && consumedCrossDomain(model, context));
    if (!product) return;
    const id = model.uniqueId;
    const isPublic = model.access === 'public';
    const ownedElsewhere = (...ruleIds: string[]) => ruleIds.some((r) => context.isEnabled(r, id));
    const name = displayName(model);
    // Text of only whitespace is no description for a product (blankIsUndocumented).
    const documented = (text: string) => isDocumented(text, { blankIsUndocumented: true });

    if (!ownedElsewhere('owner-present') && context.ownerOf(id) === null)
      context.report({ messageId: 'owner', data: { name } });

    if (
      !ownedElsewhere('description-present', ...(isPublic ? ['public-documented'] : [])) &&
      !documented(model.description)
    )
      context.report({ messageId: 'description', data: { name } });

    if (!(isPublic && ownedElsewhere('public-contract')) && model.contract?.enforced !== true)
      context.report({ messageId: 'contract', data: { name } });

    if (!ownedElsewhere('columns-documented', ...(isPublic ? ['public-documented'] : []))) {
      const undescribed = model.columns.filter((c) => !documented(c.description));
      if (model.columns.length === 0 || undescribed.length > 0)
        context.report({
          messageId: 'columnDescription',
          data: { name, columns: columnsList(undescribed) },
        });
    }

    const untyped = model.columns.filter((c) => (c.dataType ?? '').trim() === '');
    if (model.columns.length === 0 || untyped.length > 0)
      context.report({ messageId: 'columnType', data: { name, columns: columnsList(untyped) } });

    const sla = metaValue(model.meta, o.slaMetaKey);
    let problem: string | null = null;
    if (sla === undefined || sla === null || (typeof sla === 'string' && sla.trim() === ''))
      problem = `set meta.${o.slaMetaKey} (e.g. "daily by 08:00 UTC")`;
    else if (typeof sla !== 'string') problem = `meta.${o.slaMetaKey} is not a text value`;
    else if (!slaRegex(o.slaPattern).test(sla.trim()))
      problem = `meta.${o.slaMetaKey} "${sla}" does not match the SLA format`;
    if (problem !== null) context.report({ messageId: 'sla', data: { name, problem } });

    if (!ownedElsewhere('primary-key-tested') && !hasPrimaryKey(model, context))
      context.report({ messageId: 'primaryKey', data: { name } });
  },
});
