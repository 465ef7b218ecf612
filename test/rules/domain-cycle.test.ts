import { getBuiltinRules, type ResourceInit } from '../../src/index.js';
import { RuleTester } from '../../src/testing.js';
import { corpusNames, corpusProject, describeCorpusRun } from './corpus.js';
import {
  checkWithFolderDomains,
  folderDomain,
  isTestType,
  rawResources,
  type RawResource,
} from './domain-corpus.js';

const rule = getBuiltinRules().find((r) => r.id === 'domain-cycle')!;

const model = (name: string, domain: string | null, dependsOn: string[] = []): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  meta: domain ? { domain } : {},
  dependsOn: dependsOn.map((d) => (d.includes('.') ? d : `model.my_project.${d}`)),
});
const id = (name: string) => `model.my_project.${name}`;

test('domain-cycle: error, recommended, needs domains', () => {
  expect([rule.severity, rule.recommended, rule.requiresDomains]).toEqual(['error', true, true]);
});

new RuleTester().run('domain-cycle', rule, {
  valid: [
    {
      name: 'a chain of domains, and a cycle within one domain',
      project: {
        resources: [
          model('p', 'payments'),
          model('f', 'finance', ['p']),
          model('g', 'growth', ['f', 'p']),
        ],
      },
    },
    {
      name: 'a cycle that only closes through a resource without a domain is not seen',
      project: {
        resources: [
          model('p', 'payments', ['x']),
          model('g', 'growth', ['p']),
          model('x', null, ['g']),
        ],
      },
    },
    {
      name: 'a cycle that only closes through a test is not a domain cycle',
      project: {
        resources: [
          model('p', 'payments'),
          model('g', 'growth', ['p']),
          {
            uniqueId: 'test.my_project.relationships_p_g',
            resourceType: 'test',
            name: 'relationships_p_g',
            dependsOn: [id('p'), id('g')],
            test: {
              name: 'relationships',
              namespace: null,
              columnName: 'id',
              attachedNode: id('p'),
            },
          },
        ],
      },
    },
  ],
  invalid: [
    {
      name: 'two domains depending on each other',
      project: {
        resources: [
          model('stg_payments', 'payments'),
          model('growth_attribution', 'growth', ['stg_payments']),
          model('fct_payments', 'payments', ['stg_payments', 'growth_attribution']),
        ],
      },
      errors: [
        {
          messageId: 'cycle',
          node: 'growth',
          related: [id('growth_attribution'), id('stg_payments'), id('fct_payments')],
          data: {
            domains: 'growth, payments',
            cycle: 'growth → payments → growth',
            examples:
              'growth_attribution (growth) → stg_payments (payments); fct_payments (payments) → growth_attribution (growth)',
            length: 2,
          },
        },
      ],
    },
    {
      name: 'one finding per component, with a shortest cycle; never every cycle',
      project: {
        resources: [
          // a depends on b and c, b on c, c on a: cycles a → b → c → a and a → c → a.
          model('a1', 'a', ['b1', 'c1']),
          model('b1', 'b', ['c2']),
          model('c1', 'c'),
          model('c2', 'c', ['a2']),
          model('a2', 'a'),
          // a second, separate component
          model('x1', 'x', ['y1']),
          model('y1', 'y', ['x2']),
          model('x2', 'x'),
        ],
      },
      errors: [
        {
          messageId: 'cycle',
          data: {
            domains: 'a, b, c',
            cycle: 'a → c → a',
            examples: 'a1 (a) → c1 (c); c2 (c) → a2 (a)',
            length: 2,
          },
          related: [id('a1'), id('c1'), id('c2'), id('a2')],
        },
        {
          messageId: 'cycle',
          data: {
            domains: 'x, y',
            cycle: 'x → y → x',
            examples: 'x1 (x) → y1 (y); y1 (y) → x2 (x)',
            length: 2,
          },
        },
      ],
    },
    {
      name: 'a three-domain cycle through sources, exposures and versioned models',
      project: {
        resources: [
          {
            uniqueId: 'source.my_project.s.t',
            resourceType: 'source',
            name: 't',
            sourceName: 's',
            meta: { domain: 'a' },
          },
          {
            ...model('m', 'b', ['source.my_project.s.t']),
            uniqueId: 'model.my_project.m.v2',
            version: '2',
          },
          {
            uniqueId: 'exposure.my_project.e',
            resourceType: 'exposure',
            name: 'e',
            meta: { domain: 'c' },
            dependsOn: ['model.my_project.m.v2'],
          },
          model('back', 'a', ['exposure.my_project.e']),
        ],
      },
      errors: [
        {
          messageId: 'cycle',
          data: {
            domains: 'a, b, c',
            cycle: 'a → c → b → a',
            examples: 'back (a) → e (c); e (c) → m.v2 (b); m.v2 (b) → t (a)',
            length: 3,
          },
        },
      ],
    },
  ],
});

describeCorpusRun('domain-cycle');

/** Strongly connected components (size ≥ 2) of a small graph, by mutual reachability. */
function components(edges: Map<string, Set<string>>): string[][] {
  const nodes = new Set<string>([...edges.keys(), ...[...edges.values()].flatMap((s) => [...s])]);
  const reach = new Map<string, Set<string>>();
  for (const n of nodes) {
    const seen = new Set<string>();
    const stack = [n];
    while (stack.length > 0) {
      for (const m of edges.get(stack.pop()!) ?? []) {
        if (seen.has(m)) continue;
        seen.add(m);
        stack.push(m);
      }
    }
    reach.set(n, seen);
  }
  const out: string[][] = [];
  const done = new Set<string>();
  for (const n of [...nodes].sort()) {
    if (done.has(n)) continue;
    const comp = [...nodes].filter(
      (m) => m === n || (reach.get(n)!.has(m) && reach.get(m)!.has(n)),
    );
    comp.forEach((m) => done.add(m));
    if (comp.length > 1) out.push(comp.sort());
  }
  return out;
}

describe('domain-cycle on the corpus', () => {
  const lastFolder = (r: RawResource | undefined) => {
    if (!r || r.external) return null;
    const m = /^models\/(?:[^/]+\/)*([^/]+)\/[^/]*$/.exec(r.file);
    return m ? m[1]! : null;
  };
  const modes: Array<[string, (r: RawResource | undefined) => string | null, string]> = [
    ['top folder', folderDomain, 'models/{domain}/**'],
    ['last folder', lastFolder, 'models/**/{domain}/*'],
  ];
  const cases = corpusNames().flatMap((n) => modes.map((m) => [n, ...m] as const));
  test.each(cases)(
    '%s by %s: one finding per component of the domain graph',
    async (name, _mode, domainOf, pattern) => {
      const project = await corpusProject(name);
      const raw = rawResources(name);
      const edges = new Map<string, Set<string>>();
      const domains = new Set<string>();
      for (const child of raw.values()) {
        if (isTestType(child.type)) continue;
        const a = domainOf(child);
        if (a !== null) domains.add(a);
        if (a === null) continue;
        for (const pid of child.dependsOn) {
          const parent = raw.get(pid);
          if (!parent || isTestType(parent.type)) continue;
          const b = domainOf(parent);
          if (b === null || b === a) continue;
          if (!edges.has(a)) edges.set(a, new Set());
          edges.get(a)!.add(b);
        }
      }
      const expected = components(edges).map((c) => c.join(', '));
      const result = checkWithFolderDomains(
        project,
        name,
        { 'domain-cycle': 'error' },
        (engine) => {
          engine.domains.resolution = [{ kind: 'path', pattern }];
          engine.domains.declared = {};
          for (const d of domains)
            engine.domains.declared[d] = {
              name: d,
              description: '',
              owners: [],
              public: [],
              origin: 'test',
            };
        },
      );
      expect(result.ruleFailures).toEqual([]);
      const found = result.findings.filter((f) => f.ruleId === 'domain-cycle');
      expect(found.map((f) => f.data.domains).sort()).toEqual(expected.sort());
      for (const f of found) {
        expect(f.subject).toEqual({ kind: 'domain', id: String(f.data.domains).split(', ')[0] });
        const cycle = String(f.data.cycle).split(' → ');
        expect(cycle[0]).toBe(cycle[cycle.length - 1]);
        expect(f.related!.length).toBeGreaterThanOrEqual(2);
      }
    },
  );
});
