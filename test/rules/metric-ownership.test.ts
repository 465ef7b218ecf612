import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'metric-ownership')!;

const metric = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `metric.my_project.${name}`,
  resourceType: 'metric',
  name,
  ...extra,
});
const semanticModel = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `semantic_model.my_project.${name}`,
  resourceType: 'semantic_model',
  name,
  ...extra,
});

new RuleTester().run('metric-ownership', rule, {
  valid: [
    {
      name: 'meta.owner on a metric and a semantic model',
      project: {
        resources: [
          metric('revenue', { meta: { owner: 'finance-data@example.com' } }),
          semanticModel('invoices', { meta: { owner: '@acme/finance' } }),
        ],
      },
    },
    {
      name: 'the owner of the dbt group',
      project: {
        resources: [
          metric('revenue', { group: 'finance' }),
          semanticModel('invoices', { group: 'finance' }),
        ],
        groups: [{ name: 'finance', owner: { email: 'finance-data@example.com' } }],
      },
    },
    {
      name: 'models and exposures are not checked here',
      project: {
        resources: [{ uniqueId: 'model.my_project.m', resourceType: 'model', name: 'm' }],
      },
    },
    {
      name: 'metrics of an installed package are not judged',
      project: {
        resources: [metric('x', { uniqueId: 'metric.pkg.x', packageName: 'pkg' })],
      },
    },
    {
      name: 'works without any domain',
      project: { resources: [metric('revenue', { meta: { owner: 'x@example.com' } })] },
    },
  ],
  invalid: [
    {
      name: 'a metric and a semantic model without owner',
      project: { resources: [metric('revenue'), semanticModel('invoices')] },
      errors: [
        {
          messageId: 'owner',
          node: 'metric.my_project.revenue',
          data: { kind: 'Metric', name: 'revenue' },
          message: /^Metric 'revenue' has no owner/,
        },
        {
          messageId: 'owner',
          node: 'semantic_model.my_project.invoices',
          data: { kind: 'Semantic model', name: 'invoices' },
        },
      ],
    },
    {
      name: 'a group without owner, a blank owner',
      project: {
        resources: [metric('a', { group: 'nobody' }), metric('b', { meta: { owner: ' ' } })],
        groups: [{ name: 'nobody' }],
      },
      errors: [
        { messageId: 'owner', node: 'metric.my_project.a' },
        { messageId: 'owner', node: 'metric.my_project.b' },
      ],
    },
  ],
});

describeCorpusRun('metric-ownership');
