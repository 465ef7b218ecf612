import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { corpusNames, corpusProject, describeCorpusRun } from './corpus.js';
import { checkWithFolderDomains, folderDomain, ownRaw, rawResources } from './domain-corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'cross-domain-source')!;

const source = (source: string, table: string, domain: string | null): ResourceInit => ({
  uniqueId: `source.my_project.${source}.${table}`,
  resourceType: 'source',
  name: table,
  sourceName: source,
  meta: domain ? { domain } : {},
});
const model = (name: string, domain: string | null, dependsOn: string[]): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  meta: domain ? { domain } : {},
  dependsOn,
});
const CHARGES = 'source.my_project.stripe.charges';

test('cross-domain-source: error, recommended, needs domains', () => {
  expect([rule.severity, rule.recommended, rule.requiresDomains]).toEqual(['error', true, true]);
});

new RuleTester().run('cross-domain-source', rule, {
  valid: [
    {
      name: 'own domain, unknown domains on either side',
      project: {
        resources: [
          source('stripe', 'charges', 'payments'),
          source('segment', 'tracks', null),
          model('stg_charges', 'payments', [CHARGES]),
          model('no_domain', null, [CHARGES]),
          model('growth_tracks', 'growth', ['source.my_project.segment.tracks']),
        ],
      },
    },
    {
      name: 'a source the owning domain lists as public; a selector matching nothing is no error',
      project: {
        resources: [
          source('stripe', 'charges', 'payments'),
          model('growth_first_purchase', 'growth', [CHARGES]),
        ],
      },
      declaredDomains: {
        payments: { public: ['fct_*', 'source:stripe'] },
      },
    },
    {
      name: 'exposures and tests reading a source are not judged',
      project: {
        resources: [
          source('stripe', 'charges', 'payments'),
          {
            uniqueId: 'exposure.my_project.board',
            resourceType: 'exposure',
            name: 'board',
            meta: { domain: 'growth' },
            dependsOn: [CHARGES],
          },
          {
            uniqueId: 'test.my_project.not_null_charges_id',
            resourceType: 'test',
            name: 'not_null_charges_id',
            meta: { domain: 'growth' },
            dependsOn: [CHARGES],
          },
        ],
      },
    },
  ],
  invalid: [
    {
      name: 'a model and a snapshot of another domain',
      project: {
        resources: [
          source('stripe', 'charges', 'payments'),
          model('growth_first_purchase', 'growth', [CHARGES]),
          {
            uniqueId: 'snapshot.my_project.charges_snapshot',
            resourceType: 'snapshot',
            name: 'charges_snapshot',
            meta: { domain: 'finance' },
            dependsOn: [CHARGES],
          },
        ],
      },
      errors: [
        {
          messageId: 'foreignSource',
          node: 'growth_first_purchase',
          related: [CHARGES],
          data: {
            childType: 'Model',
            child: 'growth_first_purchase',
            childDomain: 'growth',
            source: 'stripe.charges',
            sourceDomain: 'payments',
            target: CHARGES,
          },
          message:
            "Model 'growth_first_purchase' (domain growth) reads the source 'stripe.charges' of domain payments directly: read it through the public models of payments instead.",
        },
        {
          messageId: 'foreignSource',
          node: 'snapshot.my_project.charges_snapshot',
          data: {
            childType: 'Snapshot',
            child: 'charges_snapshot',
            childDomain: 'finance',
            source: 'stripe.charges',
            sourceDomain: 'payments',
            target: CHARGES,
          },
        },
      ],
    },
    {
      name: "the public selectors of the model's own domain do not open another's source",
      project: {
        resources: [source('stripe', 'charges', 'payments'), model('g', 'growth', [CHARGES])],
      },
      declaredDomains: { growth: { public: ['source:stripe'] } },
      errors: 1,
    },
    {
      name: 'a source domain from a path pattern',
      project: {
        resources: [
          { ...source('stripe', 'charges', null), filePath: 'models/payments/_sources.yml' },
          { ...model('g', null, [CHARGES]), filePath: 'models/growth/g.sql' },
        ],
      },
      domains: { resolution: [{ kind: 'path', pattern: 'models/{domain}/**' }] },
      declaredDomains: { payments: {} },
      errors: [
        {
          messageId: 'foreignSource',
          data: {
            childType: 'Model',
            child: 'g',
            childDomain: 'growth',
            source: 'stripe.charges',
            sourceDomain: 'payments',
            target: CHARGES,
          },
        },
      ],
    },
  ],
});

describeCorpusRun('cross-domain-source');

describe('cross-domain-source on the corpus with folder domains', () => {
  test.each(corpusNames())(
    '%s: models and snapshots reading a source of another folder',
    async (name) => {
      const project = await corpusProject(name);
      const raw = rawResources(name);
      const expected: string[] = [];
      for (const child of ownRaw(project, name)) {
        if (child.type !== 'model' && child.type !== 'snapshot') continue;
        const from = folderDomain(child);
        if (from === null) continue;
        for (const pid of child.dependsOn) {
          const parent = raw.get(pid);
          if (parent?.type !== 'source') continue;
          const to = folderDomain(parent);
          if (to !== null && to !== from) expected.push(`${child.id} -> ${pid}`);
        }
      }
      const result = checkWithFolderDomains(project, name, { 'cross-domain-source': 'error' });
      expect(result.ruleFailures).toEqual([]);
      const got = result.findings
        .filter((f) => f.ruleId === 'cross-domain-source')
        .map((f) => `${f.nodeId} -> ${f.related?.[0]}`);
      expect(got.sort()).toEqual(expected.sort());
    },
  );
});
