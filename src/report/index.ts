import type { CheckResult } from '../engine/check.js';
import type { ExplainResult } from '../engine/explain.js';
import type { LineageResult } from '../engine/lineage.js';
import { formatExplainJson } from './explain-json.js';
import { formatExplainText } from './explain-text.js';
import { formatCheckJson } from './check-json.js';
import { formatCheckText } from './check-text.js';
import { formatLineageJson } from './lineage-json.js';
import { formatLineageText } from './lineage-text.js';
import { formatCheckSarif } from './check-sarif.js';
import { formatCheckJunit } from './check-junit.js';
import { formatCheckGithub } from './check-github.js';
import { formatCheckCodequality } from './check-codequality.js';
import { formatCheckMarkdown } from './check-markdown.js';
import type { ReportContext } from './paths.js';

/** A reporter: the result (and, optionally, what the run knows besides) as text. */
export type Reporter<R> = (result: R, context?: ReportContext) => string;

/** Output formats of `check`, by --format name. */
export const checkReporters: Readonly<Record<string, Reporter<CheckResult>>> = {
  text: formatCheckText,
  json: formatCheckJson,
  sarif: (r, c) => formatCheckSarif(r, c),
  junit: (r, c) => formatCheckJunit(r, c),
  github: formatCheckGithub,
  codequality: formatCheckCodequality,
  markdown: (r, c) => formatCheckMarkdown(r, c),
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
export {
  formatCheckSarif,
  formatCheckJunit,
  formatCheckGithub,
  formatCheckCodequality,
  formatCheckMarkdown,
};
export type { ReportContext };
