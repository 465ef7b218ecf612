/**
 * The markdown comment in base mode (src/report/check-markdown.ts): the breaking changes and
 * the domains and owners a change reaches, escaped, within the size limit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatCheckMarkdown, MARKDOWN_MAX_CHARS } from '../src/report/check-markdown.js';
import type { BaseModeResult } from '../src/index.js';
import { getBuiltinRules } from '../src/index.js';
import { runCli } from './helpers/cli.js';
import { makeContracted, tinyManifest, type TinyModel } from './helpers/tiny-manifest.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const T = (name: string) => `model.tiny.${name}`;
const HOSTILE = 'x<script>|`@team*';

/** pub (public, contracted) → consumer, report (domain growth) → an exposure. */
function manifest(columns: string[], meta: Record<string, unknown> = {}): string {
  const models: TinyModel[] = [
    { name: 'pub', owner: 'a@x.io', domain: 'core', meta },
    { name: 'consumer', owner: 'growth-data@x.io', domain: 'growth', deps: ['pub'] },
    { name: 'report', owner: 'growth-data@x.io', domain: 'growth', deps: ['consumer'] },
  ];
  const m = JSON.parse(tinyManifest(models)) as {
    nodes: Record<string, Record<string, unknown>>;
    exposures: Record<string, unknown>;
  };
  const node = m.nodes[T('pub')]!;
  makeContracted(node, columns);
  m.exposures['exposure.tiny.weekly_kpis'] = {
    unique_id: 'exposure.tiny.weekly_kpis',
    resource_type: 'exposure',
    name: 'weekly_kpis',
    package_name: 'tiny',
    path: 'exposures.yml',
    original_file_path: 'models/exposures.yml',
    fqn: ['tiny', 'weekly_kpis'],
    type: 'dashboard',
    owner: { name: 'KPI team', email: 'kpi@x.io' },
    meta: {},
    tags: [],
    config: { enabled: true, meta: {}, tags: [] },
    depends_on: { nodes: [T('report')], macros: [] },
  };
  return JSON.stringify(m);
}

async function baseMode(head: string, base: string, format: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-md-'));
  dirs.push(dir);
  const rules: Record<string, string> = Object.fromEntries(
    getBuiltinRules().map((r) => [r.id, r.id === 'owner-present' ? 'error' : 'off']),
  );
  rules['breaking-change'] = 'error';
  fs.writeFileSync(path.join(dir, 'steward.json'), JSON.stringify({ rules }));
  fs.writeFileSync(path.join(dir, 'head.json'), head);
  fs.writeFileSync(path.join(dir, 'base.json'), base);
  return runCli(
    ['check', 'head.json', '--base', 'base.json', '--config', 'steward.json', '-f', format],
    dir,
  );
}

describe('markdown in base mode', () => {
  const base = manifest(['id', 'amount']);

  test('breaking changes, and the domains, owners and exposures a change reaches', async () => {
    const r = await baseMode(manifest(['id']), base, 'markdown');
    const md = r.stdout;
    expect(md).toContain('#### Breaking changes');
    expect(md).toContain('| Model | Change | Breaks | Location |');
    expect(md).toMatch(
      /\| pub \| column 'amount' removed \| 1 consumer: consumer \| .*schema\.yml/,
    );
    expect(md).toContain('#### Domains and owners affected');
    expect(md).toContain(
      '- **growth**: 1 changed resource reaches 2 downstream resources; owner growth-data&#64;x.io',
    );
    expect(md).toContain('<details><summary>Impact by changed resource (1)</summary>');
    expect(md).toContain(
      'model.tiny.pub (modified) reaches growth (2 models, owner growth-data&#64;x.io) and the exposure weekly\\_kpis (owner kpi&#64;x.io)',
    );
    expect(md.trimEnd().endsWith('</details>')).toBe(true);
  });

  test('a waived breaking change is listed as waived, not counted as new', async () => {
    const waive = {
      steward: { waive: [{ rule: 'breaking-change', reason: `Agreed ${HOSTILE}` }] },
    };
    const r = await baseMode(manifest(['id'], waive), base, 'markdown');
    expect(r.stdout).toMatch(/0 new errors.*1 waived/);
    expect(r.stdout).toContain('(waived: Agreed x&lt;script&gt;\\|\\`&#64;team\\*)');
    expect(r.code).toBe(0);
  });

  test('untrusted names are escaped', async () => {
    const r = await baseMode(manifest(['id']), base, 'json');
    const result = JSON.parse(r.stdout) as BaseModeResult;
    result.impact[0]!.groups[0]!.domain = HOSTILE;
    result.impact[0]!.groups[0]!.exposures = [HOSTILE];
    const breaking = result.findings.find((f) => f.ruleId === 'breaking-change')!;
    breaking.related = Array.from({ length: 5 }, (_, j) => `model.tiny.consumer_${j}`);
    const md = formatCheckMarkdown(result);
    expect(md).toContain('5 consumers: consumer\\_0, consumer\\_1, consumer\\_2 and 2 more');
    expect(md).toContain('<details><summary>Consumers broken</summary>');
    expect(md).toContain('- pub: model.tiny.consumer\\_0, model.tiny.consumer\\_1,');
    expect(md).not.toContain('<script>');
    const many = structuredClone(result);
    const g = many.impact[0]!.groups[0]!;
    many.impact[0]!.groups = Array.from({ length: 25 }, (_, i) => ({ ...g, domain: `d${i}` }));
    expect(formatCheckMarkdown(many)).toMatch(/ and 5 more domain and owner groups\n/);
    expect(md).not.toContain('@team');
    expect(md).toContain('x&lt;script&gt;\\|\\`&#64;team\\*');
  });

  test('capped below 65,536 characters: the findings table first, details cut with notes', async () => {
    const r = await baseMode(manifest(['id']), base, 'json');
    const result = JSON.parse(r.stdout) as BaseModeResult;
    const breaking = result.findings.find((f) => f.ruleId === 'breaking-change')!;
    const one = { ...breaking, ruleId: 'owner-present' };
    result.findings = [
      ...Array.from({ length: 300 }, (_, i) => ({
        ...one,
        data: {},
        status: 'new' as const,
        subject: { kind: 'node' as const, id: `model.tiny.m${i}` },
        message: `m${i} ${'x'.repeat(100)}`,
      })),
      ...Array.from({ length: 400 }, (_, i) => ({
        ...breaking,
        data: { name: 'pub', change: `column 'c${i}' removed ${'y'.repeat(60)}` },
        related: Array.from({ length: 20 }, (_, j) => `model.tiny.consumer_${j}`),
      })),
    ];
    const impact = result.impact[0]!;
    result.impact = Array.from({ length: 2000 }, (_, i) => ({
      ...impact,
      uniqueId: `model.tiny.changed_${i}_${'z'.repeat(40)}`,
    }));
    const md = formatCheckMarkdown(result);
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_MAX_CHARS);
    // All 300 findings stay in the table; the breaking changes and details are cut.
    expect(md.match(/\| `owner-present` \|/g)).toHaveLength(300);
    expect(md).toMatch(/more breaking changes left out \(size limit\)/);
    expect(md).toMatch(/\d+ more message\(s\) left out/);
    expect(md).toContain(
      "> Left out to keep this comment under GitHub's size limit: consumers broken, impact by changed resource (2000).",
    );
  });
});
