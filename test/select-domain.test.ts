/**
 * Our own selector methods, `domain:` and `owner:` (on the resolved domain and owner the
 * caller supplies), in CLI terms, with graph and set operators and in YAML selectors; the
 * `--selector NAME` policy (`selectionFor`); merging the selectors of the loaded projects
 * (`projectSelectors`); and the messages of invalid selections.
 */
import { createProject, type ResourceInit } from '../src/project.js';
import {
  resolveSelector,
  selectResources,
  SelectorError,
  selectTerm,
  type SelectionContext,
  type Selectors,
} from '../src/graph/select.js';
import { projectSelectors, selectionFor } from '../src/graph/selectors.js';
import type { ManifestSelectors } from '../src/model.js';

const P = 'mesh';
const STG_PAYMENTS = `model.${P}.stg_payments`;
const FCT_PAYMENTS = `model.${P}.fct_payments`;
const PAYWALL = `model.${P}.paywall_events`;
const STG_EVENTS = `model.${P}.stg_events`;
const FCT_SIGNUPS = `model.${P}.fct_signups`;
const DIM_DATES = `model.${P}.dim_dates`;
const T_PAYMENTS = `test.${P}.not_null_fct_payments_id.1`;
const T_SIGNUPS = `test.${P}.unique_fct_signups_id.2`;
const EXPOSURE = `exposure.${P}.revenue_dashboard`;

const RESOURCES: ResourceInit[] = [
  { uniqueId: STG_PAYMENTS, resourceType: 'model', name: 'stg_payments' },
  {
    uniqueId: FCT_PAYMENTS,
    resourceType: 'model',
    name: 'fct_payments',
    tags: ['finance'],
    dependsOn: [STG_PAYMENTS],
  },
  { uniqueId: PAYWALL, resourceType: 'model', name: 'paywall_events', tags: ['finance'] },
  { uniqueId: STG_EVENTS, resourceType: 'model', name: 'stg_events' },
  {
    uniqueId: FCT_SIGNUPS,
    resourceType: 'model',
    name: 'fct_signups',
    dependsOn: [STG_EVENTS, FCT_PAYMENTS],
  },
  { uniqueId: DIM_DATES, resourceType: 'model', name: 'dim_dates' },
  {
    uniqueId: T_PAYMENTS,
    resourceType: 'test',
    name: 'not_null_fct_payments_id',
    test: { name: 'not_null', namespace: null, columnName: 'id', attachedNode: FCT_PAYMENTS },
    dependsOn: [FCT_PAYMENTS],
  },
  {
    uniqueId: T_SIGNUPS,
    resourceType: 'test',
    name: 'unique_fct_signups_id',
    test: { name: 'unique', namespace: null, columnName: 'id', attachedNode: FCT_SIGNUPS },
    dependsOn: [FCT_SIGNUPS],
  },
  {
    uniqueId: EXPOSURE,
    resourceType: 'exposure',
    name: 'revenue_dashboard',
    dependsOn: [FCT_PAYMENTS],
  },
];
const project = createProject({ name: P, resources: RESOURCES });

/** The resolved domain and owner of each resource, as the engine's resolvers would give them. */
const DOMAINS: Record<string, string> = {
  [STG_PAYMENTS]: 'payments',
  [FCT_PAYMENTS]: 'payments',
  [PAYWALL]: 'paywall',
  [STG_EVENTS]: 'growth',
  [FCT_SIGNUPS]: 'growth',
  [EXPOSURE]: 'finance',
};
const OWNERS: Record<string, unknown> = {
  [STG_PAYMENTS]: 'Pay@Example.com',
  // a group owner
  [FCT_PAYMENTS]: { name: 'Payments Team', email: 'payments-data@example.com' },
  [STG_EVENTS]: '@acme/growth',
  [FCT_SIGNUPS]: ['@acme/growth', 'ana@example.com'],
  // an exposure owner, with nested extra fields
  [EXPOSURE]: { name: 'Finance BI', email: 'bi@example.com', extra: { slack: ['#fin-bi'] } },
};
const extra = {
  domainOf: (id: string) => DOMAINS[id] ?? null,
  ownerOf: (id: string) => OWNERS[id] ?? null,
};
const ctx: SelectionContext = { resources: project.resources, graph: project.graph, ...extra };

const sorted = (ids: Iterable<string>): string[] => [...ids].sort();
const set = (...ids: string[]): string[] => sorted(new Set(ids));
const ALL = [...project.resources.keys()];
const allBut = (...ids: string[]): string[] => sorted(ALL.filter((id) => !ids.includes(id)));

const sel = (select: string[], exclude: string[] = []): string[] => {
  const out = selectResources({ select, exclude }, project.resources, project.graph, extra);
  if (out === null) throw new Error('no selection');
  return sorted(out);
};
const term = (t: string): string[] =>
  sorted(selectTerm(t, project.resources, project.graph, extra));

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SelectorError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a SelectorError');
}

const PAYMENTS_DOMAIN = [STG_PAYMENTS, FCT_PAYMENTS, T_PAYMENTS];
const GROWTH_DOMAIN = [STG_EVENTS, FCT_SIGNUPS, T_SIGNUPS];

describe('domain:', () => {
  test('the resolved domain equals the value (with the tests on what it selects)', () => {
    expect(sel(['domain:payments'])).toEqual(set(...PAYMENTS_DOMAIN));
    expect(sel(['domain:growth'])).toEqual(set(...GROWTH_DOMAIN));
    expect(sel(['domain:finance'])).toEqual([EXPOSURE]);
    expect(term('domain:payments')).toEqual(set(STG_PAYMENTS, FCT_PAYMENTS));
  });

  test('wildcards', () => {
    expect(term('domain:pay*')).toEqual(set(STG_PAYMENTS, FCT_PAYMENTS, PAYWALL));
    expect(term('domain:*')).toEqual(
      set(STG_PAYMENTS, FCT_PAYMENTS, PAYWALL, STG_EVENTS, FCT_SIGNUPS, EXPOSURE),
    );
    expect(term('domain:gr?wth')).toEqual(set(STG_EVENTS, FCT_SIGNUPS));
  });

  test('graph operators', () => {
    expect(term('+domain:growth')).toEqual(
      set(STG_EVENTS, FCT_SIGNUPS, FCT_PAYMENTS, STG_PAYMENTS),
    );
    expect(term('domain:payments+')).toEqual(
      set(STG_PAYMENTS, FCT_PAYMENTS, T_PAYMENTS, FCT_SIGNUPS, T_SIGNUPS, EXPOSURE),
    );
    expect(term('domain:payments+1')).toEqual(
      set(STG_PAYMENTS, FCT_PAYMENTS, T_PAYMENTS, FCT_SIGNUPS, EXPOSURE),
    );
    expect(term('@domain:growth')).toEqual(set(...GROWTH_DOMAIN, FCT_PAYMENTS, STG_PAYMENTS));
  });

  test('set operators', () => {
    expect(sel(['domain:payments domain:growth'])).toEqual(
      set(...PAYMENTS_DOMAIN, ...GROWTH_DOMAIN),
    );
    expect(sel(['domain:payments', 'domain:growth'])).toEqual(
      set(...PAYMENTS_DOMAIN, ...GROWTH_DOMAIN),
    );
    expect(sel(['domain:pay*,tag:finance'])).toEqual(set(FCT_PAYMENTS, T_PAYMENTS, PAYWALL));
    expect(sel(['+fct_signups'], ['domain:payments'])).toEqual(set(STG_EVENTS, ...GROWTH_DOMAIN));
    expect(sel([], ['domain:*'])).toEqual([DIM_DATES]);
  });
});

describe('owner:', () => {
  test('a string owner, exact; e-mail addresses case-insensitively', () => {
    expect(term('owner:pay@example.com')).toEqual([STG_PAYMENTS]);
    expect(term('owner:PAY@EXAMPLE.COM')).toEqual([STG_PAYMENTS]);
    expect(term('owner:Pay@Example.com')).toEqual([STG_PAYMENTS]);
  });

  test('team handles, list items, object values (nested too)', () => {
    expect(term('owner:@acme/growth')).toEqual(set(STG_EVENTS, FCT_SIGNUPS));
    expect(term('owner:ana@example.com')).toEqual([FCT_SIGNUPS]);
    // a space separates terms on the command line: a name with one takes ? or * there
    expect(term('owner:Payments?Team')).toEqual([FCT_PAYMENTS]);
    expect(term('owner:Payments*')).toEqual([FCT_PAYMENTS]);
    expect(term('owner:payments-data@example.com')).toEqual([FCT_PAYMENTS]);
    expect(term('owner:bi@example.com')).toEqual([EXPOSURE]);
    expect(term('owner:#fin-bi')).toEqual([EXPOSURE]);
  });

  test('names and handles are case-sensitive', () => {
    expect(term('owner:payments team')).toEqual([]);
    expect(term('owner:@ACME/growth')).toEqual([]);
  });

  test('wildcards', () => {
    expect(term('owner:*@example.com')).toEqual(
      set(STG_PAYMENTS, FCT_PAYMENTS, FCT_SIGNUPS, EXPOSURE),
    );
    expect(term('owner:*@EXAMPLE.COM')).toEqual(term('owner:*@example.com'));
    expect(term('owner:@acme/*')).toEqual(set(STG_EVENTS, FCT_SIGNUPS));
    expect(term('owner:*')).toEqual(
      set(STG_PAYMENTS, FCT_PAYMENTS, STG_EVENTS, FCT_SIGNUPS, EXPOSURE),
    );
  });

  test('with graph and set operators', () => {
    expect(sel(['owner:@acme/growth,domain:growth'])).toEqual(set(...GROWTH_DOMAIN));
    expect(sel(['owner:*@example.com'], ['owner:@acme/*'])).toEqual(
      set(STG_PAYMENTS, FCT_PAYMENTS, T_PAYMENTS, EXPOSURE),
    );
    expect(term('+owner:bi@example.com')).toEqual(set(EXPOSURE, FCT_PAYMENTS, STG_PAYMENTS));
  });
});

describe('in YAML selectors', () => {
  const selectors: Selectors = {
    full: { definition: { method: 'domain', value: 'payments' } },
    key_value: { definition: { domain: 'growth' } },
    cli_style: { definition: '+domain:growth,owner:@acme/*' },
    children: { definition: { method: 'owner', value: 'pay@example.com', children: true } },
    team: { definition: { method: 'owner', value: 'Payments Team' } },
    payments_not_exposed: {
      definition: {
        union: [
          { method: 'domain', value: 'pay*' },
          { exclude: [{ method: 'tag', value: 'finance' }] },
        ],
      },
    },
    by_owner_excluding_domain: {
      definition: {
        method: 'owner',
        value: '*@example.com',
        exclude: [{ method: 'domain', value: 'finance' }],
      },
    },
  };
  const resolve = (name: string) =>
    sorted(resolveSelector(name, selectors, project.resources, project.graph, extra));

  test('method: domain / owner, key-value and CLI-style forms', () => {
    expect(resolve('full')).toEqual(set(...PAYMENTS_DOMAIN));
    expect(resolve('key_value')).toEqual(set(...GROWTH_DOMAIN));
    expect(resolve('cli_style')).toEqual(set(STG_EVENTS, FCT_SIGNUPS, T_SIGNUPS));
    expect(resolve('team')).toEqual(set(FCT_PAYMENTS, T_PAYMENTS));
    expect(resolve('children')).toEqual(
      set(STG_PAYMENTS, FCT_PAYMENTS, T_PAYMENTS, FCT_SIGNUPS, T_SIGNUPS, EXPOSURE),
    );
  });

  test('with exclude', () => {
    expect(resolve('payments_not_exposed')).toEqual([STG_PAYMENTS]);
    expect(resolve('by_owner_excluding_domain')).toEqual(
      set(STG_PAYMENTS, FCT_PAYMENTS, T_PAYMENTS, FCT_SIGNUPS, T_SIGNUPS),
    );
  });

  test('selector: terms in --select carry the extras along', () => {
    const out = selectResources(
      { select: ['selector:full'], selectors },
      project.resources,
      project.graph,
      extra,
    );
    expect(sorted(out!)).toEqual(set(...PAYMENTS_DOMAIN));
  });
});

describe('without domainOf / ownerOf', () => {
  const bare = { resources: project.resources, graph: project.graph };

  test('using domain: or owner: is an error that says what is missing', () => {
    expect(
      errorOf(() => selectResources({ select: ['domain:payments'] }, bare.resources, bare.graph)),
    ).toBe(
      '--select "domain:payments": the domain: method needs each resource\'s resolved domain, which this caller does not provide (domainOf in the selection context)',
    );
    expect(
      errorOf(() =>
        selectResources(
          { select: ['dim_dates'], exclude: ['owner:x'] },
          bare.resources,
          bare.graph,
        ),
      ),
    ).toBe(
      '--exclude "owner:x": the owner: method needs each resource\'s resolved owner, which this caller does not provide (ownerOf in the selection context)',
    );
    expect(errorOf(() => selectTerm('+domain:x', bare.resources, bare.graph))).toMatch(
      /^--select "\+domain:x": the domain: method needs/,
    );
    expect(
      errorOf(() =>
        resolveSelector(
          's',
          { s: { definition: { method: 'owner', value: 'x' } } },
          bare.resources,
          bare.graph,
        ),
      ),
    ).toMatch(/^selector "s" term "owner:x": the owner: method needs/);
    // only the missing one counts
    expect(
      sorted(
        selectResources({ select: ['domain:growth'] }, bare.resources, bare.graph, {
          domainOf: extra.domainOf,
        })!,
      ),
    ).toEqual(set(...GROWTH_DOMAIN));
  });

  test('other methods do not need them', () => {
    expect(sorted(selectResources({ select: ['dim_dates'] }, bare.resources, bare.graph)!)).toEqual(
      [DIM_DATES],
    );
  });
});

describe('messages of invalid selections name the term and the problem', () => {
  test('a term that matches nothing: did you mean', () => {
    expect(errorOf(() => sel(['domain:paymnets']))).toBe(
      '--select "domain:paymnets" matches no resource; did you mean "domain:payments"?',
    );
    expect(errorOf(() => sel(['owner:ana@exmaple.com']))).toBe(
      '--select "owner:ana@exmaple.com" matches no resource; did you mean "owner:ana@example.com"?',
    );
    expect(errorOf(() => sel(['domain:nowhere_at_all']))).toBe(
      '--select "domain:nowhere_at_all" matches no resource; check the value',
    );
  });

  test('a method without a value, operators without a term, + inside a term', () => {
    expect(errorOf(() => sel(['tag:']))).toBe(
      '--select "tag:": "tag:" has no value; write tag:VALUE',
    );
    expect(errorOf(() => sel(['domain:']))).toBe(
      '--select "domain:": "domain:" has no value; write domain:VALUE',
    );
    expect(errorOf(() => sel(['+domain:+']))).toBe(
      '--select "+domain:+": "domain:" has no value; write domain:VALUE',
    );
    expect(errorOf(() => sel(['+']))).toBe('--select "+": empty selector');
    expect(errorOf(() => sel(['@']))).toBe('--select "@": empty selector');
    expect(errorOf(() => sel(['stg_events', 'fct_signups+,2+']))).toBe(
      '--select "2+": empty selector',
    );
    expect(errorOf(() => sel(['stg_payments+fct_payments']))).toBe(
      '--select "stg_payments+fct_payments" matches no resource; "+" is a graph operator only at the start (+x, 2+x) or the end (x+, x+1) of a term',
    );
  });

  test('unknown methods: did you mean, and the list (with domain and owner)', () => {
    expect(errorOf(() => sel(['unknown_method:x']))).toMatch(
      /^--select "unknown_method:x": unknown selector method "unknown_method"; methods: access, config, domain, exposure, /,
    );
    expect(errorOf(() => sel(['domian:payments']))).toMatch(
      /^--select "domian:payments": unknown selector method "domian" \(did you mean "domain"\?\)/,
    );
    expect(errorOf(() => sel(['owners:x']))).toMatch(/\(did you mean "owner"\?\)/);
    expect(errorOf(() => sel(['dim_dates'], ['ownr:x']))).toMatch(
      /^--exclude "ownr:x": unknown selector method "ownr" \(did you mean "owner"\?\)/,
    );
  });
});

describe('selectionFor: --selector, --select/--exclude and the default selector', () => {
  const selectors: Selectors = {
    payments: { name: 'payments', definition: 'domain:payments' },
    growth: { definition: { method: 'domain', value: 'growth' }, default: true },
  };
  const pick = (args: Parameters<typeof selectionFor>[0], s: Selectors | null = selectors) => {
    const out = selectionFor(args, s, ctx);
    return out === null ? null : sorted(out);
  };

  test('--selector NAME selects what the selector selects', () => {
    expect(pick({ selector: 'payments' })).toEqual(set(...PAYMENTS_DOMAIN));
    expect(pick({ selector: 'payments', select: [], exclude: [] })).toEqual(
      set(...PAYMENTS_DOMAIN),
    );
    expect(pick({ selector: 'payments', indirectSelection: 'empty' })).toEqual(
      set(STG_PAYMENTS, FCT_PAYMENTS),
    );
  });

  test('--selector with --select or --exclude is an error', () => {
    expect(errorOf(() => pick({ selector: 'payments', select: ['dim_dates'] }))).toBe(
      '--selector "payments" with --select: use --selector or --select/--exclude, not both',
    );
    expect(errorOf(() => pick({ selector: 'payments', exclude: ['dim_dates'] }))).toBe(
      '--selector "payments" with --exclude: use --selector or --select/--exclude, not both',
    );
  });

  test('unknown and empty selector names', () => {
    expect(errorOf(() => pick({ selector: 'paymnets' }))).toBe(
      '--selector "paymnets": unknown selector "paymnets"; did you mean "payments"?',
    );
    expect(errorOf(() => pick({ selector: 'x' }, null))).toBe(
      '--selector "x": unknown selector "x": the project defines no selectors',
    );
    expect(errorOf(() => pick({ selector: ' ' }))).toBe('--selector needs a selector name');
  });

  test('--select / --exclude: as selectResources, selector: terms included', () => {
    expect(pick({ select: ['domain:payments'], exclude: ['fct_payments'] })).toEqual([
      STG_PAYMENTS,
    ]);
    expect(pick({ select: ['selector:payments'] })).toEqual(set(...PAYMENTS_DOMAIN));
    expect(pick({ exclude: ['domain:*'] })).toEqual([DIM_DATES]);
  });

  test('with no flags the default selector applies; --exclude alone turns it off, as in dbt', () => {
    expect(pick({})).toEqual(set(...GROWTH_DOMAIN));
    expect(pick({ select: [' '], exclude: [], selector: null })).toEqual(set(...GROWTH_DOMAIN));
    expect(pick({ exclude: ['dim_dates'] })).toEqual(allBut(DIM_DATES));
  });

  test('no flags and no default selector: no restriction (null)', () => {
    expect(pick({}, { payments: selectors.payments! })).toBeNull();
    expect(pick({}, null)).toBeNull();
    // a Jinja default that was never rendered is not a default
    expect(
      pick({}, { s: { definition: 'dim_dates', default: "{{ target.name == 'prod' }}" } }),
    ).toBeNull();
  });

  test('several defaults: an error that says how to choose', () => {
    expect(
      errorOf(() =>
        pick({}, { a: { definition: 'x', default: true }, b: { definition: 'y', default: true } }),
      ),
    ).toBe(
      'several selectors are marked default: a, b; keep one default, or choose with --selector NAME or --select',
    );
    // an explicit choice needs no default
    expect(
      pick(
        { selector: 'a' },
        { a: { definition: 'dim_dates', default: true }, b: { definition: 'y', default: true } },
      ),
    ).toEqual([DIM_DATES]);
  });
});

describe('projectSelectors', () => {
  const entry = (definition: unknown, more: Partial<ManifestSelectors[string]> = {}) => ({
    definition,
    ...more,
  });

  test("selectors.yml beats the manifest's copy of the same name; the rest is merged", () => {
    const merged = projectSelectors(
      [{ selectors: { a: entry('tag:old'), b: entry('tag:b') } }],
      [{ a: entry('tag:new'), c: entry('tag:c', { default: true }) }],
    );
    expect(Object.keys(merged).sort()).toEqual(['a', 'b', 'c']);
    expect(merged.a!.definition).toBe('tag:new');
    expect(merged.b!.definition).toBe('tag:b');
    expect(merged.c!.default).toBe(true);
  });

  test("a file entry with Jinja yields to the manifest's rendered copy", () => {
    const merged = projectSelectors(
      [{ selectors: { a: entry('tag:x', { default: true }), b: entry('tag:b') } }],
      [
        {
          a: entry('tag:x', { default: "{{ target.name == 'prod' | as_bool }}" }),
          b: entry("tag:{{ var('t') }}"),
          c: entry("{{ var('c') }}"),
        },
      ],
    );
    expect(merged.a).toEqual(entry('tag:x', { default: true }));
    expect(merged.b!.definition).toBe('tag:b');
    // nothing rendered to fall back on: kept as written
    expect(merged.c!.definition).toBe("{{ var('c') }}");
  });

  test('across projects the first that defines a name wins; missing files and manifests are fine', () => {
    const merged = projectSelectors(
      [
        { selectors: null },
        { selectors: { a: entry('second') } },
        { selectors: { a: entry('third') } },
      ],
      [{ a: entry('first') }, null],
    );
    expect(merged.a!.definition).toBe('first');
    expect(Object.keys(projectSelectors([], []))).toEqual([]);
    expect(Object.keys(projectSelectors([{ selectors: null }], [undefined]))).toEqual([]);
  });

  test('names are data, not object keys with a meaning', () => {
    const fromJson = JSON.parse(
      '{"__proto__": {"definition": "tag:p"}, "constructor": {"definition": "tag:c"}}',
    ) as ManifestSelectors;
    const merged = projectSelectors([{ selectors: fromJson }], [null]);
    expect(Object.keys(merged).sort()).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).definition).toBeUndefined();
    expect(merged['__proto__']!.definition).toBe('tag:p');
    expect(errorOf(() => selectionFor({ selector: 'toString' }, merged, ctx))).toMatch(
      /^--selector "toString": unknown selector "toString"/,
    );
  });
});
