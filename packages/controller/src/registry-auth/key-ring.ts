import 'reflect-metadata';
import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { RegistryAuthError } from './errors.ts';
import { libtrustKeyId } from './libtrust-key-id.ts';

/** One token-signing key and the self-signed certificate that publishes its public key. */
export interface TokenSigningKey {
  /** The libtrust fingerprint: the JWT `kid` distribution 2.8 looks up in its root certificate bundle. */
  readonly kid: string;
  /** JWS algorithm for this key (`ES256`, `ES384`, `RS256`). */
  readonly alg: 'ES256' | 'ES384' | 'RS256';
  readonly privateKey: KeyObject;
  readonly certificatePem: string;
  /** When the key was created (the certificate's notBefore); orders rotation. */
  readonly createdAt: Date;
  /** Base name of its files in the key directory (`<name>.key`, `<name>.crt`), if it has any. */
  readonly name: string;
}

/** Options of {@link openKeyRing}. */
export interface KeyRingOptions {
  /** Directory of `<name>.key` (PKCS#8 PEM) + `<name>.crt` pairs; keys live in memory only when omitted. */
  dir?: string;
  /** Certificate subject CN (the token issuer). */
  issuer: string;
  /**
   * How long a new key is published before it signs, so registries reload the bundle first. The first key of
   * an empty ring signs at once. Default 10 minutes.
   */
  activationDelayMs?: number;
  /** Lifetime of issued tokens: a key stays published this long (plus 60 s registry leeway) after it stops signing. */
  tokenTtlMs: number;
  now?: () => Date;
}

/** The keys that sign tokens and the ones the registry must trust. */
export interface KeyRing {
  /** The key that signs now: the newest one published for at least the activation delay. */
  signingKey(): TokenSigningKey;
  /** Keys the registry must trust now (the signing key, newer ones waiting, older ones whose tokens live). */
  publishedKeys(): readonly TokenSigningKey[];
  /** The PEM certificates of {@link publishedKeys}: the registry's `auth.token.rootcertbundle`. */
  certificateBundle(): string;
  /** Adds a new key (written to the directory), published now and signing after the activation delay. */
  rotate(): Promise<TokenSigningKey>;
  /** Removes keys that no longer need publishing (and their files). Returns how many went. */
  prune(): Promise<number>;
}

// distribution adds this leeway to `exp` (registry/auth/token/token.go).
const REGISTRY_LEEWAY_MS = 60_000;
const TEN_YEARS_MS = 10 * 365 * 24 * 60 * 60 * 1000;

function algorithmOf(key: KeyObject, file: string): TokenSigningKey['alg'] {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
  }
  throw new RegistryAuthError(
    'KEY_STORE_FAILED',
    `${file}: only RSA, EC P-256 and EC P-384 keys can sign registry tokens`,
  );
}

function keyFromPem(name: string, keyPem: string, certificatePem: string, file: string): TokenSigningKey {
  let privateKey: KeyObject;
  let certificate: x509.X509Certificate;
  try {
    privateKey = createPrivateKey(keyPem);
    certificate = new x509.X509Certificate(certificatePem);
  } catch (cause) {
    throw new RegistryAuthError('KEY_STORE_FAILED', `${file}: not a PEM private key and certificate`, {
      cause,
    });
  }
  const spki = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  if (!Buffer.from(certificate.publicKey.rawData).equals(spki)) {
    throw new RegistryAuthError('KEY_STORE_FAILED', `${file}: the certificate does not belong to the key`);
  }
  return {
    kid: libtrustKeyId(spki),
    alg: algorithmOf(privateKey, file),
    privateKey,
    certificatePem: certificate.toString('pem'),
    createdAt: certificate.notBefore,
    name,
  };
}

async function generateKey(issuer: string, now: Date): Promise<{ keyPem: string; certPem: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: `CN=${issuer.replace(/[,+"\\<>;=]/g, '_')}`,
    // Whole seconds: the certificate stores no milliseconds, and createdAt must survive a reload.
    notBefore: new Date(Math.floor(now.getTime() / 1000) * 1000),
    notAfter: new Date(now.getTime() + TEN_YEARS_MS),
    signingAlgorithm: algorithm,
    keys,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), certPem: certificate.toString('pem') };
}

// Temp file, then rename: a crash never leaves half a key behind.
async function writeAtomic(path: string, content: string, mode: number): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, content, { mode });
  await rename(temp, path);
}

async function loadDir(dir: string): Promise<TokenSigningKey[]> {
  let entries: string[];
  try {
    await mkdir(dir, { recursive: true });
    entries = await readdir(dir);
  } catch (cause) {
    throw new RegistryAuthError('KEY_STORE_FAILED', `cannot read the key directory ${dir}`, { cause });
  }
  const keys: TokenSigningKey[] = [];
  for (const entry of entries.filter((e) => e.endsWith('.key')).sort()) {
    const name = entry.slice(0, -'.key'.length);
    const keyFile = join(dir, entry);
    const certFile = join(dir, `${name}.crt`);
    let keyPem: string;
    let certPem: string;
    try {
      [keyPem, certPem] = await Promise.all([readFile(keyFile, 'utf8'), readFile(certFile, 'utf8')]);
    } catch (cause) {
      throw new RegistryAuthError('KEY_STORE_FAILED', `${keyFile} needs its certificate ${certFile}`, {
        cause,
      });
    }
    keys.push(keyFromPem(name, keyPem, certPem, keyFile));
  }
  return keys;
}

// Sorts by creation to the millisecond (certificates keep whole seconds): token-20260101T000000123Z-<hex>.
function keyName(createdAt: Date): string {
  return `token-${createdAt.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

/**
 * Opens the key ring: loads the key directory (generating a first key into it when it holds none), or keeps
 * one generated key in memory without a directory. Rotation is explicit ({@link KeyRing.rotate}).
 */
export async function openKeyRing(options: KeyRingOptions): Promise<KeyRing> {
  const now = options.now ?? (() => new Date());
  const activationDelayMs = options.activationDelayMs ?? 10 * 60_000;
  const keys: TokenSigningKey[] = options.dir ? await loadDir(options.dir) : [];

  const addKey = async (): Promise<TokenSigningKey> => {
    const createdAt = now();
    const name = keyName(createdAt);
    const { keyPem, certPem } = await generateKey(options.issuer, createdAt);
    if (options.dir) {
      try {
        await writeAtomic(join(options.dir, `${name}.crt`), certPem, 0o644);
        await writeAtomic(join(options.dir, `${name}.key`), keyPem, 0o600);
      } catch (cause) {
        throw new RegistryAuthError(
          'KEY_STORE_FAILED',
          `cannot write a new key into ${options.dir}: make it writable, or put a <name>.key/<name>.crt pair there`,
          { cause },
        );
      }
    }
    const key = keyFromPem(name, keyPem, certPem, name);
    keys.push(key);
    return key;
  };
  if (keys.length === 0) await addKey();

  // Creation order; keys made within one second fall back to their names, which carry milliseconds.
  const sorted = () =>
    [...keys].sort(
      (a, b) =>
        a.createdAt.getTime() - b.createdAt.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  // The key that signs at `at`: the newest one activated by then; the oldest when none is (a fresh ring).
  const signerAt = (at: number, ordered: readonly TokenSigningKey[]): TokenSigningKey => {
    const active = ordered.filter((k, i) => i === 0 || k.createdAt.getTime() + activationDelayMs <= at);
    return active[active.length - 1] as TokenSigningKey;
  };
  const published = (): TokenSigningKey[] => {
    const ordered = sorted();
    const at = now().getTime();
    const signer = signerAt(at, ordered);
    return ordered.filter((key, i) => {
      if (key.createdAt.getTime() >= signer.createdAt.getTime()) return true;
      // An older key signed until its successor activated; its tokens live ttl (+ leeway) longer.
      const successor = ordered[i + 1] as TokenSigningKey;
      const stoppedAt = successor.createdAt.getTime() + activationDelayMs;
      return at < stoppedAt + options.tokenTtlMs + REGISTRY_LEEWAY_MS;
    });
  };

  return {
    signingKey: () => signerAt(now().getTime(), sorted()),
    publishedKeys: published,
    certificateBundle: () =>
      published()
        .map((key) => key.certificatePem.trim())
        .join('\n')
        .concat('\n'),
    rotate: addKey,
    async prune() {
      const keep = new Set(published());
      const gone = keys.filter((key) => !keep.has(key));
      for (const key of gone) {
        keys.splice(keys.indexOf(key), 1);
        if (options.dir) {
          await rm(join(options.dir, `${key.name}.key`), { force: true });
          await rm(join(options.dir, `${key.name}.crt`), { force: true });
        }
      }
      return gone.length;
    },
  };
}

/** Writes the certificate bundle atomically (for `--registry-token-cert-out`). */
export async function writeCertificateBundle(path: string, bundle: string): Promise<void> {
  try {
    await writeAtomic(path, bundle, 0o644);
  } catch (cause) {
    throw new RegistryAuthError('KEY_STORE_FAILED', `cannot write the certificate bundle to ${path}`, {
      cause,
    });
  }
}
