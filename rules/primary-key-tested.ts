import { z } from 'zod';
import {
  dataTestsOf,
  DEFAULT_PRIMARY_KEY_TEST_SETS,
  defineRule,
  displayName,
  hasPrimaryKeyConstraint,
  isPrimaryKeyTested,
} from '../src/index.js';

const MACRO = /^[A-Za-z_][A-Za-z0-9_]*\.test_[A-Za-z0-9_]+$/;

const options = z.object({
  testSets: z
    .array(
      z
        .array(
          z.string().regex(MACRO, {
            message: 'must be a test macro as package.test_name (dbt.test_unique)',
          }),
        )
        .min(1),
    )
    .min(1)
    .default(DEFAULT_PRIMARY_KEY_TEST_SETS.map((set) => [...set]))
    .describe(
      "The sets of generic tests that test a primary key, as the evaluator's primary_key_test_macros: each set's tests on one column (or, for model-level tests, on the model) pass. Add ['dbt_constraints.test_primary_key'] for dbt_constraints.",
    ),
  resourceTypes: z
    .array(z.enum(['model', 'source', 'snapshot', 'seed']))
    .min(1)
    .default(['model'])
    .describe("The resource types checked, as the evaluator's enforced_primary_key_node_types."),
  primaryKeyConstraint: z
    .boolean()
    .default(false)
    .describe(
      'Also accept a primary_key constraint (on a column or on the model) as a tested primary key.',
    ),
});

type Options = z.infer<typeof options>;

const KIND: Record<string, string> = {
  model: 'Model',
  source: 'Source table',
  snapshot: 'Snapshot',
  seed: 'Seed',
};

export default defineRule<Options>({
  id: 'primary-key-tested',
  description:
    'Every model has a tested primary key: unique and not_null on one column, or dbt_utils.unique_combination_of_columns (dbt-project-evaluator fct_missing_primary_key_tests).',
  category: 'testing',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: ['model', 'source', 'snapshot', 'seed'],
  severity: 'warn',
  recommended: true,
  messages: {
    missing:
      "{{kind}} '{{name}}' has no primary-key test ({{tests}} test(s) in all): test its key with one of: {{accepted}}.",
  },
  options,
  check(resource, context) {
    const o = context.options;
    if (!o.resourceTypes.includes(resource.resourceType as Options['resourceTypes'][number]))
      return;
    if (o.primaryKeyConstraint && hasPrimaryKeyConstraint(resource)) return;
    const tests = dataTestsOf(context.project, context.graph, resource.uniqueId);
    if (isPrimaryKeyTested(resource, tests, o.testSets)) return;
    context.report({
      messageId: 'missing',
      data: {
        kind: KIND[resource.resourceType] ?? resource.resourceType,
        name: displayName(resource),
        tests: tests.length,
        accepted: acceptedText(o.testSets),
      },
    });
  },
});

/** The accepted test sets as the message lists them, once per options object. */
const acceptedMemo = new WeakMap<readonly (readonly string[])[], string>();
function acceptedText(sets: readonly (readonly string[])[]): string {
  let text = acceptedMemo.get(sets);
  if (text === undefined) {
    text = sets
      .map((set) => set.map((m) => m.replace(/\.test_/, '.').replace(/^dbt\./, '')).join(' + '))
      .join(' | ');
    acceptedMemo.set(sets, text);
  }
  return text;
}
