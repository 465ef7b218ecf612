import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'description-present')!;

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  ...extra,
});

const source = (
  sourceName: string,
  name: string,
  extra: Partial<ResourceInit> = {},
): ResourceInit => ({
  uniqueId: `source.my_project.${sourceName}.${name}`,
  resourceType: 'source',
  name,
  sourceName,
  ...extra,
});

new RuleTester().run('description-present', rule, {
  valid: [
    {
      name: 'a described model',
      project: { resources: [model('fct_orders', { description: 'One row per order.' })] },
    },
    {
      name: 'a doc() block rendered into text',
      project: { resources: [model('fct_orders', { description: 'Orders, from docs/orders.md' })] },
    },
    {
      name: 'whitespace counts as a description, as in the evaluator ({% if description %})',
      project: { resources: [model('fct_orders', { description: ' ' })] },
    },
    {
      name: 'sources, seeds and snapshots are not checked by default',
      project: {
        resources: [
          source('shop', 'orders'),
          { uniqueId: 'seed.my_project.countries', resourceType: 'seed', name: 'countries' },
          {
            uniqueId: 'snapshot.my_project.orders_snap',
            resourceType: 'snapshot',
            name: 'orders_snap',
          },
        ],
      },
    },
    {
      name: 'a model of an installed package is not judged',
      project: {
        resources: [model('x', { uniqueId: 'model.dbt_utils.x', packageName: 'dbt_utils' })],
      },
    },
    {
      name: 'a model injected from another project is not judged',
      project: { resources: [model('injected', { external: true, packageName: 'upstream' })] },
    },
    {
      name: 'evaluator docs: a source table with a description (sources on)',
      options: { sources: true },
      project: {
        resources: [
          source('my_source', 'my_table', { description: 'This is the source table description' }),
        ],
      },
    },
  ],
  invalid: [
    {
      name: 'a model without a description',
      project: { resources: [model('fct_orders')] },
      errors: [
        {
          messageId: 'missing',
          node: 'model.my_project.fct_orders',
          data: { kind: 'Model', name: 'fct_orders' },
          message: /^Model 'fct_orders' has no description: /,
        },
      ],
    },
    {
      name: 'each version of a versioned model is judged, named name.vN',
      project: {
        resources: [
          model('dim_customers', {
            uniqueId: 'model.my_project.dim_customers.v1',
            version: '1',
            latestVersion: '2',
            description: 'v1',
          }),
          model('dim_customers', {
            uniqueId: 'model.my_project.dim_customers.v2',
            version: '2',
            latestVersion: '2',
          }),
        ],
      },
      errors: [
        {
          messageId: 'missing',
          node: 'model.my_project.dim_customers.v2',
          data: { kind: 'Model', name: 'dim_customers.v2' },
        },
      ],
    },
    {
      name: 'evaluator docs: a source table without a description (sources on)',
      options: { sources: true },
      project: { resources: [source('my_source', 'my_table')] },
      errors: [
        { messageId: 'missing', data: { kind: 'Source table', name: 'my_source.my_table' } },
      ],
    },
    {
      name: 'seeds and snapshots when turned on',
      options: { seeds: true, snapshots: true },
      project: {
        resources: [
          { uniqueId: 'seed.my_project.countries', resourceType: 'seed', name: 'countries' },
          {
            uniqueId: 'snapshot.my_project.orders_snap',
            resourceType: 'snapshot',
            name: 'orders_snap',
          },
        ],
      },
      errors: [
        { messageId: 'missing', data: { kind: 'Seed', name: 'countries' } },
        { messageId: 'missing', data: { kind: 'Snapshot', name: 'orders_snap' } },
      ],
    },
  ],
});

describeCorpusRun('description-present', [
  'error',
  { sources: true, seeds: true, snapshots: true },
]);
