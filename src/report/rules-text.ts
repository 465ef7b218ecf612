/**
 * The registry as text: the `dbt-steward rules` table and JSON, one entry's documentation
 * with its generated options block, and the generated rules/README.md. Pure functions.
 */
import type { PresetName, Registry, RegistryEntry } from '../engine/registry.js';
import { plain } from './owner.js';
import {
  entryMessages,
  formatRuleOptions,
  ruleOptions,
  type RuleMessageInfo,
  type RuleOptionInfo,
} from './rule-options.js';

const PRESET_ORDER: readonly PresetName[] = ['recommended', 'strict', 'all'];

/** The width `dbt-steward rules` fits its table into. */
export const RULES_TABLE_WIDTH = 100;

function presetsText(entry: RegistryEntry): string {
  return PRESET_ORDER.map((p) => entry.presets[p]).join('/');
}

/** Splits text into lines of at most `width` characters, at spaces where it can. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > width) {
      if (line) lines.push(line);
      lines.push(word.slice(0, width));
      word = word.slice(width);
      line = '';
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * The aligned table of every registry entry: id, kind, default severity, the severity in
 * the recommended/strict/all presets, and the description, wrapped to fit 100 columns.
 */
export function formatRulesText(registry: Registry): string {
  const header = ['ID', 'KIND', 'DEFAULT', 'REC/STRICT/ALL', 'DESCRIPTION'];
  const rows = [...registry.entries.values()].map((e) => [
    plain(e.id),
    e.kind,
    e.severity,
    presetsText(e),
    plain(e.description),
  ]);
  const widths = header
    .slice(0, 4)
    .map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const gap = '  ';
  const indent = widths.reduce((a, w) => a + w + gap.length, 0);
  // A description narrower than this would be unreadable: it goes on lines of its own.
  const descWidth = RULES_TABLE_WIDTH - indent;
  const lines: string[] = [];
  const pad = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(gap);
  lines.push(`${pad(header.slice(0, 4))}${gap}${header[4]}`.trimEnd());
  for (const row of rows) {
    const lead = pad(row.slice(0, 4));
    if (descWidth >= 30) {
      const desc = wrap(row[4]!, descWidth);
      lines.push(`${lead}${gap}${desc[0]}`.trimEnd());
      for (const more of desc.slice(1)) lines.push(`${' '.repeat(indent)}${more}`);
    } else {
      lines.push(lead.trimEnd());
      for (const more of wrap(row[4]!, RULES_TABLE_WIDTH - 4)) lines.push(`    ${more}`);
    }
  }
  const counts = { rule: 0, engine: 0, loader: 0 };
  for (const e of registry.entries.values()) counts[e.kind]++;
  lines.push(
    '',
    `${registry.entries.size} ids: ${counts.rule} rules, ${counts.engine} engine findings, ${counts.loader} loader findings.`,
    'REC/STRICT/ALL: the severity in the recommended, strict and all presets (off: not in it).',
    'dbt-steward rules ID prints the documentation of one.',
  );
  return lines.join('\n') + '\n';
}

/** One registry entry as the stable JSON of `dbt-steward rules --format json`. */
export interface RuleListing {
  id: string;
  kind: RegistryEntry['kind'];
  category: string;
  description: string;
  severity: RegistryEntry['severity'];
  presets: Record<PresetName, RegistryEntry['presets'][PresetName]>;
  requiresDomains: boolean;
  /** The documentation file, relative to the package root. */
  doc: string;
  messages: RuleMessageInfo[];
  options: RuleOptionInfo[];
}

export function ruleListing(entry: RegistryEntry): RuleListing {
  return {
    id: entry.id,
    kind: entry.kind,
    category: entry.category,
    description: entry.description,
    severity: entry.severity,
    presets: {
      recommended: entry.presets.recommended,
      strict: entry.presets.strict,
      all: entry.presets.all,
    },
    requiresDomains: entry.requiresDomains,
    doc: entry.doc,
    messages: entryMessages(entry),
    options: entry.rule ? ruleOptions(entry.rule) : [],
  };
}

/** Every registry entry as a JSON array, sorted by id. */
export function formatRulesJson(registry: Registry): string {
  return JSON.stringify([...registry.entries.values()].map(ruleListing), null, 2) + '\n';
}

/** Control characters escaped line by line (a doc is many lines; CRLF files read as LF). */
function plainLines(text: string): string {
  return text.replace(/\r\n/g, '\n').split('\n').map(plain).join('\n');
}

/**
 * One entry's documentation: its Markdown file (or, when it has none, such as a plugin rule
 * without docs, a summary made from its metadata), then the generated options block.
 */
export function formatRuleDoc(entry: RegistryEntry, markdown: string | null): string {
  let doc = markdown;
  if (doc === null) {
    doc = [
      `# ${entry.id}`,
      '',
      entry.description,
      '',
      `- Kind: ${entry.kind}`,
      `- Category: ${entry.category}`,
      `- Default severity: ${entry.severity}`,
      `- In the recommended preset: ${entry.presets.recommended === 'off' ? 'no' : 'yes'}`,
      '',
      '(No documentation file.)',
    ].join('\n');
  }
  return `${plainLines(doc.replace(/\s+$/, ''))}\n\n${plainLines(formatRuleOptions(entry))}`;
}

// --- rules/README.md ---------------------------------------------------------------------

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** A Markdown table aligned the way Prettier aligns one. */
function markdownTable(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** The link to an entry's doc from rules/README.md. */
function docLink(entry: RegistryEntry): string {
  return entry.doc.startsWith('rules/') ? entry.doc.slice('rules/'.length) : `../${entry.doc}`;
}

/**
 * rules/README.md: a table per category of every finding id, linked to its documentation.
 * Generated by `npm run docs:rules`; a test fails when the file differs from this.
 */
export function rulesReadme(registry: Registry): string {
  const byCategory = new Map<string, RegistryEntry[]>();
  for (const e of registry.entries.values()) {
    let list = byCategory.get(e.category);
    if (!list) byCategory.set(e.category, (list = []));
    list.push(e);
  }
  const out: string[] = [
    '# Rules and findings',
    '',
    '<!-- Generated from the registry by `npm run docs:rules`; do not edit by hand. -->',
    '',
    'Every finding id dbt-steward can report: the built-in rules (kind `rule`) and the findings',
    'the engine and the loader emit themselves (kinds `engine` and `loader`). Each can be set',
    'to a severity or `off` in `dbt-steward.yml` like a rule. "Severity" is the default; the',
    'preset columns give the severity in the `recommended`, `strict` and `all` presets (`off`:',
    'not in it). `dbt-steward rules` lists them and `dbt-steward rules ID` prints one',
    "entry's documentation with its options.",
  ];
  const sections: Array<[string, (e: RegistryEntry) => boolean]> = [
    ['Rules', (e) => e.kind === 'rule'],
    ['Engine and loader findings', (e) => e.kind !== 'rule'],
  ];
  for (const [title, belongs] of sections) {
    const categories = [...byCategory.entries()]
      .map(([category, entries]) => [category, entries.filter(belongs)] as const)
      .filter(([, entries]) => entries.length > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (categories.length === 0) continue;
    out.push('', `## ${title}`);
    for (const [category, entries] of categories) {
      out.push('', `### ${category}`, '');
      out.push(
        ...markdownTable(
          ['id', 'kind', 'severity', 'recommended', 'strict', 'all', 'description'],
          entries.map((e) => [
            `[\`${e.id}\`](${docLink(e)})`,
            e.kind,
            e.severity,
            e.presets.recommended,
            e.presets.strict,
            e.presets.all,
            cell(e.description),
          ]),
        ),
      );
    }
  }
  return out.join('\n') + '\n';
}
