import type { Finding } from '../src/engine/check.js';
import type { CentralWaiver } from '../src/engine/config.js';
import { Registry } from '../src/engine/registry.js';
import { defineRule } from '../src/engine/rule.js';
import {
  applyWaivers,
  collectWaivers,
  expiryInstant,
  type EngineFindingDraft,
  type WaiverContext,
} from '../src/engine/waivers.js';
import { createProject, type ResourceInit } from '../src/project.js';
import type { Project } from '../src/project.js';

const ownerRule = defineRule({
  id: 'owner-x',
  description: 'Every model has an owner.',
  category: 'ownership',
  scope: 'node',
  resourceTypes: ['model'],
  severity: 'error',
  recommended: true,
  messages: { missing: "'{{name}}' has no owner.", blank: "'{{name}}' has a blank owner." },
  check() {},
});

const edgeRule = defineRule({
  id: 'edge-x',
  description: 'No reference into a private model of another domain.',
  category: 'boundaries',
  scope: 'edge',
  resourceTypes: ['model'],
  severity: 'error',
  recommended: true,
  messages: { private: "'{{child}}' refers to '{{parent}}'." },
  check() {},
});

const registry = new Registry([ownerRule, edgeRule]);

const model = (name: string, extra: Partial<ResourceInit> = {}): ResourceInit => ({
  uniqueId: `model.my_project.${name}`,
  resourceType: 'model',
  name,
  filePath: `models/${name}.sql`,
  patchPath: 'models/_models.yml',
  ...extra,
});

const id = (name: string) => `model.my_project.${name}`;

let fp = 0;
function finding(
  ruleId: string,
  subjectName: string,
  extra: Partial<Finding> = {},
  messageId = ruleId === 'edge-x' ? 'private' : 'missing',
): Finding {
  return {
    ruleId,
    messageId,
    data: { name: subjectName },
    severity: 'error',
    message: `${ruleId} on ${subjectName}`,
    nodeId: id(subjectName),
    subject: { kind: 'node', id: id(subjectName) },
    location: { file: 'models/_models.yml' },
    fingerprint: `fp${fp++}`,
    ...extra,
  };
}

function ctx(project: Project, over: Partial<WaiverContext> = {}): WaiverContext {
  return {
    now: new Date('2025-06-15T12:00:00Z'),
    fullRun: true,
    registry,
    project,
    select: () => new Set(),
    domainOf: () => null,
    isEnabled: () => true,
    ...over,
  };
}

const waive = (...w: unknown[]) => ({ steward: { waive: w } });
const valid = { rule: 'owner-x', reason: 'legacy model, owner TBD', expires: '2025-12-31' };

function central(over: Partial<CentralWaiver> & { rule: string }, i = 0): CentralWaiver {
  return {
    reason: 'accepted',
    expires: null,
    origin: `dbt-steward.yml: waivers[${i}]`,
    file: 'dbt-steward.yml',
    line: 10 + i,
    ...over,
  };
}

function run(
  project: Project,
  findings: Finding[],
  centralWaivers: CentralWaiver[] = [],
  over: Partial<WaiverContext> = {},
): EngineFindingDraft[] {
  return applyWaivers(findings, collectWaivers(project, centralWaivers), ctx(project, over));
}

describe('resource waivers', () => {
  test('a valid waiver suppresses the findings on its resource, naming its origin', () => {
    const project = createProject({
      resources: [model('stg_x', { meta: waive(valid) }), model('stg_y')],
    });
    const findings = [finding('owner-x', 'stg_x'), finding('owner-x', 'stg_y')];
    const drafts = run(project, findings);
    expect(drafts).toEqual([]);
    expect(findings[0]!.suppressed).toEqual({
      by: 'waiver',
      reason: 'legacy model, owner TBD',
      origin: 'models/_models.yml: stg_x meta.steward.waive[0]',
    });
    expect(findings[1]!.suppressed).toBeUndefined();
  });

  test('a single mapping (not a list) is accepted', () => {
    const project = createProject({
      resources: [model('stg_x', { meta: { steward: { waive: valid } } })],
    });
    const findings = [finding('owner-x', 'stg_x')];
    expect(run(project, findings)).toEqual([]);
    expect(findings[0]!.suppressed?.origin).toBe('models/_models.yml: stg_x meta.steward.waive');
  });

  test('one waiver suppresses every finding of its rule on the resource', () => {
    const project = createProject({ resources: [model('stg_x', { meta: waive(valid) })] });
    const findings = [
      finding('owner-x', 'stg_x'),
      finding('owner-x', 'stg_x', {}, 'blank'),
      finding('owner-x', 'stg_x'),
    ];
    run(project, findings);
    expect(findings.every((f) => f.suppressed?.by === 'waiver')).toBe(true);
  });

  test('messageId narrows the waiver to that message', () => {
    const project = createProject({
      resources: [model('stg_x', { meta: waive({ ...valid, messageId: 'blank' }) })],
    });
    const findings = [finding('owner-x', 'stg_x'), finding('owner-x', 'stg_x', {}, 'blank')];
    run(project, findings);
    expect(findings.map((f) => f.suppressed?.by ?? null)).toEqual([null, 'waiver']);
  });

  test('a waiver covers its rule only', () => {
    const project = createProject({ resources: [model('stg_x', { meta: waive(valid) })] });
    const findings = [finding('edge-x', 'stg_x', { related: [id('other')] })];
    const drafts = run(project, findings);
    expect(findings[0]!.suppressed).toBeUndefined();
    expect(drafts.map((d) => d.ruleId)).toEqual(['waiver-unused']);
  });

  test('waivers of installed packages and injected nodes are ignored', () => {
    const project = createProject({
      resources: [
        model('pkg_model', {
          uniqueId: 'model.dbt_utils.pkg_model',
          packageName: 'dbt_utils',
          meta: waive({ rule: 'nope' }),
        }),
        model('injected', { external: true, packageName: 'upstream', meta: waive({}) }),
      ],
    });
    expect(collectWaivers(project, [])).toEqual([]);
  });
});

describe('waiver-invalid', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['no reason', { rule: 'owner-x', expires: '2025-12-31' }, /no reason given/],
    ['a blank reason', { rule: 'owner-x', reason: '   ' }, /no reason given/],
    ['an unknown rule', { rule: 'owner-y', reason: 'r' }, /unknown rule 'owner-y'/],
    [
      'an unknown messageId',
      { rule: 'owner-x', messageId: 'gone', reason: 'r' },
      /unknown messageId 'gone' for owner-x \(known: missing, blank\)/,
    ],
    [
      'a malformed date',
      { rule: 'owner-x', reason: 'r', expires: '31/12/2025' },
      /not a real date/,
    ],
    ['an impossible date', { rule: 'owner-x', reason: 'r', expires: '2025-02-30' }, /2025-02-30/],
    ['a non-list to', { rule: 'owner-x', reason: 'r', to: 'fct_a' }, /`to` must be a list/],
    [
      'an unknown key',
      { rule: 'owner-x', reason: 'r', until: '2025-12-31' },
      /unknown key 'until'/,
    ],
    ['no rule', { reason: 'r' }, /no rule given/],
    ['a waiver finding', { rule: 'waiver-unused', reason: 'r' }, /cannot be waived/],
    ['not a mapping', 'owner-x', /a waiver is a mapping/],
  ];

  test.each(cases)('%s: suppresses nothing and is reported at the waiver', (_name, w, problem) => {
    const project = createProject({ resources: [model('stg_x', { meta: waive(w) })] });
    const findings = [finding('owner-x', 'stg_x')];
    const drafts = run(project, findings);
    expect(findings[0]!.suppressed).toBeUndefined();
    expect(drafts).toHaveLength(1);
    const d = drafts[0]!;
    expect(d.ruleId).toBe('waiver-invalid');
    expect(d.messageId).toBe('invalid');
    expect(String(d.data.problem)).toMatch(problem);
    expect(d.subject).toEqual({ kind: 'node', id: id('stg_x') });
    expect(d.nodeId).toBe(id('stg_x'));
    expect(d.location).toEqual({ file: 'models/_models.yml' });
    expect(d.keyPath).toBe('meta.steward.waive');
    expect(d.data.origin).toBe('models/_models.yml: stg_x meta.steward.waive[0]');
  });

  test('a YAML date (parsed into a Date) is read as YYYY-MM-DD', () => {
    const project = createProject({
      resources: [
        model('stg_x', { meta: waive({ ...valid, expires: new Date('2025-12-31T00:00:00Z') }) }),
      ],
    });
    expect(collectWaivers(project, [])[0]!.expires).toBe('2025-12-31');
    const findings = [finding('owner-x', 'stg_x')];
    expect(run(project, findings)).toEqual([]);
    expect(findings[0]!.suppressed?.by).toBe('waiver');
  });

  test('a central waiver with a bad selector is invalid, located at the config', () => {
    const project = createProject({ resources: [model('stg_x')] });
    const drafts = run(project, [], [central({ rule: 'owner-x', select: 'bogus:x' })], {
      select: () => {
        throw new Error('unknown method bogus');
      },
    });
    expect(drafts).toEqual([
      expect.objectContaining({
        ruleId: 'waiver-invalid',
        subject: { kind: 'project', id: 'my_project' },
        location: { file: 'dbt-steward.yml', line: 10 },
      }),
    ]);
    expect(drafts[0]!.data.problem).toMatch(/unknown method bogus/);
  });
});

describe('expiry (inclusive, UTC)', () => {
  const project = createProject({
    resources: [model('stg_x', { meta: waive({ ...valid, expires: '2025-06-30' }) })],
  });

  test('still active through the last second of the expiry day in UTC', () => {
    const findings = [finding('owner-x', 'stg_x')];
    const drafts = run(project, findings, [], { now: new Date('2025-06-30T23:59:59.999Z') });
    expect(drafts).toEqual([]);
    expect(findings[0]!.suppressed?.by).toBe('waiver');
  });

  test('expired from 00:00 UTC the day after: suppresses nothing, waiver-expired', () => {
    const findings = [finding('owner-x', 'stg_x')];
    const drafts = run(project, findings, [], { now: new Date('2025-07-01T00:00:00Z') });
    expect(findings[0]!.suppressed).toBeUndefined();
    expect(drafts).toEqual([
      expect.objectContaining({
        ruleId: 'waiver-expired',
        messageId: 'expired',
        nodeId: id('stg_x'),
        data: expect.objectContaining({ rule: 'owner-x', subject: 'stg_x', expires: '2025-06-30' }),
      }),
    ]);
  });

  test('expiryInstant is the next day at 00:00Z, null for unreal dates', () => {
    expect(expiryInstant('2024-02-29')).toBe(Date.parse('2024-03-01T00:00:00Z'));
    expect(expiryInstant('2025-12-31')).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(expiryInstant('2023-02-29')).toBeNull();
    expect(expiryInstant('2025-6-1')).toBeNull();
  });

  test('a waiver without expires never expires', () => {
    const p = createProject({
      resources: [model('stg_x', { meta: waive({ rule: 'owner-x', reason: 'r' }) })],
    });
    const findings = [finding('owner-x', 'stg_x')];
    expect(run(p, findings, [], { now: new Date('2999-01-01T00:00:00Z') })).toEqual([]);
    expect(findings[0]!.suppressed?.by).toBe('waiver');
  });
});

describe('waiver-unused', () => {
  const project = createProject({ resources: [model('stg_x', { meta: waive(valid) })] });

  test('reported in a full run when the rule runs on the resource', () => {
    const drafts = run(project, []);
    expect(drafts).toEqual([
      {
        ruleId: 'waiver-unused',
        messageId: 'unused',
        data: {
          rule: 'owner-x',
          messageId: null,
          subject: 'stg_x',
          origin: 'models/_models.yml: stg_x meta.steward.waive[0]',
        },
        nodeId: id('stg_x'),
        subject: { kind: 'node', id: id('stg_x') },
        location: { file: 'models/_models.yml' },
        keyPath: 'meta.steward.waive',
      },
    ]);
  });

  test('not reported in a selected run', () => {
    expect(run(project, [], [], { fullRun: false })).toEqual([]);
  });

  test('not reported when the rule is off for the resource', () => {
    const isEnabled = (rule: string, rid: string | null) => !(rule === 'owner-x' && rid !== null);
    expect(run(project, [], [], { isEnabled })).toEqual([]);
  });

  test('central: reported only when the rule runs on some resource in its scope', () => {
    const p = createProject({ resources: [model('a'), model('b')] });
    const w = [central({ rule: 'owner-x', select: 'a' })];
    const select = () => new Set([id('a')]);
    expect(run(p, [], w, { select }).map((d) => d.ruleId)).toEqual(['waiver-unused']);
    const offOnA = (rule: string, rid: string | null) => rid !== id('a');
    expect(run(p, [], w, { select, isEnabled: offOnA })).toEqual([]);
  });

  test('an invalid or expired waiver is reported as such, not as unused', () => {
    const p = createProject({
      resources: [
        model('a', { meta: waive({ rule: 'owner-x' }) }),
        model('b', { meta: waive({ ...valid, expires: '2020-01-01' }) }),
      ],
    });
    expect(run(p, []).map((d) => d.ruleId)).toEqual(['waiver-invalid', 'waiver-expired']);
  });
});

describe('to: edge waivers narrowed to named targets', () => {
  const project = createProject({
    resources: [
      model('fct_a', {
        meta: waive({ rule: 'edge-x', reason: 'migrating', to: ['dim_b', 'model.my_project.c'] }),
      }),
      model('dim_b'),
      model('c'),
      model('d'),
      model('v', { uniqueId: 'model.my_project.v.v2', version: '2' }),
      model('fct_v', { meta: waive({ rule: 'edge-x', reason: 'old version', to: ['v.v2'] }) }),
    ],
  });

  test('matches related[0] by name or unique_id, not other targets', () => {
    const findings = [
      finding('edge-x', 'fct_a', { related: [id('dim_b')] }),
      finding('edge-x', 'fct_a', { related: [id('c')] }),
      finding('edge-x', 'fct_a', { related: [id('d')] }),
      finding('edge-x', 'fct_a'),
    ];
    run(project, findings);
    expect(findings.map((f) => f.suppressed?.by ?? null)).toEqual(['waiver', 'waiver', null, null]);
  });

  test('version-aware: name.v2 matches only that version', () => {
    const findings = [
      finding('edge-x', 'fct_v', { related: ['model.my_project.v.v2'] }),
      finding('edge-x', 'fct_v', { related: ['model.my_project.v.v3'] }),
    ];
    run(project, findings);
    expect(findings.map((f) => f.suppressed?.by ?? null)).toEqual(['waiver', null]);
  });
});

describe('central waivers', () => {
  const project = createProject({
    resources: [
      model('stg_a', { filePath: 'models/legacy/stg_a.sql', patchPath: null }),
      model('stg_b', { filePath: 'models/core/stg_b.sql', patchPath: 'models/legacy/_b.yml' }),
      model('stg_c', { filePath: 'models/core/stg_c.sql', patchPath: 'models/core/_c.yml' }),
    ],
  });
  const all = () => ['stg_a', 'stg_b', 'stg_c'].map((n) => finding('owner-x', n));
  const suppressedNames = (fs: Finding[]) => fs.filter((f) => f.suppressed).map((f) => f.data.name);

  test('by select (the caller computes the set)', () => {
    const findings = all();
    const selectors: string[] = [];
    run(project, findings, [central({ rule: 'owner-x', select: 'tag:legacy' })], {
      select: (s) => {
        selectors.push(s);
        return new Set([id('stg_c')]);
      },
    });
    expect(selectors).toEqual(['tag:legacy']);
    expect(suppressedNames(findings)).toEqual(['stg_c']);
    expect(findings[2]!.suppressed).toEqual({
      by: 'waiver',
      reason: 'accepted',
      origin: 'dbt-steward.yml: waivers[0]',
    });
  });

  test('by paths: globs against the SQL file or the YAML file', () => {
    const findings = all();
    run(project, findings, [central({ rule: 'owner-x', paths: ['models/legacy/**'] })]);
    expect(suppressedNames(findings)).toEqual(['stg_a', 'stg_b']);
  });

  test('by domains: resources of the domain and the domain itself', () => {
    const domains: Record<string, string> = { [id('stg_a')]: 'growth', [id('stg_b')]: 'finance' };
    const findings = [
      ...all(),
      finding('owner-x', 'growth', { subject: { kind: 'domain', id: 'growth' } }),
      finding('owner-x', 'finance', { subject: { kind: 'domain', id: 'finance' } }),
    ];
    run(project, findings, [central({ rule: 'owner-x', domains: ['growth'] })], {
      domainOf: (rid) => domains[rid] ?? null,
    });
    expect(findings.map((f) => f.suppressed !== undefined)).toEqual([
      true,
      false,
      false,
      true,
      false,
    ]);
  });

  test('all given scopes must match', () => {
    const findings = all();
    run(project, findings, [central({ rule: 'owner-x', paths: ['models/core/**'], select: 'x' })], {
      select: () => new Set([id('stg_a'), id('stg_c')]),
    });
    expect(suppressedNames(findings)).toEqual(['stg_c']);
  });

  test('without a scope it covers every subject of its rule', () => {
    const findings = [
      ...all(),
      finding('owner-x', 'p', { subject: { kind: 'project', id: 'my_project' } }),
      finding('edge-x', 'stg_a'),
    ];
    run(project, findings, [central({ rule: 'owner-x', messageId: 'missing' })]);
    expect(findings.map((f) => f.suppressed !== undefined)).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  test('a resource waiver is named before a central one; both count as used', () => {
    const p = createProject({ resources: [model('stg_x', { meta: waive(valid) })] });
    const findings = [finding('owner-x', 'stg_x')];
    const drafts = run(p, findings, [central({ rule: 'owner-x' })]);
    expect(drafts).toEqual([]);
    expect(findings[0]!.suppressed?.origin).toBe('models/_models.yml: stg_x meta.steward.waive[0]');
  });

  test('central waivers are validated like resource ones', () => {
    const drafts = run(
      project,
      [],
      [
        central({ rule: 'owner-x', reason: null }, 0),
        central({ rule: 'owner-x', expires: '2025-06-14' }, 1),
        central({ rule: 'owner-x', messageId: 'nope' }, 2),
      ],
    );
    expect(drafts.map((d) => [d.ruleId, d.data.origin, d.location])).toEqual([
      ['waiver-invalid', 'dbt-steward.yml: waivers[0]', { file: 'dbt-steward.yml', line: 10 }],
      ['waiver-expired', 'dbt-steward.yml: waivers[1]', { file: 'dbt-steward.yml', line: 11 }],
      ['waiver-invalid', 'dbt-steward.yml: waivers[2]', { file: 'dbt-steward.yml', line: 12 }],
    ]);
  });
});

describe('findings about waivers are never waived', () => {
  test('a waiver-* finding is left alone even by a catch-all central waiver', () => {
    const project = createProject({ resources: [model('stg_x')] });
    const findings = [finding('waiver-unused', 'stg_x', {}, 'unused')];
    const drafts = run(project, findings, [central({ rule: 'waiver-unused' })]);
    expect(findings[0]!.suppressed).toBeUndefined();
    expect(drafts.map((d) => d.ruleId)).toEqual(['waiver-invalid']);
    expect(drafts[0]!.data.problem).toMatch(/waiver-unused findings cannot be waived/);
  });
});
