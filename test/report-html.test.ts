/** The HTML report without a browser: escaping, the CSP, the page's structure and the SVG. */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { DomainsReport, OwnersReport, ProductsReport } from '../src/engine/reports.js';
import { attr, cspHash, escapeHtml, jsonForScript } from '../src/report/html.js';
import {
  formatReportHtml,
  HTML_REPORT_CSP,
  renderDomainGraphSvg,
} from '../src/report/report-html.js';
import { runCli } from './helpers/cli.js';
import { reportsOf, type AllReports } from './helpers/browser.js';

const REPO = path.resolve(import.meta.dirname, '..');
const INJECTION = path.join(REPO, 'fixtures/html-injection/manifest.json');

const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  "' onmouseover='alert(1)",
  '</script><!--',
  '</title><script>alert(1)</script>',
];

describe('escapeHtml', () => {
  test('escapes the five HTML specials and the backtick', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;',
    );
  });

  test.each(PAYLOADS)('leaves no markup in %s', (payload) => {
    const out = escapeHtml(payload);
    expect(out).not.toMatch(/[<>"'`]/);
    expect(out.replace(/&(lt|gt|quot|#39|#96|amp);/g, '')).not.toContain('&');
  });

  test('escapes an existing entity again, so it shows as written', () => {
    expect(escapeHtml('&lt;script&gt;')).toBe('&amp;lt;script&amp;gt;');
  });

  test('drops C0 controls but keeps tabs, newlines and non-ASCII', () => {
    expect(escapeHtml('a\u0000b\u0007c\td\ne\u2028f é')).toBe('abc\td\ne\u2028f é');
  });

  test('numbers, booleans, null and undefined', () => {
    expect(escapeHtml(12.5)).toBe('12.5');
    expect(escapeHtml(false)).toBe('false');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(undefined)).toBe('');
  });
});

describe('attr', () => {
  test('quotes and escapes the value', () => {
    expect(attr('title', `x" onclick="alert(1)`)).toBe('title="x&quot; onclick=&quot;alert(1)"');
    expect(attr('data-domain', "a'b")).toBe('data-domain="a&#39;b"');
  });

  test('refuses event handlers and names that are not plain', () => {
    expect(() => attr('onclick', 'x')).toThrow(/event-handler/);
    expect(() => attr('ONERROR', 'x')).toThrow(/event-handler/);
    expect(() => attr('x onload', 'y')).toThrow(/not an attribute name/);
    expect(() => attr('a"b', 'y')).toThrow(/not an attribute name/);
  });
});

describe('jsonForScript', () => {
  test('cannot close the script element or open a comment', () => {
    const value = { s: '</script><script>alert(1)</script><!-- -->', l: 'a\u2028b\u2029c', a: '&' };
    const out = jsonForScript(value);
    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(out).toContain('\\u003c/script\\u003e');
    expect(JSON.parse(out)).toEqual(value);
  });
});

describe('cspHash', () => {
  test("is the base64 sha256 of the body, in CSP's quoted form", () => {
    const digest = createHash('sha256').update('x', 'utf8').digest('base64');
    expect(cspHash('x')).toBe(`'sha256-${digest}'`);
  });
});

/** Hand-made reports whose every string is a payload. */
function hostileReports(): AllReports {
  const s = (i: number): string => PAYLOADS[i % PAYLOADS.length]!;
  const zero = { error: 0, warn: 0, info: 0, suppressed: 0 };
  const share = { count: 1, total: 2, percent: 50 };
  const stats = {
    resources: 2,
    byType: { model: 2 },
    models: 2,
    publicModels: 1,
    dataProducts: 1,
    described: share,
    tested: share,
    contractEnforced: { count: 0, total: 0, percent: null },
    findings: { ...zero, error: 1 },
  };
  const owners: OwnersReport = {
    formatVersion: 1,
    kind: 'owners',
    projects: [s(5)],
    summary: {
      resources: 2,
      owned: 1,
      unowned: 1,
      owners: 1,
      domains: 2,
      withoutDomain: 0,
      findings: zero,
    },
    owners: [{ ...stats, owner: s(0), domains: [s(1), s(2)] }],
    domains: [{ ...stats, domain: s(1), owners: [s(0)], unowned: 1 }],
    unowned: [{ id: s(3), name: s(3), resourceType: 'model', domain: s(1), file: s(4) }],
    ownersWithoutDomain: [s(4)],
  };
  const domains: DomainsReport = {
    formatVersion: 1,
    kind: 'domains',
    projects: [s(5)],
    domains: [s(1), s(2)],
    matrix: [{ from: s(2), to: s(1), count: 1 }],
    edges: [
      {
        from: s(0),
        fromName: s(0),
        fromType: 'model',
        fromDomain: s(2),
        to: s(3),
        toName: s(3),
        toType: 'model',
        toDomain: s(1),
        targetAccess: 'protected',
        contractEnforced: false,
        allowed: false,
        waived: false,
        rules: [s(4)],
      },
    ],
    cycles: [[s(1), s(2)]],
    coupling: [
      { domain: s(1), ca: 1, ce: 0, instability: 0 },
      { domain: s(2), ca: 0, ce: 1, instability: 1 },
    ],
    summary: { domains: 2, crossDomainEdges: 1, violations: 1, waived: 0, cycles: 1 },
  };
  const products: ProductsReport = {
    formatVersion: 1,
    kind: 'products',
    projects: [s(5)],
    products: [
      {
        id: s(0),
        name: s(1),
        package: s(2),
        owner: s(3),
        ownerValue: s(3),
        domain: s(4),
        description: PAYLOADS.join(' '),
        access: 'public',
        version: s(5),
        latestVersion: s(0),
        materialized: 'table',
        contract: { enforced: true, columns: [] },
        storage: { relation: s(1) },
        tables: [s(1)],
        sla: s(2),
        tags: [s(3)],
        consumers: [{ domain: s(0), consumers: [{ id: s(1), name: s(1), resourceType: 'model' }] }],
      },
    ],
    summary: { products: 1, contractEnforced: 1, withOwner: 1, withDomain: 1 },
  };
  return { owners, domains, products };
}

/** Every `<tag` in the page: the page's own elements only, whatever the data says. */
function tagsOf(html: string): Set<string> {
  return new Set([...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!.toLowerCase()));
}

/**
 * The start tags of the page with their attribute values emptied (every value is
 * double-quoted, so a `"` in one would end it), the bodies of script and style left out.
 */
function startTags(html: string): string[] {
  const markup = html.replace(/<(script|style)>[\s\S]*?<\/\1>/g, '<$1></$1>');
  return [...markup.matchAll(/<[a-zA-Z][^>]*>/g)].map((m) => m[0].replace(/="[^"]*"/g, '=""'));
}

const OWN_TAGS = [
  'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'p', 'code',
  'main', 'section', 'div', 'span', 'input', 'table', 'caption', 'thead', 'tbody', 'tr', 'th',
  'td', 'button', 'ul', 'li', 'svg', 'defs', 'marker', 'path', 'g', 'circle', 'text', 'script',
]; // prettier-ignore

describe('formatReportHtml', () => {
  const html = formatReportHtml(hostileReports());

  test('no payload survives as markup', () => {
    for (const p of PAYLOADS) expect(html).not.toContain(p);
    expect([...tagsOf(html)].filter((t) => !OWN_TAGS.includes(t))).toEqual([]);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html.match(/<\/script/g)).toHaveLength(1);
    expect(html.match(/<!--/g)).toBeNull();
    // No attribute named on… anywhere (the data's "onerror=" is inside escaped text).
    expect(startTags(html).filter((t) => /\son[a-z]*\s*=/i.test(t))).toEqual([]);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('title="&#39; onmouseover=&#39;alert(1)"');
    expect(html).toContain('data-domain="&lt;img src=x onerror=alert(1)&gt;"');
  });

  test('is one self-contained document: no URL, no remote source, a strict CSP', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(
      startTags(html).filter((t) => /\s(src|href|action|srcset|xlink:href|style)\s*=/i.test(t)),
    ).toEqual([]);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg")/);
    expect(html).not.toMatch(/@import|url\((?!#)/);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(HTML_REPORT_CSP)}">`,
    );
    expect(HTML_REPORT_CSP).toMatch(/^default-src 'none'; /);
    expect(HTML_REPORT_CSP).not.toMatch(/unsafe|\*|http|data:/);
  });

  test("the CSP hashes match the page's inline script and style", () => {
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(HTML_REPORT_CSP).toContain(`script-src ${cspHash(script)}`);
    expect(HTML_REPORT_CSP).toContain(`style-src ${cspHash(style)}`);
  });

  test('highlights violations and has the sortable, filterable tables', () => {
    expect(html).toMatch(/<tr class="violation">/);
    for (const id of ['owners-table', 'domains-table', 'edges-table', 'products-table']) {
      expect(html).toContain(`<table class="sortable" id="${id}">`);
      expect(html).toContain(`data-table="${id}"`);
    }
  });

  test('leaves out the sections of reports not given', () => {
    const { products } = hostileReports();
    const only = formatReportHtml({ products, title: 'Products <b>' });
    expect(only).toContain('id="products-table"');
    expect(only).not.toContain('id="owners-table"');
    expect(only).not.toContain('<svg');
    expect(only).toContain('<title>Products &lt;b&gt;</title>');
  });

  test('is deterministic', () => {
    expect(formatReportHtml(hostileReports())).toBe(html);
  });
});

describe('renderDomainGraphSvg', () => {
  const base = hostileReports().domains;

  test('one node per domain, one edge per matrix cell, red edges for violations', () => {
    const svg = renderDomainGraphSvg(base);
    expect(svg.match(/<g class="node"/g)).toHaveLength(2);
    expect(svg.match(/<g class="edge violation"/g)).toHaveLength(1);
    expect(svg).toContain('marker-end="url(#arrow-bad)"');
  });

  test('lays out many domains on a circle, inside the view box', () => {
    const names = Array.from({ length: 12 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    const svg = renderDomainGraphSvg({
      ...base,
      domains: names,
      matrix: names.slice(1).map((n) => ({ from: n, to: 'd00', count: 2 })),
      edges: [],
    });
    expect(svg.match(/<g class="node"/g)).toHaveLength(12);
    expect(svg.match(/<g class="edge"/g)).toHaveLength(11);
    const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)![1]);
    for (const m of svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)) {
      expect(Number(m[1])).toBeGreaterThan(0);
      expect(Number(m[1])).toBeLessThan(size);
      expect(Number(m[2])).toBeGreaterThan(0);
      expect(Number(m[2])).toBeLessThan(size);
    }
  });
});

describe('report --format html from the CLI', () => {
  let reports: AllReports;
  beforeAll(async () => {
    reports = await reportsOf(INJECTION);
  });

  test.each(['owners', 'domains', 'products'])('report %s escapes the fixture', async (kind) => {
    const run = await runCli(['report', kind, INJECTION, '--format', 'html'], REPO);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(run.stdout).not.toContain('<script>alert');
    expect(run.stdout).not.toContain('<img');
    expect(run.stdout.match(/<script/g)).toHaveLength(1);
    expect(run.stdout).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(reports.owners.owners.length).toBeGreaterThan(0);
  });
});
