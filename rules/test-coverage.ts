import type { z } from 'zod';
import { coverageOptionsSchema, defineRule, testedNodeOf, reportCoverage } from '../src/index.js';

const options = coverageOptionsSchema('tested', 'test_coverage_target');

type Options = z.infer<typeof options>;

export default defineRule<Options>({
  id: 'test-coverage',
  description:
    'The share of models with at least one data test reaches a minimum, for the project and for each domain (dbt-project-evaluator fct_test_coverage).',
  category: 'testing',
  scope: 'project',
  resourceTypes: ['model'],
  severity: 'warn',
  strictSeverity: 'warn',
  recommended: true,
  messages: {
    project:
      "Test coverage of project '{{project}}' is {{coverage}}% ({{tested}} of {{total}} models tested), below the minimum of {{minimum}}%.",
    domain:
      "Test coverage of domain '{{domain}}' is {{coverage}}% ({{tested}} of {{total}} models tested), below its minimum of {{minimum}}%.",
  },
  options,
  check(project, context) {
    const tested = new Set<string>();
    for (const r of project.resources.values()) {
      if (r.resourceType !== 'test') continue;
      const node = testedNodeOf(r);
      if (node !== null) tested.add(node);
    }
    reportCoverage(project, context, (r) => tested.has(r.uniqueId), 'tested');
  },
});
