import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BASELINE_FORMAT_VERSION,
  readBaselineFile,
  serializeBaseline,
  writeBaselineFile,
} from '../src/config/baseline-file.js';
import {
  applyBaseline,
  buildBaseline,
  pruneBaseline,
  subjectKey,
  subjectOfKey,
  type Baseline,
} from '../src/engine/baseline.js';
import type { Finding } from '../src/engine/check.js';
import { InputError } from '../src/errors.js';

function finding(
  ruleId: string,
  subject: string,
  fingerprint: string,
  extra: Partial<Finding> = {},
): Finding {
  return {
    ruleId,
    messageId: 'missing',
    data: {},
    severity: 'error',
    message: `${ruleId} on ${subject}`,
    nodeId: subject,
    subject: { kind: 'node', id: subject },
    fingerprint,
    ...extra,
  };
}

/** Today's findings: two of one fingerprint, one each of others. */
const today = (): Finding[] => [
  finding('owner-x', 'model.p.b', 'fb'),
  finding('owner-x', 'model.p.a', 'fa'),
  finding('owner-x', 'model.p.a', 'fa'),
  finding('domain-x', 'model.p.a', 'fd'),
  finding('domain-x', 'growth', 'fg', { subject: { kind: 'domain', id: 'growth' } }),
];

const visible = (fs: readonly Finding[]) => fs.filter((f) => !f.suppressed);

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-baseline-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('buildBaseline', () => {
  test('counts findings per fingerprint, sorted by rule, subject, fingerprint', () => {
    const b = buildBaseline(today());
    expect(b.entries).toEqual([
      expect.objectContaining({ fingerprint: 'fg', subject: 'domain:growth', count: 1 }),
      {
        fingerprint: 'fd',
        ruleId: 'domain-x',
        messageId: 'missing',
        subject: 'model.p.a',
        count: 1,
        message: 'domain-x on model.p.a',
      },
      expect.objectContaining({ fingerprint: 'fa', ruleId: 'owner-x', count: 2 }),
      expect.objectContaining({ fingerprint: 'fb', subject: 'model.p.b', count: 1 }),
    ]);
  });

  test('leaves out waived findings and findings about waivers and the baseline', () => {
    const b = buildBaseline([
      finding('owner-x', 'model.p.a', 'fa', {
        suppressed: { by: 'waiver', reason: 'r', origin: 'o' },
      }),
      finding('waiver-unused', 'model.p.a', 'fw'),
      finding('waiver-expired', 'model.p.a', 'fe'),
      finding('baseline-stale', 'model.p.a', 'fs'),
      finding('owner-x', 'model.p.b', 'fb', { suppressed: { by: 'baseline', reason: 'r' } }),
    ]);
    expect(b.entries.map((e) => e.fingerprint)).toEqual(['fb']);
  });

  test('subject keys round-trip', () => {
    for (const s of [
      { kind: 'node', id: 'model.p.a' },
      { kind: 'domain', id: 'growth' },
      { kind: 'project', id: 'p' },
    ] as const)
      expect(subjectOfKey(subjectKey(s))).toEqual(s);
  });
});

describe('baseline lifecycle', () => {
  test('write, then check: every finding hidden, nothing stale', () => {
    const baseline = buildBaseline(today());
    const findings = today();
    const drafts = applyBaseline(findings, baseline, 'dbt-steward-baseline.json');
    expect(drafts).toEqual([]);
    expect(visible(findings)).toEqual([]);
    expect(findings[0]!.suppressed).toEqual({
      by: 'baseline',
      reason: 'in baseline dbt-steward-baseline.json',
      origin: 'dbt-steward-baseline.json',
    });
  });

  test('a new finding beyond an entry count stays visible', () => {
    const baseline = buildBaseline(today());
    const findings = [...today(), finding('owner-x', 'model.p.a', 'fa'), finding('x', 'n', 'fn')];
    expect(applyBaseline(findings, baseline, 'b.json')).toEqual([]);
    expect(visible(findings).map((f) => f.fingerprint)).toEqual(['fa', 'fn']);
  });

  test('fix one: baseline-stale until pruned, then clean', () => {
    const baseline = buildBaseline(today());
    // One of the two 'fa' findings fixed, and 'fb' fixed altogether.
    const fixed = () => today().filter((f, i) => i !== 0 && i !== 2);
    const findings = fixed();
    const drafts = applyBaseline(findings, baseline, 'b.json');
    expect(visible(findings)).toEqual([]);
    expect(drafts).toEqual([
      {
        ruleId: 'baseline-stale',
        messageId: 'stale',
        data: { rule: 'owner-x', subject: 'model.p.a', missing: 1, count: 2, fingerprint: 'fa' },
        subject: { kind: 'node', id: 'model.p.a' },
        location: { file: 'b.json' },
      },
      expect.objectContaining({
        ruleId: 'baseline-stale',
        data: expect.objectContaining({ subject: 'model.p.b', missing: 1, fingerprint: 'fb' }),
      }),
    ]);

    const { baseline: pruned, removed, entriesRemoved } = pruneBaseline(baseline, fixed());
    expect(removed).toBe(2);
    expect(entriesRemoved).toBe(1);
    expect(pruned.entries.map((e) => [e.fingerprint, e.count])).toEqual([
      ['fg', 1],
      ['fd', 1],
      ['fa', 1],
    ]);
    const again = fixed();
    expect(applyBaseline(again, pruned, 'b.json')).toEqual([]);
    expect(visible(again)).toEqual([]);
  });

  test('prune never adds entries nor raises counts', () => {
    const baseline: Baseline = {
      entries: [{ ...buildBaseline(today()).entries[2]!, count: 1 }],
    };
    const { baseline: pruned, removed } = pruneBaseline(baseline, [
      ...today(),
      finding('new', 'model.p.z', 'fz'),
    ]);
    expect(removed).toBe(0);
    expect(pruned.entries).toEqual(baseline.entries);
  });

  test('entries never match waiver findings, baseline-stale, or waived findings', () => {
    const baseline: Baseline = {
      entries: ['fw', 'fs', 'fa'].map((fingerprint) => ({
        fingerprint,
        ruleId: 'r',
        messageId: 'm',
        subject: 's',
        count: 1,
        message: '',
      })),
    };
    const findings = [
      finding('waiver-unused', 'model.p.a', 'fw'),
      finding('baseline-stale', 'model.p.a', 'fs'),
      finding('owner-x', 'model.p.a', 'fa', { suppressed: { by: 'waiver', reason: 'r' } }),
    ];
    const drafts = applyBaseline(findings, baseline, 'b.json');
    expect(findings.map((f) => f.suppressed?.by ?? null)).toEqual([null, null, 'waiver']);
    expect(drafts).toHaveLength(3);
  });

  test('a selected run reports stale entries only for selected resources', () => {
    const baseline = buildBaseline(today());
    const opts = { fullRun: false, selected: new Set(['model.p.b']) };
    expect(applyBaseline([], baseline, 'b.json', opts).map((d) => d.data.subject)).toEqual([
      'model.p.b',
    ]);
    const off = { isEnabled: (rule: string) => rule !== 'owner-x' };
    expect(applyBaseline([], baseline, 'b.json', off).map((d) => d.data.rule)).toEqual([
      'domain-x',
      'domain-x',
    ]);
  });

  test('stale domain entries keep their subject kind', () => {
    const baseline = buildBaseline(today());
    const drafts = applyBaseline([], baseline, 'b.json');
    expect(drafts.find((d) => d.data.fingerprint === 'fg')!.subject).toEqual({
      kind: 'domain',
      id: 'growth',
    });
  });
});

describe('the baseline file', () => {
  test('sorted, 2-space indented, trailing newline, stable whatever the input order', () => {
    const a = serializeBaseline(buildBaseline(today()));
    const b = serializeBaseline(buildBaseline([...today()].reverse()));
    expect(a).toBe(b);
    expect(a.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(a);
    expect(parsed.formatVersion).toBe(BASELINE_FORMAT_VERSION);
    expect(parsed.tool).toBe('dbt-steward');
    expect(Object.keys(parsed.entries[0])).toEqual([
      'fingerprint',
      'ruleId',
      'messageId',
      'subject',
      'count',
      'message',
    ]);
    expect(a).toContain('\n  "entries": [\n    {\n      "fingerprint": "fg",');
  });

  test('write twice: byte-identical; read back equal; no temporary files left', () => {
    const file = path.join(dir, 'dbt-steward-baseline.json');
    const baseline = buildBaseline(today());
    writeBaselineFile(file, baseline, 'dbt-steward-baseline.json');
    const first = fs.readFileSync(file);
    writeBaselineFile(file, readBaselineFile(file), 'dbt-steward-baseline.json');
    expect(fs.readFileSync(file).equals(first)).toBe(true);
    expect(readBaselineFile(file)).toEqual(baseline);
    expect(fs.readdirSync(dir)).toEqual(['dbt-steward-baseline.json']);
  });

  test('a failed write leaves neither a partial file nor a temporary one', () => {
    const file = path.join(dir, 'missing-dir', 'b.json');
    expect(() => writeBaselineFile(file, buildBaseline(today()), 'missing-dir/b.json')).toThrow(
      /^missing-dir\/b\.json: cannot write the baseline file \(ENOENT\)/,
    );
    // A target that is a directory: the rename fails after the temporary file was written.
    fs.mkdirSync(path.join(dir, 'b.json'));
    expect(() => writeBaselineFile(path.join(dir, 'b.json'), buildBaseline([]), 'b.json')).toThrow(
      InputError,
    );
    expect(fs.readdirSync(dir)).toEqual(['b.json']);
  });

  const malformed: Array<[string, string, RegExp]> = [
    ['not JSON', '{"formatVersion": 1,', /invalid JSON/],
    ['not an object', '[]', /not a valid baseline file/],
    ['a missing field', '{"formatVersion":1,"tool":"dbt-steward"}', /entries/],
    [
      'a bad count',
      JSON.stringify({
        formatVersion: 1,
        tool: 'dbt-steward',
        entries: [
          { fingerprint: 'f', ruleId: 'r', messageId: 'm', subject: 's', count: 0, message: '' },
        ],
      }),
      /entries\.0\.count/,
    ],
    [
      'an unknown key',
      JSON.stringify({ formatVersion: 1, tool: 'dbt-steward', entries: [], extra: 1 }),
      /extra/,
    ],
    [
      'a duplicate fingerprint',
      JSON.stringify({
        formatVersion: 1,
        tool: 'dbt-steward',
        entries: [1, 2].map((count) => ({
          fingerprint: 'f',
          ruleId: 'r',
          messageId: 'm',
          subject: 's',
          count,
          message: '',
        })),
      }),
      /entries\.0 and entries\.1 have the same fingerprint f/,
    ],
  ];

  test.each(malformed)('%s: an InputError naming the file and the fix', (_name, text, detail) => {
    const file = path.join(dir, 'b.json');
    fs.writeFileSync(file, text);
    let err: unknown;
    try {
      readBaselineFile(file, 'ci/b.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const message = (err as InputError).message;
    expect(message).toMatch(/^ci\/b\.json: /);
    expect(message).toMatch(detail);
    expect(message).toContain('dbt-steward baseline write');
    expect((err as InputError).file).toBe('ci/b.json');
  });

  test('a newer formatVersion says to upgrade', () => {
    const file = path.join(dir, 'b.json');
    fs.writeFileSync(file, JSON.stringify({ formatVersion: 2, tool: 'dbt-steward', entries: [] }));
    expect(() => readBaselineFile(file, 'b.json')).toThrow(
      /b\.json: baseline formatVersion 2 is newer .* upgrade dbt-steward/,
    );
  });

  test('a missing file is an InputError', () => {
    expect(() => readBaselineFile(path.join(dir, 'nope.json'), 'nope.json')).toThrow(
      new InputError(
        'nope.json: baseline file not found; check the path, or create it with `dbt-steward baseline write`',
      ),
    );
  });

  test('a byte-order mark is tolerated', () => {
    const file = path.join(dir, 'b.json');
    fs.writeFileSync(file, '\ufeff' + serializeBaseline(buildBaseline(today())));
    expect(readBaselineFile(file)).toEqual(buildBaseline(today()));
  });
});
