/**
 * Runs one rule over every real manifest of the shared corpus (../shared/corpus/manifests),
 * for the rule tests: the rule must never throw on real projects.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  check,
  loadProject,
  type CheckResult,
  type Project,
  type RuleSetting,
} from '../../src/index.js';

export const CORPUS_DIR = fileURLToPath(
  new URL('../../../shared/corpus/manifests/', import.meta.url),
);

/** The corpus manifests' folder names, sorted; empty when the corpus is missing. */
export function corpusNames(): string[] {
  if (!existsSync(CORPUS_DIR) || !statSync(CORPUS_DIR).isDirectory()) return [];
  return readdirSync(CORPUS_DIR)
    .filter((d) => existsSync(path.join(CORPUS_DIR, d, 'manifest.json')))
    .sort();
}

const cache = new Map<string, Promise<Project>>();

/** A corpus manifest, loaded once per test file. */
export function corpusProject(name: string): Promise<Project> {
  let p = cache.get(name);
  if (!p) {
    p = loadProject([path.join(CORPUS_DIR, name)], { cwd: CORPUS_DIR });
    cache.set(name, p);
  }
  return p;
}

/**
 * Declares one test per corpus manifest: `check` with the rule at `setting` (on top of the
 * recommended preset) reports no rule failure. Returns the results for further assertions.
 */
export function describeCorpusRun(ruleId: string, setting: RuleSetting = 'error'): void {
  const names = corpusNames();
  test('the corpus is present', () => {
    expect(names.length).toBeGreaterThan(0);
  });
  if (names.length === 0) return;
  describe(`${ruleId} over the corpus`, () => {
    test.each(names)('%s: no rule failure', async (name) => {
      const project = await corpusProject(name);
      const result: CheckResult = check(project, {
        rules: { [ruleId]: setting },
        now: new Date('2026-01-01T00:00:00Z'),
      });
      expect(result.ruleFailures).toEqual([]);
      for (const f of result.findings.filter((x) => x.ruleId === ruleId))
        expect(f.message).not.toMatch(/\{\{/);
    });
  });
}
