import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

// RFC 4648 base32 without padding; Node has no encoder, and this is all libtrust needs.
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * The libtrust key ID of a public key, which distribution 2.8 compares with a JWT's `kid`: SHA-256 of the
 * DER SubjectPublicKeyInfo, first 240 bits, base32, in twelve groups of four joined by `:`
 * (github.com/docker/libtrust util.go `keyIDFromCryptoKey`).
 */
export function libtrustKeyId(spkiDer: Uint8Array): string {
  const encoded = base32(createHash('sha256').update(spkiDer).digest().subarray(0, 30));
  return encoded.match(/.{1,4}/g)?.join(':') ?? '';
}
