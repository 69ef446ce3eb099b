import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { DataPackError } from '../errors.ts';

/** What a session cookie carries, encrypted: the user's token and when the session ends. */
export interface SessionPayload {
  /** The Kubernetes token the user signed in with; writes go to the apiserver with it. */
  readonly token: string;
  readonly user: string;
  readonly groups: readonly string[];
  /** End of the session, epoch milliseconds. */
  readonly expiresAt: number;
}

/** Seals and opens session cookies with AES-256-GCM under keys derived from the server secrets. */
export interface SessionSealer {
  seal(payload: SessionPayload): string;
  /** The payload, or undefined for a cookie that is forged, from another key, malformed or expired. */
  open(value: string, now?: number): SessionPayload | undefined;
}

/** Shortest accepted secret: 32 characters, so the key is not guessable offline from a cookie. */
export const SESSION_SECRET_MIN_LENGTH = 32;

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Bound to the purpose: the same secret used elsewhere never yields this key.
const INFO = 'hub-session-cookie-v1';

function deriveKey(secret: string): Buffer {
  if (secret.length < SESSION_SECRET_MIN_LENGTH) {
    throw new DataPackError(
      'INVALID_OPTION',
      `the session secret must be at least ${SESSION_SECRET_MIN_LENGTH} characters (e.g. openssl rand -base64 32).`,
      { field: 'session.secret' },
    );
  }
  return Buffer.from(hkdfSync('sha256', secret, '', INFO, 32));
}

function isPayload(value: unknown): value is SessionPayload {
  const v = value as Partial<SessionPayload> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.token === 'string' &&
    typeof v.user === 'string' &&
    Array.isArray(v.groups) &&
    v.groups.every((g) => typeof g === 'string') &&
    typeof v.expiresAt === 'number'
  );
}

/**
 * `secrets[0]` seals; every one opens, so replicas sharing the list need no shared store and a
 * secret can be rotated by putting the new one first. The cookie is `v1.<base64url(iv|ct|tag)>`.
 */
export function createSessionSealer(secrets: string | readonly string[]): SessionSealer {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) {
    throw new DataPackError('INVALID_OPTION', 'give at least one session secret.', {
      field: 'session.secret',
    });
  }
  const keys = list.map(deriveKey);
  const sealKey = keys[0] as Buffer;
  const aad = Buffer.from(`v${VERSION}`);
  return {
    seal(payload) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
      cipher.setAAD(aad);
      const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
      return `v${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
    },
    open(value, now = Date.now()) {
      const prefix = `v${VERSION}.`;
      if (!value.startsWith(prefix) || value.length > 16_384) return undefined;
      const raw = Buffer.from(value.slice(prefix.length), 'base64url');
      if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
      const iv = raw.subarray(0, IV_BYTES);
      const tag = raw.subarray(raw.length - TAG_BYTES);
      const body = raw.subarray(IV_BYTES, raw.length - TAG_BYTES);
      for (const key of keys) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, iv);
          decipher.setAAD(aad);
          decipher.setAuthTag(tag);
          const text = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
          const payload: unknown = JSON.parse(text);
          if (!isPayload(payload) || payload.expiresAt <= now) return undefined;
          return payload;
        } catch {
          // Not this key (or forged): try the next one.
        }
      }
      return undefined;
    },
  };
}
