import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseGoDuration } from '@hub/api-types';
import type { CliFeature } from '../cli/features.ts';
import { type FlagGroup, type FlagValues, UsageError } from '../cli/flag-table.ts';
import { informerCacheView } from '../runtime/cache-view.ts';
import { parseTrustedProxies } from './client-address.ts';
import { isRegistryAuthError } from './errors.ts';
import { parseTokenTtl, startRegistryTokenServer } from './token-server.ts';

/** hub-controller's registry token server flags. */
export const REGISTRY_TOKEN_FLAGS: FlagGroup = {
  title: 'Registry token server (distribution token auth from Organizations)',
  flags: [
    {
      name: 'registry-token-bind-address',
      type: 'string',
      value: 'ADDR',
      help: 'serve GET /token on ADDR (:5001, HOST:PORT); absent or 0: no token server',
    },
    {
      name: 'registry-token-issuer',
      type: 'string',
      value: 'NAME',
      default: 'hub-token',
      help: "iss of issued tokens: the registry's auth.token.issuer",
    },
    {
      name: 'registry-token-key-dir',
      type: 'string',
      value: 'DIR',
      help: 'signing keys (<name>.key + <name>.crt, e.g. a Secret); a first key is generated into it; absent: one key in memory',
    },
    {
      name: 'registry-token-cert-out',
      type: 'string',
      value: 'FILE',
      help: "write the certificate bundle (the registry's auth.token.rootcertbundle) here",
    },
    {
      name: 'registry-token-ttl',
      type: 'string',
      value: 'DURATION',
      default: '5m',
      help: 'lifetime of issued tokens (Go duration, 1s to 24h)',
    },
    {
      name: 'registry-token-service',
      type: 'string',
      value: 'NAME[,NAME]',
      help: "accept only these service values (the registries' auth.token.service); absent: any",
    },
    {
      name: 'registry-token-review-cache-ttl',
      type: 'string',
      value: 'DURATION',
      default: '10s',
      help: 'reuse TokenReview verdicts this long (0s: off)',
    },
    {
      name: 'registry-token-audiences',
      type: 'string',
      value: 'AUD[,AUD]',
      help: "passwords must be tokens for one of these audiences (kubectl create token --audience); absent: the apiserver's",
    },
    {
      name: 'registry-token-trusted-proxies',
      type: 'string',
      value: 'ADDR|CIDR[,…]',
      help: 'believe X-Forwarded-For from these peers (an Ingress; 10.0.0.0/8 works) for the per-client rate limits',
    },
    {
      name: 'registry-token-tls-cert-dir',
      type: 'string',
      value: 'DIR',
      help: 'serve HTTPS with DIR/tls.crt and DIR/tls.key (passwords travel in requests)',
    },
  ],
};

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** The registry token feature of hub-controller: starts the token server when a bind address is set. */
function reviewCacheTtlMs(values: FlagValues): number {
  const reviewTtl = parseGoDuration(values['registry-token-review-cache-ttl'] ?? '10s');
  if (!reviewTtl.success || reviewTtl.data < 0 || reviewTtl.data > 300_000) {
    throw new UsageError('--registry-token-review-cache-ttl must be a Go duration from 0s to 5m');
  }
  return reviewTtl.data;
}

const enabled = (values: FlagValues) => {
  const bindAddress = values['registry-token-bind-address'];
  return bindAddress !== undefined && bindAddress !== '' && bindAddress !== '0';
};

export const REGISTRY_TOKEN_FEATURE: CliFeature = {
  flags: REGISTRY_TOKEN_FLAGS,
  validate(values) {
    if (!enabled(values)) return;
    reviewCacheTtlMs(values);
    try {
      parseTokenTtl(values['registry-token-ttl'] ?? '5m');
      parseTrustedProxies(list(values['registry-token-trusted-proxies']));
    } catch (error) {
      if (isRegistryAuthError(error) && error.code === 'INVALID_OPTION') throw new UsageError(error.message);
      throw error;
    }
  },
  async start({ values, manager, log }) {
    const bindAddress = values['registry-token-bind-address'];
    if (!bindAddress || !enabled(values)) return undefined;
    const reviewTtlMs = reviewCacheTtlMs(values);
    const tlsDir = values['registry-token-tls-cert-dir'];
    const services = list(values['registry-token-service']);
    const trustedProxies = list(values['registry-token-trusted-proxies']);
    const tokenAudiences = list(values['registry-token-audiences']);
    const tokenLog = log.with({ component: 'registry-token' });
    try {
      const ttl = values['registry-token-ttl'] ?? '5m';
      parseTokenTtl(ttl);
      const server = await startRegistryTokenServer({
        bindAddress,
        issuer: values['registry-token-issuer'] ?? 'hub-token',
        ...(values['registry-token-key-dir'] ? { keyDir: values['registry-token-key-dir'] } : {}),
        ...(values['registry-token-cert-out'] ? { certOut: values['registry-token-cert-out'] } : {}),
        ttl,
        ...(services.length > 0 ? { services } : {}),
        ...(trustedProxies.length > 0 ? { trustedProxies } : {}),
        ...(tokenAudiences.length > 0 ? { tokenAudiences } : {}),
        transport: manager.transport,
        cache: informerCacheView(manager.factory),
        tokenReviewCacheTtlMs: reviewTtlMs,
        userNamespace: values['user-namespace'] ?? 'user-system',
        ...(tlsDir
          ? {
              tls: {
                cert: await readFile(join(tlsDir, 'tls.crt'), 'utf8'),
                key: await readFile(join(tlsDir, 'tls.key'), 'utf8'),
              },
            }
          : {}),
        log: (event) => {
          if (event.type === 'error') tokenLog.error(event.message, { code: event.code });
          else if (event.type === 'denied') tokenLog.info('registry token denied', { ...event });
          else tokenLog.debug('registry token issued', { ...event });
        },
      });
      tokenLog.info('registry token server listening', { url: server.url, realm: server.realm });
      return server;
    } catch (error) {
      if (isRegistryAuthError(error) && error.code === 'INVALID_OPTION') throw new UsageError(error.message);
      throw error;
    }
  },
};
