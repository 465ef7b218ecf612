import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'test-coverage')!;

const model = (name: string, domain?: string): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  meta: domain ? { domain } : {},
});

let n = 0;
const generic = (model: string, name = 'not_null', extraDeps: string[] = []): ResourceInit => ({
  uniqueId: `test.my_project.${name}_${++n}`,
  resourceType: 'test',
  name: `${name}_${n}`,
  dependsOn: [...extraDeps, `model.my_project.${model}`],
  test: { name, namespace: null, columnName: 'id', attachedNode: `model.my_project.${model}` },
});
const singular = (name: string, deps: string[]): ResourceInit => ({
  uniqueId: `test.my_project.${name}`,
  resourceType: 'test',
  name,
  dependsOn: deps.map((d) => `model.my_project.${d}`),
  test: { name: null, namespace: null, columnName: null, attachedNode: null },
});
const unit = (name: string, model: string): ResourceInit => ({
  uniqueId: `unit_test.my_project.${model}.${name}`,
  resourceType: 'unit_test',
  name,
  dependsOn: [`model.my_project.${model}`],
  test: { name: null, namespace: null, columnName: null, attachedNode: null },
});

new RuleTester().run('test-coverage', rule, {
  valid: [
    {
      name: 'every model tested',
      project: { resources: [model('a'), model('b'), generic('a'), generic('b')] },
    },
    { name: 'a project without models', project: { resources: [] } },
    {
      name: 'a singular test counts for the last node it depends on',
      project: {
        resources: [model('a'), model('b'), generic('a'), singular('assert_b', ['a', 'b'])],
      },
    },
    {
      name: 'package models are not counted',
      project: {
        resources: [
          model('a'),
          generic('a'),
          { ...model('p'), uniqueId: 'model.pkg.p', packageName: 'pkg' },
        ],
      },
    },
    {
      name: 'a lower minimum',
      options: { minimum: 50 },
      project: { resources: [model('a'), model('b'), generic('a')] },
    },
  ],
  invalid: [
    {
      name: 'an untested model',
      project: { resources: [model('a'), model('b'), generic('a')] },
      errors: [
        {
          messageId: 'project',
          node: 'my_project',
          data: { project: 'my_project', coverage: 50, tested: 1, total: 2, minimum: 100 },
          message:
            "Test coverage of project 'my_project' is 50% (1 of 2 models tested), below the minimum of 100%.",
        },
      ],
    },
    {
      name: 'a relationships test counts for the model it is attached to, not for the one it reads',
      project: {
        resources: [
          model('orders'),
          model('customers'),
          generic('orders', 'relationships', ['model.my_project.customers']),
        ],
      },
      errors: [
        {
          messageId: 'project',
          data: { project: 'my_project', coverage: 50, tested: 1, total: 2, minimum: 100 },
        },
      ],
    },
    {
      name: 'unit tests do not count',
      project: { resources: [model('a'), unit('t', 'a')] },
      errors: [
        {
          messageId: 'project',
          data: { project: 'my_project', coverage: 0, tested: 0, total: 1, minimum: 100 },
        },
      ],
    },
    {
      name: 'per domain, with a per-domain minimum',
      options: { minimum: 50, domains: { payments: 100 } },
      project: {
        resources: [
          model('p1', 'payments'),
          model('p2', 'payments'),
          model('g1', 'growth'),
          model('g2', 'growth'),
          model('g3', 'growth'),
          generic('p1'),
          generic('g1'),
        ],
      },
      errors: [
        {
          messageId: 'domain',
          node: 'payments',
          data: { domain: 'payments', coverage: 50, tested: 1, total: 2, minimum: 100 },
          message:
            "Test coverage of domain 'payments' is 50% (1 of 2 models tested), below its minimum of 100%.",
        },
        {
          messageId: 'domain',
          node: 'growth',
          data: { domain: 'growth', coverage: 33.33, tested: 1, total: 3, minimum: 50 },
        },
        {
          messageId: 'project',
          data: { project: 'my_project', coverage: 40, tested: 2, total: 5, minimum: 50 },
        },
      ],
    },
  ],
});

test('a coverage threshold stays a warning in the strict preset', () => {
  expect(rule.strictSeverity).toBe('warn');
  expect(rule.options!.safeParse({}).data).toEqual({ minimum: 100, domains: {}, perDomain: true });
});

describeCorpusRun('test-coverage', ['error', { minimum: 90 }]);
