import { createHash, type Hash } from 'node:crypto';

/** Digest algorithms the distribution registry stores blobs under. */
export type DigestAlgorithm = 'sha256' | 'sha512';

/** A parsed `<alg>:<hex>` content digest. */
export interface ParsedDigest {
  readonly algorithm: DigestAlgorithm;
  readonly hex: string;
}

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
const DIGEST_PATTERN = /^(sha256|sha512):([a-f0-9]+)$/;

/** Parses `sha256:<64 hex>` or `sha512:<128 hex>`; returns undefined for anything else. */
export function parseDigest(digest: string): ParsedDigest | undefined {
  const match = DIGEST_PATTERN.exec(digest);
  if (!match) return undefined;
  const algorithm = match[1] as DigestAlgorithm;
  const hex = match[2] as string;
  if (hex.length !== HEX_LENGTH[algorithm]) return undefined;
  return { algorithm, hex };
}

/** True when `digest` is a well-formed sha256 or sha512 digest. */
export function isDigest(digest: string): boolean {
  return parseDigest(digest) !== undefined;
}

/** Computes the digest of `bytes` with `algorithm` (sha256 by default). */
export function digestBytes(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** A streaming hasher for a digest algorithm: `update` per chunk, then `digest()` once. */
export interface Digester {
  readonly algorithm: DigestAlgorithm;
  update(chunk: Uint8Array): void;
  digest(): string;
}

/** Creates a one-pass streaming hasher. */
export function createDigester(algorithm: DigestAlgorithm = 'sha256'): Digester {
  const hash: Hash = createHash(algorithm);
  return {
    algorithm,
    update: (chunk) => {
      hash.update(chunk);
    },
    digest: () => `${algorithm}:${hash.digest('hex')}`,
  };
}
