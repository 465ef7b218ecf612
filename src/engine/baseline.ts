/**
 * The baseline: findings accepted as they are today, so that a project can adopt the rules
 * gradually and only new findings fail the run. Entries count findings per fingerprint.
 * Pure functions; reading and writing the file is src/config/baseline-file.ts.
 */
import type { Finding } from './check.js';
import { isWaivable, type EngineFindingDraft } from './waivers.js';

export interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  messageId: string;
  /** The subject: a resource's unique_id, or `domain:<name>` / `project:<name>`. */
  subject: string;
  /** How many findings with this fingerprint are accepted. */
  count: number;
  /** Informational: the message of the first finding recorded. */
  message: string;
}

export interface Baseline {
  entries: BaselineEntry[];
}

export interface ApplyBaselineOptions {
  /** A full, unselected run (default true). In a selected run only entries on selected resources can be stale. */
  fullRun?: boolean;
  /** The resources checked in a selected run. */
  selected?: ReadonlySet<string> | null;
  /** Whether a rule runs for a resource (null: project level); entries of rules that do not run are never stale. */
  isEnabled?(ruleId: string, resourceId: string | null): boolean;
}

/** How a finding's subject is written in a baseline entry. */
export function subjectKey(subject: Finding['subject']): string {
  return subject.kind === 'node' ? subject.id : `${subject.kind}:${subject.id}`;
}

/** The subject of a baseline entry, back from its key. */
export function subjectOfKey(key: string): Finding['subject'] {
  if (key.startsWith('domain:')) return { kind: 'domain', id: key.slice('domain:'.length) };
  if (key.startsWith('project:')) return { kind: 'project', id: key.slice('project:'.length) };
  return { kind: 'node', id: key };
}

/** Findings a baseline records and hides: neither waived nor about waivers or the baseline. */
function baselinable(f: Finding): boolean {
  return f.suppressed?.by !== 'waiver' && isWaivable(f.ruleId);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Entries in file order: by rule, subject, then fingerprint (clean diffs). */
export function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  return cmp(a.ruleId, b.ruleId) || cmp(a.subject, b.subject) || cmp(a.fingerprint, b.fingerprint);
}

/**
 * A baseline of `findings`: every finding not suppressed by a waiver (those hidden by an
 * earlier baseline included), except findings about waivers and the baseline itself.
 */
export function buildBaseline(findings: readonly Finding[]): Baseline {
  const byFingerprint = new Map<string, BaselineEntry>();
  for (const f of findings) {
    if (!baselinable(f)) continue;
    const entry = byFingerprint.get(f.fingerprint);
    if (entry) entry.count++;
    else
      byFingerprint.set(f.fingerprint, {
        fingerprint: f.fingerprint,
        ruleId: f.ruleId,
        messageId: f.messageId,
        subject: subjectKey(f.subject),
        count: 1,
        message: f.message,
      });
  }
  return { entries: [...byFingerprint.values()].sort(compareEntries) };
}

/**
 * Hides the findings the baseline records: per entry, up to `count` unsuppressed findings
 * with its fingerprint get `suppressed: {by: 'baseline'}`; further ones stay visible (new).
 * Returns one `baseline-stale` draft per entry matching fewer findings than its count,
 * located at the baseline file (`file`, as shown to the user).
 */
export function applyBaseline(
  findings: Finding[],
  baseline: Baseline,
  file: string,
  options: ApplyBaselineOptions = {},
): EngineFindingDraft[] {
  const remaining = new Map<string, number>();
  for (const e of baseline.entries)
    remaining.set(e.fingerprint, (remaining.get(e.fingerprint) ?? 0) + e.count);
  for (const f of findings) {
    if (f.suppressed || !baselinable(f)) continue;
    const left = remaining.get(f.fingerprint);
    if (left === undefined || left <= 0) continue;
    remaining.set(f.fingerprint, left - 1);
    const suppressed = { by: 'baseline' as const, reason: `in baseline ${file}`, origin: file };
    f.suppressed = suppressed;
  }

  const fullRun = options.fullRun ?? true;
  const drafts: EngineFindingDraft[] = [];
  for (const e of [...baseline.entries].sort(compareEntries)) {
    const left = remaining.get(e.fingerprint) ?? 0;
    if (left <= 0) continue;
    // Duplicate entries share one pool: report what is missing once, on the first of them.
    remaining.set(e.fingerprint, 0);
    const subject = subjectOfKey(e.subject);
    const resourceId = subject.kind === 'node' ? subject.id : null;
    if (!fullRun && (resourceId === null || !options.selected?.has(resourceId))) continue;
    if (options.isEnabled && !options.isEnabled(e.ruleId, resourceId)) continue;
    drafts.push({
      ruleId: 'baseline-stale',
      messageId: 'stale',
      data: {
        rule: e.ruleId,
        subject: subject.id,
        missing: Math.min(left, e.count),
        count: e.count,
        fingerprint: e.fingerprint,
      },
      subject,
      location: { file },
    });
  }
  return drafts;
}

/**
 * Drops what the current findings no longer match: an entry's count falls to the number of
 * findings with its fingerprint, an entry matching none is removed. Never adds an entry nor
 * raises a count. `removed` counts the findings dropped, `entriesRemoved` the entries.
 * Run it on the findings of a full run, with the same configuration as `check`.
 */
export function pruneBaseline(
  baseline: Baseline,
  findings: readonly Finding[],
): { baseline: Baseline; removed: number; entriesRemoved: number } {
  const current = new Map<string, number>();
  for (const f of findings) {
    if (!baselinable(f)) continue;
    current.set(f.fingerprint, (current.get(f.fingerprint) ?? 0) + 1);
  }
  let removed = 0;
  let entriesRemoved = 0;
  const entries: BaselineEntry[] = [];
  for (const e of [...baseline.entries].sort(compareEntries)) {
    const available = current.get(e.fingerprint) ?? 0;
    const count = Math.min(e.count, available);
    removed += e.count - count;
    if (count === 0) {
      entriesRemoved++;
      continue;
    }
    current.set(e.fingerprint, available - count);
    entries.push({ ...e, count });
  }
  return { baseline: { entries }, removed, entriesRemoved };
}
