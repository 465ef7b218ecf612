import { getBuiltinRules, type Column, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'columns-documented')!;

const col = (name: string, description = ''): Column => ({
  name,
  description,
  dataType: null,
  constraints: [],
  meta: {},
  tags: [],
});

const model = (
  name: string,
  columns: Column[],
  extra: Partial<ResourceInit> = {},
): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  columns,
  ...extra,
});

new RuleTester().run('columns-documented', rule, {
  valid: [
    {
      name: 'every declared column described',
      project: {
        resources: [model('fct_orders', [col('order_id', 'Key.'), col('amount', 'Cents.')])],
      },
    },
    { name: 'no declared columns', project: { resources: [model('fct_orders', [])] } },
    {
      name: 'source columns are not checked by default',
      project: {
        resources: [
          {
            uniqueId: 'source.my_project.shop.orders',
            resourceType: 'source',
            name: 'orders',
            sourceName: 'shop',
            columns: [col('id')],
          },
        ],
      },
    },
    {
      name: 'a package model is not judged',
      project: {
        resources: [model('x', [col('id')], { uniqueId: 'model.pkg.x', packageName: 'pkg' })],
      },
    },
  ],
  invalid: [
    {
      name: 'one finding per undescribed column, the column in its data',
      project: {
        resources: [model('fct_orders', [col('order_id', 'Key.'), col('amount'), col('status')])],
      },
      errors: [
        {
          messageId: 'missing',
          node: 'fct_orders',
          data: { column: 'amount', kind: 'model', name: 'fct_orders' },
          message:
            "Column 'amount' of model 'fct_orders' has no description: add `description:` to the column in its YAML entry.",
        },
        { messageId: 'missing', data: { column: 'status', kind: 'model', name: 'fct_orders' } },
      ],
    },
    {
      name: 'source, seed and snapshot columns when turned on',
      options: { sources: true, seeds: true, snapshots: true },
      project: {
        resources: [
          {
            uniqueId: 'source.my_project.shop.orders',
            resourceType: 'source',
            name: 'orders',
            sourceName: 'shop',
            columns: [col('id')],
          },
          {
            uniqueId: 'seed.my_project.c',
            resourceType: 'seed',
            name: 'c',
            columns: [col('code')],
          },
          {
            uniqueId: 'snapshot.my_project.s',
            resourceType: 'snapshot',
            name: 's',
            columns: [col('id')],
          },
        ],
      },
      errors: [
        { messageId: 'missing', data: { column: 'id', kind: 'source table', name: 'shop.orders' } },
        { messageId: 'missing', data: { column: 'code', kind: 'seed', name: 'c' } },
        { messageId: 'missing', data: { column: 'id', kind: 'snapshot', name: 's' } },
      ],
    },
  ],
});

describeCorpusRun('columns-documented', ['error', { sources: true, seeds: true, snapshots: true }]);
