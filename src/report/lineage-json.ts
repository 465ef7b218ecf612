/** The JSON contract of `lineage` (schemas/lineage.schema.json). */
import type { LineageResult } from '../engine/lineage.js';

export function formatLineageJson(result: LineageResult): string {
  return JSON.stringify(result, null, 2) + '\n';
}
