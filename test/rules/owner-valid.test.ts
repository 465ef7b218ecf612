import {
  getBuiltinRules,
  isEmail,
  isHandle,
  parseOwner,
  type ResourceInit,
} from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { corpusNames, corpusProject, describeCorpusRun } from './corpus.js';
import { checkWithFolderDomains, ownRaw } from './domain-corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'owner-valid')!;

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  ...extra,
});
const owned = (name: string, owner: unknown) => model(name, { meta: { owner } });

describe('owner formats', () => {
  test.each([
    'a@example.com',
    'first.last+tag@sub.example.co.uk',
    "o'brien@example.org",
    'Growth-Data@Example.COM',
  ])('%s is an e-mail address', (e) => expect(isEmail(e)).toBe(true));
  test.each([
    'a@example',
    'a@@example.com',
    '@example.com',
    'a b@example.com',
    'a@example..com',
    '.a@example.com',
    'a.@example.com',
    'a@-example.com',
    'a@example.com, b@example.com',
    'a@example.c',
  ])('%s is not', (e) => expect(isEmail(e)).toBe(false));
  test.each(['@alice', '@example/payments', '@group/sub/team', '@a_b.c-d', '@A1'])(
    '%s is a handle',
    (h) => expect(isHandle(h)).toBe(true),
  );
  test.each(['@', '@-alice', '@alice-', '@payments team', '@org/', '@org//team', 'alice', '@a@b'])(
    '%s is not',
    (h) => expect(isHandle(h)).toBe(false),
  );
  test('owner values: strings, lists, {name, email} with an e-mail list', () => {
    expect(parseOwner(' a@x.com ').owners).toEqual([
      { text: 'a@x.com', identities: [{ kind: 'email', value: 'a@x.com', wellFormed: true }] },
    ]);
    const group = parseOwner({ name: 'Finance', email: ['f@x.com', 'bad'] });
    expect(group.owners).toHaveLength(1);
    expect(group.owners[0]!.text).toBe('Finance <f@x.com, bad>');
    expect(group.owners[0]!.identities.map((i) => [i.kind, i.wellFormed])).toEqual([
      ['name', true],
      ['email', true],
      ['email', false],
    ]);
    expect(parseOwner(['a@x.com', '', '@t']).owners.map((o) => o.text)).toEqual(['a@x.com', '@t']);
    expect(parseOwner([42, { slack: '#x' }]).unreadable).toEqual([
      'a number (42)',
      'a mapping without name or email',
    ]);
    expect(parseOwner(null)).toEqual({ owners: [], unreadable: [] });
  });
});

new RuleTester().run('owner-valid', rule, {
  valid: [
    {
      name: 'well-formed e-mails, handles and names, alone or in a list',
      project: {
        resources: [
          owned('a', 'payments-data@example.com'),
          owned('b', ['x@example.com', '@example/payments']),
          owned('c', 'Payments team'),
          owned('d', '@alice'),
        ],
      },
    },
    {
      name: 'a group owner with only a name passes by default',
      project: {
        resources: [model('m', { group: 'finance' })],
        groups: [{ name: 'finance', owner: { name: 'Finance analytics' } }],
      },
    },
    {
      name: 'no owner is left to owner-present',
      project: { resources: [model('m')] },
    },
    {
      name: 'a registry without require is not enforced',
      project: { resources: [owned('m', 'alice@example.com')] },
      owners: { registry: { known: ['bob@example.com'], require: false } },
    },
    {
      name: 'known owners: e-mails case-insensitively, a group matched by its name or its e-mail',
      project: {
        resources: [
          owned('a', 'Growth-Data@example.com'),
          model('b', { group: 'finance' }),
          owned('c', 'Payments Team'),
        ],
        groups: [{ name: 'finance', owner: { name: 'Finance', email: 'fin@example.com' } }],
      },
      owners: {
        registry: {
          known: ['growth-data@example.com', 'fin@example.com', 'payments team'],
          require: true,
        },
      },
    },
    {
      name: 'an exposure owner {name, email}',
      project: {
        resources: [
          {
            uniqueId: 'exposure.my_project.board',
            resourceType: 'exposure',
            name: 'board',
            owner: { name: 'Board', email: 'board@example.com' },
          },
        ],
      },
    },
  ],
  invalid: [
    {
      name: 'malformed e-mail and handle, named with where they come from',
      project: {
        resources: [
          owned('a', 'payments-data@example'),
          owned('b', ['ok@example.com', '@bad team']),
        ],
      },
      errors: [
        {
          messageId: 'badEmail',
          node: 'a',
          data: { type: 'Model', name: 'a', owner: 'payments-data@example', origin: 'meta.owner' },
        },
        {
          messageId: 'badHandle',
          node: 'b',
          data: { type: 'Model', name: 'b', owner: '@bad team', origin: 'meta.owner' },
        },
      ],
    },
    {
      name: 'two addresses in one string',
      project: { resources: [owned('a', 'a@example.com, b@example.com')] },
      errors: [{ messageId: 'badEmail' }],
    },
    {
      name: 'a group owner e-mail, reported on each model of the group',
      project: {
        resources: [model('a', { group: 'finance' }), model('b', { group: 'finance' })],
        groups: [{ name: 'finance', owner: { name: 'Finance', email: 'finance.example.com' } }],
      },
      errors: [
        {
          messageId: 'badEmail',
          node: 'a',
          data: {
            type: 'Model',
            name: 'a',
            owner: 'finance.example.com',
            origin: 'the owner of group finance',
          },
        },
        { messageId: 'badEmail', node: 'b' },
      ],
    },
    {
      name: 'formats: a name where only e-mails and handles are accepted',
      project: {
        resources: [model('m', { group: 'finance' }), owned('n', '@alice'), owned('o', 'Bob')],
        groups: [{ name: 'finance', owner: { name: 'Finance analytics' } }],
      },
      owners: { formats: ['email', 'handle'] },
      errors: [
        {
          messageId: 'format',
          node: 'm',
          data: {
            type: 'Model',
            name: 'm',
            owner: 'Finance analytics',
            origin: 'the owner of group finance',
            format: 'a name',
            accepted: 'email, handle',
          },
        },
        { messageId: 'format', node: 'o' },
      ],
    },
    {
      name: 'formats: email only rejects handles, a {name, email} owner passes by its e-mail',
      project: {
        resources: [owned('n', '@alice'), model('m', { group: 'g' })],
        groups: [{ name: 'g', owner: { name: 'G', email: 'g@example.com' } }],
      },
      owners: { formats: ['email'] },
      errors: [
        {
          messageId: 'format',
          node: 'n',
          data: {
            type: 'Model',
            name: 'n',
            owner: '@alice',
            origin: 'meta.owner',
            format: 'an @handle',
            accepted: 'email',
          },
        },
      ],
    },
    {
      name: 'a required registry: each owner of a list must be known',
      project: { resources: [owned('m', ['growth@example.com', 'alice@example.com'])] },
      owners: { registry: { known: ['growth@example.com'], require: true } },
      errors: [
        {
          messageId: 'unknown',
          data: { type: 'Model', name: 'm', owner: 'alice@example.com', origin: 'meta.owner' },
        },
      ],
    },
    {
      name: 'unreadable owners',
      project: { resources: [owned('m', 42), owned('n', { team: 'x' })] },
      errors: [
        {
          messageId: 'unreadable',
          node: 'm',
          data: { type: 'Model', name: 'm', owner: 'a number (42)', origin: 'meta.owner' },
        },
        { messageId: 'unreadable', node: 'n' },
      ],
    },
    {
      name: 'the declared owners of the domain, and sources and exposures',
      project: {
        resources: [
          model('m', { meta: { domain: 'growth' } }),
          {
            uniqueId: 'source.my_project.s.t',
            resourceType: 'source',
            name: 't',
            sourceName: 's',
            meta: { owner: 'nobody@' },
          },
          {
            uniqueId: 'exposure.my_project.board',
            resourceType: 'exposure',
            name: 'board',
            owner: { email: 'board' },
          },
        ],
      },
      declaredDomains: { growth: { owners: ['growth-team@'] } },
      errors: [
        {
          messageId: 'badEmail',
          node: 'm',
          data: {
            type: 'Model',
            name: 'm',
            owner: 'growth-team@',
            origin: 'the owners of domain growth',
          },
        },
        {
          messageId: 'badEmail',
          node: 'source.my_project.s.t',
          data: { type: 'Source', name: 't', owner: 'nobody@', origin: 'meta.owner' },
        },
        {
          messageId: 'badEmail',
          node: 'exposure.my_project.board',
          data: { type: 'Exposure', name: 'board', owner: 'board', origin: 'the exposure owner' },
        },
      ],
    },
  ],
});

describeCorpusRun('owner-valid');

describe('owner-valid on the corpus: exposure owners', () => {
  const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[A-Za-z]{2,}$/;
  test.each(corpusNames())('%s', async (name) => {
    const project = await corpusProject(name);
    // Exposures are the corpus's only owners: each e-mail that does not look like one is a finding.
    const expected = ownRaw(project, name)
      .filter((r) => r.type === 'exposure')
      .flatMap((r) => {
        const email = r.json.owner?.email;
        const emails = (Array.isArray(email) ? email : [email]).filter(
          (e: unknown): e is string => typeof e === 'string' && e.trim() !== '',
        );
        return emails.filter((e) => !EMAIL.test(e.trim())).map(() => r.id);
      })
      .sort();
    const result = checkWithFolderDomains(project, name, { 'owner-valid': 'error' });
    const got = result.findings
      .filter((f) => f.ruleId === 'owner-valid')
      .map((f) => f.nodeId)
      .sort();
    expect(got).toEqual(expected);
  });
});
