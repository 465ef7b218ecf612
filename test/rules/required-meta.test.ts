import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester, runRuleCases } from '../../src/testing.js';
import { describeCorpusRun } from './corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'required-meta')!;

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  ...extra,
});

const full = {
  requirements: [
    {
      keys: {
        owner: { type: 'email' },
        'steward.tier': { enum: ['gold', 'silver'] },
        sla: { nonEmpty: true },
        review_date: { type: 'date' },
        code: { regex: '^[A-Z]{3}$' },
      },
    },
  ],
};

const good = {
  owner: 'payments@example.com',
  steward: { tier: 'gold' },
  sla: 'daily by 08:00 UTC',
  review_date: '2025-02-28',
  code: 'PAY',
};

new RuleTester().run('required-meta', rule, {
  valid: [
    { name: 'no requirements: nothing is checked', project: { resources: [model('m')] } },
    {
      name: 'every key present and valid',
      options: full,
      project: { resources: [model('m', { meta: good })] },
    },
    {
      name: 'a list of e-mails, each checked',
      options: { requirements: [{ keys: { owner: { type: 'email' } } }] },
      project: { resources: [model('m', { meta: { owner: ['a@example.com', 'b@example.com'] } })] },
    },
    {
      name: 'keys as a list: presence only (an empty string is present)',
      options: { requirements: [{ keys: ['owner'] }] },
      project: { resources: [model('m', { meta: { owner: '' } })] },
    },
    {
      name: 'without select only models are checked',
      options: { requirements: [{ keys: ['owner'] }] },
      project: { resources: [{ uniqueId: 'seed.my_project.s', resourceType: 'seed', name: 's' }] },
    },
    {
      name: 'a selector picks the resources',
      options: { requirements: [{ select: 'tag:finance', keys: ['sla'] }] },
      project: { resources: [model('m'), model('n', { tags: ['growth'] })] },
    },
    {
      name: 'a number matched by a regex as text, a boolean in an enum',
      options: {
        requirements: [{ keys: { tier: { regex: '^[0-9]$' }, pii: { enum: [true, false] } } }],
      },
      project: { resources: [model('m', { meta: { tier: 1, pii: false } })] },
    },
  ],
  invalid: [
    {
      name: 'every key missing: one finding per key',
      options: full,
      project: { resources: [model('m')] },
      errors: ['owner', 'steward.tier', 'sla', 'review_date', 'code'].map((key) => ({
        messageId: 'missing',
        node: 'model.my_project.m',
        data: { kind: 'Model', name: 'm', key, requirement: 'every model' },
      })),
    },
    {
      name: 'null is missing',
      options: { requirements: [{ keys: ['owner'] }] },
      project: { resources: [model('m', { meta: { owner: null } })] },
      errors: [
        {
          messageId: 'missing',
          message: /^Model 'm' has no meta\.owner, which is required for every model: /,
        },
      ],
    },
    {
      name: 'every check failing',
      options: full,
      project: {
        resources: [
          model('m', {
            meta: {
              owner: 'payments team',
              steward: { tier: 'platinum' },
              sla: '  ',
              review_date: '2025-02-30',
              code: 'pay',
            },
          }),
        ],
      },
      errors: [
        {
          messageId: 'invalid',
          data: {
            kind: 'Model',
            name: 'm',
            key: 'owner',
            value: '"payments team"',
            problem: 'is not an e-mail address',
          },
          message: `Model 'm' has meta.owner = "payments team", which is not an e-mail address.`,
        },
        {
          messageId: 'invalid',
          data: {
            kind: 'Model',
            name: 'm',
            key: 'steward.tier',
            value: '"platinum"',
            problem: 'is not one of gold, silver',
          },
        },
        {
          messageId: 'invalid',
          data: { kind: 'Model', name: 'm', key: 'sla', value: '"  "', problem: 'is empty' },
        },
        {
          messageId: 'invalid',
          data: {
            kind: 'Model',
            name: 'm',
            key: 'review_date',
            value: '"2025-02-30"',
            problem: 'is not a date (YYYY-MM-DD)',
          },
        },
        {
          messageId: 'invalid',
          data: {
            kind: 'Model',
            name: 'm',
            key: 'code',
            value: '"pay"',
            problem: 'does not match /^[A-Z]{3}$/',
          },
        },
      ],
    },
    {
      name: 'a nested key whose parent is not a mapping is missing',
      options: { requirements: [{ keys: ['steward.tier'] }] },
      project: { resources: [model('m', { meta: { steward: 'gold' } })] },
      errors: [
        {
          messageId: 'missing',
          data: { kind: 'Model', name: 'm', key: 'steward.tier', requirement: 'every model' },
        },
      ],
    },
    {
      name: 'types: string, number, boolean, list',
      options: {
        requirements: [
          {
            keys: {
              a: { type: 'string' },
              b: { type: 'number' },
              c: { type: 'boolean' },
              d: { type: 'list' },
            },
          },
        ],
      },
      project: { resources: [model('m', { meta: { a: 1, b: '1', c: 'yes', d: 'x' } })] },
      errors: [
        {
          messageId: 'invalid',
          data: { kind: 'Model', name: 'm', key: 'a', value: '1', problem: 'is not a string' },
        },
        {
          messageId: 'invalid',
          data: { kind: 'Model', name: 'm', key: 'b', value: '"1"', problem: 'is not a number' },
        },
        {
          messageId: 'invalid',
          data: { kind: 'Model', name: 'm', key: 'c', value: '"yes"', problem: 'is not a boolean' },
        },
        {
          messageId: 'invalid',
          data: { kind: 'Model', name: 'm', key: 'd', value: '"x"', problem: 'is not a list' },
        },
      ],
    },
    {
      name: 'a list with a bad element',
      options: { requirements: [{ keys: { owner: { type: 'email' } } }] },
      project: { resources: [model('m', { meta: { owner: ['a@example.com', 'bob'] } })] },
      errors: [
        {
          messageId: 'invalid',
          data: {
            kind: 'Model',
            name: 'm',
            key: 'owner',
            value: '["a@example.com","bob"]',
            problem: 'has an element that is not an e-mail address',
          },
        },
      ],
    },
    {
      name: 'a key required twice is reported once; a selector reaches sources',
      options: {
        requirements: [
          { keys: ['owner'] },
          { select: 'tag:finance', keys: ['owner', 'sla'] },
          { select: 'source:shop', keys: ['loader'] },
        ],
      },
      project: {
        resources: [
          model('m', { tags: ['finance'] }),
          {
            uniqueId: 'source.my_project.shop.orders',
            resourceType: 'source',
            name: 'orders',
            sourceName: 'shop',
          },
        ],
      },
      errors: [
        {
          messageId: 'missing',
          node: 'model.my_project.m',
          data: { kind: 'Model', name: 'm', key: 'owner', requirement: 'every model' },
        },
        {
          messageId: 'missing',
          node: 'model.my_project.m',
          data: { kind: 'Model', name: 'm', key: 'sla', requirement: 'tag:finance' },
        },
        {
          messageId: 'missing',
          node: 'source.my_project.shop.orders',
          data: {
            kind: 'Source table',
            name: 'shop.orders',
            key: 'loader',
            requirement: 'source:shop',
          },
        },
      ],
    },
  ],
});

test('a bad regular expression is a configuration error', () => {
  expect(() =>
    runRuleCases(rule, {
      valid: [
        {
          options: { requirements: [{ keys: { code: { regex: '([' } } }] },
          project: { resources: [model('m')] },
        },
      ],
      invalid: [],
    }),
  ).toThrow(/regex: is not a valid regular expression/);
});

test('an unknown check is a configuration error', () => {
  expect(() =>
    runRuleCases(rule, {
      valid: [
        {
          options: { requirements: [{ keys: { code: { pattern: 'x' } } }] },
          project: { resources: [model('m')] },
        },
      ],
      invalid: [],
    }),
  ).toThrow(/invalid options/);
});

describeCorpusRun('required-meta', [
  'error',
  {
    requirements: [
      { keys: { owner: { type: 'email' }, 'steward.tier': { enum: ['gold'] } } },
      { select: 'resource_type:source', keys: { loader: { nonEmpty: true, regex: '^x' } } },
      { select: 'tag:*', keys: ['sla', 'review_date'] },
    ],
  },
]);
