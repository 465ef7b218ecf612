/**
 * `--format html`: one self-contained HTML file (inline CSS and JS, no network requests, opens
 * from file://) with summary cards, sortable and filterable owner, domain and product tables,
 * the domain graph as inline SVG and the cross-domain edge table with violations highlighted.
 *
 * Every name and description is untrusted: text and attribute values go through escapeHtml,
 * no event-handler attribute is ever built, no report data is embedded in the script, and a
 * Content-Security-Policy (`default-src 'none'`, the inline script and style allowed by hash
 * only) stops anything that would slip through from running or loading.
 */
import type {
  CrossDomainEdge,
  DomainCoupling,
  DomainDependency,
  DomainRow,
  DomainsReport,
  OwnerRow,
  OwnersReport,
  ProductRecord,
  ProductsReport,
  Share,
} from '../engine/reports.js';
import { attr, cspHash, escapeHtml } from './html.js';

/** What one HTML report shows: any of the three reports (sections of absent ones are left out). */
export interface HtmlReportInput {
  owners?: OwnersReport | null;
  domains?: DomainsReport | null;
  products?: ProductsReport | null;
  /** The page title (default: "dbt-steward governance report"). */
  title?: string;
}

const STYLE = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa;
  --accent: #0969da; --bad: #cf222e; --bad-bg: #ffebe9; --warn-bg: #fff8c5; }
* { box-sizing: border-box; }
body { margin: 0; padding: 1.5rem 2rem 3rem; font: 14px/1.45 system-ui, -apple-system, "Segoe UI",
  Roboto, Helvetica, Arial, sans-serif; color: var(--fg); background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
.muted { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); gap: .75rem; margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; background: var(--bg); }
.card .value { font-size: 1.5rem; font-weight: 600; }
.card .label { color: var(--muted); font-size: .8rem; }
.card.bad { border-color: var(--bad); background: var(--bad-bg); }
.tools { display: flex; gap: .75rem; align-items: center; margin: .5rem 0; }
.tools input { font: inherit; padding: .3rem .5rem; border: 1px solid var(--line); border-radius: 6px; min-width: 16rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .55rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: var(--bg); position: sticky; top: 0; white-space: nowrap; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th button::after { content: " \\2195"; color: var(--muted); font-weight: 400; }
th[aria-sort="ascending"] button::after { content: " \\2191"; color: var(--accent); }
th[aria-sort="descending"] button::after { content: " \\2193"; color: var(--accent); }
th button:focus-visible { outline: 2px solid var(--accent); }
tr.violation td { background: var(--bad-bg); }
tr.violation td.status { color: var(--bad); font-weight: 600; }
tr.waived td { background: var(--warn-bg); }
td.desc { max-width: 32rem; overflow-wrap: anywhere; }
code { font-size: .9em; overflow-wrap: break-word; }
.graph { border: 1px solid var(--line); border-radius: 8px; background: #fff; max-width: 100%; height: auto; }
.graph .node circle { fill: #ddf4ff; stroke: var(--accent); stroke-width: 1.5; }
.graph .node text { font-size: 12px; fill: var(--fg); }
.graph .edge path { fill: none; stroke: #8c959f; stroke-width: 1.4; }
.graph .edge.violation path { stroke: var(--bad); stroke-width: 2.2; }
.graph .edge text { font-size: 11px; fill: var(--muted); }
.graph .edge.violation text { fill: var(--bad); font-weight: 600; }
.graph #arrow path { fill: #8c959f; }
.graph #arrow-bad path { fill: var(--bad); }
ul.plain { margin: .25rem 0; padding-left: 1.2rem; }
`;

/**
 * Sorting and filtering. It reads nothing but the DOM that the server-side rendering escaped,
 * and writes only attributes (`hidden`, `aria-sort`) and text (`textContent`), never HTML.
 */
const SCRIPT = `
(function () {
  'use strict';
  function key(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell ? cell.getAttribute('data-sort') : null;
    if (raw === null) raw = cell ? cell.textContent || '' : '';
    if (numeric) {
      var n = parseFloat(raw);
      return isNaN(n) ? -Infinity : n;
    }
    return raw.toLowerCase();
  }
  function sortBy(table, th, index) {
    var numeric = th.getAttribute('data-type') === 'number';
    var ascending = th.getAttribute('aria-sort') !== 'ascending';
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute('aria-sort');
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, position) {
      return { row: row, key: key(row, index, numeric), position: position };
    });
    rows.sort(function (a, b) {
      var c = numeric ? a.key - b.key : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
      if (!ascending) c = -c;
      return c !== 0 ? c : a.position - b.position;
    });
    rows.forEach(function (r) { body.appendChild(r.row); });
  }
  var tables = document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables, function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, index) {
      th.addEventListener('click', function () { sortBy(table, th, index); });
    });
  });
  function count(table, input) {
    var rows = table.tBodies[0].rows;
    var shown = 0;
    for (var i = 0; i < rows.length; i++) if (!rows[i].hidden) shown++;
    var out = document.getElementById(input.getAttribute('data-count'));
    var total = rows.length + (rows.length === 1 ? ' row' : ' rows');
    if (out) out.textContent = shown === rows.length ? total : shown + ' of ' + total;
  }
  var inputs = document.querySelectorAll('input.filter');
  Array.prototype.forEach.call(inputs, function (input) {
    var table = document.getElementById(input.getAttribute('data-table'));
    if (!table) return;
    input.addEventListener('input', function () {
      var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
      var rows = table.tBodies[0].rows;
      for (var i = 0; i < rows.length; i++) {
        var text = (rows[i].textContent || '').toLowerCase();
        rows[i].hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
      }
      count(table, input);
    });
    count(table, input);
  });
})();
`;

/** The page's Content-Security-Policy: nothing but the page's own inline script and style. */
export const HTML_REPORT_CSP = [
  "default-src 'none'",
  `script-src ${cspHash(SCRIPT)}`,
  `style-src ${cspHash(STYLE)}`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** One sortable column: a literal of ours (never data) and how its cells sort. */
interface Column {
  label: string;
  numeric?: boolean;
  title?: string;
}

/** A table cell: the escaped HTML inside the td, and optionally its sort key and class. */
interface Cell {
  html: string;
  sort?: string | number;
  className?: string;
}

function text(value: string | number): Cell {
  return { html: escapeHtml(value) };
}

function num(value: number): Cell {
  return { html: escapeHtml(value), sort: value, className: 'num' };
}

function share(s: Share): Cell {
  const html = s.percent === null ? '–' : `${escapeHtml(s.percent)}%`;
  return {
    html: `<span ${attr('title', `${s.count} of ${s.total}`)}>${html}</span>`,
    sort: s.percent ?? -1,
    className: 'num',
  };
}

function codeCell(value: string): Cell {
  return { html: `<code>${escapeHtml(value)}</code>`, sort: value };
}

function list(values: readonly string[]): Cell {
  return { html: values.map((v) => escapeHtml(v)).join(', '), sort: values.join(', ') };
}

interface TableSpec {
  id: string;
  caption: string;
  columns: Column[];
  rows: Array<{ cells: Cell[]; className?: string; attrs?: Record<string, string> }>;
  filterable?: boolean;
}

function renderTable(t: TableSpec): string {
  const head = t.columns
    .map((c) => {
      const attrs = [
        c.numeric ? 'class="num" data-type="number"' : '',
        c.title ? attr('title', c.title) : '',
      ].filter(Boolean);
      return `<th scope="col"${attrs.length ? ` ${attrs.join(' ')}` : ''}><button type="button">${escapeHtml(c.label)}</button></th>`;
    })
    .join('');
  const body = t.rows
    .map((r) => {
      const rowAttrs = [
        r.className ? attr('class', r.className) : '',
        ...Object.entries(r.attrs ?? {}).map(([k, v]) => attr(k, v)),
      ].filter(Boolean);
      const cells = r.cells
        .map((c) => {
          const a = [
            c.className ? attr('class', c.className) : '',
            c.sort !== undefined ? attr('data-sort', c.sort) : '',
          ].filter(Boolean);
          return `<td${a.length ? ` ${a.join(' ')}` : ''}>${c.html}</td>`;
        })
        .join('');
      return `<tr${rowAttrs.length ? ` ${rowAttrs.join(' ')}` : ''}>${cells}</tr>`;
    })
    .join('\n');
  const tools = t.filterable
    ? `<div class="tools"><input type="search" class="filter" ${attr('data-table', t.id)} ${attr(
        'data-count',
        `${t.id}-count`,
      )} ${attr('aria-label', `Filter: ${t.caption}`)} placeholder="Filter rows…"><span class="muted" ${attr(
        'id',
        `${t.id}-count`,
      )}>${t.rows.length} row${t.rows.length === 1 ? '' : 's'}</span></div>\n`
    : '';
  return (
    `${tools}<div class="table-wrap"><table class="sortable" ${attr('id', t.id)}>` +
    `<caption class="muted">${escapeHtml(t.caption)}</caption>\n<thead><tr>${head}</tr></thead>\n` +
    `<tbody>\n${body}\n</tbody></table></div>\n`
  );
}

function card(label: string, value: number, bad = false): string {
  return `<div class="card${bad ? ' bad' : ''}"><div class="value">${escapeHtml(value)}</div><div class="label">${escapeHtml(label)}</div></div>`;
}

function renderCards(input: HtmlReportInput): string {
  const cards: string[] = [];
  const o = input.owners?.summary;
  if (o) {
    cards.push(
      card('resources', o.resources),
      card('owners', o.owners),
      card('unowned resources', o.unowned, o.unowned > 0),
      card('without a domain', o.withoutDomain),
      card('error findings', o.findings.error, o.findings.error > 0),
      card('warnings', o.findings.warn),
    );
  }
  const d = input.domains?.summary;
  if (d) {
    cards.push(
      card('domains', d.domains),
      card('cross-domain edges', d.crossDomainEdges),
      card('boundary violations', d.violations, d.violations > 0),
      card('waived edges', d.waived),
      card('domain cycles', d.cycles, d.cycles > 0),
    );
  } else if (o) {
    cards.push(card('domains', o.domains));
  }
  const p = input.products?.summary;
  if (p) {
    cards.push(
      card('data products', p.products),
      card('products with enforced contract', p.contractEnforced),
      card('products with an owner', p.withOwner),
    );
  }
  return cards.length ? `<section class="cards" id="summary">${cards.join('\n')}</section>\n` : '';
}

function findingsCells(f: { error: number; warn: number; info: number }): Cell[] {
  return [num(f.error), num(f.warn), num(f.info)];
}

const STATS_COLUMNS: Column[] = [
  { label: 'Resources', numeric: true },
  { label: 'Models', numeric: true },
  { label: 'Public', numeric: true, title: 'public models' },
  { label: 'Products', numeric: true, title: 'data products' },
  { label: 'Described', numeric: true, title: 'share of models with a description' },
  { label: 'Tested', numeric: true, title: 'share of models with a data test' },
  { label: 'Contract', numeric: true, title: 'share of models with an enforced contract' },
  { label: 'Errors', numeric: true },
  { label: 'Warnings', numeric: true },
  { label: 'Info', numeric: true },
];

function statsCells(r: OwnerRow | DomainRow): Cell[] {
  return [
    num(r.resources),
    num(r.models),
    num(r.publicModels),
    num(r.dataProducts),
    share(r.described),
    share(r.tested),
    share(r.contractEnforced),
    ...findingsCells(r.findings),
  ];
}

function renderOwners(report: OwnersReport): string {
  const parts = [`<section id="owners"><h2>Owners</h2>\n`];
  parts.push(
    renderTable({
      id: 'owners-table',
      caption: 'Resources, coverage and findings per owner',
      filterable: true,
      columns: [{ label: 'Owner' }, { label: 'Domains' }, ...STATS_COLUMNS],
      rows: report.owners.map((r) => ({
        cells: [text(r.owner), list(r.domains), ...statsCells(r)],
      })),
    }),
  );
  if (report.ownersWithoutDomain.length > 0) {
    parts.push(
      `<h3>Owners with no domain</h3><ul class="plain">${report.ownersWithoutDomain
        .map((o) => `<li>${escapeHtml(o)}</li>`)
        .join('')}</ul>\n`,
    );
  }
  if (report.unowned.length > 0) {
    parts.push(
      `<h3>Resources with no owner</h3>\n` +
        renderTable({
          id: 'unowned-table',
          caption: 'Resources without an owner',
          filterable: true,
          columns: [
            { label: 'Resource' },
            { label: 'Type' },
            { label: 'Domain' },
            { label: 'File' },
          ],
          rows: report.unowned.map((u) => ({
            cells: [codeCell(u.id), text(u.resourceType), text(u.domain ?? ''), text(u.file ?? '')],
          })),
        }),
    );
  }
  parts.push('</section>\n');
  return parts.join('');
}

function renderDomainTable(
  owners: OwnersReport | null | undefined,
  domains: DomainsReport | null | undefined,
): string {
  const coupling = new Map<string, DomainCoupling>(
    (domains?.coupling ?? []).map((c) => [c.domain, c]),
  );
  const couplingColumns: Column[] = domains
    ? [
        { label: 'Ca', numeric: true, title: 'afferent coupling: domains that depend on it' },
        { label: 'Ce', numeric: true, title: 'efferent coupling: domains it depends on' },
        { label: 'Instability', numeric: true, title: 'Ce / (Ca + Ce)' },
      ]
    : [];
  const couplingCells = (domain: string): Cell[] => {
    if (!domains) return [];
    const c = coupling.get(domain);
    return [
      num(c?.ca ?? 0),
      num(c?.ce ?? 0),
      c?.instability === null || c === undefined
        ? { html: '–', sort: -1, className: 'num' }
        : num(c.instability),
    ];
  };
  if (owners) {
    return renderTable({
      id: 'domains-table',
      caption: 'Resources, coverage, findings and coupling per domain',
      filterable: true,
      columns: [
        { label: 'Domain' },
        { label: 'Owners' },
        ...STATS_COLUMNS,
        { label: 'Unowned', numeric: true },
        ...couplingColumns,
      ],
      rows: owners.domains.map((r) => ({
        cells: [
          text(r.domain),
          list(r.owners),
          ...statsCells(r),
          num(r.unowned),
          ...couplingCells(r.domain),
        ],
      })),
    });
  }
  if (!domains) return '';
  return renderTable({
    id: 'domains-table',
    caption: 'Coupling per domain',
    filterable: true,
    columns: [{ label: 'Domain' }, ...couplingColumns],
    rows: domains.domains.map((d) => ({ cells: [text(d), ...couplingCells(d)] })),
  });
}

interface Point {
  x: number;
  y: number;
}

const round = (n: number): number => Math.round(n * 10) / 10;

function shortLabel(name: string): string {
  const chars = Array.from(name);
  return chars.length > 22 ? `${chars.slice(0, 21).join('')}…` : name;
}

/**
 * The domain graph as inline SVG: domains on a circle (sorted, so the layout is deterministic),
 * an arrow from each domain to each domain it depends on, labelled with the edge count; red
 * when one of the pair's edges is a violation (not allowed and not waived).
 */
export function renderDomainGraphSvg(report: DomainsReport): string {
  const names = [...new Set([...report.domains, ...report.matrix.flatMap((m) => [m.from, m.to])])];
  names.sort();
  const n = names.length;
  const nodeR = 9;
  const radius = n <= 1 ? 0 : Math.max(110, (n * 46) / (2 * Math.PI));
  const margin = 150;
  const size = Math.ceil(2 * (radius + margin));
  const center = size / 2;
  const pos = new Map<string, Point>();
  names.forEach((name, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(n, 1);
    pos.set(name, { x: center + radius * Math.cos(angle), y: center + radius * Math.sin(angle) });
  });
  const violating = new Set<string>();
  for (const e of report.edges) {
    if (!e.allowed && !e.waived) violating.add(`${e.fromDomain}\u0000${e.toDomain}`);
  }
  const edges = report.matrix.map((m: DomainDependency) => {
    const a = pos.get(m.from);
    const b = pos.get(m.to);
    if (!a || !b || m.from === m.to) return '';
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len;
    const uy = dy / len;
    // Bend to the right of the direction of travel, so that A→B and B→A never overlap.
    const bend = Math.min(40, len / 5);
    const ctrl = { x: (a.x + b.x) / 2 - uy * bend, y: (a.y + b.y) / 2 + ux * bend };
    const start = { x: a.x + ux * nodeR, y: a.y + uy * nodeR };
    const end = { x: b.x - ux * (nodeR + 3), y: b.y - uy * (nodeR + 3) };
    const mid = { x: (start.x + 2 * ctrl.x + end.x) / 4, y: (start.y + 2 * ctrl.y + end.y) / 4 };
    const bad = violating.has(`${m.from}\u0000${m.to}`);
    const d = `M${round(start.x)},${round(start.y)} Q${round(ctrl.x)},${round(ctrl.y)} ${round(end.x)},${round(end.y)}`;
    return (
      `<g class="edge${bad ? ' violation' : ''}" ${attr('data-from', m.from)} ${attr('data-to', m.to)}>` +
      `<title>${escapeHtml(`${m.from} depends on ${m.to}: ${m.count} edge${m.count === 1 ? '' : 's'}${bad ? ' (violation)' : ''}`)}</title>` +
      `<path ${attr('d', d)} ${attr('marker-end', bad ? 'url(#arrow-bad)' : 'url(#arrow)')}/>` +
      `<text ${attr('x', round(mid.x))} ${attr('y', round(mid.y))} text-anchor="middle">${escapeHtml(m.count)}</text></g>`
    );
  });
  const nodes = names.map((name) => {
    const p = pos.get(name)!;
    // Labels outside the circle: left of the node on the left half, right of it on the right.
    const dx = p.x - center;
    const dy = p.y - center;
    const anchor = Math.abs(dx) < 1 ? 'middle' : dx < 0 ? 'end' : 'start';
    const off =
      n <= 1
        ? { x: 0, y: -16 }
        : { x: Math.sign(dx) * 14, y: Math.abs(dx) < 1 ? Math.sign(dy) * 20 : 4 };
    return (
      `<g class="node" ${attr('data-domain', name)}><title>${escapeHtml(name)}</title>` +
      `<circle ${attr('cx', round(p.x))} ${attr('cy', round(p.y))} ${attr('r', nodeR)}/>` +
      `<text ${attr('x', round(p.x + off.x))} ${attr('y', round(p.y + off.y))} ${attr('text-anchor', anchor)}>${escapeHtml(shortLabel(name))}</text></g>`
    );
  });
  const marker = (id: string): string =>
    `<marker ${attr('id', id)} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`;
  return (
    `<svg class="graph" id="domain-graph" xmlns="http://www.w3.org/2000/svg" role="img" ` +
    `${attr('viewBox', `0 0 ${size} ${size}`)} ${attr('width', size)} ${attr('height', size)} ` +
    `aria-label="Domain dependency graph"><defs>${marker('arrow')}${marker('arrow-bad')}</defs>\n` +
    `${edges.filter(Boolean).join('\n')}\n${nodes.join('\n')}\n</svg>\n`
  );
}

function edgeStatus(e: CrossDomainEdge): { label: string; className: string } {
  if (e.allowed) return { label: 'allowed', className: 'allowed' };
  if (e.waived) return { label: 'waived', className: 'waived' };
  return { label: 'violation', className: 'violation' };
}

function renderDomains(report: DomainsReport): string {
  const parts = [`<section id="domain-graph-section"><h2>Domain graph</h2>\n`];
  parts.push(
    `<p class="muted">An arrow points from a domain to a domain it depends on; the number is the count of cross-domain edges. Red: at least one violation.</p>\n`,
  );
  parts.push(
    report.domains.length > 0
      ? renderDomainGraphSvg(report)
      : '<p class="muted">No resource has a domain.</p>\n',
  );
  if (report.cycles.length > 0) {
    parts.push(
      `<h3>Domain cycles</h3><p class="muted">Domains that depend on each other, directly or through others.</p><ul class="plain">${report.cycles
        .map((c) => `<li>${c.map((d) => escapeHtml(d)).join(', ')}</li>`)
        .join('')}</ul>\n`,
    );
  }
  if (report.projectMatrix && report.projectMatrix.length > 0)
    parts.push(
      '<h3>Dependencies between projects</h3>\n',
      renderTable({
        id: 'projects-table',
        caption: 'A mesh of dbt projects: which project depends on which (edge counts)',
        filterable: false,
        columns: [{ label: 'Project' }, { label: 'Depends on' }, { label: 'Edges', numeric: true }],
        rows: report.projectMatrix.map((m) => ({
          cells: [text(m.from), text(m.to), num(m.count)],
        })),
      }),
    );
  parts.push('</section>\n<section id="edges"><h2>Cross-domain edges</h2>\n');
  parts.push(
    renderTable({
      id: 'edges-table',
      caption: 'Every dependency between resources of two domains (from depends on to)',
      filterable: true,
      columns: [
        { label: 'From' },
        { label: 'From domain' },
        { label: 'To' },
        { label: 'To domain' },
        { label: 'Target access' },
        { label: 'Contract' },
        { label: 'Status' },
        { label: 'Rules' },
      ],
      rows: report.edges.map((e) => {
        const status = edgeStatus(e);
        return {
          className: status.className,
          cells: [
            {
              html: `<code ${attr('title', e.from)}>${escapeHtml(e.fromName)}</code>`,
              sort: e.fromName,
            },
            text(e.fromDomain),
            { html: `<code ${attr('title', e.to)}>${escapeHtml(e.toName)}</code>`, sort: e.toName },
            text(e.toDomain),
            text(e.targetAccess ?? ''),
            text(e.contractEnforced ? 'enforced' : 'no'),
            { html: escapeHtml(status.label), className: 'status' },
            list(e.rules),
          ],
        };
      }),
    }),
  );
  parts.push('</section>\n');
  return parts.join('');
}

function consumerCount(p: ProductRecord): number {
  return p.consumers.reduce((sum, g) => sum + g.consumers.length, 0);
}

function renderProducts(report: ProductsReport): string {
  return (
    `<section id="products"><h2>Data products</h2>\n` +
    renderTable({
      id: 'products-table',
      caption: 'The data-product catalog',
      filterable: true,
      columns: [
        { label: 'Product' },
        { label: 'Owner' },
        { label: 'Domain' },
        { label: 'Access' },
        { label: 'Version' },
        { label: 'Contract' },
        { label: 'Columns', numeric: true },
        { label: 'Consumers', numeric: true },
        { label: 'Consumer domains' },
        { label: 'Description' },
      ],
      rows: report.products.map((p) => ({
        cells: [
          { html: `<code ${attr('title', p.id)}>${escapeHtml(p.name)}</code>`, sort: p.name },
          text(p.owner ?? ''),
          text(p.domain ?? ''),
          text(p.access ?? ''),
          text(
            p.version === null
              ? ''
              : p.latestVersion !== null && p.latestVersion !== p.version
                ? `${p.version} (latest ${p.latestVersion})`
                : p.version,
          ),
          text(p.contract.enforced ? 'enforced' : 'no'),
          num(p.contract.columns.length),
          num(consumerCount(p)),
          list(p.consumers.map((g) => `${g.domain ?? '(no domain)'}: ${g.consumers.length}`)),
          { ...text(p.description), className: 'desc' },
        ],
      })),
    }) +
    '</section>\n'
  );
}

/** Renders the HTML report: a complete, self-contained HTML document. */
export function formatReportHtml(input: HtmlReportInput): string {
  const title = input.title ?? 'dbt-steward governance report';
  const projects = [
    ...new Set([
      ...(input.owners?.projects ?? []),
      ...(input.domains?.projects ?? []),
      ...(input.products?.projects ?? []),
    ]),
  ].sort();
  const body: string[] = [];
  body.push(`<header><h1>${escapeHtml(title)}</h1>`);
  if (projects.length > 0) {
    body.push(
      `<p class="muted">dbt project${projects.length === 1 ? '' : 's'}: ${projects
        .map((p) => `<code>${escapeHtml(p)}</code>`)
        .join(', ')}</p>`,
    );
  }
  body.push('</header>\n<main>\n');
  body.push(renderCards(input));
  if (input.owners) body.push(renderOwners(input.owners));
  if (input.owners || input.domains) {
    body.push(
      `<section id="domains"><h2>Domains</h2>\n${renderDomainTable(input.owners, input.domains)}</section>\n`,
    );
  }
  if (input.domains) body.push(renderDomains(input.domains));
  if (input.products) body.push(renderProducts(input.products));
  body.push('</main>\n');
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" ${attr('content', HTML_REPORT_CSP)}>\n` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<meta name="referrer" content="no-referrer">\n' +
    `<title>${escapeHtml(title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n` +
    body.join('') +
    `<script>${SCRIPT}</script>\n</body>\n</html>\n`
  );
}

/** Reporter for `report owners --format html`. */
export const formatOwnersHtml = (report: OwnersReport): string =>
  formatReportHtml({ owners: report, title: 'dbt-steward ownership report' });
/** Reporter for `report domains --format html`. */
export const formatDomainsHtml = (report: DomainsReport): string =>
  formatReportHtml({ domains: report, title: 'dbt-steward domain report' });
/** Reporter for `report products --format html`. */
export const formatProductsHtml = (report: ProductsReport): string =>
  formatReportHtml({ products: report, title: 'dbt-steward data-product catalog' });
