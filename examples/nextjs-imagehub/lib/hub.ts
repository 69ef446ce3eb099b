import {
  type Catalogue,
  cachedAuthenticator,
  createCatalogue,
  createHubHandler,
  createHubSessions,
  createKubeTransport,
  createTokenReviewAuthenticator,
  type HubHandler,
  type HubHandlerOptions,
  type TokenAuthenticator,
} from '@hub/datapack';
import { KubeConfig } from '@kubernetes/client-node';
import { headers } from 'next/headers';

/** Where the route handler is mounted: app/api/hub/[...path]/route.ts. */
export const HUB_BASE_PATH = '/api/hub';

interface Hub {
  catalogue: Catalogue;
  handler: HubHandler;
}

// One watch cache per server process, kept on globalThis so dev-mode reloads do not open new watches.
const slot = globalThis as typeof globalThis & { __hubExample?: Hub };

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

/**
 * Sign-in and writes, when HUB_SESSION_SECRET is set (comma-separated for rotation, the first one
 * seals; every replica gets the same list): tokens are reviewed with the hub's own identity for
 * HUB_TOKEN_AUDIENCES (the apiserver's own when unset: the token is sent to it for writes, so it
 * cannot be the registry's audience-bound password), and writes go out with the user's token.
 */
async function sessionOptions(kubeConfig: KubeConfig): Promise<Partial<HubHandlerOptions>> {
  const secrets = list(process.env.HUB_SESSION_SECRET);
  if (secrets.length === 0) return {};
  const audiences = list(process.env.HUB_TOKEN_AUDIENCES);
  const reviewTransport = await createKubeTransport(kubeConfig, { userAgent: 'hub-example-sign-in' });
  const authenticator: TokenAuthenticator = cachedAuthenticator(
    createTokenReviewAuthenticator(reviewTransport, audiences.length > 0 ? { audiences } : {}),
    { ttlMs: 10_000 },
  );
  const maxAgeSeconds = Number(process.env.HUB_SESSION_MAX_AGE_SECONDS ?? '');
  return {
    sessions: createHubSessions({
      secret: secrets,
      authenticator,
      ...(Number.isFinite(maxAgeSeconds) && maxAgeSeconds > 0 ? { maxAgeMs: maxAgeSeconds * 1000 } : {}),
    }),
    userTransport: await createKubeTransport(kubeConfig, {
      userAgent: 'hub-example',
      userCredentials: true,
    }),
    allowedOrigins: list(process.env.HUB_ORIGINS),
  };
}

/** The catalogue (watching the cluster of $KUBECONFIG) and the handler over it, created on first use. */
export function hub(): Hub {
  if (slot.__hubExample === undefined) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromDefault();
    const catalogue = createCatalogue({
      kubeConfig,
      onError: (error) => console.error(`[hub] ${error.message}`),
    });
    const ready = sessionOptions(kubeConfig).then((extra) =>
      createHubHandler({
        catalogue,
        basePath: HUB_BASE_PATH,
        // Remote icons through the server; HUB_ICON_ALLOW_HOSTS names hosts that may be http or private.
        icons: { allowHosts: list(process.env.HUB_ICON_ALLOW_HOSTS) },
        // HUB_REGISTRY_URL (http://127.0.0.1:5000, https://registry.example): deleting a tag deletes its manifest too.
        ...(process.env.HUB_REGISTRY_URL ? { registry: { url: process.env.HUB_REGISTRY_URL } } : {}),
        ...extra,
        onError: (error, request) => console.error(`[hub] ${request.method} ${request.url} failed:`, error),
      }),
    );
    const handler: HubHandler = async (request) => (await ready)(request);
    slot.__hubExample = { catalogue, handler };
  }
  return slot.__hubExample;
}

/** Who is signed in (GET /session), or null. */
export async function currentUser(): Promise<{ user: string; groups: string[] } | null> {
  try {
    return await hubGet<{ user: string; groups: string[] }>('/session');
  } catch (error) {
    if (error instanceof HubApiError && (error.status === 401 || error.status === 404)) return null;
    throw error;
  }
}

/** Thrown by {@link hubGet} when the API answers with an error body. */
export class HubApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * Calls the hub API in-process (the same handler the route serves to browsers), so server
 * components render from the same JSON any other client gets.
 */
export async function hubGet<T>(path: string): Promise<T> {
  // The visitor's session cookie goes along, so pages show what the API shows this visitor.
  const cookie = (await headers()).get('cookie');
  const response = await hub().handler(
    new Request(`http://hub.internal${HUB_BASE_PATH}${path}`, { headers: cookie ? { cookie } : {} }),
  );
  const body = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok) {
    throw new HubApiError(
      response.status,
      body.error?.code ?? 'INTERNAL',
      body.error?.message ?? 'request failed',
    );
  }
  return body;
}
