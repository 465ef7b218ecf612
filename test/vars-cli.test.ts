/** `--vars`: dbt's command-line variables, for projects read from source. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseVars } from '../src/index.js';
import { runCli } from './helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-vars-'));
  fs.mkdirSync(path.join(dir, 'models'));
  fs.writeFileSync(
    path.join(dir, 'dbt_project.yml'),
    'name: shop\nversion: "1.0.0"\nprofile: shop\nvars:\n  upstream: orders\n',
  );
  fs.writeFileSync(path.join(dir, 'models', 'orders.sql'), 'select 1 as id\n');
  fs.writeFileSync(path.join(dir, 'models', 'returns.sql'), 'select 2 as id\n');
  fs.writeFileSync(
    path.join(dir, 'models', 'report.sql'),
    "select * from {{ ref(var('upstream')) }}\n",
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function parentsOfReport(extra: string[]): Promise<string[]> {
  const r = await runCli(['lineage', '.', '-f', 'json', '-s', '+report', ...extra], dir);
  expect(r.code).toBe(0);
  const edges = (JSON.parse(r.stdout) as { edges: { from: string; to: string }[] }).edges;
  return edges.filter((e) => e.to === 'model.shop.report').map((e) => e.from);
}

describe('--vars', () => {
  it("dbt_project.yml's vars apply without it; --vars beats them, as in dbt", async () => {
    expect(await parentsOfReport([])).toEqual(['model.shop.orders']);
    expect(await parentsOfReport(['--vars', '{upstream: returns}'])).toEqual([
      'model.shop.returns',
    ]);
    expect(await parentsOfReport(['--vars', '{"upstream": "returns"}'])).toEqual([
      'model.shop.returns',
    ]);
  });

  it('reads YAML as dbt does (YAML 1.1 booleans, the last duplicate key wins)', () => {
    expect(parseVars('{flag: yes, n: 1, n: 2}')).toEqual({ flag: true, n: 2 });
    expect(parseVars('')).toEqual({});
  });

  it('is an input error (exit 2, one line) when it is not a YAML mapping', async () => {
    for (const bad of ['[1, 2]', '{unclosed: ']) {
      const r = await runCli(['check', '.', '--vars', bad], dir);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--vars: /);
    }
  });
});
