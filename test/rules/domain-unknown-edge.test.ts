import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { corpusNames, corpusProject, describeCorpusRun } from './corpus.js';
import {
  checkWithFolderDomains,
  folderDomain,
  isTestType,
  ownRaw,
  rawResources,
} from './domain-corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'domain-unknown-edge')!;

const model = (name: string, domain: string | null, dependsOn: string[] = []): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  meta: domain ? { domain } : {},
  dependsOn: dependsOn.map((d) => (d.includes('.') ? d : `model.my_project.${d}`)),
});

test('domain-unknown-edge: not recommended, needs domains', () => {
  expect([rule.recommended, rule.requiresDomains, rule.severity]).toEqual([false, true, 'warn']);
});

new RuleTester().run('domain-unknown-edge', rule, {
  valid: [
    {
      name: 'both ends known, or both unknown',
      project: {
        resources: [
          model('a', 'payments'),
          model('b', 'growth', ['a']),
          model('c', null),
          model('d', null, ['c']),
        ],
      },
    },
    {
      name: 'sources and tests are not edges here',
      project: {
        resources: [
          { uniqueId: 'source.my_project.s.t', resourceType: 'source', name: 't', sourceName: 's' },
          model('a', 'payments', ['source.my_project.s.t']),
          {
            uniqueId: 'test.my_project.not_null_a_id',
            resourceType: 'test',
            name: 'not_null_a_id',
            dependsOn: ['model.my_project.a'],
            test: {
              name: 'not_null',
              namespace: null,
              columnName: 'id',
              attachedNode: 'model.my_project.a',
            },
          },
        ],
      },
    },
  ],
  invalid: [
    {
      name: 'an unknown parent and an unknown child, once per edge',
      project: {
        resources: [
          model('known', 'growth', ['unknown_parent', 'unknown_parent']),
          model('unknown_parent', null),
          model('unknown_child', null, ['known']),
        ],
      },
      errors: [
        {
          messageId: 'unknownParent',
          node: 'known',
          related: ['model.my_project.unknown_parent'],
          data: {
            childType: 'model',
            child: 'known',
            parentType: 'model',
            parent: 'unknown_parent',
            domain: 'growth',
            target: 'model.my_project.unknown_parent',
          },
        },
        {
          messageId: 'unknownChild',
          node: 'unknown_child',
          data: {
            childType: 'model',
            child: 'unknown_child',
            parentType: 'model',
            parent: 'known',
            domain: 'growth',
            target: 'model.my_project.known',
          },
        },
      ],
    },
    {
      name: 'a package model without a domain, an exposure, a seed',
      project: {
        resources: [
          { ...model('pkg_model', null), uniqueId: 'model.pkg.pkg_model', packageName: 'pkg' },
          { uniqueId: 'seed.my_project.fx', resourceType: 'seed', name: 'fx' },
          model('a', 'finance', ['model.pkg.pkg_model', 'seed.my_project.fx']),
          {
            uniqueId: 'exposure.my_project.board',
            resourceType: 'exposure',
            name: 'board',
            dependsOn: ['model.my_project.a'],
          },
        ],
      },
      errors: [
        { messageId: 'unknownParent', node: 'a', related: ['model.pkg.pkg_model'] },
        {
          messageId: 'unknownParent',
          node: 'a',
          related: ['seed.my_project.fx'],
          data: {
            childType: 'model',
            child: 'a',
            parentType: 'seed',
            parent: 'fx',
            domain: 'finance',
            target: 'seed.my_project.fx',
          },
        },
        { messageId: 'unknownChild', node: 'exposure.my_project.board' },
      ],
    },
  ],
});

describeCorpusRun('domain-unknown-edge');

describe('domain-unknown-edge on the corpus with folder domains', () => {
  const TARGETS = new Set(['model', 'seed', 'snapshot', 'semantic_model']);
  test.each(corpusNames())('%s: edges with exactly one folder domain', async (name) => {
    const project = await corpusProject(name);
    const raw = rawResources(name);
    const expected: string[] = [];
    for (const child of ownRaw(project, name)) {
      if (isTestType(child.type)) continue;
      for (const pid of child.dependsOn) {
        const parent = raw.get(pid);
        if (!parent || !TARGETS.has(parent.type)) continue;
        if ((folderDomain(child) === null) !== (folderDomain(parent) === null))
          expected.push(`${child.id} -> ${pid}`);
      }
    }
    const result = checkWithFolderDomains(project, name, { 'domain-unknown-edge': 'warn' });
    expect(result.ruleFailures).toEqual([]);
    const skipped = result.hints.some((h) => h.startsWith('domain rules are skipped'));
    const got = result.findings
      .filter((f) => f.ruleId === 'domain-unknown-edge')
      .map((f) => `${f.nodeId} -> ${f.related?.[0]}`);
    expect(got.sort()).toEqual(skipped ? [] : expected.sort());
  });
});
