/** `dbt-steward rules [ID]`, run in-process. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yargs from 'yargs';
import { packageRoot, rulesCommand } from '../src/cli/commands/rules.js';
import { UsageError } from '../src/cli/common.js';
import { z } from 'zod';
import {
  defineRule,
  formatRuleDoc,
  getBuiltinRules,
  Registry,
  ruleListing,
  ruleOptions,
} from '../src/index.js';
import type { Run } from './helpers/cli.js';

const cwd = os.tmpdir();
const registry = new Registry(getBuiltinRules());

/** The CLI's runner, when `rules` is registered among its commands (and the CLI loads). */
const viaCli: Promise<((argv: string[], cwd: string) => Promise<Run>) | null> = (async () => {
  try {
    const { commands } = await import('../src/cli/commands/index.js');
    if (!commands.includes(rulesCommand)) return null;
    return (await import('./helpers/cli.js')).runCli;
  } catch {
    return null;
  }
})();

/**
 * Runs `dbt-steward ARGV` through the CLI when the command is registered there; otherwise
 * through the command's own definition, with main's handling of usage errors.
 */
async function rules(argv: string[], dir = cwd): Promise<Run> {
  const runCli = await viaCli;
  if (runCli) return runCli(argv, dir);
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (t: string) => (stdout += t),
    stderr: (t: string) => (stderr += t),
    cwd: dir,
  };
  try {
    const args = await yargs(argv)
      .command(rulesCommand.command, rulesCommand.describe, rulesCommand.builder)
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .parseAsync();
    const code = await rulesCommand.run(args, io);
    return { code, stdout, stderr };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    stderr += `dbt-steward: ${err.message} (see dbt-steward --help)\n`;
    return { code: 2, stdout, stderr };
  }
}

describe('dbt-steward rules', () => {
  test('lists every registry entry in an aligned table that fits 100 columns', async () => {
    const run = await rules(['rules']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+KIND\s+DEFAULT\s+REC\/STRICT\/ALL\s+DESCRIPTION$/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    const ids = lines
      .slice(1, lines.indexOf(''))
      .map((l) => /^([a-z][a-z0-9-]*)\s/.exec(l)?.[1])
      .filter(Boolean);
    expect(ids).toEqual(registry.ids());
    const owner = lines.find((l) => l.startsWith('owner-present '))!;
    expect(owner).toMatch(/^owner-present\s+rule\s+error\s+error\/error\/error\s+Every model/);
    const conflict = lines.find((l) => l.startsWith('domain-conflict '))!;
    expect(conflict).toMatch(/^domain-conflict\s+engine\s+warn\s+warn\/error\/warn\s+/);
    expect(lines.find((l) => l.startsWith('parse-error '))).toMatch(/\sloader\s/);
    // The description column starts at the same place on every line.
    const column = lines[0]!.indexOf('DESCRIPTION');
    expect(owner.indexOf('Every model')).toBe(column);
  });

  test('long descriptions wrap under the description column', async () => {
    const run = await rules(['rules']);
    const lines = run.stdout.split('\n');
    const column = lines[0]!.indexOf('DESCRIPTION');
    const continuation = lines.filter((l) => /^\s{10,}\S/.test(l));
    expect(continuation.length).toBeGreaterThan(0);
    for (const l of continuation) expect(l.length - l.trimStart().length).toBe(column);
  });

  test('--format json is a stable array of every entry', async () => {
    const run = await rules(['rules', '--format', 'json']);
    expect(run.code).toBe(0);
    const list = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    expect(list.map((e) => e.id)).toEqual(registry.ids());
    expect(list.find((e) => e.id === 'owner-present')).toEqual({
      id: 'owner-present',
      kind: 'rule',
      category: 'ownership',
      description: registry.get('owner-present')!.description,
      severity: 'error',
      presets: { recommended: 'error', strict: 'error', all: 'error' },
      requiresDomains: false,
      doc: 'rules/owner-present.md',
      messages: [
        {
          messageId: 'missing',
          severity: 'error',
          template: registry.get('owner-present')!.messages.missing,
        },
      ],
      options: [],
    });
    expect(list.find((e) => e.id === 'waiver-expired')).toMatchObject({
      kind: 'engine',
      doc: 'docs/findings/waiver-expired.md',
    });
  });

  test('--format json=FILE writes the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-rules-'));
    try {
      const run = await rules(['rules', '--format', 'json=rules.json'], dir);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe('');
      const list = JSON.parse(fs.readFileSync(path.join(dir, 'rules.json'), 'utf8')) as unknown[];
      expect(list).toHaveLength(registry.ids().length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rules ID prints the doc, then the generated options and messages', async () => {
    const run = await rules(['rules', 'owner-present']);
    expect(run.code).toBe(0);
    const doc = fs.readFileSync(path.join(packageRoot(), 'rules/owner-present.md'), 'utf8');
    expect(run.stdout.startsWith(doc.trimEnd() + '\n\n')).toBe(true);
    expect(run.stdout).toContain('## Options and defaults (generated)\n\nNo options.\n');
    expect(run.stdout).toContain(
      "## Messages (generated)\n\n- `missing` (error): Model '{{name}}'",
    );
  });

  test('rules ID works for engine findings, reading docs/findings', async () => {
    const run = await rules(['rules', 'baseline-stale']);
    expect(run.code).toBe(0);
    expect(run.stdout.startsWith('# baseline-stale\n')).toBe(true);
    expect(run.stdout).toContain('Default severity: error');
    expect(run.stdout).toContain('- `stale` (error): Baseline entry for {{rule}}');
  });

  test('rules ID --format json carries the listing and the documentation', async () => {
    const run = await rules(['rules', 'domain-present', '--format', 'json']);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(out.id).toBe('domain-present');
    expect(out.documentation).toEqual(expect.stringMatching(/^# domain-present\n/));
  });

  test('an unknown ID is a usage error with a suggestion', async () => {
    const run = await rules(['rules', 'owner-presnt']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('unknown rule id "owner-presnt"; did you mean "owner-present"?');
  });

  test('an unknown ID far from every id gets no suggestion', async () => {
    const run = await rules(['rules', 'zzzzzzzz']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown rule id "zzzzzzzz"');
    expect(run.stderr).not.toContain('did you mean');
  });

  test('the package root is the directory of dbt-steward package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8'));
    expect(pkg.name).toBe('dbt-steward');
  });
});

describe('the generated options block', () => {
  const rule = defineRule<{
    maxDepth: number;
    mode: 'direct' | 'transitive';
    allow: string[];
    note?: string;
    weights: Record<string, number>;
  }>({
    id: 'depth-limit',
    description: 'Lineage is not deeper than a limit.',
    category: 'lineage',
    scope: 'node',
    resourceTypes: ['model'],
    severity: 'warn',
    messageSeverities: { tooDeep: 'error' },
    recommended: false,
    messages: {
      deep: "'{{name}}' is {{depth}} levels deep.",
      tooDeep: "'{{name}}' is far too deep ({{depth}}).",
    },
    options: z.object({
      maxDepth: z.number().int().default(5).describe('The deepest allowed chain.'),
      mode: z.enum(['direct', 'transitive']).default('direct'),
      allow: z.array(z.string()).default([]).describe('Models exempt from the limit.'),
      note: z.string().optional(),
      weights: z.record(z.string(), z.number()).default({}),
    }),
    check() {},
  });

  test('each option has its type, default and description', () => {
    expect(ruleOptions(rule)).toEqual([
      {
        key: 'maxDepth',
        type: 'integer',
        default: 5,
        required: false,
        description: 'The deepest allowed chain.',
      },
      {
        key: 'mode',
        type: "'direct' | 'transitive'",
        default: 'direct',
        required: false,
        description: '',
      },
      {
        key: 'allow',
        type: 'string[]',
        default: [],
        required: false,
        description: 'Models exempt from the limit.',
      },
      { key: 'note', type: 'string', required: false, description: '' },
      {
        key: 'weights',
        type: 'Record<string, number>',
        default: {},
        required: false,
        description: '',
      },
    ]);
  });

  test('the block lists options and messages with their severities', () => {
    const entry = new Registry([rule]).get('depth-limit')!;
    const text = formatRuleDoc(entry, null);
    expect(text).toContain('# depth-limit\n\nLineage is not deeper than a limit.');
    expect(text).toContain('(No documentation file.)');
    expect(text).toContain(
      [
        '## Options and defaults (generated)',
        '',
        '- `maxDepth` (integer, default: 5): The deepest allowed chain.',
        "- `mode` ('direct' | 'transitive', default: \"direct\")",
        '- `allow` (string[], default: []): Models exempt from the limit.',
        '- `note` (string)',
        '- `weights` (Record<string, number>, default: {})',
        '',
        '## Messages (generated)',
        '',
        "- `deep` (warn): '{{name}}' is {{depth}} levels deep.",
        "- `tooDeep` (error): '{{name}}' is far too deep ({{depth}}).",
      ].join('\n'),
    );
    expect(ruleListing(entry).options).toHaveLength(5);
  });

  test("control characters in a plugin rule's texts are escaped", () => {
    const evil = defineRule({ ...rule, id: 'evil', description: 'Bad \u001b[31mred' });
    const entry = new Registry([evil]).get('evil')!;
    expect(formatRuleDoc(entry, null)).toContain('Bad \\u001b[31mred');
  });
});
