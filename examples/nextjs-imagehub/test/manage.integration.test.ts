import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { collectionPath, createKubeTransport, KUBE_RESOURCES, type KubeTransport } from '@hub/datapack';
import { freePort, type HubTestEnv, startHubTestEnv } from '@hub/test-env';
import { generateImage, pushImage } from '@hub/test-env/fixtures';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, EXAMPLE_DIR, type NextServer, startNextServer } from '../server/start-next.ts';
import { seedCatalogue } from './seed-catalogue.ts';
import { type RunningController, startHubController } from './start-hub-controller.ts';
import { createUsers, grantHubUsers, USER_NAMESPACE } from './users.ts';

// Sign-in and management end to end: ServiceAccount tokens reviewed by the real apiserver, writes
// made with the user's own token (RBAC and hub-controller's admission webhooks decide), the example
// served by `next start`, in Chromium.
const SHOTS = join(EXAMPLE_DIR, '.test-results');
const SECRET = 'browser-test-session-secret-0123456789';
let env: HubTestEnv;
let server: NextServer;
let controller: RunningController;
// A local icon host (the only network these machines have), allowed through the icon proxy.
let iconServer: Server;
let iconHost: string;
const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><script>parent.__pwned = true</script><rect width="48" height="48" fill="#e11d48"/></svg>';
let browser: Browser;
let tokens: Record<'alice' | 'mallory', string>;
const serverLog: string[] = [];

// axe-core's own bundle, injected into each page as a script (it never fetches anything itself).
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** The page's serious and critical axe-core violations, one line each: id, help and the targets. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${v.id} (${v.impact}: ${v.help}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
    );
}

async function signedIn(token: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Kubernetes token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Either the store (signed in) or the form's alert, whose text says why.
  await page.locator('[data-testid="signed-in"], [data-testid="error"]').first().waitFor();
  const alert = page.getByTestId('error');
  if ((await alert.count()) > 0) {
    throw new Error(`sign-in failed: ${await alert.textContent()}\n${serverLog.slice(-20).join('\n')}`);
  }
  await page.getByTestId('signed-in').waitFor();
  return { context, page };
}

// 100 public repositories of one organization, for paging.
const BULK = Array.from({ length: 100 }, (_, i) => `bulk/app-${String(i).padStart(3, '0')}`);

async function seedBulk(transport: KubeTransport): Promise<void> {
  const create = (kind: 'Organization' | 'Repository', body: object) =>
    transport.request(collectionPath(KUBE_RESOURCES[kind]), { verb: 'create', method: 'POST', body });
  const apiVersion = 'imagehub.sealos.io/v1';
  await create('Organization', {
    apiVersion,
    kind: 'Organization',
    metadata: { name: 'bulk' },
    spec: { name: 'bulk', creator: 'alice', defaultPrivate: false },
  });
  for (const name of BULK) {
    await create('Repository', {
      apiVersion,
      kind: 'Repository',
      metadata: { name: name.replace('/', '.') },
      spec: { name, isPrivate: false },
    });
  }
}

async function cardNames(page: Page): Promise<string[]> {
  return page
    .locator('[data-testid="repo-card"]')
    .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-name') ?? ''));
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  iconServer = createServer((req, res) => {
    if (req.url === '/icon.svg') res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(ICON_SVG);
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<p>not an image</p>');
  });
  await new Promise<void>((resolve) => iconServer.listen(0, '127.0.0.1', resolve));
  iconHost = `127.0.0.1:${(iconServer.address() as AddressInfo).port}`;
  process.on('exit', () => {
    if (server === undefined) console.error(`next output:\n${serverLog.slice(-40).join('\n')}`);
  });
  const [started] = await Promise.all([startHubTestEnv(), buildIfStale((line) => serverLog.push(line))]);
  env = started;
  const transport = await createKubeTransport(env.controlPlane.kubeConfig);
  await seedCatalogue(transport);
  await seedBulk(transport);
  // Both are hub users (RBAC); alice manages labring (a seeded manager entry), mallory manages nothing.
  tokens = await createUsers(transport, ['alice', 'mallory'] as const);
  await grantHubUsers(transport);
  await transport.close();
  // The bulk repositories have no Images: keep the controller from deleting them as empty.
  controller = await startHubController(env.controlPlane.kubeconfigPath, [
    '--delete-empty-repositories',
    'false',
  ]);
  server = await startNextServer({
    port: await freePort(),
    env: {
      KUBECONFIG: env.controlPlane.kubeconfigPath,
      HUB_REGISTRY: env.registry.host,
      // A stock registry with deletes enabled: deleting a tag deletes its manifest too.
      HUB_REGISTRY_URL: env.registry.url,
      HUB_SESSION_SECRET: SECRET,
      HUB_ICON_ALLOW_HOSTS: iconHost,
    } as NodeJS.ProcessEnv,
    log: (line) => serverLog.push(line),
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await controller?.stop();
  await env?.stop();
  await new Promise((resolve) => iconServer?.close(resolve));
});

describe('signing in and managing the hub in Chromium', () => {
  it('signs in with a ServiceAccount token; the cookie is HttpOnly and the page never sees the token', async () => {
    const { context, page } = await signedIn(tokens.alice);
    expect(await page.getByTestId('signed-in').textContent()).toBe(
      `system:serviceaccount:${USER_NAMESPACE}:alice`,
    );
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'hub_session', httpOnly: true, sameSite: 'Lax' });
    expect(cookie?.value).not.toContain(tokens.alice);
    expect(
      await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie),
    ).toBe('');
    // Remote icons the proxy cannot fetch (no network) settle into placeholders before the picture.
    await page.locator('[data-name="bitnami/nginx"] [data-testid="icon-placeholder"]').waitFor();
    await page.screenshot({ path: join(SHOTS, 'signed-in.png'), fullPage: true });
    await context.close();
  });

  it('passes axe-core with no serious or critical violations on every page', async () => {
    const anonymous = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const { context, page } = await signedIn(tokens.alice);
    const found: string[] = [];
    const audit = async (p: Page, path: string) => {
      await p.goto(`${server.url}${path}`);
      for (const line of await seriousViolations(p)) found.push(`${path}: ${line}`);
    };
    await audit(anonymous, '/');
    await audit(anonymous, '/login');
    await audit(anonymous, '/r/labring/mysql');
    await audit(page, '/');
    await audit(page, '/r/labring/mysql');
    await audit(page, '/o/labring');
    await audit(page, '/r/labring/mysql/edit');
    await audit(page, '/new');
    expect(found, found.join('\n')).toEqual([]);
    await anonymous.close();
    await context.close();
  });

  it('refuses a bad token with 401 and shows why on /login', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Kubernetes token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByTestId('error').textContent()).toContain('was not accepted');
    expect(await context.cookies()).toEqual([]);
    await context.close();
    expect(serverLog.join('\n')).not.toContain(tokens.alice);
  });

  it('lets a manager edit a description and make a repository private; anonymous readers no longer see it', async () => {
    const { context, page } = await signedIn(tokens.alice);
    await page.goto(`${server.url}/r/labring/redis`);
    await Promise.all([page.waitForURL(/\/edit$/), page.getByRole('link', { name: 'Edit' }).click()]);
    await page.getByLabel('Description').fill('Redis, edited in the hub');
    await page.getByLabel(/^Private/).check();
    await page.screenshot({ path: join(SHOTS, 'edit.png'), fullPage: true });
    await Promise.all([
      page.waitForURL(`${server.url}/r/labring/redis`),
      page.getByRole('button', { name: 'Save' }).click(),
    ]);
    await page.getByText('Redis, edited in the hub').waitFor();
    expect(await page.locator('h1 .badge').textContent()).toBe('private');
    // The manager still sees it in the store.
    await page.goto(`${server.url}/?q=labring`);
    expect(await cardNames(page)).toContain('labring/redis');
    await context.close();

    const anonymous = await browser.newPage();
    await anonymous.goto(`${server.url}/`);
    expect(await cardNames(anonymous)).not.toContain('labring/redis');
    await anonymous.goto(`${server.url}/r/labring/redis`);
    await anonymous.getByTestId('not-found').waitFor();
    const api = await fetch(`${server.url}/api/hub/repositories/labring/redis`);
    expect(api.status).toBe(404);
    await anonymous.close();
  });

  it('refuses a non-manager, and the page shows the apiserver’s reason', async () => {
    const { context, page } = await signedIn(tokens.mallory);
    await page.goto(`${server.url}/r/labring/mysql/edit`);
    await page.getByLabel('Description').fill('defaced');
    await page.getByRole('button', { name: 'Save' }).click();
    const alert = await page.getByTestId('error').textContent();
    expect(alert).toContain('was refused');
    expect(alert).toContain(`system:serviceaccount:${USER_NAMESPACE}:mallory`);
    // The admission webhook's own words, passed through the apiserver and the handler.
    expect(alert).toMatch(/denied the request: .*mallory/);
    await page.screenshot({ path: join(SHOTS, 'refused.png'), fullPage: true });
    await page.goto(`${server.url}/r/labring/mysql`);
    expect(await page.getByText('defaced').count()).toBe(0);
    await context.close();
  });

  it('refuses a write from another origin with 403, even with a valid session cookie', async () => {
    const { context } = await signedIn(tokens.alice);
    const [cookie] = await context.cookies();
    const response = await fetch(`${server.url}/api/hub/repositories/labring/mysql`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/json',
        cookie: `${cookie?.name}=${cookie?.value}`,
        origin: 'http://evil.example',
      },
      body: JSON.stringify({ description: 'csrf' }),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { field: string } }).error.field).toBe('origin');
    // The same cookie from the hub's own origin is accepted (so the 403 was the origin's).
    const own = await fetch(`${server.url}/api/hub/repositories/labring/mysql`, {
      method: 'PATCH',
      headers: {
        'content-type': 'application/json',
        cookie: `${cookie?.name}=${cookie?.value}`,
        origin: server.url,
      },
      body: JSON.stringify({ keywords: ['Database', 'SQL'] }),
    });
    expect(own.status).toBe(200);
    await context.close();
  });

  it('shows remote icons through the icon proxy, and a placeholder for what is not an image', async () => {
    const { context, page } = await signedIn(tokens.alice);
    const [cookie] = await context.cookies();
    const setIcon = (repo: string, icon: string) =>
      fetch(`${server.url}/api/hub/repositories/${repo}`, {
        method: 'PATCH',
        headers: {
          'content-type': 'application/json',
          cookie: `${cookie?.name}=${cookie?.value}`,
          origin: server.url,
        },
        body: JSON.stringify({ icon }),
      });
    expect((await setIcon('labring/mysql', `http://${iconHost}/icon.svg`)).status).toBe(200);
    expect((await setIcon('labring/cert-manager', `http://${iconHost}/page.html`)).status).toBe(200);
    await page.goto(`${server.url}/?q=labring`);
    const icon = page.locator('[data-name="labring/mysql"] img.icon');
    expect(await icon.getAttribute('src')).toBe(
      `/api/hub/icons?url=${encodeURIComponent(`http://${iconHost}/icon.svg`)}`,
    );
    await expect
      .poll(() => icon.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    await page.locator('[data-name="labring/cert-manager"] [data-testid="icon-placeholder"]').waitFor();
    // Opened directly, the SVG's script cannot run (CSP sandbox), and it is an image, never HTML.
    const direct = await fetch(
      `${server.url}/api/hub/icons?url=${encodeURIComponent(`http://${iconHost}/icon.svg`)}`,
    );
    expect(direct.headers.get('content-security-policy')).toContain('sandbox');
    expect(direct.headers.get('content-type')).toBe('image/svg+xml');
    await page.goto(`${server.url}/api/hub/icons?url=${encodeURIComponent(`http://${iconHost}/icon.svg`)}`);
    expect(await page.evaluate(() => (globalThis as { __pwned?: boolean }).__pwned)).toBeUndefined();
    await context.close();
  });

  it('lets a manager add a new image with its details; the controller files it under a Repository', async () => {
    const { context, page } = await signedIn(tokens.alice);
    await Promise.all([page.waitForURL(/\/new$/), page.getByRole('link', { name: 'New image' }).click()]);
    await page.getByLabel(/^Name/).fill('labring/fresh:v1');
    await page.getByLabel('Description').fill('Added from the hub');
    await page.getByLabel(/^Keywords/).fill('Database');
    await page.getByLabel(/^README/).fill('# Fresh\n\nMade in the browser.');
    await Promise.all([
      page.waitForURL(`${server.url}/r/labring/fresh`),
      page.getByRole('button', { name: 'Create' }).click(),
    ]);
    await page.getByTestId('readme').getByRole('heading', { name: 'Fresh' }).waitFor();
    expect(await page.getByText('Added from the hub').count()).toBe(1);
    // mallory does not manage labring: the webhook refuses, and the form says why.
    const other = await signedIn(tokens.mallory);
    await other.page.goto(`${server.url}/new`);
    await other.page.getByLabel(/^Name/).fill('labring/sneaky:v1');
    await other.page.getByRole('button', { name: 'Create' }).click();
    expect(await other.page.getByTestId('error').textContent()).toMatch(
      /creating labring\/sneaky:v1 was refused: .*mallory/,
    );
    await other.context.close();
    await context.close();
  });

  it('pages both ways over 100 repositories, with the page count', async () => {
    const page = await browser.newPage();
    const visit = async (link: string) => {
      const href = await page.getByRole('link', { name: link }).getAttribute('href');
      await page.goto(`${server.url}${href}`);
    };
    await page.goto(`${server.url}/?q=bulk/`);
    const forward: string[][] = [await cardNames(page)];
    expect(await page.getByTestId('page').textContent()).toBe('Page 1 of 9');
    expect(await page.getByRole('link', { name: '« Previous page' }).count()).toBe(0);
    while ((await page.getByRole('link', { name: 'Next page »' }).count()) > 0) {
      await visit('Next page »');
      forward.push(await cardNames(page));
    }
    expect(forward.flat()).toEqual(BULK);
    expect(await page.getByTestId('page').textContent()).toBe('Page 9 of 9');
    expect(await page.getByTestId('count').textContent()).toBe('97–100 of 100 repositories');
    const backward: string[][] = [await cardNames(page)];
    while ((await page.getByRole('link', { name: '« Previous page' }).count()) > 0) {
      await visit('« Previous page');
      backward.unshift(await cardNames(page));
    }
    expect(backward).toEqual(forward);
    expect(await page.getByTestId('page').textContent()).toBe('Page 1 of 9');
    await page.close();
  });

  it('pages an organization’s repositories both ways', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/o/bulk`);
    expect(await page.getByTestId('page').textContent()).toBe('Page 1 of 5');
    const first = await cardNames(page);
    const next = await page.getByRole('link', { name: 'Next page »' }).getAttribute('href');
    await page.goto(`${server.url}${next}`);
    expect(await page.getByTestId('page').textContent()).toBe('Page 2 of 5');
    expect(await cardNames(page)).toEqual(BULK.slice(24, 48));
    const prev = await page.getByRole('link', { name: '« Previous page' }).getAttribute('href');
    await page.goto(`${server.url}${prev}`);
    expect(await cardNames(page)).toEqual(first);
    expect(first).toEqual(BULK.slice(0, 24));
    await page.close();
  });

  it('lets a manager delete a tag from the repository page; its manifest goes from the registry too', async () => {
    // The tag's image in the registry (an OCI manifest), which the handler finds by a HEAD and deletes by digest.
    await pushImage(
      env.registry.host,
      'labring/cert-manager',
      'v1.8.0',
      await generateImage({ seed: 'cm-1.8.0' }),
    );
    const manifestUrl = `${env.registry.url}/v2/labring/cert-manager/manifests/v1.8.0`;
    const accept = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json';
    const headManifest = async () =>
      (await fetch(manifestUrl, { method: 'HEAD', headers: { accept } })).status;
    expect(await headManifest()).toBe(200);
    const { context, page } = await signedIn(tokens.alice);
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${server.url}/r/labring/cert-manager`);
    const tags = () =>
      page
        .locator('[data-testid="tags"] tbody tr[data-tag]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tag')));
    expect(await tags()).toEqual(['v1.14.4', 'v1.8.0']);
    await page.getByRole('button', { name: 'Delete tag v1.8.0' }).click();
    // The Image is gone at once; the tag list follows when hub-controller rewrites the Repository's status.
    await expect
      .poll(async () => {
        await page.reload();
        return tags();
      })
      .toEqual(['v1.14.4']);
    expect(await headManifest()).toBe(404);
    await context.close();
  });

  it('signs out: the cookie is gone and the session answers 401', async () => {
    const { context, page } = await signedIn(tokens.alice);
    await Promise.all([
      page.waitForURL(`${server.url}/`),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    expect(await context.cookies()).toEqual([]);
    const session = await page.evaluate(async () => (await fetch('/api/hub/session')).status);
    expect(session).toBe(401);
    await context.close();
  });
});
