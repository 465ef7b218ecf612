/**
 * Waivers: accepted findings, written on a resource (`meta.steward.waive`) or centrally in
 * the config (`waivers:`). Pure functions: the engine collects the waivers, runs the rules,
 * then calls `applyWaivers`, which marks the findings it suppresses and returns the findings
 * about the waivers themselves (invalid, expired, unused) as drafts.
 */
import picomatch from 'picomatch';
import type { Resource } from '../model.js';
import type { Project } from '../project.js';
import type { Finding } from './check.js';
import type { CentralWaiver } from './config.js';
import type { Registry } from './registry.js';

export type WaiverScope =
  | { kind: 'resource'; resourceId: string }
  | { kind: 'central'; select?: string; paths?: string[]; domains?: string[] };

export interface Waiver {
  /** The rule (finding id) waived; '' when the waiver names none. */
  rule: string;
  messageId: string | null;
  reason: string | null;
  /** As written: YYYY-MM-DD, inclusive, UTC (validated by applyWaivers). */
  expires: string | null;
  /** Edge findings: only those whose other end (related[0]) is one of these. */
  to: string[] | null;
  scope: WaiverScope;
  /** Where the waiver is written: `models/x/_x.yml: stg_x meta.steward.waive[0]`, `dbt-steward.yml: waivers[2]`. */
  origin: string;
  /** The file holding the waiver (relative to the dbt project, or the config file); null when unknown. */
  file: string | null;
  line?: number;
  /** Resource waivers: the dotted key path of the waiver list inside the resource's entry (`meta.steward.waive`), for a locator. */
  keyPath?: string;
  /** Position in its list (`waive[i]` or `waivers[i]`). */
  index: number;
  /** Problems found while reading the waiver (wrong types, unknown keys); any makes it invalid. */
  problems?: string[];
}

/** A finding the engine turns into a real Finding (it sets severity/message/fingerprint from the registry). */
export interface EngineFindingDraft {
  ruleId: string;
  messageId: string;
  data: Record<string, string | number | boolean | null>;
  nodeId?: string;
  subject: { kind: 'node' | 'domain' | 'project'; id: string };
  location?: { file: string; line?: number };
  /** For a locator: the YAML key path inside the subject resource's entry. */
  keyPath?: string;
}

export interface WaiverContext {
  now: Date;
  /** A full, unselected run: only then is a waiver that suppresses nothing reported. */
  fullRun: boolean;
  registry: Registry;
  project: Project;
  /** unique_ids a dbt selector picks (memoized by the caller); may throw on a bad selector. */
  select(selector: string): ReadonlySet<string>;
  /** The resolved domain of a resource, or null. */
  domainOf(id: string): string | null;
  /** Whether a rule runs for a resource (null: at the project level). */
  isEnabled(ruleId: string, resourceId: string | null): boolean;
}

/** Keys a resource waiver may have. */
const WAIVER_KEYS = ['rule', 'messageId', 'reason', 'expires', 'to'] as const;

/** Findings about waivers and the baseline are never waived: a waiver cannot hide its own problems. */
export function isWaivable(ruleId: string): boolean {
  return !ruleId.startsWith('waiver-') && ruleId !== 'baseline-stale';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** `2025-06-30`, or a YAML date parsed into a Date at midnight UTC, as YYYY-MM-DD; else null. */
function dateText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v instanceof Date && !Number.isNaN(v.getTime())) {
    const iso = v.toISOString();
    if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  }
  return null;
}

/** The instant a waiver stops suppressing: the day after `expires`, 00:00 UTC; null when not a real date. */
export function expiryInstant(expires: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expires);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const day = new Date(0);
  day.setUTCFullYear(y, mo - 1, d);
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d)
    return null;
  day.setUTCDate(d + 1);
  return day.getTime();
}

/** How a resource is named in messages: `name`, or `name.v2` for a model version. */
function displayName(r: Resource): string {
  return r.version !== null ? `${r.name}.v${r.version}` : r.name;
}

/** Where resource waivers are written, as a dotted key path for the YAML locator. */
export const WAIVE_KEY = 'meta.steward.waive';

function readResourceWaiver(
  raw: unknown,
  resource: Resource,
  index: number,
  /** `meta.steward.waive[i]`, or `meta.steward.waive` for a single mapping. */
  written: string,
): Waiver {
  const file = resource.patchPath ?? resource.filePath;
  const where = `${displayName(resource)} ${written}`;
  const waiver: Waiver = {
    rule: '',
    messageId: null,
    reason: null,
    expires: null,
    to: null,
    scope: { kind: 'resource', resourceId: resource.uniqueId },
    origin: file ? `${file}: ${where}` : where,
    file,
    keyPath: WAIVE_KEY,
    index,
  };
  const problems: string[] = [];
  if (!isRecord(raw)) {
    problems.push(
      `a waiver is a mapping with rule, reason and expires, not ${raw === null ? 'null' : Array.isArray(raw) ? 'a list' : typeof raw}`,
    );
    waiver.problems = problems;
    return waiver;
  }
  for (const key of Object.keys(raw)) {
    if (!(WAIVER_KEYS as readonly string[]).includes(key))
      problems.push(`unknown key '${key}' (allowed: ${WAIVER_KEYS.join(', ')})`);
  }
  const { rule, messageId, reason, expires, to } = raw;
  if (typeof rule === 'string' && rule.trim() !== '') waiver.rule = rule.trim();
  else problems.push(rule === undefined ? 'no rule given' : '`rule` must be a rule id');
  if (typeof messageId === 'string' && messageId.trim() !== '') waiver.messageId = messageId.trim();
  else if (messageId !== undefined && messageId !== null)
    problems.push('`messageId` must be a message id');
  if (typeof reason === 'string') waiver.reason = reason;
  else if (reason !== undefined && reason !== null) problems.push('`reason` must be text');
  if (expires !== undefined && expires !== null) {
    const text = dateText(expires);
    if (text === null) problems.push('`expires` must be a date written YYYY-MM-DD');
    else waiver.expires = text;
  }
  if (to !== undefined && to !== null) {
    if (!Array.isArray(to)) problems.push('`to` must be a list of model names or unique_ids');
    else if (!to.every((t): t is string => typeof t === 'string' && t.trim() !== ''))
      problems.push('`to` must list model names or unique_ids (non-empty strings)');
    else waiver.to = to.map((t) => t.trim());
  }
  if (problems.length > 0) waiver.problems = problems;
  return waiver;
}

function listOrUndefined(v: readonly string[] | undefined): string[] | undefined {
  return v && v.length > 0 ? [...v] : undefined;
}

/**
 * Every waiver: those in the meta of the checked project's own resources (`steward.waive`,
 * a list or a single mapping), in unique_id order, then the central ones in config order.
 * Waivers of installed packages and injected nodes are not the checked project's and are
 * ignored. Shape problems are recorded on the waiver (`problems`), not thrown.
 */
export function collectWaivers(project: Project, central: readonly CentralWaiver[]): Waiver[] {
  const own = new Set(project.projects.map((p) => p.name));
  const out: Waiver[] = [];
  // Only the few resources that write waivers are sorted, not every resource.
  const resources = [...project.resources.values()]
    .filter((r) => {
      if (r.external || !own.has(r.packageName)) return false;
      const steward = r.meta['steward'];
      if (!isRecord(steward) || !('waive' in steward)) return false;
      return steward['waive'] !== undefined && steward['waive'] !== null;
    })
    .sort((a, b) => (a.uniqueId < b.uniqueId ? -1 : a.uniqueId > b.uniqueId ? 1 : 0));
  for (const r of resources) {
    const steward = r.meta['steward'] as Record<string, unknown>;
    const waive = steward['waive'];
    if (Array.isArray(waive)) {
      waive.forEach((w, i) => out.push(readResourceWaiver(w, r, i, `${WAIVE_KEY}[${i}]`)));
    } else {
      out.push(readResourceWaiver(waive, r, 0, WAIVE_KEY));
    }
  }
  central.forEach((c, i) => {
    const scope: WaiverScope = { kind: 'central' };
    if (c.select !== undefined && c.select.trim() !== '') scope.select = c.select;
    const paths = listOrUndefined(c.paths);
    if (paths) scope.paths = paths;
    const domains = listOrUndefined(c.domains);
    if (domains) scope.domains = domains;
    const w: Waiver = {
      rule: c.rule,
      messageId: c.messageId ?? null,
      reason: c.reason,
      expires: c.expires,
      to: c.to ? [...c.to] : null,
      scope,
      origin: c.origin,
      file: c.file,
      index: i,
    };
    if (c.line !== undefined) w.line = c.line;
    out.push(w);
  });
  return out;
}

type Status =
  | { kind: 'invalid'; problem: string }
  | { kind: 'expired' }
  | {
      kind: 'active';
      /** Whether the waiver covers a finding. */
      covers: (f: Finding) => boolean;
      /** Whether a resource is in the waiver's scope (its rule, messageId and `to` aside). */
      inScope: (resourceId: string) => boolean;
    };

/** How a waiver's subject is named in messages. */
function subjectText(w: Waiver, project: Project): string {
  if (w.scope.kind === 'resource') {
    const r = project.resources.get(w.scope.resourceId);
    return r ? displayName(r) : w.scope.resourceId;
  }
  const parts: string[] = [];
  if (w.scope.select !== undefined) parts.push(`select '${w.scope.select}'`);
  if (w.scope.paths) parts.push(`paths ${w.scope.paths.join(', ')}`);
  if (w.scope.domains) parts.push(`domains ${w.scope.domains.join(', ')}`);
  return parts.length > 0 ? parts.join(' and ') : 'every resource';
}

/** Whether `related0` (a unique_id) is named by one of `to`: its unique_id, name or name.vN. */
function matchesTo(to: readonly string[], related0: string | undefined, project: Project): boolean {
  if (related0 === undefined) return false;
  if (to.includes(related0)) return true;
  const r = project.resources.get(related0);
  if (!r) return false;
  return to.some(
    (t) =>
      t === r.name ||
      (r.version !== null && t === `${r.name}.v${r.version}`) ||
      (r.sourceName !== null && t === `${r.sourceName}.${r.name}`),
  );
}

function validate(w: Waiver, ctx: WaiverContext): Status {
  const problems = [...(w.problems ?? [])];
  if (w.rule !== '') {
    const entry = ctx.registry.get(w.rule);
    if (!entry) problems.push(`unknown rule '${w.rule}'`);
    else if (!isWaivable(w.rule)) problems.push(`${w.rule} findings cannot be waived`);
    else if (w.messageId !== null && !Object.hasOwn(entry.messages, w.messageId))
      problems.push(
        `unknown messageId '${w.messageId}' for ${w.rule} (known: ${Object.keys(entry.messages).join(', ')})`,
      );
  } else if (!w.problems?.length) problems.push('no rule given');
  if (w.reason === null || w.reason.trim() === '')
    problems.push('no reason given; add `reason:` saying why the finding is accepted');
  let expiry: number | null = null;
  if (w.expires !== null) {
    expiry = expiryInstant(w.expires);
    if (expiry === null) problems.push(`expires '${w.expires}' is not a real date (YYYY-MM-DD)`);
  }
  if (w.to !== null && w.to.length === 0) problems.push('`to` is an empty list');

  let selected: ReadonlySet<string> | null = null;
  let pathMatch: ((p: string) => boolean) | null = null;
  if (w.scope.kind === 'central') {
    if (w.scope.select !== undefined) {
      try {
        selected = ctx.select(w.scope.select);
      } catch (err) {
        problems.push(`select '${w.scope.select}': ${(err as Error).message}`);
      }
    }
    if (w.scope.paths) {
      try {
        pathMatch = picomatch(w.scope.paths, { dot: true });
      } catch (err) {
        problems.push(`paths: ${(err as Error).message}`);
      }
    }
  }
  if (problems.length > 0) return { kind: 'invalid', problem: problems.join('; ') };
  if (expiry !== null && ctx.now.getTime() >= expiry) return { kind: 'expired' };

  const { rule, messageId, to, scope } = w;
  const head = (f: Finding): boolean =>
    f.ruleId === rule &&
    (messageId === null || f.messageId === messageId) &&
    (to === null || matchesTo(to, f.related?.[0], ctx.project));
  if (scope.kind === 'resource') {
    const id = scope.resourceId;
    return {
      kind: 'active',
      covers: (f) => f.subject.kind === 'node' && f.subject.id === id && head(f),
      inScope: (rid) => rid === id,
    };
  }
  const domains = scope.domains ?? null;
  const hasNodeScope = selected !== null || pathMatch !== null;
  const inScope = (id: string): boolean => {
    if (selected !== null && !selected.has(id)) return false;
    if (pathMatch !== null) {
      const r = ctx.project.resources.get(id);
      const files = [r?.filePath, r?.patchPath].filter((p): p is string => !!p);
      if (!files.some((p) => pathMatch(p))) return false;
    }
    if (domains !== null) {
      const d = ctx.domainOf(id);
      if (d === null || !domains.includes(d)) return false;
    }
    return true;
  };
  return {
    kind: 'active',
    covers: (f) => {
      if (!head(f)) return false;
      if (f.subject.kind === 'domain') {
        // A domain has no file and is no resource: only a domains-only waiver covers it.
        return domains !== null && !hasNodeScope && domains.includes(f.subject.id);
      }
      if (f.subject.kind === 'project') return domains === null && !hasNodeScope;
      return inScope(f.subject.id);
    },
    inScope,
  };
}

/**
 * Whether the waived rule runs somewhere the waiver applies (waiver-unused is reported only
 * then): on the waiver's resource; for a central waiver, on some own resource in its scope,
 * or at the project level when the waiver also covers project or domain findings.
 */
function ruleRunsUnder(
  w: Waiver,
  status: Extract<Status, { kind: 'active' }>,
  ctx: WaiverContext,
): boolean {
  if (w.scope.kind === 'resource') return ctx.isEnabled(w.rule, w.scope.resourceId);
  const nodeScoped = w.scope.select !== undefined || w.scope.paths !== undefined;
  if (!nodeScoped && ctx.isEnabled(w.rule, null)) return true;
  const own = new Set(ctx.project.projects.map((p) => p.name));
  for (const r of ctx.project.resources.values()) {
    if (r.external || !own.has(r.packageName)) continue;
    if (status.inScope(r.uniqueId) && ctx.isEnabled(w.rule, r.uniqueId)) return true;
  }
  return false;
}

/**
 * Applies the waivers to `findings`: each waivable finding covered by a valid, unexpired
 * waiver gets `suppressed: {by: 'waiver', reason, origin}` (the first covering waiver in
 * order: resource waivers, then central ones). Returns drafts of the findings about the
 * waivers: `waiver-invalid` (suppresses nothing), `waiver-expired` (suppresses nothing), and,
 * in a full run only and where the rule runs, `waiver-unused`.
 */
export function applyWaivers(
  findings: Finding[],
  waivers: readonly Waiver[],
  ctx: WaiverContext,
): EngineFindingDraft[] {
  const statuses = waivers.map((w) => validate(w, ctx));
  const byRule = new Map<string, number[]>();
  statuses.forEach((s, i) => {
    if (s.kind !== 'active') return;
    const rule = waivers[i]!.rule;
    const list = byRule.get(rule);
    if (list) list.push(i);
    else byRule.set(rule, [i]);
  });
  const used = new Set<number>();
  for (const f of findings) {
    if (f.suppressed || !isWaivable(f.ruleId)) continue;
    const candidates = byRule.get(f.ruleId);
    if (!candidates) continue;
    for (const i of candidates) {
      const s = statuses[i]!;
      if (s.kind !== 'active' || !s.covers(f)) continue;
      // Every covering waiver counts as used; the first one is named as the suppressor.
      used.add(i);
      if (!f.suppressed) {
        const w = waivers[i]!;
        const suppressed = { by: 'waiver' as const, reason: w.reason ?? '', origin: w.origin };
        f.suppressed = suppressed;
      }
    }
  }

  const drafts: EngineFindingDraft[] = [];
  const projectName = ctx.project.projects[0]?.name ?? '';
  waivers.forEach((w, i) => {
    const s = statuses[i]!;
    const base = {
      rule: w.rule === '' ? '(no rule)' : w.rule,
      messageId: w.messageId,
      subject: subjectText(w, ctx.project),
      origin: w.origin,
    };
    let draft: Omit<EngineFindingDraft, 'subject'> | null = null;
    if (s.kind === 'invalid') {
      draft = {
        ruleId: 'waiver-invalid',
        messageId: 'invalid',
        data: { ...base, problem: s.problem },
      };
    } else if (s.kind === 'expired') {
      draft = {
        ruleId: 'waiver-expired',
        messageId: 'expired',
        data: { ...base, expires: w.expires, reason: w.reason },
      };
    } else if (!used.has(i) && ctx.fullRun && ruleRunsUnder(w, s, ctx)) {
      draft = { ruleId: 'waiver-unused', messageId: 'unused', data: { ...base } };
    }
    if (!draft) return;
    const full: EngineFindingDraft =
      w.scope.kind === 'resource'
        ? {
            ...draft,
            nodeId: w.scope.resourceId,
            subject: { kind: 'node', id: w.scope.resourceId },
          }
        : { ...draft, subject: { kind: 'project', id: projectName } };
    if (w.file !== null) {
      full.location = w.line !== undefined ? { file: w.file, line: w.line } : { file: w.file };
    }
    if (w.keyPath !== undefined) full.keyPath = w.keyPath;
    drafts.push(full);
  });
  return drafts;
}
