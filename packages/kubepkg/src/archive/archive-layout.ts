import { KubePkgError } from '../errors.ts';

/** Name of the spec entry; always the first entry of a kubepkg archive. */
export const SPEC_ENTRY = 'kubepkg.json';

const DIGEST_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };

/** `blobs/<alg>/<hex>` for a digest `<alg>:<hex>`. */
export function blobEntryName(digest: string): string {
  const [alg, hex] = splitDigest(digest);
  return `blobs/${alg}/${hex}`;
}

/** Splits and validates `<alg>:<hex>` (sha256 or sha512, lower-case hex of the right length). */
export function splitDigest(digest: string): [string, string] {
  const match = /^([a-z0-9]+):([a-f0-9]+)$/.exec(digest);
  const alg = match?.[1];
  const hex = match?.[2];
  if (!alg || !hex || DIGEST_LENGTH[alg] !== hex.length) {
    throw new KubePkgError('INVALID_ARGUMENT', `"${digest}" is not a sha256/sha512 digest.`, {
      subject: digest,
    });
  }
  return [alg, hex];
}

/** The digest an entry name stands for, or undefined when the name is not exactly `blobs/<alg>/<hex>`. */
export function digestOfEntryName(name: string): string | undefined {
  const match = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(name);
  if (!match?.[1] || !match[2] || DIGEST_LENGTH[match[1]] !== match[2].length) return undefined;
  return `${match[1]}:${match[2]}`;
}
