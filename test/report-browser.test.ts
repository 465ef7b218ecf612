/**
 * The HTML report in a real browser: headless Chromium (Debian's package, driven by
 * playwright-core) opens the file from file:// and the tests click, type and look. Chromium is
 * required: without it these tests fail with a message that says how to install it.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { DomainsReport, OwnersReport } from '../src/engine/reports.js';
import { formatReportHtml } from '../src/report/report-html.js';
import {
  type AllReports,
  launchChromium,
  openHtml,
  reportsOf,
  screenshot,
  type OpenedPage,
} from './helpers/browser.js';
import { runCli } from './helpers/cli.js';

const REPO = path.resolve(import.meta.dirname, '..');
const MESH = path.join(REPO, 'fixtures/example-mesh');
const INJECTION = path.join(REPO, 'fixtures/html-injection/manifest.json');

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** The text of column `index` of the table's rows that are shown, top to bottom. */
function columnOf(page: Page, table: string, index: number): Promise<string[]> {
  return page.$$eval(
    `#${table} tbody tr:not([hidden])`,
    (rows, i) => rows.map((r) => (r as any).cells[i]?.textContent ?? ''),
    index,
  );
}

async function headerIndex(page: Page, table: string, label: string): Promise<number> {
  const labels = await page.$$eval(`#${table} thead th`, (ths) =>
    ths.map((th) => th.textContent?.trim() ?? ''),
  );
  const i = labels.indexOf(label);
  if (i < 0) throw new Error(`${table} has no column ${label}: ${labels.join(', ')}`);
  return i;
}

const byText = (a: string, b: string): number =>
  a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;

describe('the example mesh report in Chromium', () => {
  let reports: AllReports;
  let opened: OpenedPage;
  let page: Page;

  beforeAll(async () => {
    reports = await reportsOf(MESH);
    opened = await openHtml(browser, formatReportHtml(reports));
    page = opened.page;
  });

  afterAll(async () => {
    await opened?.close();
  });

  test('loads with no console errors, no page errors and no requests', async () => {
    expect(await page.title()).toBe('dbt-steward governance report');
    expect(opened.log.consoleErrors).toEqual([]);
    expect(opened.log.pageErrors).toEqual([]);
    expect(opened.log.requests).toEqual([]);
    expect(await page.locator('#summary .card').count()).toBeGreaterThan(5);
  });

  test('the owners table sorts on a header click, numbers as numbers', async () => {
    const owners: OwnersReport = reports.owners;
    expect(owners.owners.length).toBeGreaterThan(2);
    const col = await headerIndex(page, 'owners-table', 'Resources');
    const before = (await columnOf(page, 'owners-table', col)).map(Number);
    // Rendered in the report's order: by owner, not by resources.
    expect(before).toEqual(owners.owners.map((o) => o.resources));
    const ascending = [...before].sort((a, b) => a - b);
    expect(before).not.toEqual(ascending);

    await page.locator('#owners-table thead th').nth(col).click();
    expect((await columnOf(page, 'owners-table', col)).map(Number)).toEqual(ascending);
    expect(await page.locator('#owners-table thead th').nth(col).getAttribute('aria-sort')).toBe(
      'ascending',
    );

    await page.locator('#owners-table thead th').nth(col).click();
    expect((await columnOf(page, 'owners-table', col)).map(Number)).toEqual(
      [...ascending].reverse(),
    );

    // Back to the owner column: alphabetical.
    await page.locator('#owners-table thead th').nth(0).click();
    const names = await columnOf(page, 'owners-table', 0);
    expect(names).toEqual([...names].sort(byText));
    expect(names).toHaveLength(owners.owners.length);
  });

  test('the products table sorts and its filter narrows the rows', async () => {
    const products = reports.products.products;
    expect(products.length).toBeGreaterThan(2);
    const domainCol = await headerIndex(page, 'products-table', 'Domain');
    await page.locator('#products-table thead th').nth(domainCol).click();
    const domains = await columnOf(page, 'products-table', domainCol);
    expect(domains).toEqual([...domains].sort(byText));

    const domain = products.find((p) => p.domain !== null)!.domain!;
    const expected = products.filter((p) =>
      [p.name, p.owner, p.domain, p.description, p.access]
        .join(' ')
        .toLowerCase()
        .includes(domain.toLowerCase()),
    );
    await page.fill('input[data-table="products-table"]', domain);
    const shown = await columnOf(page, 'products-table', domainCol);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(products.length);
    expect(shown.length).toBeGreaterThanOrEqual(expected.length);
    expect(await page.textContent('#products-table-count')).toBe(
      `${shown.length} of ${products.length} rows`,
    );
    await page.fill('input[data-table="products-table"]', 'no such thing at all');
    expect(await columnOf(page, 'products-table', 0)).toEqual([]);
    await page.fill('input[data-table="products-table"]', '');
    expect(await columnOf(page, 'products-table', 0)).toHaveLength(products.length);
  });

  test('the domain graph is an inline SVG with one node per domain', async () => {
    const d: DomainsReport = reports.domains;
    expect(await page.locator('svg#domain-graph').count()).toBe(1);
    const nodes = await page.$$eval('svg#domain-graph g.node', (gs) =>
      gs.map((g) => g.getAttribute('data-domain')),
    );
    expect(nodes).toEqual([...d.domains].sort());
    expect(await page.locator('svg#domain-graph g.edge').count()).toBe(d.matrix.length);
    const box = await page.locator('svg#domain-graph').boundingBox();
    expect(box!.width).toBeGreaterThan(100);
  });

  test('violations are highlighted in the cross-domain edge table', async () => {
    const d = reports.domains;
    expect(await page.locator('#edges-table tbody tr').count()).toBe(d.edges.length);
    expect(await page.locator('#edges-table tbody tr.violation').count()).toBe(
      d.summary.violations,
    );
    if (d.summary.violations > 0) {
      const bg = await page
        .locator('#edges-table tbody tr.violation td')
        .first()
        .evaluate((td) => (globalThis as any).getComputedStyle(td).backgroundColor as string);
      expect(bg).not.toBe('rgba(0, 0, 0, 0)');
    }
  });

  test('writes a screenshot to test-artifacts/report.png', async () => {
    await page.fill('input[data-table="products-table"]', '');
    const file = await screenshot(page, 'report.png');
    expect(file.endsWith(path.join('test-artifacts', 'report.png'))).toBe(true);
    expect(opened.log.consoleErrors).toEqual([]);
    expect(opened.log.pageErrors).toEqual([]);
  });
});

describe('the script-injection fixture is inert', () => {
  let reports: AllReports;
  let opened: OpenedPage;
  let page: Page;

  beforeAll(async () => {
    reports = await reportsOf(INJECTION);
    // The page as the CLI writes it.
    const run = await runCli(['report', 'domains', INJECTION, '--format', 'html'], REPO);
    expect(run.code).toBe(0);
    opened = await openHtml(browser, run.stdout);
    page = opened.page;
  });

  afterAll(async () => {
    await opened?.close();
  });

  test('the fixture carries its payloads into the reports', () => {
    const all = JSON.stringify(reports);
    expect(all).toContain('<script>alert(');
    expect(all).toContain('onerror=alert(1)');
    expect(all).toContain('</script>');
    expect(reports.domains.edges.length).toBeGreaterThan(0);
    expect(reports.domains.summary.violations).toBeGreaterThan(0);
    expect(reports.domains.summary.violations).toBeLessThan(reports.domains.edges.length);
  });

  test('no dialog, no error, no request, no injected element or handler', async () => {
    // Give an injected <img onerror> or <svg onload> time to fire, then poke at the page.
    await page.mouse.move(300, 300);
    for (const table of ['owners-table', 'edges-table', 'products-table']) {
      await page.locator(`#${table} thead th`).first().click();
    }
    await page.fill('input[data-table="products-table"]', '<img src=x onerror=alert(1)>');
    await page.fill('input[data-table="products-table"]', '');
    await page.waitForTimeout(200);
    expect(opened.log.dialogs).toEqual([]);
    expect(opened.log.pageErrors).toEqual([]);
    expect(opened.log.consoleErrors).toEqual([]);
    expect(opened.log.requests).toEqual([]);
    const dom = await page.evaluate(() => {
      const document = (globalThis as any).document;
      return {
        scripts: document.scripts.length,
        injected: document.querySelectorAll('img, iframe, a, b, object, embed, body svg svg')
          .length,
        handlers: Array.from(document.querySelectorAll('*') as any[]).flatMap((el: any) =>
          Array.from(el.attributes as any[])
            .filter((a: any) => a.name.toLowerCase().startsWith('on'))
            .map((a: any) => `${el.tagName}[${a.name}]`),
        ),
        title: document.title,
      };
    });
    expect(dom).toEqual({
      scripts: 1,
      injected: 0,
      handlers: [],
      title: 'dbt-steward governance report',
    });
  });

  test('the payloads show as text', async () => {
    const body = (await page.textContent('body')) ?? '';
    expect(body).toContain('"><img src=x onerror=alert(1)>');
    expect(body).toContain('sales<script>alert("domain")</script>');
    expect(body).toContain("ops' onmouseover='alert(4)");
    const domains = await page.$$eval('svg#domain-graph g.node', (gs) =>
      gs.map((g) => g.getAttribute('data-domain')),
    );
    expect(domains).toEqual([...reports.domains.domains].sort());
    expect(await page.locator('#edges-table tbody tr.violation').count()).toBe(
      reports.domains.summary.violations,
    );
    await screenshot(page, 'report-injection.png');
  });
});

describe('the Content-Security-Policy', () => {
  test('blocks markup that escaping would have let through', async () => {
    // Defence in depth: splice raw payloads into a real page, as if escaping had failed.
    const page = formatReportHtml(await reportsOf(INJECTION)).replace(
      '<main>',
      '<main><script>alert("inline")</script><img src=x onerror=alert("img")>' +
        '<svg><image href="https://example.com/x.png"/></svg>' +
        '<link rel="stylesheet" href="https://example.com/x.css">',
    );
    const opened = await openHtml(browser, page);
    try {
      await opened.page.waitForTimeout(200);
      expect(opened.log.dialogs).toEqual([]);
      // Requests are attempted, and every one is blocked by the policy.
      expect(opened.log.failed.length).toBe(opened.log.requests.length);
      for (const f of opened.log.failed) expect(f).toMatch(/ (csp|net::ERR_BLOCKED_BY_CSP)$/);
      // Chromium reports each blocked script, handler and load on the console.
      expect(opened.log.consoleErrors.join('\n')).toMatch(/Content Security Policy/);
      // The page's own (hashed) script still runs: sorting works.
      await opened.page.locator('#owners-table thead th').first().click();
      expect(
        await opened.page.locator('#owners-table thead th').first().getAttribute('aria-sort'),
      ).toBe('ascending');
    } finally {
      await opened.close();
    }
  });
});
