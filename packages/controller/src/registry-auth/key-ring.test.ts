import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importX509, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { isRegistryAuthError } from './errors.ts';
import { openKeyRing } from './key-ring.ts';
import { libtrustKeyId } from './libtrust-key-id.ts';
import { signRegistryToken } from './registry-token.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hub-key-ring-'));
  dirs.push(dir);
  return dir;
}

const MINUTE = 60_000;

describe('libtrustKeyId', () => {
  it('is twelve groups of four base32 characters of the SPKI hash', () => {
    expect(libtrustKeyId(new Uint8Array([1, 2, 3]))).toMatch(/^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
    expect(libtrustKeyId(new Uint8Array([1, 2, 3]))).not.toBe(libtrustKeyId(new Uint8Array([1, 2, 4])));
  });
});

describe('openKeyRing', () => {
  it('generates a key into an empty directory and loads the same key again', async () => {
    const dir = await tempDir();
    const first = await openKeyRing({ dir, issuer: 'hub-token', tokenTtlMs: 5 * MINUTE });
    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(2);
    expect(files.some((f) => f.endsWith('.key')) && files.some((f) => f.endsWith('.crt'))).toBe(true);
    const again = await openKeyRing({ dir, issuer: 'hub-token', tokenTtlMs: 5 * MINUTE });
    expect(again.signingKey().kid).toBe(first.signingKey().kid);
    expect(again.certificateBundle()).toBe(first.certificateBundle());
  });

  it('signs tokens that verify with the published certificate', async () => {
    const ring = await openKeyRing({ issuer: 'hub-token', tokenTtlMs: 5 * MINUTE });
    const key = ring.signingKey();
    const { token, expires_in } = await signRegistryToken(key, {
      issuer: 'hub-token',
      service: 'registry',
      subject: 'alice',
      access: [{ type: 'repository', name: 'a/b', actions: ['pull'] }],
      ttlSeconds: 300,
      now: new Date(),
    });
    const { payload, protectedHeader } = await jwtVerify(
      token,
      await importX509(key.certificatePem, 'ES256'),
      {
        issuer: 'hub-token',
        audience: 'registry',
      },
    );
    expect(protectedHeader.kid).toBe(key.kid);
    expect(typeof payload.aud).toBe('string');
    expect(payload.exp).toBe((payload.iat ?? 0) + 300);
    expect(payload.access).toEqual([{ type: 'repository', name: 'a/b', actions: ['pull'] }]);
    expect(expires_in).toBe(300);
  });

  it('rotates: publishes the new key at once, signs with it after the delay, retires the old one after ttl + leeway', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const dir = await tempDir();
    const ring = await openKeyRing({
      dir,
      issuer: 'hub-token',
      tokenTtlMs: 5 * MINUTE,
      activationDelayMs: 10 * MINUTE,
      now: () => new Date(now),
    });
    const old = ring.signingKey();
    now += MINUTE;
    const fresh = await ring.rotate();
    expect(ring.signingKey().kid).toBe(old.kid);
    expect(ring.publishedKeys().map((k) => k.kid)).toEqual([old.kid, fresh.kid]);
    expect(ring.certificateBundle().match(/BEGIN CERTIFICATE/g)).toHaveLength(2);

    now += 10 * MINUTE;
    expect(ring.signingKey().kid).toBe(fresh.kid);
    // Tokens of the old key live 5 minutes plus the registry's 60 s leeway.
    now += 6 * MINUTE - 1;
    expect(ring.publishedKeys()).toHaveLength(2);
    expect(await ring.prune()).toBe(0);
    now += 1;
    expect(ring.publishedKeys().map((k) => k.kid)).toEqual([fresh.kid]);
    expect(await ring.prune()).toBe(1);
    expect(await readdir(dir)).toHaveLength(2);
  });

  it('orders keys made within one second by their names, also after a reload', async () => {
    let now = Date.parse('2026-01-01T00:00:00.100Z');
    const dir = await tempDir();
    const options = { dir, issuer: 'x', tokenTtlMs: MINUTE, activationDelayMs: 0, now: () => new Date(now) };
    const ring = await openKeyRing(options);
    now += 1;
    const fresh = await ring.rotate();
    expect(ring.signingKey().kid).toBe(fresh.kid);
    expect((await openKeyRing(options)).signingKey().kid).toBe(fresh.kid);
  });

  it('refuses a certificate that belongs to another key, naming the file', async () => {
    const a = await tempDir();
    const b = await tempDir();
    await openKeyRing({ dir: a, issuer: 'x', tokenTtlMs: MINUTE });
    await openKeyRing({ dir: b, issuer: 'x', tokenTtlMs: MINUTE });
    const keyA = (await readdir(a)).find((f) => f.endsWith('.key')) as string;
    const certB = (await readdir(b)).find((f) => f.endsWith('.crt')) as string;
    await writeFile(join(a, keyA.replace(/\.key$/, '.crt')), await readFile(join(b, certB)));
    const error = await openKeyRing({ dir: a, issuer: 'x', tokenTtlMs: MINUTE }).catch((e: unknown) => e);
    expect(isRegistryAuthError(error) && error.code === 'KEY_STORE_FAILED').toBe(true);
    expect((error as Error).message).toContain(keyA);
    expect((error as Error).message).toContain('does not belong');
  });

  it('refuses a key without its certificate', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'lonely.key'), 'x');
    await expect(openKeyRing({ dir, issuer: 'x', tokenTtlMs: MINUTE })).rejects.toThrow(/lonely\.crt/);
  });
});
