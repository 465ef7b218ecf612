import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'public-contract')!;

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  ...extra,
});

const enforced = { enforced: true, aliasTypes: true };

new RuleTester().run('public-contract', rule, {
  valid: [
    {
      name: 'evaluator docs, remediation: report_1 public with an enforced contract',
      project: {
        resources: [
          model('report_1', {
            description: 'very important OKR reporting model',
            access: 'public',
            contract: enforced,
            columns: [
              {
                name: 'id',
                description: '',
                dataType: 'integer',
                constraints: [],
                meta: {},
                tags: [],
              },
            ],
          }),
        ],
      },
    },
    {
      name: 'protected and private models need no contract',
      project: {
        resources: [model('a', { access: 'protected' }), model('b', { access: 'private' })],
      },
    },
    {
      name: 'a public model of an installed package is not judged (exclude_packages: all)',
      project: {
        resources: [
          model('x', { uniqueId: 'model.some_pkg.x', packageName: 'some_pkg', access: 'public' }),
        ],
      },
    },
    {
      name: 'a public model injected from another project is not judged',
      project: {
        resources: [
          model('stg_orders', {
            uniqueId: 'model.upstream.stg_orders',
            packageName: 'upstream',
            access: 'public',
            external: true,
          }),
        ],
      },
    },
  ],
  invalid: [
    {
      name: 'evaluator docs example: report_1 is public without a contract',
      project: {
        resources: [
          model('report_1', {
            description: 'very important OKR reporting model',
            access: 'public',
          }),
        ],
      },
      errors: [
        {
          messageId: 'missing',
          node: 'model.my_project.report_1',
          data: { name: 'report_1' },
          message: /^Model 'report_1' is public but its contract is not enforced/,
        },
      ],
    },
    {
      name: 'a contract that is declared but not enforced',
      project: {
        resources: [
          model('m', { access: 'public', contract: { enforced: false, aliasTypes: true } }),
        ],
      },
      errors: [{ messageId: 'missing', node: 'm' }],
    },
    {
      name: 'ephemeral public models count too (the evaluator has no materialization filter)',
      project: { resources: [model('eph', { access: 'public', materialized: 'ephemeral' })] },
      errors: [{ messageId: 'missing', node: 'eph' }],
    },
    {
      name: 'each version of a versioned model on its own, named name.vN',
      project: {
        resources: [
          model('customers', {
            uniqueId: 'model.my_project.customers.v1',
            access: 'public',
            version: '1',
            latestVersion: '2',
          }),
          model('customers', {
            uniqueId: 'model.my_project.customers.v2',
            access: 'public',
            version: '2',
            latestVersion: '2',
            contract: enforced,
          }),
        ],
      },
      errors: [
        {
          messageId: 'missing',
          node: 'model.my_project.customers.v1',
          data: { name: 'customers.v1' },
        },
      ],
    },
  ],
});

describeCorpusRun('public-contract');
