import { z } from 'zod';
import {
  defineRule,
  displayName,
  modelTypeByFolder,
  modelTypeByPrefix,
  modelTypeOf,
  modelTypesOption,
} from '../src/index.js';

const options = z.object({
  modelTypes: modelTypesOption.describe(
    'The model types (layers), in order, with their name prefixes and folder names; replaces the defaults as a whole. A type named `other` is the fallback for a model in no known folder.',
  ),
  exclude: z
    .array(z.string())
    .default(['metricflow_time_spine'])
    .describe('Model names never checked (the evaluator skips the MetricFlow time spine).'),
  checkFolder: z
    .boolean()
    .default(false)
    .describe(
      'Also report a model whose prefix names one type while the closest type folder it sits in is another (int_orders under marts/).',
    ),
});

type Options = z.infer<typeof options>;

/** The evaluator's split_part(name, '_', 1) || '_'. */
function firstSegment(name: string): string {
  const i = name.indexOf('_');
  return `${i < 0 ? name : name.slice(0, i)}_`;
}

export default defineRule<Options>({
  id: 'naming-convention',
  description:
    'Model names start with the prefix of a model type (stg_, int_, fct_/dim_, rpt_), suggested by the folder they live in (dbt-project-evaluator fct_model_naming_conventions).',
  category: 'structure',
  scope: 'node',
  reach: 'neighbours',
  resourceTypes: ['model'],
  severity: 'warn',
  recommended: true,
  messages: {
    prefix:
      "Model '{{name}}' has no model-type prefix (its name starts with '{{prefix}}'): in the {{modelType}} layer its name should start with {{expected}}.",
    folder:
      "Model '{{name}}' is named for the {{modelType}} layer but lives in the {{folderType}} folder '{{folder}}': move it, or rename it with {{expected}}.",
  },
  options,
  check(model, context) {
    const o = context.options;
    if (o.exclude.includes(displayName(model))) return;
    const types = o.modelTypes;
    const byPrefix = modelTypeByPrefix(model.name, types);
    const byFolder = modelTypeByFolder(model.filePath, types);
    const expectedFor = (type: string) => (types[type]?.prefixes ?? []).join(', ');
    if (byPrefix === null) {
      // The evaluator's model type: the prefix's, else the folder's, else `other`.
      const type = modelTypeOf(model, types);
      const expected =
        type !== null
          ? expectedFor(type)
          : Object.values(types)
              .flatMap((t) => t.prefixes)
              .join(', ');
      context.report({
        messageId: 'prefix',
        data: {
          name: displayName(model),
          prefix: firstSegment(model.name),
          modelType: type ?? 'unknown',
          expected,
        },
      });
      return;
    }
    if (o.checkFolder && byFolder !== null && byFolder.type !== byPrefix) {
      context.report({
        messageId: 'folder',
        data: {
          name: displayName(model),
          modelType: byPrefix,
          folderType: byFolder.type,
          folder: byFolder.folder,
          expected: expectedFor(byFolder.type),
        },
      });
    }
  },
});
