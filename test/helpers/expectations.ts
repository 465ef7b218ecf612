/**
 * Inline expectations of a dbt project fixture: the findings dbt-steward should report, written
 * as comments beside the offending line (in the spirit of markdownlint's and ESLint's inline
 * test comments). The syntax and the matching rules are described in
 * fixtures/example-mesh/README.md; in short:
 *
 *     - name: stg_orders # expect: cross-domain-source — reads another domain's raw table
 *     # expect: public-contract, primary-key-tested:missing — published in a hurry
 *     -- expect: owner-present — (SQL, in the file's header comment)
 *     # expect: domain-cycle@domain:growth — (a finding with no location, by its subject)
 *
 * Pure functions apart from reading the files: `readExpectations` scans a project tree,
 * `matchExpectations` compares expectations with findings as multisets.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Where an expectation applies. */
export type ExpectationTarget =
  /** A line of a file (relative to the project, `/` separators; 1-based). */
  | { kind: 'line'; file: string; line: number }
  /** A SQL file's header comment: findings located in the file without a line. */
  | { kind: 'header'; file: string }
  /** Findings without a location, by subject (`domain:growth`, `project:my_project`). */
  | { kind: 'subject'; subject: string };

export interface Expectation {
  ruleId: string;
  /** null: any messageId of the rule. */
  messageId: string | null;
  reason: string;
  target: ExpectationTarget;
  /** Where the comment is written, for messages: `models/x.yml:12`. */
  writtenAt: string;
}

/** What a finding is compared by: its id, message and the place it was matched at. */
export interface ActualFinding {
  ruleId: string;
  messageId: string;
  message: string;
  target: ExpectationTarget;
}

export class ExpectationSyntaxError extends Error {}

const ID = /^[a-z][a-z0-9-]*$/;
const MESSAGE_ID = /^[A-Za-z][A-Za-z0-9_]*$/;
const SUBJECT = /^(domain|project):\S+$/;
/** The separator between the ids and the reason: an em dash with spaces around it. */
const REASON_SEPARATOR = ' — ';

/** One comment's text after `expect:`, parsed into items and the shared reason. */
export function parseExpectationText(
  text: string,
  where: string,
): { ruleId: string; messageId: string | null; subject: string | null; reason: string }[] {
  const at = text.indexOf(REASON_SEPARATOR);
  if (at < 0)
    throw new ExpectationSyntaxError(
      `${where}: an expectation needs a reason after ' — ' (expect: <id>[:<messageId>] — <reason>)`,
    );
  const reason = text.slice(at + REASON_SEPARATOR.length).trim();
  if (reason === '') throw new ExpectationSyntaxError(`${where}: the reason is empty`);
  const items = text
    .slice(0, at)
    .split(',')
    .map((s) => s.trim());
  return items.map((item) => {
    if (item === '') throw new ExpectationSyntaxError(`${where}: an empty finding id`);
    const [head, subject, ...more] = item.split('@');
    if (more.length > 0 || (subject !== undefined && !SUBJECT.test(subject)))
      throw new ExpectationSyntaxError(
        `${where}: '${item}': a subject is written @domain:<name> or @project:<name>`,
      );
    const [ruleId, messageId, ...rest] = head!.split(':');
    if (
      rest.length > 0 ||
      !ID.test(ruleId!) ||
      (messageId !== undefined && !MESSAGE_ID.test(messageId))
    )
      throw new ExpectationSyntaxError(
        `${where}: '${item}' is not <finding-id>[:<messageId>][@<subject>]`,
      );
    return { ruleId: ruleId!, messageId: messageId ?? null, subject: subject ?? null, reason };
  });
}

/** The comment syntax of a file, by extension; null: not scanned. */
function commentMarker(file: string): '#' | '--' | null {
  if (/\.ya?ml$/i.test(file)) return '#';
  if (/\.sql$/i.test(file)) return '--';
  return null;
}

interface Line {
  /** The expectation text after `expect:`, if the line has an expectation comment. */
  expect: string | null;
  /** Only a comment (or nothing) on the line. */
  commentOnly: boolean;
}

function scanLine(text: string, marker: '#' | '--'): Line {
  const trimmed = text.trim();
  const commentOnly = trimmed === '' || trimmed.startsWith(marker);
  // A comment starts at the marker at the line's start or after whitespace.
  const re = marker === '#' ? /(?:^|\s)#\s*expect:(.*)$/ : /(?:^|\s)--\s*expect:(.*)$/;
  const m = re.exec(text);
  return { expect: m ? m[1]!.trim() : null, commentOnly };
}

/** Expectations in one file's text (`file` relative to the project, `/` separators). */
export function expectationsInText(file: string, text: string): Expectation[] {
  const marker = commentMarker(file);
  if (marker === null) return [];
  const lines = text.split(/\r?\n/).map((l) => scanLine(l, marker));
  // SQL: the header comment is the run of comment lines at the top of the file.
  let headerEnd = 0;
  if (marker === '--') {
    while (headerEnd < lines.length && lines[headerEnd]!.commentOnly) headerEnd++;
  }
  const out: Expectation[] = [];
  lines.forEach((l, i) => {
    if (l.expect === null) return;
    const writtenAt = `${file}:${i + 1}`;
    let target: ExpectationTarget;
    if (marker === '--' && i < headerEnd) {
      target = { kind: 'header', file };
    } else if (l.commentOnly) {
      // A comment on its own line applies to the next line that is not blank or a comment.
      let j = i + 1;
      while (j < lines.length && lines[j]!.commentOnly) j++;
      if (j >= lines.length)
        throw new ExpectationSyntaxError(`${writtenAt}: no line after the expectation`);
      target = { kind: 'line', file, line: j + 1 };
    } else {
      target = { kind: 'line', file, line: i + 1 };
    }
    for (const item of parseExpectationText(l.expect, writtenAt)) {
      out.push({
        ruleId: item.ruleId,
        messageId: item.messageId,
        reason: item.reason,
        target: item.subject !== null ? { kind: 'subject', subject: item.subject } : target,
        writtenAt,
      });
    }
  });
  return out;
}

/** Every expectation in the project's YAML and SQL files (target/, dbt_packages/ and dot-folders skipped). */
export function readExpectations(projectDir: string): Expectation[] {
  const out: Expectation[] = [];
  const walk = (rel: string) => {
    const entries = readdirSync(path.join(projectDir, rel), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (['target', 'dbt_packages', 'logs'].includes(entry.name) || entry.name.startsWith('.'))
          continue;
        walk(child);
      } else if (commentMarker(entry.name) !== null) {
        out.push(...expectationsInText(child, readFileSync(path.join(projectDir, child), 'utf8')));
      }
    }
  };
  walk('');
  return out;
}

/** A target as text: `file:line`, `file (header)`, `@domain:x`. */
export function targetText(t: ExpectationTarget): string {
  switch (t.kind) {
    case 'line':
      return `${t.file}:${t.line}`;
    case 'header':
      return `${t.file} (header comment)`;
    case 'subject':
      return `@${t.subject}`;
  }
}

const targetKey = (t: ExpectationTarget): string => targetText(t);

export interface MatchResult {
  /** Expected but not reported. */
  tooFew: Expectation[];
  /** Reported but not expected. */
  tooMany: ActualFinding[];
  /** Pairs that matched, for further checks. */
  matched: { expectation: Expectation; finding: ActualFinding }[];
}

/**
 * Compares expectations with findings as multisets: each expectation takes one finding with
 * the same target, rule id and (when given) messageId. Expectations naming a messageId are
 * matched first, so that a bare rule id never takes a finding a precise one needs.
 */
export function matchExpectations(
  expectations: readonly Expectation[],
  findings: readonly ActualFinding[],
): MatchResult {
  const open = new Map<string, ActualFinding[]>();
  for (const f of findings) {
    const k = `${targetKey(f.target)}\0${f.ruleId}`;
    const list = open.get(k);
    if (list) list.push(f);
    else open.set(k, [f]);
  }
  const tooFew: Expectation[] = [];
  const matched: MatchResult['matched'] = [];
  const ordered = [
    ...expectations.filter((e) => e.messageId !== null),
    ...expectations.filter((e) => e.messageId === null),
  ];
  for (const e of ordered) {
    const list = open.get(`${targetKey(e.target)}\0${e.ruleId}`) ?? [];
    const i = list.findIndex((f) => e.messageId === null || f.messageId === e.messageId);
    if (i < 0) {
      tooFew.push(e);
      continue;
    }
    matched.push({ expectation: e, finding: list[i]! });
    list.splice(i, 1);
  }
  const tooMany = [...open.values()].flat();
  return { tooFew, tooMany, matched };
}

/** A failure report: one line per missing or unexpected finding, or '' when both lists are empty. */
export function describeMismatch(result: MatchResult): string {
  const lines: string[] = [];
  if (result.tooFew.length > 0) {
    lines.push(`too few findings: ${result.tooFew.length} expected but not reported:`);
    for (const e of result.tooFew)
      lines.push(
        `  ${targetText(e.target)} ${e.ruleId}${e.messageId ? `:${e.messageId}` : ''} — ${e.reason} (written at ${e.writtenAt})`,
      );
  }
  if (result.tooMany.length > 0) {
    lines.push(`too many findings: ${result.tooMany.length} reported but not expected:`);
    for (const f of result.tooMany)
      lines.push(`  ${targetText(f.target)} ${f.ruleId}:${f.messageId} ${f.message}`);
  }
  return lines.join('\n');
}
