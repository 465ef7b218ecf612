/**
 * Data tests as dbt-project-evaluator counts them: the node a test counts for, which tests
 * count for a node, and whether they test its primary key (int_model_test_summary with its
 * primary_key_test_macros). Shared by primary-key-tested and data-product-complete, so that a
 * data product's key is judged as the evaluator judges it, and by test-coverage.
 */
import type { LineageGraph } from '../graph/lineage.js';
import type { Resource } from '../model.js';
import type { Project } from '../project.js';

/** dbt-project-evaluator's `primary_key_test_macros` default. */
export const DEFAULT_PRIMARY_KEY_TEST_SETS: readonly (readonly string[])[] = [
  ['dbt.test_unique', 'dbt.test_not_null'],
  ['dbt_utils.test_unique_combination_of_columns'],
];

/**
 * The node a data test counts for: the node it is attached to; without one (singular tests),
 * its last dependency, as the evaluator takes it (for generic tests in dbt's manifests that is
 * the attached node too).
 */
export function testedNodeOf(test: Resource): string | null {
  return test.test?.attachedNode ?? test.dependsOn[test.dependsOn.length - 1] ?? null;
}

/** The data tests that count for a node (see testedNodeOf), among its children and tests. */
export function dataTestsOf(project: Project, graph: LineageGraph, id: string): Resource[] {
  // Children, then the node's tests, each test once in first-seen order (what a Set of the
  // two lists gave, without building it for every node).
  const tests: Resource[] = [];
  const consider = (c: string) => {
    const t = project.resources.get(c);
    if (t?.resourceType === 'test' && testedNodeOf(t) === id && !tests.includes(t)) tests.push(t);
  };
  for (const c of graph.children(id)) consider(c);
  for (const c of graph.testsOf(id)) consider(c);
  return tests;
}

/**
 * Whether a generic test runs the macro `pkg.test_name`. Unqualified tests (`unique`, or a
 * package's test used without its prefix) match too.
 */
export function runsTestMacro(test: Resource, macro: string): boolean {
  const info = test.test;
  if (!info || info.name === null) return false;
  const { pkg, name } = macroParts(macro);
  if (info.name !== name) return false;
  return info.namespace === null || info.namespace === pkg;
}

/** `pkg.test_name` split once per macro: asked for every test of every node. */
const macroCache = new Map<string, { pkg: string; name: string }>();
function macroParts(macro: string): { pkg: string; name: string } {
  let parts = macroCache.get(macro);
  if (!parts) {
    const dot = macro.indexOf('.');
    parts = { pkg: macro.slice(0, dot), name: macro.slice(dot + 1).replace(/^test_/, '') };
    // Macros come from config; a bound keeps odd inputs from growing the cache forever.
    if (macroCache.size < 1000) macroCache.set(macro, parts);
  }
  return parts;
}

/** Whether the node declares a primary_key constraint, on a column or on itself. */
export function hasPrimaryKeyConstraint(r: Resource): boolean {
  return (
    r.constraints.some((k) => k.type === 'primary_key') ||
    r.columns.some((c) => c.constraints.some((k) => k.type === 'primary_key'))
  );
}

function hasNotNullConstraint(r: Resource, column: string): boolean {
  const c = r.columns.find((col) => col.name === column);
  return c !== undefined && c.constraints.some((k) => k.type === 'not_null');
}

/**
 * The evaluator's int_model_test_summary.is_primary_key_tested, for one node and the tests
 * that count for it: some column's tests (model-level tests: one group without a column)
 * include at least as many tests running one of a set's macros as the set has macros (so two
 * `unique` tests on one column pass, as there), or the column's `unique` tests plus its
 * not_null constraint add up to two.
 */
export function isPrimaryKeyTested(
  r: Resource,
  tests: readonly Resource[],
  sets: readonly (readonly string[])[] = DEFAULT_PRIMARY_KEY_TEST_SETS,
): boolean {
  const byColumn = new Map<string | null, Resource[]>();
  for (const t of tests) {
    const column = t.test?.columnName || null;
    const list = byColumn.get(column);
    if (list) list.push(t);
    else byColumn.set(column, [t]);
  }
  for (const [column, group] of byColumn) {
    for (const set of sets) {
      const n = group.filter((t) => set.some((m) => runsTestMacro(t, m))).length;
      if (n >= set.length) return true;
    }
    // The mixed method: `unique` tests plus a not_null constraint on the column.
    const unique = group.filter((t) => runsTestMacro(t, 'dbt.test_unique')).length;
    const notNull = column !== null && hasNotNullConstraint(r, column) ? 1 : 0;
    if (unique + notNull >= 2) return true;
  }
  return false;
}
