/**
 * When a description counts as written, and which resources the documentation rules look at.
 * Shared by description-present, columns-documented, public-documented, doc-coverage and
 * data-product-complete, so that they agree on what "documented" means.
 */
import type { Column, Resource } from '../model.js';

export interface DocumentedOptions {
  /**
   * Also count a description of only whitespace as missing (dbt-project-evaluator 2.x).
   * Default false: any non-empty text counts, as the evaluator 1.x (`{% if description %}`).
   */
  blankIsUndocumented?: boolean;
}

/** Whether a description (of a resource or a column) is written. */
export function isDocumented(description: string, options: DocumentedOptions = {}): boolean {
  return options.blankIsUndocumented ? description.trim() !== '' : description !== '';
}

/** Which resource types a documentation rule checks besides models (each off by default). */
export interface DocumentedTypes {
  sources: boolean;
  seeds: boolean;
  snapshots: boolean;
}

/** Whether a documentation rule checks the resource: every model, other types when turned on. */
export function documentationApplies(r: Resource, types: DocumentedTypes): boolean {
  switch (r.resourceType) {
    case 'model':
      return true;
    case 'source':
      return types.sources;
    case 'seed':
      return types.seeds;
    case 'snapshot':
      return types.snapshots;
    default:
      return false;
  }
}

/** Column names for a message: the first `max` (default 10), then `and N more`. */
export function listColumns(columns: readonly Column[], max = 10): string {
  const names = columns.slice(0, max).map((c) => c.name);
  const more = columns.length - names.length;
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ');
}
