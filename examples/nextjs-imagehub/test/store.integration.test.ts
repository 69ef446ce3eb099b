import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createKubeTransport } from '@hub/datapack';
import { freePort, type HubTestEnv, startHubTestEnv } from '@hub/test-env';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, EXAMPLE_DIR, type NextServer, startNextServer } from '../server/start-next.ts';
import { MYSQL_DIGEST, seedCatalogue } from './seed-catalogue.ts';

// Real parts end to end: a private kube-apiserver with seeded catalogue objects, the example built
// with `next build` and served by `next start`, and Debian's Chromium driven by playwright-core.
const SHOTS = join(EXAMPLE_DIR, '.test-results');
let env: HubTestEnv;
let server: NextServer;
let browser: Browser;
let page: Page;
const serverLog: string[] = [];
const external: string[] = [];

async function cardNames(): Promise<string[]> {
  return page
    .locator('[data-testid="repo-card"]')
    .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-name') ?? ''));
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  process.on('exit', () => {
    if (server === undefined) console.error(`next output:\n${serverLog.slice(-40).join('\n')}`);
  });
  const [started] = await Promise.all([startHubTestEnv(), buildIfStale((line) => serverLog.push(line))]);
  env = started;
  const transport = await createKubeTransport(env.controlPlane.kubeConfig);
  await seedCatalogue(transport);
  await transport.close();
  server = await startNextServer({
    port: await freePort(),
    env: {
      KUBECONFIG: env.controlPlane.kubeconfigPath,
      HUB_REGISTRY: env.registry.host,
    } as NodeJS.ProcessEnv,
    log: (line) => serverLog.push(line),
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Nothing may leave the machine: every request the pages make must go to the example itself.
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(server.url) && !url.startsWith('data:')) external.push(url);
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await env?.stop();
});

describe('the Next.js image hub in Chromium', () => {
  it('lists the public repositories in the store, with the latest tag', async () => {
    await page.goto(`${server.url}/`);
    expect(await cardNames()).toEqual([
      'bitnami/nginx',
      'bitnami/postgresql',
      'bitnami/prometheus',
      'labring/cert-manager',
      'labring/mysql',
      'labring/redis',
    ]);
    await expect(page.getByTestId('count').textContent()).resolves.toBe('1–6 of 6 repositories');
    const mysql = page.locator('[data-name="labring/mysql"]');
    expect(await mysql.locator('.tag').textContent()).toBe('v8.0.31');
    expect(await mysql.locator('img.icon').getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    // nginx's icon is a remote URL the proxy cannot fetch (no network here): a placeholder once it fails.
    await page.locator('[data-name="bitnami/nginx"] [data-testid="icon-placeholder"]').waitFor();
    await page.screenshot({ path: join(SHOTS, 'store.png'), fullPage: true });
  });

  it('narrows the grid with the search box and keeps the query in the URL', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('searchbox', { name: 'Search repositories' }).fill('SQL');
    await Promise.all([page.waitForURL(/\?q=SQL/), page.getByRole('button', { name: 'Search' }).click()]);
    expect(await cardNames()).toEqual(['bitnami/postgresql', 'labring/mysql']);
    await page.getByRole('searchbox').fill('no-such-thing');
    await Promise.all([
      page.waitForURL(/q=no-such-thing/),
      page.getByRole('button', { name: 'Search' }).click(),
    ]);
    expect(await page.getByTestId('empty').textContent()).toContain('No repositories found');
  });

  it('filters by keyword chips (AND with the search), reflected in the URL', async () => {
    await page.goto(`${server.url}/`);
    await Promise.all([
      page.waitForURL(/\?keyword=Database$/),
      page.locator('[data-keyword="Database"]').click(),
    ]);
    expect(await cardNames()).toEqual(['bitnami/postgresql', 'labring/mysql', 'labring/redis']);
    expect(await page.locator('[data-keyword="Database"]').getAttribute('aria-current')).toBe('true');
    await page.goto(`${server.url}/?q=labring&keyword=Database`);
    expect(await cardNames()).toEqual(['labring/mysql', 'labring/redis']);
    await page.goto(`${server.url}/?keyword=Database&keyword=Monitoring`);
    expect(await page.getByTestId('empty').count()).toBe(1);
  });

  it('shows a repository: README rendered and sanitized, tags newest first with sizes, the pull command', async () => {
    await page.goto(`${server.url}/`);
    await Promise.all([
      page.waitForURL(/\/r\/labring\/mysql$/),
      page.locator('[data-name="labring/mysql"]').click(),
    ]);
    const readme = page.getByTestId('readme');
    expect(await readme.locator('h1').textContent()).toBe('MySQL');
    expect(await readme.locator('pre code').textContent()).toContain('sealos run labring/mysql:v8.0.31');
    expect(await readme.locator('table td').first().textContent()).toBe('port');
    expect(await readme.locator('input[type="checkbox"]').count()).toBe(2);
    expect(await readme.locator('script').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: boolean }).__pwned)).toBeUndefined();
    expect(await readme.locator('a[href^="javascript:"]').count()).toBe(0);
    const rows = await page
      .getByTestId('tags')
      .locator('tbody tr[data-tag]')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      );
    // Tag, created, size and platforms; the last cell is when the catalogue saw the Image (now-ish).
    expect(rows.map((cells) => cells.slice(0, 4))).toEqual([
      ['v8.0.31', '2024-03-01 10:00 UTC', '512 MB', 'linux/amd64, linux/arm64'],
      ['v8.0.25', '2023-06-01 10:00 UTC', '498 MB', 'linux/amd64'],
      ['v5.7', '2022-01-01 10:00 UTC', '410 MB', 'linux/amd64'],
    ]);
    expect(rows.every((cells) => /^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/.test(cells[4] ?? ''))).toBe(true);
    // Every tag has a pull command; one indexed with its digest also pulls by digest.
    const pulls = await page.getByTestId('tag-pull').locator('code').allTextContents();
    expect(pulls).toEqual([
      `docker pull ${env.registry.host}/labring/mysql:v8.0.31`,
      `docker pull ${env.registry.host}/labring/mysql@${MYSQL_DIGEST}`,
      `docker pull ${env.registry.host}/labring/mysql:v8.0.25`,
      `docker pull ${env.registry.host}/labring/mysql:v5.7`,
    ]);
    expect(await page.getByTestId('pull').locator('code').textContent()).toBe(
      `docker pull ${env.registry.host}/labring/mysql:v8.0.31`,
    );
    await page.screenshot({ path: join(SHOTS, 'detail.png'), fullPage: true });
  });

  it('shows an organization with its repositories and managers; unknown or private pages are not found', async () => {
    await page.goto(`${server.url}/o/labring`);
    expect(await page.locator('h1').textContent()).toBe('labring');
    expect(await page.locator('article > p.muted').textContent()).toContain('managers: alice, bob');
    expect(await cardNames()).toEqual(['labring/cert-manager', 'labring/mysql', 'labring/redis']);
    // A real 404: nothing streams before the page knows (no loading.tsx), so the status can say it.
    const hidden = await page.goto(`${server.url}/r/acme/internal-tools`);
    expect(hidden?.status()).toBe(404);
    await page.getByTestId('not-found').waitFor();
    expect(await page.getByTestId('readme').count()).toBe(0);
    expect((await page.goto(`${server.url}/o/nobody`))?.status()).toBe(404);
    await page.getByTestId('not-found').waitFor();
    expect((await page.goto(`${server.url}/no/such/page`))?.status()).toBe(404);
  });

  it('serves the same data as JSON at /api/hub with ETags', async () => {
    const response = await fetch(`${server.url}/api/hub/repositories?keyword=Kubernetes`);
    expect(response.status).toBe(200);
    const etag = response.headers.get('etag') ?? '';
    const body = (await response.json()) as { items: { name: string }[]; total: number };
    expect(body.items.map((i) => i.name)).toEqual(['labring/cert-manager']);
    const again = await fetch(`${server.url}/api/hub/repositories?keyword=Kubernetes`, {
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    const bad = await fetch(`${server.url}/api/hub/repositories?limit=zero`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('limit');
  });

  it('loaded nothing from outside the example (remote icons went through its proxy)', () => {
    expect(external).toEqual([]);
  });
});
