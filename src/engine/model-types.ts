/**
 * Model types (layers) as dbt-project-evaluator classifies models: by name prefix (stg_,
 * int_, fct_/dim_, rpt_), else by the closest type folder (staging/, intermediate/, marts/),
 * else `other`. Shared by naming-convention and layer-dependency, so that both read the same
 * `modelTypes` option the same way.
 */
import { z } from 'zod';
import type { Resource } from '../model.js';

const modelTypeSchema = z
  .object({
    prefixes: z.array(z.string().min(1)).min(1).describe('Name prefixes of the type (stg_).'),
    folders: z
      .array(z.string().min(1))
      .default([])
      .describe('Folder names whose models are of the type (staging).'),
  })
  .strict();

/**
 * The `modelTypes` option: model types by name, each with its prefixes and folder names;
 * defaults to the evaluator's model_types, <type>_prefixes and <type>_folder_name. A rule
 * adds its own `.describe()`.
 */
export const modelTypesOption = z.record(z.string().min(1), modelTypeSchema).default({
  staging: { prefixes: ['stg_'], folders: ['staging'] },
  intermediate: { prefixes: ['int_'], folders: ['intermediate'] },
  marts: { prefixes: ['fct_', 'dim_'], folders: ['marts'] },
  other: { prefixes: ['rpt_'], folders: [] },
});

export type ModelTypes = z.output<typeof modelTypesOption>;

/** The type whose prefix the name starts with (the longest prefix wins; ties: the first type). */
export function modelTypeByPrefix(name: string, types: ModelTypes): string | null {
  let best: { type: string; length: number } | null = null;
  for (const [type, t] of Object.entries(types)) {
    for (const p of t.prefixes) {
      if (name.startsWith(p) && (best === null || p.length > best.length))
        best = { type, length: p.length };
    }
  }
  return best?.type ?? null;
}

/**
 * The type of the closest folder named after a type: as the evaluator, the type folder whose
 * `/<folder>/` is found furthest along the directory part of the file path.
 */
export function modelTypeByFolder(
  filePath: string | null,
  types: ModelTypes,
): { type: string; folder: string } | null {
  if (filePath === null) return null;
  const slash = filePath.lastIndexOf('/');
  if (slash < 0) return null;
  const dir = filePath.slice(0, slash + 1);
  let best: { type: string; folder: string; at: number } | null = null;
  for (const [type, t] of Object.entries(types)) {
    for (const f of t.folders) {
      const at = dir.indexOf(`/${f}/`);
      if (at >= 0 && (best === null || at > best.at)) best = { type, folder: f, at };
    }
  }
  return best ? { type: best.type, folder: best.folder } : null;
}

/**
 * The evaluator's model_type: the prefix's type, else the folder's, else `other` (null when
 * the configured types name no `other`).
 */
export function modelTypeOf(
  model: Pick<Resource, 'name' | 'filePath'>,
  types: ModelTypes,
): string | null {
  return (
    modelTypeByPrefix(model.name, types) ??
    modelTypeByFolder(model.filePath, types)?.type ??
    ('other' in types ? 'other' : null)
  );
}
