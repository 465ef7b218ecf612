/** The rule tester (`dbt-steward/testing`) itself: it passes correct rules and fails wrong ones clearly. */
import { z } from 'zod';
import { createProject, defineRule, type ResourceInit } from '../src/index.js';
import { RuleTester, RuleTestError, runRuleCases, type RuleTestCase } from '../src/testing.js';

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  patchPath: 'models/schema.yml',
  ...extra,
});

/** A correct rule with options, two messages and an identity key. */
const describedRule = defineRule<{ minLength: number; tagged: string[] }>({
  id: 'description-long',
  description: 'Every model has a description of some length.',
  category: 'documentation',
  scope: 'node',
  resourceTypes: ['model'],
  severity: 'warn',
  recommended: false,
  identity: ['tag'],
  messages: {
    missing: "Model '{{name}}' has no description.",
    short: "Model '{{name}}' has a description shorter than {{min}} characters.",
    untagged: "Model '{{name}}' lacks the tag '{{tag}}'.",
  },
  options: z.object({
    minLength: z.number().int().min(1).default(1).describe('the shortest acceptable description'),
    tagged: z.array(z.string()).default([]),
  }),
  check(m, context) {
    const { minLength, tagged } = context.options;
    const text = m.description.trim();
    if (text === '') context.report({ messageId: 'missing', data: { name: m.name, tag: null } });
    else if (text.length < minLength)
      context.report({ messageId: 'short', data: { name: m.name, min: minLength, tag: null } });
    for (const tag of tagged)
      if (!m.tags.includes(tag))
        context.report({ messageId: 'untagged', data: { name: m.name, tag } });
  },
});

/** A rule whose reports the tester must reject; `mode` picks the mistake. */
function faultyRule(mode: 'unknown-id' | 'placeholder' | 'identity' | 'throws' | 'bad-node') {
  return defineRule({
    id: 'faulty',
    description: 'A rule with a bug.',
    category: 'test',
    scope: 'node',
    resourceTypes: ['model'],
    severity: 'error',
    recommended: false,
    identity: ['column'],
    messages: { bad: "Model '{{name}}' is bad in {{column}}." },
    check(m, context) {
      if (mode === 'throws') throw new TypeError('cannot read the thing');
      if (mode === 'unknown-id') context.report({ messageId: 'bda', data: { name: m.name } });
      if (mode === 'placeholder')
        context.report({ messageId: 'bad', data: { name: m.name, colunm: 'x' } });
      if (mode === 'identity')
        context.report({ messageId: 'bad', data: { name: m.name, col: 'x', column: 'y' } });
      if (mode === 'bad-node')
        context.report({
          messageId: 'bad',
          data: { name: m.name, column: 'x' },
          node: 'model.my_project.ghost',
        });
    },
  });
}

const oneModel: RuleTestCase = { project: { resources: [model('orders')] } };

function failureOf(fn: () => void): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the tester to fail');
}

// The tester registers one jest test per case here.
new RuleTester().run('description-long (through RuleTester)', describedRule, {
  valid: [
    { project: { resources: [model('a', { description: 'Orders.' })] } },
    {
      name: 'long enough for the option',
      project: { resources: [model('a', { description: 'Orders by day.' })] },
      options: { minLength: 10 },
    },
    {
      name: 'seeds are not checked',
      project: { resources: [{ uniqueId: 'seed.my_project.s', resourceType: 'seed', name: 's' }] },
    },
  ],
  invalid: [
    {
      project: { resources: [model('a'), model('b', { description: 'ok' })] },
      errors: [{ messageId: 'missing', node: 'a' }],
    },
    {
      name: 'options apply, and expectations match in any order',
      project: { resources: [model('a', { description: 'short', tags: ['pii'] })] },
      options: { minLength: 10, tagged: ['pii', 'mart', 'core'] },
      errors: [
        { messageId: 'untagged', data: { name: 'a', tag: 'core' } },
        {
          messageId: 'short',
          node: 'model.my_project.a',
          message: "Model 'a' has a description shorter than 10 characters.",
        },
        { messageId: 'untagged', message: /'mart'/ },
      ],
    },
    { name: 'a count is enough', project: { resources: [model('a'), model('b')] }, errors: 2 },
  ],
});

describe('runRuleCases', () => {
  test('a correct rule passes its cases', () => {
    expect(() =>
      runRuleCases(describedRule, {
        valid: [{ project: { resources: [model('a', { description: 'Orders.' })] } }],
        invalid: [
          { ...oneModel, errors: [{ messageId: 'missing', data: { name: 'orders', tag: null } }] },
        ],
      }),
    ).not.toThrow();
  });

  test('a loose expectation does not steal the finding a stricter one needs', () => {
    expect(() =>
      runRuleCases(describedRule, {
        valid: [],
        invalid: [
          {
            project: { resources: [model('a'), model('b')] },
            errors: [{ messageId: 'missing' }, { messageId: 'missing', node: 'a' }],
          },
        ],
      }),
    ).not.toThrow();
  });

  test('a reported messageId the rule does not define fails, naming it', () => {
    const err = failureOf(() =>
      runRuleCases(faultyRule('unknown-id'), { valid: [], invalid: [{ ...oneModel, errors: 1 }] }),
    );
    expect(err).toBeInstanceOf(RuleTestError);
    expect(err.message).toContain('faulty: invalid #1');
    expect(err.message).toContain(
      'reported messageId "bda", which is not in the rule\'s messages (bad)',
    );
    expect(err.message).toContain('model.my_project.orders');
  });

  test('a message with an unfilled placeholder fails', () => {
    const err = failureOf(() =>
      runRuleCases(faultyRule('placeholder'), { valid: [], invalid: [{ ...oneModel, errors: 1 }] }),
    );
    expect(err.message).toContain('has the placeholder {{column}}');
    expect(err.message).toContain('"colunm":"x"');
  });

  test('a report without the identity keys fails', () => {
    const rule = defineRule({ ...faultyRule('identity'), identity: ['column', 'table'] });
    const err = failureOf(() =>
      runRuleCases(rule, { valid: [], invalid: [{ ...oneModel, errors: 1 }] }),
    );
    expect(err.message).toContain('lacks the identity key "table"');
  });

  test('a report on a node that is not in the project fails', () => {
    const err = failureOf(() =>
      runRuleCases(faultyRule('bad-node'), { valid: [], invalid: [{ ...oneModel, errors: 1 }] }),
    );
    expect(err.message).toContain(
      'reported node "model.my_project.ghost", which is not a resource',
    );
  });

  test('a rule that throws fails the case with its own error', () => {
    const err = failureOf(() =>
      runRuleCases(faultyRule('throws'), { valid: [oneModel], invalid: [] }),
    );
    expect(err.message).toBe(
      'faulty: valid #1: the rule threw while checking model.my_project.orders: cannot read the thing',
    );
    expect(err.cause).toBeInstanceOf(TypeError);
    expect(err.stack).toContain('testing.test.ts');
  });

  test('wrong expectations fail with a diff of expected and actual findings', () => {
    const err = failureOf(() =>
      runRuleCases(describedRule, {
        valid: [],
        invalid: [
          {
            name: 'wrong node',
            project: { resources: [model('a'), model('b')] },
            errors: [
              { messageId: 'missing', node: 'a' },
              { messageId: 'missing', node: 'c' },
            ],
          },
        ],
      }),
    );
    expect(err).toBeInstanceOf(RuleTestError);
    const a = err as RuleTestError;
    expect(a.message).toContain('description-long: wrong node: expected 2 finding(s), got 2');
    expect(a.message).toContain('1 expectation(s) matched no finding');
    expect(a.message).toMatch(/\+\s+node: 'b'/);
    expect(a.message).toMatch(/-\s+node: 'c'/);
    expect(a.actual).toEqual([
      { messageId: 'missing', node: 'a' },
      { messageId: 'missing', node: 'b' },
    ]);
  });

  test('a missing finding and an unexpected one both show in the diff', () => {
    const err = failureOf(() =>
      runRuleCases(describedRule, {
        valid: [],
        invalid: [{ ...oneModel, errors: [{ messageId: 'missing' }, { messageId: 'short' }] }],
      }),
    ) as RuleTestError;
    expect(err.message).toContain('expected 2 finding(s), got 1');
    expect(err.actual).toEqual([{ messageId: 'missing' }]);

    const extra = failureOf(() =>
      runRuleCases(describedRule, {
        valid: [],
        invalid: [
          {
            project: { resources: [model('a'), model('b')] },
            errors: [{ messageId: 'missing', node: 'a' }],
          },
        ],
      }),
    ) as RuleTestError;
    expect(extra.message).toContain('expected 1 finding(s), got 2');
    expect(extra.actual).toEqual([
      { messageId: 'missing', node: 'a' },
      {
        messageId: 'missing',
        node: 'model.my_project.b',
        data: { name: 'b', tag: null },
        message: "Model 'b' has no description.",
      },
    ]);
  });

  test('a wrong count fails and lists what was found', () => {
    const err = failureOf(() =>
      runRuleCases(describedRule, { valid: [], invalid: [{ ...oneModel, errors: 3 }] }),
    );
    expect(err.message).toContain('expected 3 finding(s), got 1');
    expect(err.message).toContain(
      "missing on model.my_project.orders: Model 'orders' has no description.",
    );
  });

  test('an unknown option key fails, naming the rule and the key', () => {
    const err = failureOf(() =>
      runRuleCases(describedRule, {
        valid: [{ ...oneModel, options: { minLenght: 3 } }],
        invalid: [],
      }),
    );
    expect(err.message).toBe(
      'description-long: valid #1: rule description-long has no option "minLenght" (its options: minLength, tagged)',
    );
  });

  test('an invalid option value fails with the schema message', () => {
    const err = failureOf(() =>
      runRuleCases(describedRule, {
        valid: [{ ...oneModel, options: { minLength: 0 } }],
        invalid: [],
      }),
    );
    expect(err.message).toMatch(
      /^description-long: valid #1: invalid options: rule description-long: option minLength: /,
    );
  });

  test('options on a rule that takes none fail', () => {
    const err = failureOf(() =>
      runRuleCases(faultyRule('placeholder'), {
        valid: [{ ...oneModel, options: { x: 1 } }],
        invalid: [],
      }),
    );
    expect(err.message).toContain('rule faulty takes no options, but the case gives "x"');
  });

  test('a valid case that reports fails, listing the findings', () => {
    const err = failureOf(() =>
      runRuleCases(describedRule, { valid: [{ name: 'bare model', ...oneModel }], invalid: [] }),
    );
    expect(err).toBeInstanceOf(RuleTestError);
    expect(err.message).toBe(
      "description-long: bare model: expected no findings, got 1:\n  - missing on model.my_project.orders: Model 'orders' has no description.",
    );
  });

  test('an expectation naming a messageId the rule lacks is a mistake in the test', () => {
    const err = failureOf(() =>
      runRuleCases(describedRule, {
        valid: [],
        invalid: [{ ...oneModel, errors: [{ messageId: 'mising' }] }],
      }),
    );
    expect(err.message).toContain('expected messageId "mising" is not one of the rule\'s messages');
  });

  test('a rule that never runs gets a hint', () => {
    const err = failureOf(() =>
      runRuleCases(describedRule, {
        valid: [],
        invalid: [{ project: { resources: [model('x', { external: true })] }, errors: 1 }],
      }),
    );
    expect(err.message).toContain('the rule was not run on any target');
  });

  test('the context carries the case clock, declared domains, owners config and resolution chain', () => {
    const seen: unknown[] = [];
    const probe = defineRule({
      id: 'probe',
      description: 'Records its context.',
      category: 'test',
      scope: 'project',
      resourceTypes: ['model'],
      severity: 'info',
      recommended: false,
      messages: { seen: 'seen {{n}}' },
      check(_p, context) {
        seen.push({
          now: context.now.toISOString(),
          domains: context.declaredDomains,
          formats: context.owners.formats,
          domainOfA: context.domainOf('model.my_project.a'),
        });
        context.report({ messageId: 'seen', data: { n: 1 } });
      },
    });
    runRuleCases(probe, {
      valid: [],
      invalid: [
        {
          project: { resources: [model('a', { tags: ['domain:payments'] })] },
          now: '2030-02-03',
          declaredDomains: { payments: { owners: ['pay@example.com'] } },
          domains: { resolution: [{ kind: 'tag', prefix: 'domain:' }] },
          owners: { formats: ['email'] },
          errors: [{ messageId: 'seen', node: 'my_project' }],
        },
      ],
    });
    expect(seen).toEqual([
      {
        now: '2030-02-03T00:00:00.000Z',
        domains: {
          payments: {
            name: 'payments',
            description: '',
            owners: ['pay@example.com'],
            public: [],
            origin: 'rule tester',
          },
        },
        formats: ['email'],
        domainOfA: 'payments',
      },
    ]);
  });

  test('a ready Project is accepted as it is', () => {
    const project = createProject({
      name: 'shop',
      resources: [{ uniqueId: 'model.shop.x', resourceType: 'model', name: 'x' }],
    });
    expect(() =>
      runRuleCases(describedRule, {
        valid: [],
        invalid: [{ project, errors: [{ messageId: 'missing', node: 'model.shop.x' }] }],
      }),
    ).not.toThrow();
  });
});

describe('RuleTester without a test framework', () => {
  afterEach(() => {
    RuleTester.describe = null;
    RuleTester.it = null;
  });

  test('uses RuleTester.describe/it when set, one test per case, with constructor defaults', () => {
    const titles: string[] = [];
    const bodies: Array<() => void> = [];
    RuleTester.describe = (name, fn) => {
      titles.push(`describe ${name}`);
      fn();
    };
    RuleTester.it = (name, fn) => {
      titles.push(`it ${name}`);
      bodies.push(fn);
    };
    new RuleTester({ options: { minLength: 3 } }).run('r', describedRule, {
      valid: [{ name: 'long', project: { resources: [model('a', { description: 'abcd' })] } }],
      invalid: [
        {
          project: { resources: [model('a', { description: 'ab' })] },
          errors: [{ messageId: 'short' }],
        },
      ],
    });
    expect(titles).toEqual([
      'describe r',
      'describe valid',
      'it long',
      'describe invalid',
      'it invalid #1',
    ]);
    for (const body of bodies) body();
  });
});
