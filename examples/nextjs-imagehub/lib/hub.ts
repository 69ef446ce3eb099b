import { type Catalogue, createCatalogue, createHubHandler, type HubHandler } from '@hub/datapack';

/** Where the route handler is mounted: app/api/hub/[...path]/route.ts. */
export const HUB_BASE_PATH = '/api/hub';

interface Hub {
  catalogue: Catalogue;
  handler: HubHandler;
}

// One watch cache per server process, kept on globalThis so dev-mode reloads do not open new watches.
const slot = globalThis as typeof globalThis & { __hubExample?: Hub };

/** The catalogue (watching the cluster of $KUBECONFIG) and the handler over it, created on first use. */
export function hub(): Hub {
  if (slot.__hubExample === undefined) {
    const catalogue = createCatalogue({
      onError: (error) => console.error(`[hub] ${error.message}`),
    });
    const handler = createHubHandler({
      catalogue,
      basePath: HUB_BASE_PATH,
      onError: (error, request) => console.error(`[hub] ${request.method} ${request.url} failed:`, error),
    });
    slot.__hubExample = { catalogue, handler };
  }
  return slot.__hubExample;
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
  const response = await hub().handler(new Request(`http://hub.internal${HUB_BASE_PATH}${path}`));
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
