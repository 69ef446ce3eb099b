import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIconProxy, isPublicAddress } from '../index.ts';

const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="4" height="4"/></svg>';
let server: Server;
let host: string;
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url === '/icon.svg') res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(SVG);
    else if (req.url === '/page.html') res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>');
    else if (req.url === '/big.png')
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(2048));
    else if (req.url === '/slow.png')
      setTimeout(() => res.writeHead(200, { 'content-type': 'image/png' }).end('x'), 2000);
    else if (req.url === '/moved.png') res.writeHead(302, { location: '/icon.svg' }).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ask = (proxy: ReturnType<typeof createIconProxy>, url: string) =>
  proxy(new Request(`http://hub.test/api/hub/icons?url=${encodeURIComponent(url)}`)).catch(
    (error: { code?: string; field?: string }) => error,
  );

describe('createIconProxy', () => {
  it('serves an allowed image with headers under which no script in an SVG runs, and caches it', async () => {
    const proxy = createIconProxy({ allowHosts: [host] });
    const before = hits;
    const response = (await ask(proxy, `http://${host}/icon.svg`)) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(response.headers.get('content-security-policy')).toContain('sandbox');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toBe(SVG);
    await ask(proxy, `http://${host}/icon.svg`);
    expect(hits - before).toBe(1);
  });

  it('refuses loopback and private hosts unless allowed, and anything but https otherwise', async () => {
    const proxy = createIconProxy();
    expect(await ask(proxy, `http://${host}/icon.svg`)).toMatchObject({
      code: 'INVALID_REQUEST',
      field: 'url',
    });
    expect(await ask(proxy, `https://${host}/icon.svg`)).toMatchObject({ code: 'NOT_FOUND' });
    expect(await ask(proxy, 'https://[::1]/icon.svg')).toMatchObject({ code: 'NOT_FOUND' });
    // A name resolving to loopback is refused at connect time too.
    expect(await ask(proxy, 'https://localhost/icon.svg')).toMatchObject({ code: 'NOT_FOUND' });
    expect(await ask(proxy, 'javascript:alert(1)')).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await ask(proxy, 'not a url')).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await ask(proxy, `https://user:pw@example.com/i.png`)).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('refuses what is not an image, too large, too slow, or a redirect', async () => {
    const proxy = createIconProxy({ allowHosts: [host], maxBytes: 1024, timeoutMs: 300 });
    for (const path of ['/page.html', '/big.png', '/slow.png', '/moved.png', '/missing.png']) {
      expect(await ask(proxy, `http://${host}${path}`)).toMatchObject({ code: 'NOT_FOUND', field: 'url' });
    }
  });

  it('tells public addresses from loopback, private and special ones', () => {
    for (const address of ['8.8.8.8', '2606:4700::1111', '::ffff:1.1.1.1'])
      expect(isPublicAddress(address)).toBe(true);
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
      'nonsense',
    ]) {
      expect(isPublicAddress(address)).toBe(false);
    }
  });
});
