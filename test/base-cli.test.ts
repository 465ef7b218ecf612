/**
 * `check --base`: two manifest files, a directory holding the base manifest, and a git ref
 * read from a temporary repository created here (skipped when git is missing).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkResultSchema } from '../src/report/schemas.js';
import { getBuiltinRules } from '../src/index.js';
import { runCli } from './helpers/cli.js';
import { commitAll, hasGitAndTar } from './helpers/git-repo.js';
import { makeContracted, tinyManifest, type TinyModel } from './helpers/tiny-manifest.js';

const dirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-base-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** owner-present and breaking-change only. */
const CONFIG = (() => {
  const file = path.join(tmpDir(), 'focus.json');
  const rules: Record<string, string> = Object.fromEntries(
    getBuiltinRules().map((r) => [r.id, r.id === 'owner-present' ? 'error' : 'off']),
  );
  rules['breaking-change'] = 'error';
  fs.writeFileSync(file, JSON.stringify({ rules }));
  return file;
})();

const T = (name: string) => `model.tiny.${name}`;

/** A tiny manifest whose model `pub` is public with an enforced contract. */
function manifest(models: TinyModel[], pub: { columns: string[]; access?: string } | null): string {
  const m = JSON.parse(tinyManifest(models)) as { nodes: Record<string, Record<string, unknown>> };
  const node = m.nodes[T('pub')];
  if (node && pub) makeContracted(node, pub.columns, pub.access);
  return JSON.stringify(m);
}

interface JsonResult {
  findings: Array<{ ruleId: string; nodeId?: string; status?: string; related?: string[] }>;
  changes?: { added: string[]; removed: string[]; modified: Array<{ uniqueId: string }> };
  impact?: Array<{ uniqueId: string; downstream: number }>;
}

function pair(head: string, base: string): { dir: string } {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'head.json'), head);
  fs.mkdirSync(path.join(dir, 'base'));
  fs.writeFileSync(path.join(dir, 'base', 'manifest.json'), base);
  return { dir };
}

describe('check --base with manifests', () => {
  // base: pub (owned) -> consumer (no owner), old (no owner); head: pub loses column amount,
  // old is gone (its finding fixed), fresh (no owner) added.
  const base = manifest(
    [
      { name: 'pub', owner: 'a@x.io' },
      { name: 'consumer', deps: ['pub'] },
      { name: 'old', owner: undefined },
    ],
    { columns: ['id', 'amount'] },
  );
  const head = manifest(
    [{ name: 'pub', owner: 'a@x.io' }, { name: 'consumer', deps: ['pub'] }, { name: 'fresh' }],
    { columns: ['id'] },
  );

  it('classifies findings, reports the breaking change, changes and impact', async () => {
    const { dir } = pair(head, base);
    const r = await runCli(
      ['check', 'head.json', '--base', 'base/manifest.json', '--config', CONFIG, '-f', 'json'],
      dir,
    );
    expect(r.stderr).not.toMatch(/error:/);
    const out = JSON.parse(r.stdout) as JsonResult;
    expect(checkResultSchema.safeParse(out).success).toBe(true);
    const by = (id: string, rule: string) =>
      out.findings.filter((f) => f.nodeId === id && f.ruleId === rule).map((f) => f.status);
    expect(by(T('consumer'), 'owner-present')).toEqual(['existing']);
    expect(by(T('fresh'), 'owner-present')).toEqual(['new']);
    expect(by(T('old'), 'owner-present')).toEqual(['fixed']);
    const breaking = out.findings.filter((f) => f.ruleId === 'breaking-change');
    expect(breaking).toMatchObject([{ nodeId: T('pub'), status: 'new', related: [T('consumer')] }]);
    expect(out.changes).toMatchObject({ added: [T('fresh')], removed: [T('old')] });
    expect(out.changes!.modified.map((m) => m.uniqueId)).toEqual([T('pub')]);
    expect(out.impact).toMatchObject([{ uniqueId: T('pub'), downstream: 1 }]);
    expect(r.code).toBe(1);
  });

  it('SARIF carries only new findings; GitHub annotations put new ones first', async () => {
    const { dir } = pair(head, base);
    const args = ['check', 'head.json', '--base', 'base', '--config', CONFIG, '--path-prefix', ''];
    const json = JSON.parse((await runCli([...args, '-f', 'json'], dir)).stdout) as JsonResult;
    const fresh = json.findings.filter((f) => f.status === 'new');
    const sarif = JSON.parse((await runCli([...args, '-f', 'sarif'], dir)).stdout);
    const results = sarif.runs[0].results as Array<{ ruleId: string }>;
    expect(results.map((x) => x.ruleId).sort()).toEqual(fresh.map((f) => f.ruleId).sort());
    const github = (await runCli([...args, '-f', 'github'], dir)).stdout.split('\n');
    // The first error annotation is a new finding, the existing one follows.
    const errors = github.filter((l) => l.startsWith('::error'));
    expect(errors.length).toBeGreaterThan(1);
    expect(errors.at(-1)).toContain('consumer');
  });

  it('the markdown comment counts what the change introduces, as the exit code does', async () => {
    const same = manifest([{ name: 'pub' }, { name: 'consumer', deps: ['pub'] }], {
      columns: ['id'],
    });
    const { dir } = pair(same, same);
    const args = ['check', 'head.json', '--base', 'base', '--config', CONFIG, '-f', 'markdown'];
    const r = await runCli(args, dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /### ✅ dbt-steward: 0 new errors, 0 new warnings, 0 new info \(2 existing, 0 fixed\)/,
    );
  });

  it('only new errors fail the run, unless --fail-on-existing', async () => {
    // same models on both sides: every finding exists in the base
    const same = manifest([{ name: 'pub' }, { name: 'consumer', deps: ['pub'] }], {
      columns: ['id'],
    });
    const { dir } = pair(same, same);
    const args = ['check', 'head.json', '--base', 'base', '--config', CONFIG];
    const r = await runCli(args, dir);
    expect(r.stdout).toMatch(/Findings: 0 new, 2 existing, 0 fixed\./);
    expect(r.code).toBe(0);
    expect((await runCli([...args, '--fail-on-existing'], dir)).code).toBe(1);
  });

  it('text output shows the comparison and the breaking change', async () => {
    const { dir } = pair(head, base);
    const r = await runCli(['check', 'head.json', '--base', 'base', '--config', CONFIG], dir);
    expect(r.stdout).toMatch(/Compared with the base: 1 added, 1 removed, 0 renamed, 1 modified\./);
    expect(r.stdout).toMatch(/Breaking change to 'pub': column 'amount' removed\./);
    expect(r.stdout).toMatch(/Findings: 2 new, 1 existing, 1 fixed; 1 breaking change\./);
  });

  it('a public model disabled in the head is a removal that breaks its consumer', async () => {
    const disabled = JSON.parse(head) as {
      nodes: Record<string, unknown>;
      disabled: Record<string, unknown[]>;
    };
    disabled.disabled[T('pub')] = [
      { ...(disabled.nodes[T('pub')] as object), config: { enabled: false } },
    ];
    delete disabled.nodes[T('pub')];
    const { dir } = pair(JSON.stringify(disabled), base);
    const r = await runCli(
      ['check', 'head.json', '--base', 'base', '--config', CONFIG, '-f', 'json'],
      dir,
    );
    const out = JSON.parse(r.stdout) as JsonResult;
    expect(out.changes!.removed).toContain(T('pub'));
    expect(out.findings.filter((f) => f.ruleId === 'breaking-change')).toMatchObject([
      { nodeId: T('pub'), status: 'new', related: [T('consumer')] },
    ]);
    expect(r.code).toBe(1);
  });

  it('--fail-on-existing without --base is a usage error', async () => {
    const { dir } = pair(head, base);
    const r = await runCli(['check', 'head.json', '--fail-on-existing'], dir);
    expect(r.code).toBe(2);
  });

  it('a base that is neither a path nor a commit: exit 2', async () => {
    const { dir } = pair(head, base);
    const r = await runCli(['check', 'head.json', '--base', 'no-such-thing'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--base no-such-thing: not a file, a directory or a git commit/);
  });
});

const gitDescribe = hasGitAndTar ? describe : describe.skip;
if (!hasGitAndTar)
  console.warn('base-cli.test.ts: git or tar is missing: skipping the git-ref base tests');

gitDescribe('check --base GITREF', () => {
  /** repo/analytics: a dbt project read from source; pub is public and contracted. */
  function repo(): { repo: string; project: string; git: (...a: string[]) => string } {
    const root = tmpDir();
    const project = path.join(root, 'analytics');
    fs.mkdirSync(path.join(project, 'models'), { recursive: true });
    fs.writeFileSync(
      path.join(project, 'dbt_project.yml'),
      'name: tiny\nversion: "1.0.0"\nprofile: tiny\nmodels:\n  tiny:\n    +materialized: table\n',
    );
    fs.writeFileSync(path.join(project, 'models', 'pub.sql'), 'select 1 as id, 2 as amount\n');
    fs.writeFileSync(
      path.join(project, 'models', 'consumer.sql'),
      "select * from {{ ref('pub') }}\n",
    );
    fs.writeFileSync(
      path.join(project, 'models', 'schema.yml'),
      [
        'version: 2',
        'models:',
        '  - name: pub',
        '    access: public',
        '    config:',
        '      contract: {enforced: true}',
        '      meta: {owner: a@x.io}',
        '    columns:',
        '      - name: id',
        '        data_type: int',
        '      - name: amount',
        '        data_type: int',
        '  - name: consumer',
        '',
      ].join('\n'),
    );
    const git = commitAll(root);
    return { repo: root, project, git };
  }

  it('reads the base from the commit, both sides from source, without touching the tree', async () => {
    const { project, git } = repo();
    const schema = path.join(project, 'models', 'schema.yml');
    const changed = fs
      .readFileSync(schema, 'utf8')
      .replace(
        '        data_type: int\n  - name: consumer',
        '        data_type: bigint\n  - name: consumer',
      );
    fs.writeFileSync(schema, changed);
    const before = git('status', '--porcelain');
    const r = await runCli(
      ['check', '.', '--base', 'HEAD', '--config', CONFIG, '-f', 'json'],
      project,
    );
    expect(git('status', '--porcelain')).toBe(before);
    const out = JSON.parse(r.stdout) as JsonResult;
    const breaking = out.findings.filter((f) => f.ruleId === 'breaking-change');
    expect(breaking).toMatchObject([{ nodeId: T('pub'), status: 'new', related: [T('consumer')] }]);
    expect(out.findings.find((f) => f.nodeId === T('consumer'))?.status).toBe('existing');
    expect(r.code).toBe(1);
  });

  it('a parse error on the head side: exit 2', async () => {
    const { project } = repo();
    fs.writeFileSync(path.join(project, 'models', 'schema.yml'), 'models: [unclosed\n');
    const r = await runCli(['check', '.', '--base', 'HEAD', '--config', CONFIG], project);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot be parsed/);
  });
});
