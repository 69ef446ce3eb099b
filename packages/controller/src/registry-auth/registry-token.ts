import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { TokenSigningKey } from './key-ring.ts';

/** One entry of the `access` claim: what the registry lets the bearer do. */
export interface TokenAccess {
  type: string;
  class?: string;
  name: string;
  actions: string[];
}

/** Inputs of {@link signRegistryToken}. */
export interface RegistryTokenInput {
  issuer: string;
  /** The registry's `auth.token.service`; becomes `aud`. */
  service: string;
  /** `sub`: the reviewed username, or empty for anonymous. */
  subject: string;
  access: readonly TokenAccess[];
  ttlSeconds: number;
  now: Date;
}

/** The answer body distribution clients expect from a token endpoint. */
export interface RegistryTokenResponse {
  token: string;
  access_token: string;
  expires_in: number;
  issued_at: string;
}

/**
 * Signs a distribution bearer token with jose: `kid` is the libtrust fingerprint the registry looks up in
 * its root certificate bundle; `aud` is a single string, as distribution 2.8's ClaimSet wants it.
 */
export async function signRegistryToken(
  key: TokenSigningKey,
  input: RegistryTokenInput,
): Promise<RegistryTokenResponse> {
  const iat = Math.floor(input.now.getTime() / 1000);
  const token = await new SignJWT({ access: input.access })
    .setProtectedHeader({ alg: key.alg, typ: 'JWT', kid: key.kid })
    .setIssuer(input.issuer)
    .setSubject(input.subject)
    .setAudience(input.service)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + input.ttlSeconds)
    .setJti(randomUUID())
    .sign(key.privateKey);
  return {
    token,
    access_token: token,
    expires_in: input.ttlSeconds,
    issued_at: new Date(iat * 1000).toISOString(),
  };
}
