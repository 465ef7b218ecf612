/**
 * The baseline file (`dbt-steward-baseline.json`): read and validated with zod, written
 * sorted (clean diffs) and atomically (a temporary file in the same directory, then a
 * rename), so a failed write never leaves a partial file.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { compareEntries, type Baseline, type BaselineEntry } from '../engine/baseline.js';
import { InputError } from '../errors.js';
import { TOOL_NAME } from '../version.js';
import { writeFileAtomic } from '../write-file.js';

export const BASELINE_FORMAT_VERSION = 1;

const FIX = 'regenerate it with `dbt-steward baseline write`';

const entrySchema = z.strictObject({
  fingerprint: z.string().min(1),
  ruleId: z.string().min(1),
  messageId: z.string().min(1),
  subject: z.string().min(1),
  count: z.int().min(1),
  message: z.string(),
});

const fileSchema = z.strictObject({
  formatVersion: z.literal(BASELINE_FORMAT_VERSION),
  tool: z.literal(TOOL_NAME),
  entries: z.array(entrySchema),
});

function describeReadError(err: unknown, shown: string): InputError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new InputError(
        `${shown}: baseline file not found; check the path, or create it with \`dbt-steward baseline write\``,
        shown,
      );
    case 'EACCES':
    case 'EPERM':
      return new InputError(`${shown}: permission denied; make the baseline file readable`, shown);
    case 'EISDIR':
      return new InputError(`${shown}: is a directory, expected a baseline file`, shown);
    default:
      return new InputError(
        `${shown}: cannot read the baseline file (${code ?? String(err)})`,
        shown,
      );
  }
}

/**
 * Reads a baseline file. `shown` is the path as the user sees it (messages name it). A
 * missing, unreadable or malformed file is an InputError naming the file and the fix.
 */
export function readBaselineFile(file: string, shown: string = file): Baseline {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw describeReadError(err, shown);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(
      `${shown}: not a baseline file (invalid JSON: ${(err as Error).message}); ${FIX}`,
      shown,
    );
  }
  if (
    typeof raw === 'object' &&
    raw !== null &&
    'formatVersion' in raw &&
    typeof raw.formatVersion === 'number' &&
    raw.formatVersion > BASELINE_FORMAT_VERSION
  ) {
    throw new InputError(
      `${shown}: baseline formatVersion ${raw.formatVersion} is newer than this dbt-steward reads (${BASELINE_FORMAT_VERSION}); upgrade dbt-steward or ${FIX}`,
      shown,
    );
  }
  const res = fileSchema.safeParse(raw);
  if (!res.success) {
    const issue = res.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
    throw new InputError(
      `${shown}: not a valid baseline file (${where}${issue?.message ?? 'invalid'}); ${FIX}`,
      shown,
    );
  }
  const seen = new Map<string, number>();
  const entries: BaselineEntry[] = [];
  res.data.entries.forEach((e, i) => {
    const first = seen.get(e.fingerprint);
    if (first !== undefined) {
      throw new InputError(
        `${shown}: entries.${first} and entries.${i} have the same fingerprint ${e.fingerprint}; keep one of them (with the larger count) or ${FIX}`,
        shown,
      );
    }
    seen.set(e.fingerprint, i);
    entries.push({ ...e });
  });
  return { entries };
}

/** The file's text: entries sorted by rule, subject and fingerprint, 2-space JSON, final newline. */
export function serializeBaseline(baseline: Baseline): string {
  const entries = [...baseline.entries].sort(compareEntries).map((e) => ({
    fingerprint: e.fingerprint,
    ruleId: e.ruleId,
    messageId: e.messageId,
    subject: e.subject,
    count: e.count,
    message: e.message,
  }));
  return (
    JSON.stringify({ formatVersion: BASELINE_FORMAT_VERSION, tool: TOOL_NAME, entries }, null, 2) +
    '\n'
  );
}

/**
 * Writes a baseline file atomically: a temporary file in the same directory, then a rename.
 * A failure removes the temporary file and is an InputError naming `shown`.
 */
export function writeBaselineFile(file: string, baseline: Baseline, shown: string = file): void {
  writeFileAtomic(file, serializeBaseline(baseline), shown, 'baseline file');
}
