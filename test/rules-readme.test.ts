/**
 * The generated rules/README.md is current, and every finding id in the registry (rules and
 * the engine's and loader's own findings) has its documentation with the required sections.
 */
import fs from 'node:fs';
import * as prettier from 'prettier';
import { getBuiltinRules, Registry, rulesReadme } from '../src/index.js';

const root = new URL('../', import.meta.url);
const registry = new Registry(getBuiltinRules());
const entries = [...registry.entries.values()];

describe('rules/README.md', () => {
  const generated = rulesReadme(registry);

  test('is what `npm run docs:rules` generates from the registry', () => {
    const file = new URL('rules/README.md', root);
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (current !== generated) {
      const a = (current ?? '').split('\n');
      const b = generated.split('\n');
      let line = 0;
      while (line < Math.max(a.length, b.length) && a[line] === b[line]) line++;
      throw new Error(
        current === null
          ? 'rules/README.md is missing: run `npm run docs:rules` and commit the result'
          : `rules/README.md is out of date (first difference at line ${line + 1}: ${JSON.stringify(a[line] ?? '')} vs ${JSON.stringify(b[line] ?? '')}): run \`npm run docs:rules\` and commit the result`,
      );
    }
  });

  test('lists every registry entry once, linked to its documentation', () => {
    for (const e of entries) {
      const link = e.kind === 'rule' ? `${e.id}.md` : `../docs/findings/${e.id}.md`;
      expect(generated.split(`[\`${e.id}\`](${link})`).length - 1).toBe(1);
    }
  });

  test('every link points at a file that exists', () => {
    const links = [...generated.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBe(entries.length);
    const missing = links.filter((l) => !fs.existsSync(new URL(l, new URL('rules/', root))));
    expect(missing).toEqual([]);
  });

  test('is formatted as Prettier would format it (aligned tables)', async () => {
    const options = (await prettier.resolveConfig(new URL('rules/README.md', root))) ?? {};
    const formatted = await prettier.format(generated, { ...options, parser: 'markdown' });
    expect(generated).toBe(formatted);
  });
});

describe('documentation of every registry entry', () => {
  test.each(entries.map((e) => [e.id, e] as const))(
    '%s has its doc with the required sections',
    (id, entry) => {
      expect(entry.doc).toBe(entry.kind === 'rule' ? `rules/${id}.md` : `docs/findings/${id}.md`);
      const file = new URL(entry.doc, root);
      expect(fs.existsSync(file)).toBe(true);
      const doc = fs.readFileSync(file, 'utf8');
      expect(doc.startsWith(`# ${id}\n\n`)).toBe(true);
      // A one-line summary right under the title.
      const summary = doc.split('\n')[2] ?? '';
      expect(summary.trim()).not.toBe('');
      expect(summary.startsWith('#') || summary.startsWith('-')).toBe(false);
      const sections = [
        '## Why',
        '## Failing',
        '## Passing',
        '## Options',
        '## When not to use it',
      ];
      const at = sections.map((s) => doc.indexOf(`\n${s}\n`));
      expect(at.every((i) => i > 0)).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      // The value may be followed by a remark: `Default severity: warn (also in strict)`.
      expect(doc).toMatch(new RegExp(`^- Default severity: ${entry.severity}(?![\\w-])`, 'm'));
      const recommended = entry.presets.recommended === 'off' ? 'no' : 'yes';
      expect(doc).toMatch(new RegExp(`^- In the recommended preset: ${recommended}\\b`, 'm'));
    },
  );

  test('docs/findings holds a doc for each engine and loader finding, and nothing else', () => {
    const files = fs
      .readdirSync(new URL('docs/findings/', root))
      .filter((f) => f.endsWith('.md'))
      .map((f) => f.replace(/\.md$/, ''))
      .sort();
    const ids = entries
      .filter((e) => e.kind !== 'rule')
      .map((e) => e.id)
      .sort();
    expect(files).toEqual(ids);
  });
});
