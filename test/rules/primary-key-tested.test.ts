import { getBuiltinRules, type Column, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'primary-key-tested')!;

const col = (name: string, constraints: string[] = []): Column => ({
  name,
  description: '',
  dataType: null,
  constraints: constraints.map((type) => ({ type, name: null, expression: null, columns: [] })),
  meta: {},
  tags: [],
});

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  ...extra,
});

let n = 0;
/** A generic test on `node` (a unique_id), on `column` or on the model. */
const generic = (
  node: string,
  name: string,
  column: string | null,
  namespace: string | null = null,
  extraDeps: string[] = [],
): ResourceInit => ({
  uniqueId: `test.my_project.${namespace ? `${namespace}_` : ''}${name}_${++n}`,
  resourceType: 'test',
  name: `${name}_${n}`,
  dependsOn: [...extraDeps, node],
  test: { name, namespace, columnName: column, attachedNode: node },
});

const singular = (name: string, deps: string[]): ResourceInit => ({
  uniqueId: `test.my_project.${name}`,
  resourceType: 'test',
  name,
  dependsOn: deps,
  test: { name: null, namespace: null, columnName: null, attachedNode: null },
});

const M = 'model.my_project.fct_orders';

new RuleTester().run('primary-key-tested', rule, {
  valid: [
    {
      name: 'evaluator docs (1): a not_null test and a unique test on a single column',
      project: {
        resources: [
          model('fct_orders'),
          generic(M, 'unique', 'order_id'),
          generic(M, 'not_null', 'order_id'),
        ],
      },
    },
    {
      name: 'evaluator docs (2): dbt_utils.unique_combination_of_columns on a set of columns',
      project: {
        resources: [
          model('fct_orders'),
          generic(M, 'unique_combination_of_columns', null, 'dbt_utils'),
        ],
      },
    },
    {
      name: 'unique_combination_of_columns used without its prefix',
      project: {
        resources: [model('fct_orders'), generic(M, 'unique_combination_of_columns', null)],
      },
    },
    {
      name: 'the mixed method: a unique test and a not_null constraint on the column',
      project: {
        resources: [
          model('fct_orders', { columns: [col('order_id', ['not_null'])] }),
          generic(M, 'unique', 'order_id'),
        ],
      },
    },
    {
      name: 'as the evaluator counts them, two unique tests on one column pass',
      project: {
        resources: [
          model('fct_orders'),
          generic(M, 'unique', 'order_id'),
          generic(M, 'unique', 'order_id'),
        ],
      },
    },
    {
      name: 'a relationships test attached to another model does not count for its target, but the key tests do',
      project: {
        resources: [
          model('fct_orders'),
          model('dim_customers'),
          generic(M, 'unique', 'order_id'),
          generic(M, 'not_null', 'order_id'),
          generic('model.my_project.dim_customers', 'unique', 'customer_id'),
          generic('model.my_project.dim_customers', 'not_null', 'customer_id'),
          generic('model.my_project.dim_customers', 'relationships', 'customer_id', null, [M]),
        ],
      },
    },
    {
      name: 'sources, seeds and snapshots are not checked by default',
      project: {
        resources: [
          {
            uniqueId: 'source.my_project.shop.orders',
            resourceType: 'source',
            name: 'orders',
            sourceName: 'shop',
          },
          { uniqueId: 'seed.my_project.c', resourceType: 'seed', name: 'c' },
          { uniqueId: 'snapshot.my_project.s', resourceType: 'snapshot', name: 's' },
        ],
      },
    },
    {
      name: 'a primary_key constraint with primaryKeyConstraint on (column level)',
      options: { primaryKeyConstraint: true },
      project: {
        resources: [model('fct_orders', { columns: [col('order_id', ['primary_key'])] })],
      },
    },
    {
      name: 'a primary_key constraint with primaryKeyConstraint on (model level)',
      options: { primaryKeyConstraint: true },
      project: {
        resources: [
          model('fct_orders', {
            constraints: [
              { type: 'primary_key', name: null, expression: null, columns: ['a', 'b'] },
            ],
          }),
        ],
      },
    },
    {
      name: 'dbt_constraints.primary_key as an added test set',
      options: {
        testSets: [['dbt.test_unique', 'dbt.test_not_null'], ['dbt_constraints.test_primary_key']],
      },
      project: {
        resources: [model('fct_orders'), generic(M, 'primary_key', 'order_id', 'dbt_constraints')],
      },
    },
    {
      name: 'a package model is not judged',
      project: { resources: [model('x', { uniqueId: 'model.pkg.x', packageName: 'pkg' })] },
    },
  ],
  invalid: [
    {
      name: 'no test at all',
      project: { resources: [model('fct_orders')] },
      errors: [
        {
          messageId: 'missing',
          node: M,
          data: {
            kind: 'Model',
            name: 'fct_orders',
            tests: 0,
            accepted: 'unique + not_null | dbt_utils.unique_combination_of_columns',
          },
          message:
            "Model 'fct_orders' has no primary-key test (0 test(s) in all): test its key with one of: unique + not_null | dbt_utils.unique_combination_of_columns.",
        },
      ],
    },
    {
      name: 'unique and not_null on different columns',
      project: {
        resources: [
          model('fct_orders'),
          generic(M, 'unique', 'order_id'),
          generic(M, 'not_null', 'customer_id'),
        ],
      },
      errors: [
        {
          messageId: 'missing',
          data: {
            kind: 'Model',
            name: 'fct_orders',
            tests: 2,
            accepted: 'unique + not_null | dbt_utils.unique_combination_of_columns',
          },
        },
      ],
    },
    {
      name: 'not_null test plus not_null constraint is not the mixed method (it needs unique)',
      project: {
        resources: [
          model('fct_orders', { columns: [col('order_id', ['not_null'])] }),
          generic(M, 'not_null', 'order_id'),
        ],
      },
      errors: 1,
    },
    {
      name: 'a model-level not_null constraint does not count for the mixed method',
      project: {
        resources: [
          model('fct_orders', {
            constraints: [
              { type: 'not_null', name: null, expression: null, columns: ['order_id'] },
            ],
          }),
          generic(M, 'unique', 'order_id'),
        ],
      },
      errors: 1,
    },
    {
      name: 'a primary_key constraint alone, by default',
      project: {
        resources: [model('fct_orders', { columns: [col('order_id', ['primary_key'])] })],
      },
      errors: 1,
    },
    {
      name: 'a unique test from another namespace does not count',
      project: {
        resources: [
          model('fct_orders'),
          generic(M, 'unique', 'order_id', 'my_tests'),
          generic(M, 'not_null', 'order_id'),
        ],
      },
      errors: 1,
    },
    {
      name: 'a singular test counts as a test (not as a key test)',
      project: { resources: [model('fct_orders'), singular('assert_orders', [M])] },
      errors: [
        {
          messageId: 'missing',
          data: {
            kind: 'Model',
            name: 'fct_orders',
            tests: 1,
            accepted: 'unique + not_null | dbt_utils.unique_combination_of_columns',
          },
        },
      ],
    },
    {
      name: 'dbt_constraints.primary_key is not a default test set',
      project: {
        resources: [model('fct_orders'), generic(M, 'primary_key', 'order_id', 'dbt_constraints')],
      },
      errors: 1,
    },
    {
      name: 'evaluator enforced_primary_key_node_types: sources, snapshots and seeds when asked',
      options: { resourceTypes: ['model', 'source', 'snapshot', 'seed'] },
      project: {
        resources: [
          {
            uniqueId: 'source.my_project.shop.orders',
            resourceType: 'source',
            name: 'orders',
            sourceName: 'shop',
          },
          { uniqueId: 'seed.my_project.c', resourceType: 'seed', name: 'c' },
          { uniqueId: 'snapshot.my_project.s', resourceType: 'snapshot', name: 's' },
          generic('snapshot.my_project.s', 'unique_combination_of_columns', null, 'dbt_utils'),
        ],
      },
      errors: [
        {
          messageId: 'missing',
          node: 'source.my_project.shop.orders',
          data: {
            kind: 'Source table',
            name: 'shop.orders',
            tests: 0,
            accepted: 'unique + not_null | dbt_utils.unique_combination_of_columns',
          },
        },
        { messageId: 'missing', node: 'seed.my_project.c' },
      ],
    },
    {
      name: 'a model only: resourceTypes [source] leaves models alone',
      options: { resourceTypes: ['source'] },
      project: {
        resources: [
          model('fct_orders'),
          {
            uniqueId: 'source.my_project.shop.orders',
            resourceType: 'source',
            name: 'orders',
            sourceName: 'shop',
          },
        ],
      },
      errors: [{ messageId: 'missing', node: 'source.my_project.shop.orders' }],
    },
  ],
});

describeCorpusRun('primary-key-tested', [
  'error',
  { resourceTypes: ['model', 'source', 'snapshot', 'seed'], primaryKeyConstraint: true },
]);
