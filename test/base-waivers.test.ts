/**
 * `check --base`: waivers (on the resource, central) and the baseline suppress
 * `breaking-change` findings like any other, and one that does is neither unused nor stale.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getBuiltinRules } from '../src/index.js';
import { runCli } from './helpers/cli.js';
import { makeContracted, tinyManifest, type TinyModel } from './helpers/tiny-manifest.js';

const dirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-base-waive-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const T = (name: string) => `model.tiny.${name}`;

/** owner-present, breaking-change and the waiver and baseline findings; central waivers. */
function config(dir: string, waivers: unknown[] = []): string {
  const rules: Record<string, string> = Object.fromEntries(
    getBuiltinRules().map((r) => [r.id, r.id === 'owner-present' ? 'error' : 'off']),
  );
  rules['breaking-change'] = 'error';
  const file = path.join(dir, 'steward.json');
  fs.writeFileSync(file, JSON.stringify({ rules, waivers }));
  return file;
}

/** `pub` public and contracted with these columns; `meta` merged into its meta. */
function manifest(columns: string[], meta: Record<string, unknown> = {}): string {
  const models: TinyModel[] = [
    { name: 'pub', owner: 'a@x.io', meta },
    { name: 'consumer', owner: 'b@x.io', deps: ['pub'] },
  ];
  const m = JSON.parse(tinyManifest(models)) as { nodes: Record<string, Record<string, unknown>> };
  const node = m.nodes[T('pub')]!;
  makeContracted(node, columns);
  return JSON.stringify(m);
}

const WAIVE = {
  steward: {
    waive: [
      { rule: 'breaking-change', reason: 'Consumers migrated in ANA-7.', expires: '2099-12-31' },
    ],
  },
};

interface Out {
  findings: Array<{
    ruleId: string;
    nodeId?: string;
    status?: string;
    fingerprint: string;
    suppressed?: { by: string; reason: string };
  }>;
  summary: { error: number; waived: number; baselined: number };
}

function pair(head: string, base: string): string {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'head.json'), head);
  fs.writeFileSync(path.join(dir, 'base.json'), base);
  return dir;
}

async function run(dir: string, extra: string[]) {
  const r = await runCli(
    ['check', 'head.json', '--base', 'base.json', '-f', 'json', ...extra],
    dir,
  );
  return { code: r.code, out: JSON.parse(r.stdout) as Out, stderr: r.stderr };
}

const base = manifest(['id', 'amount']);

describe('check --base: suppressing breaking changes', () => {
  it('without a waiver the breaking change fails the run', async () => {
    const dir = pair(manifest(['id']), base);
    const { code, out } = await run(dir, ['--config', config(dir)]);
    expect(out.findings.filter((f) => f.ruleId === 'breaking-change')).toMatchObject([
      { nodeId: T('pub'), status: 'new' },
    ]);
    expect(code).toBe(1);
  });

  it("a waiver in the head's YAML (meta.steward.waive) suppresses it, and is used", async () => {
    const dir = pair(manifest(['id'], WAIVE), base);
    const { code, out } = await run(dir, ['--config', config(dir)]);
    const breaking = out.findings.filter((f) => f.ruleId === 'breaking-change');
    expect(breaking).toMatchObject([
      { nodeId: T('pub'), suppressed: { by: 'waiver', reason: 'Consumers migrated in ANA-7.' } },
    ]);
    expect(out.findings.map((f) => f.ruleId)).not.toContain('waiver-unused');
    expect(out.summary).toMatchObject({ error: 0, waived: 1 });
    expect(code).toBe(0);
  });

  it('outside base mode a breaking-change waiver is not unused (the rule does not run)', async () => {
    const dir = pair(manifest(['id'], WAIVE), base);
    const r = await runCli(['check', 'head.json', '-f', 'json', '--config', config(dir)], dir);
    const out = JSON.parse(r.stdout) as Out;
    expect(out.findings.map((f) => f.ruleId)).toEqual([]);
    expect(r.code).toBe(0);
    // In base mode, a breaking-change waiver that suppresses nothing is unused.
    const unchanged = pair(manifest(['id', 'amount'], WAIVE), base);
    const { out: inBase } = await run(unchanged, ['--config', config(unchanged)]);
    expect(inBase.findings.map((f) => f.ruleId)).toEqual(['waiver-unused']);
  });

  it('a waiver for another rule does not suppress it and is still reported unused', async () => {
    const other = { steward: { waive: [{ rule: 'owner-present', reason: 'Not yet.' }] } };
    const dir = pair(manifest(['id'], other), base);
    const { code, out } = await run(dir, ['--config', config(dir)]);
    expect(out.findings.find((f) => f.ruleId === 'breaking-change')?.suppressed).toBeUndefined();
    expect(out.findings.filter((f) => f.ruleId === 'waiver-unused')).toHaveLength(1);
    expect(code).toBe(1);
  });

  it('a central waiver in the config suppresses it', async () => {
    const dir = pair(manifest(['id']), base);
    const cfg = config(dir, [
      { rule: 'breaking-change', select: 'pub', reason: 'Announced in #data.' },
    ]);
    const { code, out } = await run(dir, ['--config', cfg]);
    expect(out.findings.find((f) => f.ruleId === 'breaking-change')?.suppressed).toMatchObject({
      by: 'waiver',
    });
    expect(out.findings.map((f) => f.ruleId)).not.toContain('waiver-unused');
    expect(code).toBe(0);
  });

  it('a baseline entry hides it, and is not stale', async () => {
    const dir = pair(manifest(['id']), base);
    const cfg = config(dir);
    const first = await run(dir, ['--config', cfg]);
    const f = first.out.findings.find((x) => x.ruleId === 'breaking-change')!;
    const baseline = {
      formatVersion: 1,
      tool: 'dbt-steward',
      entries: [
        {
          fingerprint: f.fingerprint,
          ruleId: 'breaking-change',
          messageId: 'breaking',
          subject: T('pub'),
          count: 1,
          message: 'accepted',
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'baseline.json'), JSON.stringify(baseline));
    const { code, out } = await run(dir, ['--config', cfg, '--baseline', 'baseline.json']);
    expect(out.findings.find((x) => x.ruleId === 'breaking-change')?.suppressed).toMatchObject({
      by: 'baseline',
    });
    expect(out.findings.map((x) => x.ruleId)).not.toContain('baseline-stale');
    expect(out.summary).toMatchObject({ error: 0, baselined: 1 });
    expect(code).toBe(0);
  });

  it('a baseline entry accepting two keeps reporting one missing, with the count updated', async () => {
    const dir = pair(manifest(['id']), base);
    const cfg = config(dir);
    const first = await run(dir, ['--config', cfg]);
    const f = first.out.findings.find((x) => x.ruleId === 'breaking-change')!;
    const entry = {
      fingerprint: f.fingerprint,
      ruleId: 'breaking-change',
      messageId: 'breaking',
      subject: T('pub'),
      count: 2,
      message: 'accepted',
    };
    fs.writeFileSync(
      path.join(dir, 'baseline.json'),
      JSON.stringify({ formatVersion: 1, tool: 'dbt-steward', entries: [entry] }),
    );
    const r = await runCli(
      ['check', 'head.json', '--base', 'base.json', '--config', cfg, '--baseline', 'baseline.json'],
      dir,
    );
    expect(r.stdout).toMatch(/matches 1 finding\(s\) fewer than recorded/);
  });
});
