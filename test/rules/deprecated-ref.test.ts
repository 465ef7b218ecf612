import { check, createProject, getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { docExamples, runDocExample } from '../helpers/doc-examples.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'deprecated-ref')!;

const M = (name: string) => `model.my_project.${name}`;
const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: M(name),
  resourceType: 'model',
  name,
  ...extra,
});
const version = (
  name: string,
  v: string,
  latest: string,
  extra: Partial<ResourceInit> = {},
): ResourceInit => ({
  uniqueId: `${M(name)}.v${v}`,
  resourceType: 'model',
  name,
  version: v,
  latestVersion: latest,
  ...extra,
});
const consumer = (dep: string, name = 'growth_ltv'): ResourceInit =>
  model(name, { dependsOn: [dep] });

const NOW = '2026-06-01';

new RuleTester({ now: NOW }).run('deprecated-ref', rule, {
  valid: [
    {
      name: 'a deprecation more than warnDays ahead',
      project: { resources: [model('old', { deprecationDate: '2026-08-01' }), consumer(M('old'))] },
    },
    {
      name: 'warnDays: 0 turns the early warning off',
      options: { warnDays: 0 },
      project: { resources: [model('old', { deprecationDate: '2026-06-02' }), consumer(M('old'))] },
    },
    {
      name: 'tests of the deprecated model are not consumers',
      project: {
        resources: [
          model('old', { deprecationDate: '2026-01-01' }),
          {
            uniqueId: 'test.my_project.not_null_old_id.abc',
            resourceType: 'test',
            name: 'not_null_old_id',
            dependsOn: [M('old')],
            test: { name: 'not_null', namespace: null, columnName: 'id', attachedNode: M('old') },
          },
        ],
      },
    },
    {
      name: 'another version of the same model is not a consumer',
      project: {
        resources: [
          version('customers', '1', '2', { deprecationDate: '2026-01-01' }),
          version('customers', '2', '2', { dependsOn: [`${M('customers')}.v1`] }),
        ],
      },
    },
    {
      name: 'an old version without requirePinnedLatest',
      project: {
        resources: [version('customers', '1', '2'), consumer(`${M('customers')}.v1`)],
      },
    },
    {
      name: 'requirePinnedLatest: a prerelease newer than latest_version is not old',
      options: { requirePinnedLatest: true },
      project: {
        resources: [version('customers', '3', '2'), consumer(`${M('customers')}.v3`)],
      },
    },
    {
      name: 'an unreadable deprecation_date is ignored',
      project: { resources: [model('old', { deprecationDate: 'someday' }), consumer(M('old'))] },
    },
    {
      name: 'the consumer of an installed package is not judged',
      project: {
        resources: [
          model('old', { deprecationDate: '2026-01-01' }),
          {
            uniqueId: 'model.pkg.user',
            resourceType: 'model',
            name: 'user',
            packageName: 'pkg',
            dependsOn: [M('old')],
          },
        ],
      },
    },
  ],
  invalid: [
    {
      name: 'past its deprecation date: an error naming the date',
      project: { resources: [model('old', { deprecationDate: '2026-01-31' }), consumer(M('old'))] },
      errors: [
        {
          messageId: 'deprecated',
          node: M('growth_ltv'),
          related: [M('old')],
          data: {
            child: 'growth_ltv',
            parent: 'old',
            date: '2026-01-31',
            replacement: 'its replacement',
          },
        },
      ],
    },
    {
      name: 'the deprecation date itself counts as passed',
      project: {
        resources: [model('old', { deprecationDate: '2026-06-01T00:00:00Z' }), consumer(M('old'))],
      },
      errors: [{ messageId: 'deprecated' }],
    },
    {
      name: 'a deprecated old version points at the latest one',
      project: {
        resources: [
          version('customers', '1', '2', { deprecationDate: '2026-03-01T00:00:00+02:00' }),
          version('customers', '2', '2'),
          consumer(`${M('customers')}.v1`),
        ],
      },
      errors: [
        {
          messageId: 'deprecated',
          data: {
            child: 'growth_ltv',
            parent: 'customers.v1',
            date: '2026-03-01',
            replacement: "version 2 of 'customers'",
          },
        },
      ],
    },
    {
      name: 'within warnDays: soon, with the days left',
      project: { resources: [model('old', { deprecationDate: '2026-06-20' }), consumer(M('old'))] },
      errors: [
        {
          messageId: 'soon',
          data: {
            child: 'growth_ltv',
            parent: 'old',
            date: '2026-06-20',
            days: 19,
            replacement: 'its replacement',
          },
        },
      ],
    },
    {
      name: 'a larger warnDays',
      options: { warnDays: 90 },
      project: { resources: [model('old', { deprecationDate: '2026-08-01' }), consumer(M('old'))] },
      errors: [{ messageId: 'soon' }],
    },
    {
      name: 'a date-time without offset is read as UTC',
      project: {
        resources: [model('old', { deprecationDate: '2026-05-31 23:59:59' }), consumer(M('old'))],
      },
      errors: [
        {
          messageId: 'deprecated',
          data: {
            child: 'growth_ltv',
            parent: 'old',
            date: '2026-05-31',
            replacement: 'its replacement',
          },
        },
      ],
    },
    {
      name: 'exposures, semantic models and snapshots are consumers too',
      project: {
        resources: [
          model('old', { deprecationDate: '2026-01-01' }),
          {
            uniqueId: 'exposure.my_project.dash',
            resourceType: 'exposure',
            name: 'dash',
            dependsOn: [M('old')],
          },
          {
            uniqueId: 'semantic_model.my_project.sm',
            resourceType: 'semantic_model',
            name: 'sm',
            dependsOn: [M('old')],
          },
          {
            uniqueId: 'snapshot.my_project.snap',
            resourceType: 'snapshot',
            name: 'snap',
            dependsOn: [M('old')],
          },
        ],
      },
      errors: [
        { messageId: 'deprecated', node: 'exposure.my_project.dash' },
        { messageId: 'deprecated', node: 'semantic_model.my_project.sm' },
        { messageId: 'deprecated', node: 'snapshot.my_project.snap' },
      ],
    },
    {
      name: 'a deprecated model of another project (injected by dbt-loom or dbt Mesh)',
      project: {
        resources: [
          {
            uniqueId: 'model.upstream.dim_orders',
            resourceType: 'model',
            name: 'dim_orders',
            packageName: 'upstream',
            external: true,
            access: 'public',
            deprecationDate: '2026-02-01',
          },
          consumer('model.upstream.dim_orders'),
        ],
      },
      errors: [{ messageId: 'deprecated', related: ['model.upstream.dim_orders'] }],
    },
    {
      name: 'requirePinnedLatest: a reference to an old version',
      options: { requirePinnedLatest: true },
      project: {
        resources: [
          version('customers', '1', '2'),
          version('customers', '2', '2'),
          consumer(`${M('customers')}.v1`),
          consumer(`${M('customers')}.v2`, 'other'),
        ],
      },
      errors: [
        {
          messageId: 'oldVersion',
          node: M('growth_ltv'),
          data: {
            child: 'growth_ltv',
            parent: 'customers.v1',
            name: 'customers',
            version: '1',
            latest: '2',
          },
        },
      ],
    },
    {
      name: 'requirePinnedLatest: versions compare as numbers (2 is older than 10)',
      options: { requirePinnedLatest: true },
      project: { resources: [version('orders', '2', '10'), consumer(`${M('orders')}.v2`)] },
      errors: [{ messageId: 'oldVersion' }],
    },
    {
      name: 'requirePinnedLatest: a deprecation finding already covers the old version',
      options: { requirePinnedLatest: true },
      project: {
        resources: [
          version('customers', '1', '2', { deprecationDate: '2026-01-01' }),
          consumer(`${M('customers')}.v1`),
        ],
      },
      errors: [{ messageId: 'deprecated' }],
    },
  ],
});

describe('severities', () => {
  const project = createProject({
    resources: [
      model('gone', { deprecationDate: '2026-01-01' }),
      model('going', { deprecationDate: '2026-06-10' }),
      version('customers', '1', '2'),
      model('user', { dependsOn: [M('gone'), M('going'), `${M('customers')}.v1`] }),
    ],
  });
  const run = (setting: Parameters<typeof check>[1]) =>
    check(project, { now: new Date('2026-06-01T00:00:00Z'), ...setting })
      .findings.filter((f) => f.ruleId === 'deprecated-ref')
      .map((f) => `${f.messageId}:${f.severity}`)
      .sort();

  test('past: error; soon and oldVersion: warn, in the recommended preset', () => {
    expect(run({ rules: { 'deprecated-ref': ['error', { requirePinnedLatest: true }] } })).toEqual([
      'deprecated:error',
      'oldVersion:warn',
      'soon:warn',
    ]);
  });
});

describe('doc examples report the intended finding', () => {
  const ex = docExamples('deprecated-ref');
  test.each([
    ['Failing', 'deprecated'],
    ['Deprecated within the next 30 days', 'soon'],
    ['Pinned to an old version', 'oldVersion'],
  ])('%s → %s', (title, messageId) => {
    const e = ex.failing.find((x) => x.title === title)!;
    expect(runDocExample('deprecated-ref', e).map((f) => f.messageId)).toEqual([messageId]);
  });
});

describeCorpusRun('deprecated-ref');
