/**
 * Headless Chromium for the HTML report tests: Debian's `chromium` package driven by
 * playwright-core (which downloads no browser). `.ci/run` installs the package when it is
 * missing; a machine without it fails the browser tests with a message that says so.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { getBuiltinRules, loadConfig, loadProject, Resolver } from '../../src/index.js';
import {
  buildDomainsReport,
  buildOwnersReport,
  buildProductsReport,
  type DomainsReport,
  type OwnersReport,
  type ProductsReport,
  type ReportOptions,
} from '../../src/engine/reports.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests leave screenshots (git-ignored). */
export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, '../../test-artifacts');

/** Launches headless Chromium; throws (never skips) when the browser is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: the HTML report's browser tests need it. ` +
        'Install it with `apt-get install -y --no-install-recommends chromium` (.ci/run does), ' +
        'or point CHROMIUM_PATH at a Chromium binary.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
}

/** What a page did while it was open. */
export interface PageLog {
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  /** Every request the page made for something other than its own file. */
  requests: string[];
  /** Requests that failed: `URL error` (Chromium calls a CSP block `csp`). */
  failed: string[];
}

export interface OpenedPage {
  page: Page;
  log: PageLog;
  file: string;
  close: () => Promise<void>;
}

/** Writes `html` to a temporary file and opens it from file:// in a new page. */
export async function openHtml(browser: Browser, html: string): Promise<OpenedPage> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'steward-html-'));
  const file = path.join(dir, 'report.html');
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const log: PageLog = {
    consoleErrors: [],
    pageErrors: [],
    dialogs: [],
    requests: [],
    failed: [],
  };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') log.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => log.pageErrors.push(e.message));
  page.on('dialog', (d) => {
    log.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (r.url() !== url) log.requests.push(r.url());
  });
  page.on('requestfailed', (r) => log.failed.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
  await page.goto(url, { waitUntil: 'load' });
  return {
    page,
    log,
    file,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot under test-artifacts/. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface AllReports {
  owners: OwnersReport;
  domains: DomainsReport;
  products: ProductsReport;
}

/** The three reports of a project directory or manifest, as `report … --format html` sees them. */
export async function reportsOf(input: string): Promise<AllReports> {
  const project = await loadProject([input]);
  const dir = existsSync(input) && input.endsWith('.json') ? path.dirname(input) : input;
  const config = await loadConfig({ cwd: dir, startDirs: [dir], rules: getBuiltinRules() });
  const options: ReportOptions = {
    registry: config.registry,
    config: config.engine,
    resolver: new Resolver(project, config.engine),
    now: new Date('2026-01-01T00:00:00Z'),
  };
  return {
    owners: buildOwnersReport(project, options),
    domains: buildDomainsReport(project, options),
    products: buildProductsReport(project, options),
  };
}
