/**
 * The mirrored dbt-project-evaluator rules on real manifests: the number of findings equals
 * the number of rows the evaluator's model would return, computed here from the raw JSON
 * (JSON.parse of manifest.json), independently of the loader and of the rules.
 *
 * The evaluator (1.x) semantics, as its SQL reads them:
 * - fct_public_models_without_contract: models with `access = 'public'` and no enforced
 *   contract (any materialization, every version).
 * - fct_exposures_dependent_on_private_models: one row per direct parent of an exposure that
 *   is not a public model; parents that are metrics (is_excluded NULL), semantic models or
 *   saved queries (not in its graph tables), or not in the manifest (disabled), never appear.
 * - fct_undocumented_models: models whose description is empty (Jinja truthiness: any
 *   non-empty text is a description).
 *
 * Scope: dbt-steward judges only the checked project's own resources, which is the evaluator
 * run with `exclude_packages: ["all"]` (an exposure's parents still come from anywhere). The
 * evaluator's default also lists the public models of packages and of other projects
 * (`publicWithoutContractAllPackages` below).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { check, getBuiltinRules } from '../src/index.js';
import { CORPUS_DIR, corpusNames, corpusProject } from './rules/corpus.js';

type Json = Record<string, any>;

/** The root project's name: metadata.project_name (v10+), else the package whose md5 is project_id. */
function rootName(raw: Json): string {
  if (typeof raw.metadata.project_name === 'string') return raw.metadata.project_name;
  const packages = new Set<string>();
  for (const section of ['nodes', 'macros'])
    for (const v of Object.values((raw[section] ?? {}) as Json))
      if (typeof (v as Json).package_name === 'string') packages.add((v as Json).package_name);
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const hits = [...packages].filter((p) => md5(p) === raw.metadata.project_id);
  if (hits.length !== 1) throw new Error(`cannot tell the root project (${hits.join(', ')})`);
  return hits[0]!;
}

const accessOf = (n: Json): unknown => n.access ?? n.config?.access;
const isPublicModel = (n: Json): boolean => n.resource_type === 'model' && accessOf(n) === 'public';
const contractEnforced = (n: Json): boolean =>
  (n.contract ?? n.config?.contract)?.enforced === true;

interface Figures {
  publicWithoutContract: number;
  /** The same with the evaluator's default scope (packages and injected nodes included). */
  publicWithoutContractAllPackages: number;
  exposureRows: number;
  undocumentedModels: number;
}

function figures(raw: Json): Figures {
  const root = rootName(raw);
  const nodes = Object.values((raw.nodes ?? {}) as Json) as Json[];
  const models = nodes.filter((n) => n.resource_type === 'model');
  const uncontracted = models.filter((n) => isPublicModel(n) && !contractEnforced(n));
  let exposureRows = 0;
  for (const e of Object.values((raw.exposures ?? {}) as Json) as Json[]) {
    if (e.package_name !== root) continue;
    for (const id of new Set<string>(e.depends_on?.nodes ?? [])) {
      const parent = (raw.nodes?.[id] ?? raw.sources?.[id]) as Json | undefined;
      if (parent === undefined) continue; // a metric, a semantic model, or a disabled node
      if (!isPublicModel(parent)) exposureRows++;
    }
  }
  return {
    publicWithoutContract: uncontracted.filter((n) => n.package_name === root).length,
    publicWithoutContractAllPackages: uncontracted.length,
    exposureRows,
    undocumentedModels: models.filter(
      (n) =>
        n.package_name === root && !(typeof n.description === 'string' && n.description !== ''),
    ).length,
  };
}

const NAMED = [
  'dbt-bouncer-test-project',
  'cosmos-cross_project-downstream',
  'dbterd-model-contract',
];
const has = (id: string) => getBuiltinRules().some((r) => r.id === id);

async function counts(name: string) {
  const raw = JSON.parse(
    readFileSync(path.join(CORPUS_DIR, name, 'manifest.json'), 'utf8'),
  ) as Json;
  const project = await corpusProject(name);
  const result = check(project, {
    rules: {
      'public-contract': 'error',
      'exposure-public-only': 'error',
      ...(has('description-present') ? { 'description-present': 'warn' as const } : {}),
    },
  });
  expect(result.ruleFailures).toEqual([]);
  const n = (ruleId: string) => result.findings.filter((f) => f.ruleId === ruleId).length;
  return { expected: figures(raw), raw, n };
}

describe('the named corpus manifests', () => {
  test.each(NAMED)('%s is in the corpus', (name) => {
    expect(existsSync(path.join(CORPUS_DIR, name, 'manifest.json'))).toBe(true);
  });

  test.each(NAMED)('%s: public-contract = fct_public_models_without_contract', async (name) => {
    const { expected, n } = await counts(name);
    expect(n('public-contract')).toBe(expected.publicWithoutContract);
  });

  test.each(NAMED)(
    '%s: exposure-public-only = fct_exposures_dependent_on_private_models',
    async (name) => {
      const { expected, n } = await counts(name);
      expect(n('exposure-public-only')).toBe(expected.exposureRows);
    },
  );

  // description-present is written by another engineer; its count mirrors fct_undocumented_models.
  test.each(NAMED)('%s: description-present = fct_undocumented_models', async (name) => {
    if (!has('description-present')) return; // not registered yet
    const { expected, n } = await counts(name);
    expect(n('description-present')).toBe(expected.undocumentedModels);
  });

  test('the figures themselves (a change in the corpus shows here)', async () => {
    const got: Record<string, Figures> = {};
    for (const name of NAMED) got[name] = (await counts(name)).expected;
    expect(got).toEqual({
      'dbt-bouncer-test-project': {
        publicWithoutContract: 0,
        publicWithoutContractAllPackages: 0,
        exposureRows: 0,
        undocumentedModels: 1,
      },
      // The six public models are injected from the upstream project, which judges them.
      'cosmos-cross_project-downstream': {
        publicWithoutContract: 0,
        publicWithoutContractAllPackages: 6,
        exposureRows: 0,
        undocumentedModels: 0,
      },
      'dbterd-model-contract': {
        publicWithoutContract: 0,
        publicWithoutContractAllPackages: 0,
        exposureRows: 0,
        undocumentedModels: 3,
      },
    });
  });
});

describe('every corpus manifest', () => {
  const names = corpusNames();
  test.each(names)('%s: the counts match the evaluator figures', async (name) => {
    const { expected, n } = await counts(name);
    expect(n('public-contract')).toBe(expected.publicWithoutContract);
    expect(n('exposure-public-only')).toBe(expected.exposureRows);
    if (has('description-present'))
      expect(n('description-present')).toBe(expected.undocumentedModels);
  });

  test('the corpus has findings of both rules to compare (not only zeros)', async () => {
    let contract = 0;
    let exposures = 0;
    for (const name of names) {
      const { expected } = await counts(name);
      contract += expected.publicWithoutContract;
      exposures += expected.exposureRows;
    }
    expect(contract).toBeGreaterThan(0);
    expect(exposures).toBeGreaterThan(0);
  });
});
