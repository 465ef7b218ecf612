import type { CheckResult } from '../engine/check.js';
import type { LineageResult } from '../engine/lineage.js';
import { formatCheckJson } from './check-json.js';
import { formatCheckText } from './check-text.js';
import { formatLineageJson } from './lineage-json.js';
import { formatLineageText } from './lineage-text.js';

export type Reporter<R> = (result: R) => string;

/** Output formats of `check`, by --format name. */
export const checkReporters: Readonly<Record<string, Reporter<CheckResult>>> = {
  text: formatCheckText,
  json: formatCheckJson,
};

/** Output formats of `lineage`, by --format name. */
export const lineageReporters: Readonly<Record<string, Reporter<LineageResult>>> = {
  text: formatLineageText,
  json: formatLineageJson,
};

export { formatCheckJson, formatCheckText, formatLineageJson, formatLineageText };
