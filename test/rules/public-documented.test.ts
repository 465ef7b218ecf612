import { getBuiltinRules, type Column, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'public-documented')!;

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  ...extra,
});

const col = (name: string, description = ''): Column => ({
  name,
  description,
  dataType: null,
  constraints: [],
  meta: {},
  tags: [],
});

new RuleTester().run('public-documented', rule, {
  valid: [
    {
      name: 'evaluator docs, remediation: report_1 with a description on the model and its column',
      project: {
        resources: [
          model('report_1', {
            description: 'very important OKR reporting model',
            access: 'public',
            columns: [col('id', 'the primary key of my OKR model')],
          }),
        ],
      },
    },
    {
      name: 'protected models are not checked',
      project: { resources: [model('m', { columns: [col('id')] })] },
    },
    {
      name: 'whitespace counts as a description by default, as in the evaluator 1.x',
      project: {
        resources: [model('m', { access: 'public', description: ' ', columns: [col('id', ' ')] })],
      },
    },
    {
      name: 'placeholder texts count as descriptions (the evaluator knows none)',
      project: {
        resources: [
          model('m', { access: 'public', description: 'TBD', columns: [col('id', 'TODO')] }),
        ],
      },
    },
    {
      name: 'a public model of an installed package is not judged',
      project: {
        resources: [model('x', { uniqueId: 'model.pkg.x', packageName: 'pkg', access: 'public' })],
      },
    },
  ],
  invalid: [
    {
      name: 'evaluator docs example: report_1 public, no descriptions on the model or its column',
      project: {
        resources: [model('report_1', { access: 'public', columns: [col('id')] })],
      },
      errors: [
        { messageId: 'description', node: 'report_1', data: { name: 'report_1' } },
        {
          messageId: 'columns',
          node: 'report_1',
          data: { name: 'report_1', count: 1, columns: 'id' },
        },
      ],
    },
    {
      name: 'no column declared at all (total_defined_columns = 0)',
      project: { resources: [model('m', { access: 'public', description: 'Described.' })] },
      errors: [{ messageId: 'noColumns', data: { name: 'm' } }],
    },
    {
      name: 'only some columns undescribed, listed',
      project: {
        resources: [
          model('m', {
            access: 'public',
            description: 'Described.',
            columns: [col('a', 'A.'), col('b'), col('c')],
          }),
        ],
      },
      errors: [{ messageId: 'columns', data: { name: 'm', count: 2, columns: 'b, c' } }],
    },
    {
      name: 'a long list is cut after ten columns',
      project: {
        resources: [
          model('m', {
            access: 'public',
            description: 'Described.',
            columns: Array.from({ length: 12 }, (_, i) => col(`c${i + 1}`)),
          }),
        ],
      },
      errors: [
        {
          messageId: 'columns',
          data: {
            name: 'm',
            count: 12,
            columns: 'c1, c2, c3, c4, c5, c6, c7, c8, c9, c10 and 2 more',
          },
        },
      ],
    },
    {
      name: 'blankIsUndocumented: whitespace is missing (evaluator 2.x)',
      options: { blankIsUndocumented: true },
      project: {
        resources: [model('m', { access: 'public', description: ' ', columns: [col('id', '\n')] })],
      },
      errors: [
        { messageId: 'description', node: 'm' },
        { messageId: 'columns', node: 'm' },
      ],
    },
    {
      name: 'a versioned model is named name.vN',
      project: {
        resources: [
          model('orders', {
            uniqueId: 'model.my_project.orders.v2',
            access: 'public',
            version: '2',
            description: 'Orders.',
          }),
        ],
      },
      errors: [{ messageId: 'noColumns', data: { name: 'orders.v2' } }],
    },
  ],
});

describeCorpusRun('public-documented');
