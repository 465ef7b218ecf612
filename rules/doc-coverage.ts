import type { z } from 'zod';
import { coverageOptionsSchema, defineRule, isDocumented, reportCoverage } from '../src/index.js';

const options = coverageOptionsSchema('described', 'documentation_coverage_target');

type Options = z.infer<typeof options>;

export default defineRule<Options>({
  id: 'doc-coverage',
  description:
    'The share of described models reaches a minimum, for the project and for each domain (dbt-project-evaluator fct_documentation_coverage).',
  category: 'documentation',
  scope: 'project',
  resourceTypes: ['model'],
  severity: 'warn',
  strictSeverity: 'warn',
  recommended: true,
  messages: {
    project:
      "Documentation coverage of project '{{project}}' is {{coverage}}% ({{documented}} of {{total}} models described), below the minimum of {{minimum}}%.",
    domain:
      "Documentation coverage of domain '{{domain}}' is {{coverage}}% ({{documented}} of {{total}} models described), below its minimum of {{minimum}}%.",
  },
  options,
  check(project, context) {
    // As the evaluator (`{% if node.description %}`): any non-empty text counts.
    reportCoverage(project, context, (r) => isDocumented(r.description), 'documented');
  },
});
