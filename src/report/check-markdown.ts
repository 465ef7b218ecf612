/**
 * A pull-request comment in GitHub-flavoured Markdown: one summary line, a table of findings
 * (severity, rule, resource, a link to the file line on the forge), the domains and owners
 * affected (from the findings' `domain` / `owner` data), and the messages collapsed in
 * <details>. In base mode (`check --base`) also the breaking changes (model, change, the
 * consumers it breaks; waived or baselined ones marked) and, from `impact`, the domains, owners
 * and exposures each changed resource reaches, the long lists collapsed. Links are built from
 * the CI environment (GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA; or CI_PROJECT_URL,
 * CI_COMMIT_SHA on GitLab); without it the plain path is shown. Untrusted text is escaped; the
 * whole stays below GitHub's 65,536-character limit, parts cut in order of priority (the
 * findings table last), with a note of what was left out.
 */
import type { CheckResult, Finding } from '../engine/check.js';
import type { BaseModeResult, ImpactGroup, ResourceImpact } from '../engine/compare.js';
import type { ResourceType } from '../model.js';
import {
  byImportance,
  findingPath,
  findingStatus,
  pathToUri,
  type ReportContext,
} from './paths.js';

/** GitHub refuses comments of 65,536 characters or more; this leaves room to spare. */
export const MARKDOWN_MAX_CHARS = 60_000;
/** Marks the comment so that a CI step can find and update it. */
export const MARKDOWN_MARKER = '<!-- dbt-steward:check -->';

/** Escapes text for a table cell or inline Markdown: no formatting, no HTML, no mentions. */
export function escapeMarkdown(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex -- control characters are what it removes
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/@/g, '&#64;')
  );
}

/** The forge URL of a repository file at the commit under check; null when unknown. */
export function forgeLink(
  file: string,
  line: number | undefined,
  env: ReportContext['env'],
): string | null {
  if (!env) return null;
  const anchor = line !== undefined ? `#L${line}` : '';
  const uri = pathToUri(file);
  const clean = (u: string) => u.replace(/\/+$/, '');
  const safe = (u: string) => /^https?:\/\/[^\s<>()"'`]+$/.test(u);
  let url: string | null = null;
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_SHA: sha } = env;
  if (server && repo && sha) url = `${clean(server)}/${repo}/blob/${sha}/${uri}${anchor}`;
  else if (env.CI_PROJECT_URL && env.CI_COMMIT_SHA)
    url = `${clean(env.CI_PROJECT_URL)}/-/blob/${env.CI_COMMIT_SHA}/${uri}${anchor}`;
  return url && safe(url) ? url : null;
}

const ICON = { error: '🔴 error', warn: '🟡 warning', info: '🔵 info' } as const;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export interface MarkdownOptions {
  maxChars?: number;
}

export function formatCheckMarkdown(
  result: CheckResult,
  context?: ReportContext,
  options: MarkdownOptions = {},
): string {
  const max = options.maxChars ?? MARKDOWN_MAX_CHARS;
  const shown = byImportance(result.findings.filter((f) => !f.suppressed));
  const fresh = shown.filter((f) => findingStatus(f) === 'new');
  const s = result.summary;
  // In base mode (findings carry a status) the headline counts what the change introduces,
  // as the exit code does; the rest is named beside it.
  const baseMode = result.findings.some(
    (f) => (f as Finding & { status?: string }).status !== undefined,
  );
  const n = (sev: Finding['severity']) =>
    baseMode ? fresh.filter((f) => f.severity === sev).length : s[sev];
  const [errors, warns, infos] = [n('error'), n('warn'), n('info')];
  const fresh_ = baseMode ? 'new ' : '';
  const counts = [
    plural(errors, `${fresh_}error`),
    plural(warns, `${fresh_}warning`),
    `${infos} ${fresh_}info`,
  ].join(', ');
  const existing = shown.filter((f) => findingStatus(f) === 'existing').length;
  const fixed = result.findings.filter((f) => findingStatus(f) === 'fixed').length;
  const extras: string[] = [];
  if (baseMode) extras.push(`${existing} existing`, `${fixed} fixed`);
  if (s.waived + s.baselined > 0) extras.push(`${s.waived} waived`, `${s.baselined} baselined`);
  const suppressed = extras.length > 0 ? ` (${extras.join(', ')})` : '';
  const verdict = errors > 0 ? '❌' : warns > 0 ? '⚠️' : '✅';
  const head = [MARKDOWN_MARKER, `### ${verdict} dbt-steward: ${counts}${suppressed}`, ''];
  const footerFor = (left: number): string[] =>
    left > 0
      ? [
          '',
          `> ${left} more finding${left === 1 ? ' was' : 's were'} left out to keep this comment under GitHub's size limit; see the job's sarif or json output for all of them.`,
        ]
      : [];

  const base = result as Partial<BaseModeResult>;
  const isBase = base.changes !== undefined && base.impact !== undefined;
  if (fresh.length === 0 && !isBase) return `${[...head, 'No findings.'].join('\n')}\n`;

  const linkOf = (f: Finding): string => {
    const file = findingPath(f, context);
    const line = f.location?.line;
    const text = escapeMarkdown(`${file}${line !== undefined ? `:${line}` : ''}`);
    const url = forgeLink(file, line, context?.env);
    return url ? `[${text}](${url})` : text;
  };
  const row = (f: Finding) =>
    `| ${ICON[f.severity]} | \`${f.ruleId.replace(/`/g, "'")}\` | ${escapeMarkdown(f.subject.id)} | ${linkOf(f)} |`;
  const tableHead =
    fresh.length > 0
      ? ['| Severity | Rule | Resource | Location |', '| --- | --- | --- | --- |']
      : ['No new findings.'];

  // Domains and owners: from the findings' data, when rules put them there.
  const tally = (key: 'domain' | 'owner') => {
    const m = new Map<string, number>();
    for (const f of fresh) {
      const v = f.data[key];
      if (typeof v === 'string' && v !== '') m.set(v, (m.get(v) ?? 0) + 1);
    }
    return [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  };
  const domains = tally('domain');
  const owners = tally('owner');
  const tallies: string[] = [];
  const list = (label: string, rows: [string, number][]) => {
    if (rows.length === 0) return;
    tallies.push(
      `- ${label}: ${rows
        .slice(0, 50)
        .map(([k, n]) => `${escapeMarkdown(k)} (${n})`)
        .join(', ')}${rows.length > 50 ? `, and ${rows.length - 50} more` : ''}`,
    );
  };
  list('Domains', domains);
  list('Owners', owners);

  // Base mode: the breaking changes (suppressed ones too, marked) and the impact of the change.
  const breaking = isBase
    ? byImportance(
        result.findings.filter(
          (f) => f.ruleId === 'breaking-change' && findingStatus(f) !== 'fixed',
        ),
      )
    : [];
  const breakingRows = breaking.map(breakingRow(linkOf));
  const consumerLines = breaking
    .filter((f) => (f.related?.length ?? 0) > SHOWN_CONSUMERS)
    .map(
      (f) =>
        `- ${escapeMarkdown(String(f.data.name ?? f.subject.id))}: ${names(f.related ?? [], 100)}`,
    );
  const impact = isBase ? (base.impact ?? []) : [];
  const impactSummary = isBase ? impactByDomain(impact) : [];
  const impactLines = impact.map(
    (i) => `- ${escapeMarkdown(i.uniqueId)} (${i.change}) reaches ${reachOf(i.groups)}`,
  );

  // Budget: everything shares `max`. Parts are filled in order of priority (the findings
  // table, then the breaking changes, the domains and owners, the messages, the details of
  // consumers and impact); what does not fit is cut with a note.
  const reserve = 1_000;
  const sectionCost = (lines: readonly string[]) => lines.join('\n').length + 1;
  const breakingHead = ['', '#### Breaking changes', '', ...BREAKING_HEAD];
  const affectedHead = ['', '#### Domains and owners affected', ''];
  const affectedItems = [...tallies, ...impactSummary];
  const detailsOpen = ['', '<details><summary>Messages</summary>', ''];
  const detailsClose = ['', '</details>'];
  // The scaffolding is counted up front, so that what is filled in cannot push it over.
  let used =
    sectionCost(head) +
    sectionCost(tableHead) +
    sectionCost(footerFor(fresh.length)) +
    (breakingRows.length > 0 ? sectionCost(breakingHead) : 0) +
    (affectedItems.length > 0 ? sectionCost(affectedHead) : 0) +
    (fresh.length > 0 ? sectionCost([...detailsOpen, ...detailsClose]) : 0);
  const take = (items: readonly string[], note: (left: number) => string): string[] => {
    const kept: string[] = [];
    for (const item of items) {
      if (used + item.length + 1 + reserve > max) break;
      kept.push(item);
      used += item.length + 1;
    }
    const left = items.length - kept.length;
    if (left > 0) {
      const n = note(left);
      kept.push(n);
      used += n.length + 1;
    }
    return kept;
  };
  const rows: string[] = [];
  let inTable = 0;
  for (; inTable < fresh.length; inTable++) {
    const r = row(fresh[inTable]!);
    if (used + r.length + 1 + reserve > max) break;
    rows.push(r);
    used += r.length + 1;
  }
  const breakingKept = take(
    breakingRows,
    (left) => `\n> ${plural(left, 'more breaking change')} left out (size limit).`,
  );
  const affectedKept = take(affectedItems, (left) => `- … ${left} more line(s) left out`);
  const details = take(
    fresh
      .slice(0, inTable)
      .map(
        (f) =>
          `- **${escapeMarkdown(f.ruleId)}** ${escapeMarkdown(f.subject.id)}: ${escapeMarkdown(f.message)}`,
      ),
    (left) => `- … ${left} more message(s) left out`,
  );
  const omitted: string[] = [];
  const collapsed = (summary: string, items: readonly string[], what: string): string[] => {
    if (items.length === 0) return [];
    const open = ['', `<details><summary>${summary}</summary>`, ''];
    if (used + sectionCost([...open, ...detailsClose]) + reserve > max) {
      omitted.push(summary.toLowerCase());
      return [];
    }
    used += sectionCost([...open, ...detailsClose]);
    return [
      ...open,
      ...take(items, (left) => `- … ${left} more ${what} left out`),
      ...detailsClose,
    ];
  };
  const consumersBlock = collapsed('Consumers broken', consumerLines, 'line(s)');
  const impactBlock = collapsed(
    `Impact by changed resource (${impact.length})`,
    impactLines,
    'changed resource(s)',
  );
  const omittedNote =
    omitted.length > 0
      ? ['', `> Left out to keep this comment under GitHub's size limit: ${omitted.join(', ')}.`]
      : [];

  const out = [
    ...head,
    ...tableHead,
    ...rows,
    ...footerFor(fresh.length - inTable),
    ...(breakingRows.length > 0 ? [...breakingHead, ...breakingKept] : []),
    ...consumersBlock,
    ...(affectedItems.length > 0 ? [...affectedHead, ...affectedKept] : []),
    ...impactBlock,
    ...(inTable > 0 ? [...detailsOpen, ...details, ...detailsClose] : []),
    ...omittedNote,
  ].join('\n');
  return `${out}\n`;
}

/** Consumers named in a breaking change's row; the full list goes to a collapsed block. */
const SHOWN_CONSUMERS = 3;

const BREAKING_HEAD = ['| Model | Change | Breaks | Location |', '| --- | --- | --- | --- |'];

/** A resource by its short name: `model.pkg.orders.v2` → `orders.v2`. */
function shortName(id: string): string {
  const parts = id.split('.');
  return parts.length > 2 ? parts.slice(2).join('.') : id;
}

function breakingRow(linkOf: (f: Finding) => string): (f: Finding) => string {
  return (f) => {
    const consumers = f.related ?? [];
    const named = consumers.slice(0, SHOWN_CONSUMERS).map((c) => escapeMarkdown(shortName(c)));
    const more = consumers.length - named.length;
    const breaks =
      consumers.length === 0
        ? 'no consumer'
        : `${plural(consumers.length, 'consumer')}: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
    const by = f.suppressed
      ? ` (${f.suppressed.by === 'waiver' ? 'waived' : 'baselined'}${f.suppressed.by === 'waiver' && f.suppressed.reason ? `: ${escapeMarkdown(f.suppressed.reason)}` : ''})`
      : '';
    const name = escapeMarkdown(String(f.data.name ?? f.subject.id));
    const change = escapeMarkdown(String(f.data.change ?? f.message));
    return `| ${name} | ${change}${by} | ${breaks} | ${linkOf(f)} |`;
  };
}

const TYPE_WORDS: Partial<Record<ResourceType, [string, string]>> = {
  model: ['model', 'models'],
  seed: ['seed', 'seeds'],
  snapshot: ['snapshot', 'snapshots'],
  source: ['source', 'sources'],
  exposure: ['exposure', 'exposures'],
  metric: ['metric', 'metrics'],
  semantic_model: ['semantic model', 'semantic models'],
  saved_query: ['saved query', 'saved queries'],
  analysis: ['analysis', 'analyses'],
  function: ['function', 'functions'],
};

function typeCount(type: string, n: number): string {
  const words = TYPE_WORDS[type as ResourceType] ?? [type, type];
  return `${n} ${n === 1 ? words[0] : words[1]}`;
}

/** Names, capped: `a, b and 3 more`. */
function names(list: readonly string[], cap = 10): string {
  const shown = list.slice(0, cap).map((x) => escapeMarkdown(x));
  const more = list.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

function joinAnd(parts: readonly string[]): string {
  return parts.length <= 1
    ? (parts[0] ?? '')
    : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]!}`;
}

/** `growth (3 models, owner x) and the exposure weekly_kpis (owner y)`. */
function reachOf(groups: readonly ImpactGroup[]): string {
  const parts: string[] = [];
  // A line per changed resource: a change reaching everything names the largest groups only.
  const shown = [...groups].sort((a, b) => b.count - a.count).slice(0, MAX_GROUPS);
  for (const g of groups) {
    if (!shown.includes(g)) continue;
    const owner = g.owner !== null ? `owner ${escapeMarkdown(g.owner)}` : 'no owner';
    const types = Object.entries(g.byType)
      .filter(([t]) => t !== 'exposure')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([t, n]) => typeCount(t, n ?? 0));
    if (types.length > 0)
      parts.push(
        `${g.domain !== null ? escapeMarkdown(g.domain) : '(no domain)'} (${types.join(', ')}, ${owner})`,
      );
    if (g.exposures.length > 0)
      parts.push(
        `the ${g.exposures.length === 1 ? 'exposure' : 'exposures'} ${names(g.exposures)} (${owner})`,
      );
  }
  if (groups.length > shown.length)
    parts.push(plural(groups.length - shown.length, 'more domain and owner group'));
  return joinAnd(parts);
}

const MAX_GROUPS = 20;

/** Per domain over every changed resource: what it reaches there and whose it is. */
function impactByDomain(impact: readonly ResourceImpact[]): string[] {
  const byDomain = new Map<
    string,
    { changes: Set<string>; count: number; owners: Set<string>; exposures: Set<string> }
  >();
  for (const i of impact)
    for (const g of i.groups) {
      const key = g.domain ?? '';
      let d = byDomain.get(key);
      if (!d)
        byDomain.set(
          key,
          (d = { changes: new Set(), count: 0, owners: new Set(), exposures: new Set() }),
        );
      d.changes.add(i.uniqueId);
      d.count += g.count;
      if (g.owner !== null) d.owners.add(g.owner);
      for (const e of g.exposures) d.exposures.add(e);
    }
  const sorted = [...byDomain.entries()].sort(
    (a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
  );
  return sorted.map(([domain, d]) => {
    const owners = [...d.owners].sort();
    const exposures = [...d.exposures].sort();
    const bits = [
      `${plural(d.changes.size, 'changed resource')} ${d.changes.size === 1 ? 'reaches' : 'reach'} ${plural(d.count, 'downstream resource')}`,
      owners.length > 0
        ? `${owners.length === 1 ? 'owner' : 'owners'} ${names(owners, 5)}`
        : 'no owner',
    ];
    if (exposures.length > 0)
      bits.push(`${exposures.length === 1 ? 'exposure' : 'exposures'} ${names(exposures, 5)}`);
    return `- ${domain !== '' ? `**${escapeMarkdown(domain)}**` : '(no domain)'}: ${bits.join('; ')}`;
  });
}
