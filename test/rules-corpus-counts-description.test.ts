/**
 * description-present on real manifests: the number of findings equals a count computed here
 * from the raw JSON alone (JSON.parse), with dbt-project-evaluator's semantics of
 * fct_undocumented_models: enabled models (manifest `nodes` of resource_type model) whose
 * description is empty — restricted, as every dbt-steward rule, to the models of the root
 * project (not installed packages, not nodes injected from other projects).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, loadProject } from '../src/index.js';

const CORPUS_DIR = fileURLToPath(new URL('../../shared/corpus/manifests/', import.meta.url));

const NAMES = [
  'dbt-bouncer-test-project',
  'cosmos-cross_project-downstream',
  'dbterd-model-contract',
];

type Json = Record<string, any>;

/** The expected findings, from the raw manifest: unique_ids of undocumented own models. */
function undocumentedModels(raw: Json): string[] {
  const root = raw.metadata.project_name as string;
  const out: string[] = [];
  for (const [id, node] of Object.entries(raw.nodes as Json)) {
    const n = node as Json;
    if (n.resource_type !== 'model') continue;
    if (n.package_name !== root) continue;
    // Injected cross-project nodes have neither a file path nor a path.
    if ((n.original_file_path ?? '') === '' && (n.path ?? '') === '') continue;
    // The evaluator's is_not_empty_string: Jinja truthiness of the description.
    const described = typeof n.description === 'string' && n.description.length > 0;
    if (!described) out.push(id);
  }
  return out.sort();
}

describe.each(NAMES)('description-present on %s', (name) => {
  const dir = path.join(CORPUS_DIR, name);

  test('finds exactly the undocumented models counted from the raw JSON', async () => {
    expect(existsSync(path.join(dir, 'manifest.json'))).toBe(true);
    const raw = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Json;
    const expected = undocumentedModels(raw);
    const project = await loadProject([dir], { cwd: CORPUS_DIR });
    const result = check(project, { rules: { 'description-present': 'error' } });
    expect(result.ruleFailures).toEqual([]);
    const found = result.findings.filter((f) => f.ruleId === 'description-present');
    expect(found).toHaveLength(expected.length);
    expect(found.map((f) => f.nodeId).sort()).toEqual(expected);
  });
});

test('the three manifests differ in what they show (some documented, some not)', () => {
  const counts = NAMES.map((name) => {
    const raw = JSON.parse(
      readFileSync(path.join(CORPUS_DIR, name, 'manifest.json'), 'utf8'),
    ) as Json;
    const models = Object.values(raw.nodes as Json).filter(
      (n) =>
        (n as Json).resource_type === 'model' &&
        (n as Json).package_name === raw.metadata.project_name,
    ).length;
    return { name, models, undocumented: undocumentedModels(raw).length };
  });
  for (const c of counts) expect(c.models).toBeGreaterThan(0);
  expect(counts.some((c) => c.undocumented > 0)).toBe(true);
});
