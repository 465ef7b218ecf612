import type { CheckResult } from '../engine/check.js';
import type { ExplainResult } from '../engine/explain.js';
import type { LineageResult } from '../engine/lineage.js';
import { formatExplainJson } from './explain-json.js';
import { formatExplainText } from './explain-text.js';
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

/** Output formats of `explain`, by --format name. */
export const explainReporters: Readonly<Record<string, Reporter<ExplainResult>>> = {
  text: formatExplainText,
  json: formatExplainJson,
};

export { formatExplainJson, formatExplainText };
export { formatCheckJson, formatCheckText, formatLineageJson, formatLineageText };
