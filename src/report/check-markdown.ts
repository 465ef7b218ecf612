/**
 * A pull-request comment in GitHub-flavoured Markdown: one summary line, a table of findings
 * (severity, rule, resource, a link to the file line on the forge), the domains and owners
 * affected (from the findings' `domain` / `owner` data), and the messages collapsed in
 * <details>. Links are built from the CI environment (GITHUB_SERVER_URL, GITHUB_REPOSITORY,
 * GITHUB_SHA; or CI_PROJECT_URL, CI_COMMIT_SHA on GitLab); without it the plain path is shown.
 * Untrusted text is escaped; the whole stays below GitHub's 65,536-character limit, with a
 * note of what was left out.
 */
import type { CheckResult, Finding } from '../engine/check.js';
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
  const prefix = context?.pathPrefix;
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

  if (fresh.length === 0) return `${[...head, 'No findings.'].join('\n')}\n`;

  const linkOf = (f: Finding): string => {
    const file = findingPath(f, prefix);
    const line = f.location?.line;
    const text = escapeMarkdown(`${file}${line !== undefined ? `:${line}` : ''}`);
    const url = forgeLink(file, line, context?.env);
    return url ? `[${text}](${url})` : text;
  };
  const row = (f: Finding) =>
    `| ${ICON[f.severity]} | \`${f.ruleId.replace(/`/g, "'")}\` | ${escapeMarkdown(f.subject.id)} | ${linkOf(f)} |`;
  const tableHead = ['| Severity | Rule | Resource | Location |', '| --- | --- | --- | --- |'];

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
  const affected: string[] = [];
  if (domains.length + owners.length > 0) {
    affected.push('', '#### Domains and owners affected', '');
    const list = (label: string, rows: [string, number][]) => {
      if (rows.length === 0) return;
      affected.push(
        `- ${label}: ${rows
          .slice(0, 50)
          .map(([k, n]) => `${escapeMarkdown(k)} (${n})`)
          .join(', ')}${rows.length > 50 ? `, and ${rows.length - 50} more` : ''}`,
      );
    };
    list('Domains', domains);
    list('Owners', owners);
  }

  // Budget: head, table and details share `max`, leaving room for the closing lines.
  const detailsOpen = ['', '<details><summary>Messages</summary>', ''];
  const detailsClose = ['', '</details>'];
  let used = [...head, ...tableHead, ...affected, ...detailsOpen, ...detailsClose].join(
    '\n',
  ).length;
  const reserve = 400;
  const rows: string[] = [];
  let i = 0;
  for (; i < fresh.length; i++) {
    const r = row(fresh[i]!);
    if (used + r.length + 1 + reserve > max) break;
    rows.push(r);
    used += r.length + 1;
  }
  const inTable = i;
  const details: string[] = [];
  for (let j = 0; j < inTable; j++) {
    const f = fresh[j]!;
    const d = `- **${escapeMarkdown(f.ruleId)}** ${escapeMarkdown(f.subject.id)}: ${escapeMarkdown(f.message)}`;
    if (used + d.length + 1 + reserve > max) {
      details.push(`- … ${inTable - j} more message(s) left out`);
      break;
    }
    details.push(d);
    used += d.length + 1;
  }
  const out = [
    ...head,
    ...tableHead,
    ...rows,
    ...footerFor(fresh.length - inTable),
    ...affected,
    ...detailsOpen,
    ...details,
    ...detailsClose,
  ].join('\n');
  return `${out}\n`;
}
