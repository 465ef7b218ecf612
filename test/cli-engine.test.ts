/**
 * The engine through the command line: config discovery and --config, presets, overrides,
 * run policy (--now, SOURCE_DATE_EPOCH, --max-warnings, --fail-on, --quiet), waivers, the
 * baseline lifecycle, explain, --print-config and rules that throw.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../src/cli/main.js';
import { tinyManifest, type TinyModel } from './helpers/tiny-manifest.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
    env,
  });
  return { code, stdout, stderr };
}

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** target/manifest.json and the model files it describes, with their checksums: it is fresh. */
function writeManifest(dir: string, models: TinyModel[]): void {
  const manifest = JSON.parse(tinyManifest(models));
  for (const node of Object.values<any>(manifest.nodes)) {
    fs.writeFileSync(path.join(dir, node.original_file_path), `${node.raw_code}\n`);
    node.checksum = { name: 'sha256', checksum: sha256(node.raw_code) };
  }
  fs.writeFileSync(path.join(dir, 'target', 'manifest.json'), JSON.stringify(manifest));
}

/**
 * A dbt project directory: dbt_project.yml, models/schema.yml (one entry per model, so
 * findings get YAML lines) and target/manifest.json; plus an optional dbt-steward.yml.
 */
function project(models: TinyModel[], config?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbt-steward-engine-'));
  tmpDirs.push(dir);
  fs.writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: tiny\nversion: "1.0"\n');
  fs.mkdirSync(path.join(dir, 'models'));
  fs.mkdirSync(path.join(dir, 'target'));
  const yaml = ['version: 2', 'models:'];
  for (const m of models) {
    yaml.push(`  - name: ${m.name}`, '    config:', '      meta:');
    if (m.owner) yaml.push(`        owner: ${m.owner}`);
    if (m.domain) yaml.push(`        domain: ${m.domain}`);
    if (m.meta?.steward) yaml.push('        steward:', '          waive: []');
  }
  fs.writeFileSync(path.join(dir, 'models', 'schema.yml'), yaml.join('\n') + '\n');
  writeManifest(dir, models);
  if (config !== undefined) fs.writeFileSync(path.join(dir, 'dbt-steward.yml'), config);
  return dir;
}

/**
 * Only owner-present (error) and domain-present (warn), so expectations do not move as rules
 * are added; `extra` lines go into the same `rules:` mapping.
 */
const focus = (extra: Record<string, string> = {}) => `
rules:
${Object.entries({ 'domain-present': 'warn', ...extra })
  .map(([id, s]) => `  ${id}: ${s}`)
  .join('\n')}
${[
  'description-present',
  'doc-coverage',
  'test-coverage',
  'primary-key-tested',
  'naming-convention',
  'layer-dependency',
  'data-product-complete',
  'public-documented',
  'owner-valid',
  'owner-consistent',
]
  .map((id) => `  ${id}: off`)
  .join('\n')}
`;

const MODELS: TinyModel[] = [
  { name: 'stg_a', owner: 'a@x.com', domain: 'sales' },
  { name: 'orphan', domain: 'sales' },
  { name: 'nodomain', owner: 'a@x.com' },
];

/** stderr without its first line, which says what the project directory was read from. */
const afterInput = (stderr: string) => stderr.replace(/^dbt-steward: reading [^\n]*\n/, '');

function json(r: Run): any {
  return JSON.parse(r.stdout);
}
const unsuppressed = (out: any) =>
  out.findings.filter((f: any) => !f.suppressed).map((f: any) => `${f.ruleId} ${f.nodeId}`);

describe('config discovery', () => {
  test('dbt-steward.yml in the project directory is found and applied', async () => {
    const dir = project(MODELS, focus({ 'domain-present': 'error' }));
    const r = await run(['check', '.', '-f', 'json'], dir);
    expect(r.code).toBe(1);
    const out = json(r);
    // In the order of their lines in models/schema.yml.
    expect(out.findings.map((f: any) => [f.ruleId, f.severity, f.nodeId])).toEqual([
      ['owner-present', 'error', 'model.tiny.orphan'],
      ['domain-present', 'error', 'model.tiny.nodomain'],
    ]);
    // Findings in YAML carry the line of the resource's entry.
    expect(out.findings[1].location).toEqual({ file: 'models/schema.yml', line: 12, column: 5 });
  });

  test('it is found walking up from a nested project', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dbt-steward-walk-'));
    tmpDirs.push(root);
    fs.writeFileSync(path.join(root, 'dbt-steward.yml'), focus({ 'owner-present': 'warn' }));
    const dir = project(MODELS);
    const nested = path.join(root, 'projects', 'tiny');
    fs.mkdirSync(path.dirname(nested), { recursive: true });
    fs.renameSync(dir, nested);
    const out = json(await run(['check', nested, '-f', 'json'], root));
    expect(out.findings.find((f: any) => f.ruleId === 'owner-present').severity).toBe('warn');
  });

  test('--config names the file; a missing one is exit 2 with one line', async () => {
    const dir = project(MODELS);
    // strict makes every rule an error; the file's own settings (domain-present: warn) win.
    fs.writeFileSync(path.join(dir, 'strict.yml'), 'extends: dbt-steward:strict\n' + focus());
    const out = json(await run(['check', '.', '--config', 'strict.yml', '-f', 'json'], dir));
    expect(out.findings.map((f: any) => [f.ruleId, f.severity])).toEqual([
      ['owner-present', 'error'],
      ['domain-present', 'warn'],
    ]);
    const missing = await run(['check', '.', '--config', 'nope.yml'], dir);
    expect(missing.code).toBe(2);
    expect(afterInput(missing.stderr).trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('nope.yml');
  });

  test('an unknown rule id is a config error with a suggestion, exit 2', async () => {
    const dir = project(MODELS, 'rules:\n  owner-presnt: warn\n');
    const r = await run(['check', '.'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dbt-steward: reading \. from target\/manifest\.json\n/);
    expect(afterInput(r.stderr)).toMatch(
      /^dbt-steward: error: dbt-steward\.yml:2:3: .*owner-presnt.*did you mean "owner-present"/,
    );
    expect(r.stderr).not.toContain('    at ');
  });

  test('overrides: later entries win and a severity-only override keeps options', async () => {
    const dir = project(
      MODELS,
      focus() +
        `overrides:
  - select: orphan
    rules: { owner-present: info }
  - domains: [sales]
    tags: [nothing]
    rules: { owner-present: off }
`,
    );
    const out = json(await run(['check', '.', '-f', 'json'], dir));
    expect(out.findings.find((f: any) => f.ruleId === 'owner-present').severity).toBe('info');
  });

  test('--print-config prints the resolved configuration with its chain', async () => {
    const dir = project(MODELS, 'extends: dbt-steward:strict\nrules:\n  owner-present: warn\n');
    const r = await run(['check', '.', '--print-config'], dir);
    expect(r.code).toBe(0);
    const cfg = JSON.parse(r.stdout);
    expect(cfg.chain).toEqual(['dbt-steward:strict', 'dbt-steward.yml']);
    expect(JSON.stringify(cfg)).toContain('owner-present');
  });
});

describe('run policy', () => {
  const warnOnly = focus({ 'owner-present': 'off' });

  test('warnings pass; --fail-on warn and --max-warnings fail the run', async () => {
    const dir = project(MODELS, warnOnly);
    expect((await run(['check', '.'], dir)).code).toBe(0);
    expect((await run(['check', '.', '--fail-on', 'warn'], dir)).code).toBe(1);
    expect((await run(['check', '.', '--max-warnings', '1'], dir)).code).toBe(0);
    expect((await run(['check', '.', '--max-warnings', '0'], dir)).code).toBe(1);
    expect((await run(['check', '.', '--max-warnings', '0', '--exit-zero'], dir)).code).toBe(0);
    const bad = await run(['check', '.', '--max-warnings', '-1'], dir);
    expect(bad.code).toBe(2);
  });

  test('--quiet reports errors only', async () => {
    const dir = project(MODELS, focus());
    const out = json(await run(['check', '.', '-q', '-f', 'json'], dir));
    expect(out.findings.map((f: any) => f.severity)).toEqual(['error']);
    expect(out.summary).toMatchObject({ error: 1, warn: 1 });
  });

  test('--now and SOURCE_DATE_EPOCH decide waiver expiry; a bad --now is a usage error', async () => {
    const models: TinyModel[] = [
      { name: 'stg_a', owner: 'a@x.com', domain: 'sales' },
      {
        name: 'orphan',
        domain: 'sales',
        meta: {
          steward: {
            waive: [{ rule: 'owner-present', reason: 'owner being hired', expires: '2026-03-31' }],
          },
        },
      },
    ];
    const dir = project(models, focus());
    const before = json(await run(['check', '.', '--now', '2026-03-31', '-f', 'json'], dir));
    expect(before.summary).toMatchObject({ error: 0, waived: 1 });
    const after = json(await run(['check', '.', '--now', '2026-04-01', '-f', 'json'], dir));
    expect(unsuppressed(after).sort()).toEqual([
      'owner-present model.tiny.orphan',
      'waiver-expired model.tiny.orphan',
    ]);
    const epoch = String(Date.UTC(2026, 3, 1) / 1000);
    const viaEnv = json(await run(['check', '.', '-f', 'json'], dir, { SOURCE_DATE_EPOCH: epoch }));
    expect(viaEnv.findings).toEqual(after.findings);
    const bad = await run(['check', '.', '--now', '2026-02-30'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--now');
  });
});

describe('waivers', () => {
  test('a waiver without a reason suppresses nothing and is reported', async () => {
    const dir = project(
      [
        {
          name: 'orphan',
          domain: 'sales',
          meta: { steward: { waive: [{ rule: 'owner-present' }] } },
        },
      ],
      focus(),
    );
    const out = json(await run(['check', '.', '-f', 'json', '--now', '2026-01-01'], dir));
    expect(unsuppressed(out).sort()).toEqual([
      'owner-present model.tiny.orphan',
      'waiver-invalid model.tiny.orphan',
    ]);
    const invalid = out.findings.find((f: any) => f.ruleId === 'waiver-invalid');
    // Located at the waiver's key in the resource's YAML entry.
    expect(invalid.location.file).toBe('models/schema.yml');
    expect(invalid.location.line).toBe(8);
  });

  test('a central waiver in the config suppresses by selector; an unused one is reported in a full run only', async () => {
    const dir = project(
      MODELS,
      focus() +
        `waivers:
  - rule: owner-present
    select: orphan
    reason: legacy model, owner being hired
  - rule: domain-present
    select: stg_a
    reason: nothing to waive here
`,
    );
    const full = json(await run(['check', '.', '-f', 'json'], dir));
    expect(full.summary.waived).toBe(1);
    // Sorted by file: the unused waiver is located in dbt-steward.yml.
    expect(unsuppressed(full)).toEqual([
      'waiver-unused undefined',
      'domain-present model.tiny.nodomain',
    ]);
    const selected = json(await run(['check', '.', '-s', 'orphan', '-f', 'json'], dir));
    expect(unsuppressed(selected)).toEqual([]);
    expect(selected.summary.waived).toBe(1);
  });
});

describe('baseline', () => {
  test('write, hide, stale, prune', async () => {
    const dir = project(MODELS, focus());
    const w = await run(['baseline', 'write', '.'], dir);
    expect(w.code).toBe(0);
    const file = path.join(dir, 'dbt-steward-baseline.json');
    const written = fs.readFileSync(file, 'utf8');
    expect(JSON.parse(written).entries).toHaveLength(2);

    // Everything known is hidden and counted.
    const hidden = json(await run(['check', '.', '--baseline', file, '-f', 'json'], dir));
    expect(hidden.summary).toMatchObject({ error: 0, warn: 0, baselined: 2 });

    // A new problem shows up beside the baseline.
    const grown = [...MODELS, { name: 'newcomer', domain: 'sales' }];
    writeManifest(dir, grown);
    const r = await run(['check', '.', '--baseline', file, '-f', 'json'], dir);
    expect(r.code).toBe(1);
    expect(unsuppressed(json(r))).toEqual(['owner-present model.tiny.newcomer']);

    // A fixed problem leaves a stale entry until pruned; prune never adds.
    const fixed = MODELS.map((m) => (m.name === 'orphan' ? { ...m, owner: 'b@x.com' } : m));
    writeManifest(dir, [...fixed, grown[3]!]);
    const stale = json(await run(['check', '.', '--baseline', file, '-f', 'json'], dir));
    expect(unsuppressed(stale).sort()).toEqual([
      'baseline-stale undefined',
      'owner-present model.tiny.newcomer',
    ]);
    expect((await run(['baseline', 'prune', '.', '--baseline', file], dir)).code).toBe(0);
    const pruned = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(pruned.entries.map((e: any) => e.ruleId)).toEqual(['domain-present']);
    const after = json(await run(['check', '.', '--baseline', file, '-f', 'json'], dir));
    expect(unsuppressed(after)).toEqual(['owner-present model.tiny.newcomer']);
  });

  test('baseline write refuses a selection', async () => {
    const dir = project(MODELS, focus());
    const r = await run(['baseline', 'write', '.', '-s', 'orphan'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('drop --select');
  });
});

describe('explain', () => {
  test('domain and owner with the step and the YAML line; effective rules; suppressions', async () => {
    const dir = project(
      [{ name: 'orphan', domain: 'sales' }],
      focus() +
        `overrides:
  - select: orphan
    rules: { owner-present: warn }
waivers:
  - rule: owner-present
    select: orphan
    reason: owner being hired
`,
    );
    const r = await run(['explain', '.', '-s', 'orphan'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('model.tiny.orphan');
    expect(r.stdout).toMatch(/domain\s+sales\s+\(meta\.domain, models\/schema\.yml:6\)/);
    expect(r.stdout).toMatch(/owner-present\s+warn/);
    expect(r.stdout).toContain('owner being hired');
    const out = json(await run(['explain', '.', '-s', 'orphan', '-f', 'json'], dir));
    expect(out.resources[0].domain).toMatchObject({ value: 'sales', via: 'meta.domain' });
    expect(out.resources[0].rules.find((x: any) => x.id === 'owner-present')).toMatchObject({
      severity: 'warn',
    });
  });

  test('explain without a selection is a usage error', async () => {
    const dir = project(MODELS, focus());
    const r = await run(['explain', '.'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--select');
  });
});

describe('a rule that throws', () => {
  function withThrowingPlugin(): string {
    const dir = project(MODELS);
    fs.writeFileSync(
      path.join(dir, 'boom.mjs'),
      `export default {
  name: 'boom',
  rules: [{
    id: 'boom', description: 'Throws.', category: 'test', scope: 'node',
    resourceTypes: ['model'], severity: 'warn', recommended: true,
    messages: { never: 'never {{x}}' },
    check(model) { if (model.name !== 'stg_a') throw new Error('cannot read ' + model.name); },
  }],
};
`,
    );
    fs.writeFileSync(path.join(dir, 'dbt-steward.yml'), `plugins: [./boom.mjs]\n${focus()}`);
    return dir;
  }

  test('exit 2 with one line per rule, whatever else happened', async () => {
    const dir = withThrowingPlugin();
    const r = await run(['check', '.', '--exit-zero'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'dbt-steward: error: rule boom threw on model.tiny.orphan (and 1 more target(s)): cannot read orphan',
    );
    expect(r.stderr).not.toContain('    at ');
  });

  test('--continue-on-rule-error makes it a rule-error finding', async () => {
    const dir = withThrowingPlugin();
    const r = await run(['check', '.', '--continue-on-rule-error', '-f', 'json'], dir);
    expect(r.code).toBe(1);
    const f = json(r).findings.find((x: any) => x.ruleId === 'rule-error');
    expect(f).toMatchObject({ severity: 'error', nodeId: 'model.tiny.orphan' });
  });

  test('a plugin that fails to load is a config error naming it', async () => {
    const dir = project(MODELS, 'plugins: [./missing-plugin.mjs]\n');
    const r = await run(['check', '.'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing-plugin.mjs');
    expect(afterInput(r.stderr).trim().split('\n')).toHaveLength(1);
  });
});
