import { defineRule, displayName, isDocumented, listColumns } from '../src/index.js';
import { z } from 'zod';

const options = z.object({
  blankIsUndocumented: z
    .boolean()
    .default(false)
    .describe(
      'Also count a description of only whitespace as missing, as dbt-project-evaluator 2.x does (1.x, the default, counts any non-empty text).',
    ),
});

export default defineRule({
  id: 'public-documented',
  description:
    'Every public model has a description and a description on every column (mirrors dbt-project-evaluator fct_undocumented_public_models).',
  category: 'documentation',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: ['model'],
  severity: 'warn',
  recommended: true,
  options,
  messages: {
    description:
      "Public model '{{name}}' has no description: consumers in other domains need to know what it holds; add `description:` to its YAML.",
    noColumns:
      "Public model '{{name}}' documents no columns: list each column with a description in its YAML.",
    columns: "Public model '{{name}}' has {{count}} column(s) without a description: {{columns}}.",
  },
  check(model, context) {
    if (model.access !== 'public') return;
    const documented = (text: string) => isDocumented(text, context.options);
    const name = displayName(model);
    if (!documented(model.description))
      context.report({ messageId: 'description', data: { name } });
    if (model.columns.length === 0) {
      context.report({ messageId: 'noColumns', data: { name } });
      return;
    }
    const undescribed = model.columns.filter((c) => !documented(c.description));
    if (undescribed.length > 0)
      context.report({
        messageId: 'columns',
        data: { name, count: undescribed.length, columns: listColumns(undescribed) },
      });
  },
});
