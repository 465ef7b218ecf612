import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { corpusNames, corpusProject, describeCorpusRun } from './corpus.js';
import { checkWithFolderDomains, folderDomain, ownRaw } from './domain-corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'domain-present')!;

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  ...extra,
});

test('domain-present: error, recommended, needs domains', () => {
  expect(rule.severity).toBe('error');
  expect(rule.recommended).toBe(true);
  expect(rule.requiresDomains).toBe(true);
});

new RuleTester().run('domain-present', rule, {
  valid: [
    {
      name: 'meta.domain',
      project: { resources: [model('m', { meta: { domain: 'payments' } })] },
    },
    { name: 'the dbt group', project: { resources: [model('m', { group: 'finance' })] } },
    {
      name: 'no domain anywhere: the rule is skipped (domains are not in use)',
      project: { resources: [model('a'), model('b')] },
    },
    {
      name: 'a path pattern',
      project: {
        resources: [model('m', { filePath: 'models/payments/m.sql' })],
      },
      domains: { resolution: [{ kind: 'path', pattern: 'models/{domain}/**' }] },
      declaredDomains: { payments: {} },
    },
  ],
  invalid: [
    {
      name: 'a model without a domain beside one with',
      project: {
        resources: [
          model('with_domain', { meta: { domain: 'payments' } }),
          model('bare'),
          model('blank', { meta: { domain: ' ' } }),
          model('not_text', { meta: { domain: 42 } }),
        ],
      },
      errors: [
        {
          messageId: 'missing',
          node: 'bare',
          data: { name: 'bare' },
          message: /^Model 'bare' has no domain: /,
        },
        { messageId: 'missing', node: 'blank' },
        { messageId: 'missing', node: 'not_text' },
      ],
    },
    {
      name: 'declared domains put domains in use',
      project: { resources: [model('bare')] },
      declaredDomains: { payments: {} },
      errors: 1,
    },
  ],
});

describeCorpusRun('domain-present');

describe('domain-present on the corpus with folder domains', () => {
  test.each(corpusNames())(
    '%s: the own models outside models/<domain>/ are reported',
    async (name) => {
      const project = await corpusProject(name);
      const expected = ownRaw(project, name)
        .filter((r) => r.type === 'model' && folderDomain(r) === null)
        .map((r) => r.id)
        .sort();
      const result = checkWithFolderDomains(project, name, { 'domain-present': 'error' });
      const got = result.findings
        .filter((f) => f.ruleId === 'domain-present')
        .map((f) => f.nodeId)
        .sort();
      // With no folder domain at all, no domain is declared and the rule is skipped.
      expect(got).toEqual(
        result.hints.some((h) => h.startsWith('domain rules are skipped')) ? [] : expected,
      );
    },
  );
});
