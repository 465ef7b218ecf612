import fs from 'node:fs';
import { getBuiltinRules, placeholders, VERSION } from '../src/index.js';

const rulesDir = new URL('../rules/', import.meta.url);

describe('built-in rules', () => {
  const rules = getBuiltinRules();

  test('the registry lists every rule file in rules/ and nothing else', () => {
    const files = fs
      .readdirSync(rulesDir)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(rules.map((r) => r.id).sort()).toEqual(files);
  });

  test.each(getBuiltinRules().map((r) => [r.id, r] as const))(
    '%s has its documentation with the required sections',
    (id, rule) => {
      const doc = fs.readFileSync(new URL(`${id}.md`, rulesDir), 'utf8');
      expect(doc.startsWith(`# ${id}\n`)).toBe(true);
      for (const section of [
        '## Why',
        '## Failing',
        '## Passing',
        '## Options',
        '## When not to use it',
      ]) {
        expect(doc).toContain(section);
      }
      expect(doc).toContain(`Default severity: ${rule.severity}`);
      expect(doc).toContain(`In the recommended preset: ${rule.recommended ? 'yes' : 'no'}`);
    },
  );

  test.each(getBuiltinRules().map((r) => [r.id, r] as const))(
    '%s has kebab-case id, one-line description and messages',
    (_id, rule) => {
      expect(rule.id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(rule.description).not.toContain('\n');
      for (const template of Object.values(rule.messages)) {
        expect(placeholders(template).length).toBeGreaterThan(0);
      }
    },
  );
});

test('VERSION equals package.json version', () => {
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  expect(VERSION).toBe(pkg.version);
});
