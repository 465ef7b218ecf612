import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'doc-coverage')!;

const model = (name: string, described: boolean, domain?: string): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  description: described ? `About ${name}.` : '',
  meta: domain ? { domain } : {},
});

const three = [model('a', true), model('b', true), model('c', false)];

new RuleTester().run('doc-coverage', rule, {
  valid: [
    { name: 'every model described', project: { resources: [model('a', true), model('b', true)] } },
    { name: 'a project without models', project: { resources: [] } },
    {
      name: 'coverage is rounded to two decimals before the comparison (2 of 3 = 66.67)',
      options: { minimum: 66.67 },
      project: { resources: three },
    },
    {
      name: 'package and injected models are not counted',
      project: {
        resources: [
          model('a', true),
          { ...model('p', false), uniqueId: 'model.pkg.p', packageName: 'pkg' },
          { ...model('q', false), uniqueId: 'model.up.q', packageName: 'up', external: true },
        ],
      },
    },
    {
      name: 'only models count (a seed without a description does not)',
      project: {
        resources: [
          model('a', true),
          { uniqueId: 'seed.my_project.s', resourceType: 'seed', name: 's' },
        ],
      },
    },
    {
      name: 'perDomain off: only the project is measured',
      options: { minimum: 50, perDomain: false },
      project: {
        resources: [model('a', true, 'growth'), model('b', true), model('c', false, 'payments')],
      },
    },
    {
      name: 'a domain meeting its own, lower minimum',
      options: { domains: { payments: 50 }, minimum: 60 },
      project: {
        resources: [
          model('a', true, 'payments'),
          model('b', false, 'payments'),
          model('c', true),
          model('d', true),
        ],
      },
    },
  ],
  invalid: [
    {
      name: 'the project below the default minimum of 100',
      project: { resources: three },
      errors: [
        {
          messageId: 'project',
          node: 'my_project',
          data: { project: 'my_project', coverage: 66.67, documented: 2, total: 3, minimum: 100 },
          message:
            "Documentation coverage of project 'my_project' is 66.67% (2 of 3 models described), below the minimum of 100%.",
        },
      ],
    },
    {
      name: 'rounded coverage below the minimum',
      options: { minimum: 66.68 },
      project: { resources: three },
      errors: [
        {
          messageId: 'project',
          data: { project: 'my_project', coverage: 66.67, documented: 2, total: 3, minimum: 66.68 },
        },
      ],
    },
    {
      name: 'per domain: each domain with its minimum; models without a domain count for the project only',
      options: { minimum: 50, domains: { payments: 100 } },
      project: {
        resources: [
          model('p1', true, 'payments'),
          model('p2', false, 'payments'),
          model('g1', false, 'growth'),
          model('g2', false, 'growth'),
          model('g3', true, 'growth'),
          model('x', true),
        ],
      },
      errors: [
        {
          messageId: 'domain',
          node: 'payments',
          data: { domain: 'payments', coverage: 50, documented: 1, total: 2, minimum: 100 },
          message:
            "Documentation coverage of domain 'payments' is 50% (1 of 2 models described), below its minimum of 100%.",
        },
        {
          messageId: 'domain',
          node: 'growth',
          data: { domain: 'growth', coverage: 33.33, documented: 1, total: 3, minimum: 50 },
        },
      ],
    },
    {
      name: 'a domain and the project both below',
      project: { resources: [model('a', false, 'growth'), model('b', true)] },
      errors: [
        {
          messageId: 'domain',
          node: 'growth',
          data: { domain: 'growth', coverage: 0, documented: 0, total: 1, minimum: 100 },
        },
        {
          messageId: 'project',
          data: { project: 'my_project', coverage: 50, documented: 1, total: 2, minimum: 100 },
        },
      ],
    },
    {
      name: 'versions count one by one',
      project: {
        resources: [
          {
            ...model('d', true),
            uniqueId: 'model.my_project.d.v1',
            version: '1',
            latestVersion: '2',
          },
          {
            ...model('d', false),
            uniqueId: 'model.my_project.d.v2',
            version: '2',
            latestVersion: '2',
          },
        ],
      },
      errors: [
        {
          messageId: 'project',
          data: { project: 'my_project', coverage: 50, documented: 1, total: 2, minimum: 100 },
        },
      ],
    },
  ],
});

test('minimum must be a percentage', () => {
  expect(rule.options!.safeParse({ minimum: 101 }).success).toBe(false);
  expect(rule.options!.safeParse({ domains: { x: -1 } }).success).toBe(false);
  expect(rule.options!.safeParse({}).data).toEqual({ minimum: 100, domains: {}, perDomain: true });
});

test('a coverage threshold stays a warning in the strict preset', () => {
  expect(rule.strictSeverity).toBe('warn');
  expect(rule.severity).toBe('warn');
});

describeCorpusRun('doc-coverage', ['error', { minimum: 90 }]);
