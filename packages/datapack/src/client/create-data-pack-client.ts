import {
  DATA_PACK_CODES,
  type DataPack,
  type DataPackNameMode,
  dataPackName,
  IMAGEHUB_API_VERSION,
  parseGoDuration,
} from '@hub/api-types';
import { isHubError } from '@hub/api-types/errors';
import type { CatalogueReader } from '../catalogue/catalogue-reader.ts';
import type { RepositoryAccess } from '../catalogue/repository-visibility.ts';
import { computeDataPack, type DataPackResult } from '../compute/compute-data-pack.ts';
import { validateDataPackRequest } from '../compute/validate-request.ts';
import { DataPackError } from '../errors.ts';
import { isKubeApiError } from '../kube/kube-api-error.ts';
import type { KubeConnectionSource } from '../kube/kube-connection.ts';
import { createKubeTransport, type KubeTransport } from '../kube/kube-transport.ts';
import { collectionPath, KUBE_RESOURCES, objectPath } from '../kube/resource.ts';
import { packSpecMatches } from './pack-spec-matches.ts';

/** Computes in-process over a watch cache: no objects are created to read. */
export interface DirectClientOptions {
  mode: 'direct';
  catalogue: CatalogueReader & { ready?: (signal?: AbortSignal) => Promise<void> };
  /**
   * Admits private repositories, as the result of the handler's `authorize` does. Without it,
   * private repositories and their Images are answered as missing, as in cr mode.
   */
  access?: RepositoryAccess | undefined;
}

/**
 * Creates (or reuses) a DataPack object and waits for the controller to fill its status. Packs are
 * readable by every hub user, so they never hold private repositories (the controller computes
 * without an `access` predicate), and a pack of the expected name is used only when its spec asks
 * for the same content (`SPEC_MISMATCH` otherwise).
 */
export interface CrClientOptions {
  mode: 'cr';
  /** Where to create DataPacks; or pass `transport` to share connections. */
  kubeConfig?: KubeConnectionSource | undefined;
  transport?: KubeTransport | undefined;
  /** `spec-hash` (default): `datapack-<type>-<sha256>`; `legacy`: the original frontend's MD5 names. */
  naming?: DataPackNameMode | undefined;
  /** `spec.expireTime` of packs this client creates (default `2h`). */
  expireTime?: string | undefined;
  /** How long `get` waits for OK or ERROR (default 30 s). */
  timeoutMs?: number | undefined;
}

export type DataPackClientOptions = DirectClientOptions | CrClientOptions;

export interface DataPackGetOptions {
  signal?: AbortSignal | undefined;
}

export interface DataPackClient {
  readonly mode: 'direct' | 'cr';
  /**
   * `{ codes, datas, message? }` for `{ type, names }`, the same in both modes. Throws
   * INVALID_REQUEST for a malformed request, TIMEOUT (cr) when no verdict arrives in time,
   * SPEC_MISMATCH (cr) when the pack of that name was written with another spec.
   */
  get(
    request: { type?: string; names: readonly string[] },
    options?: DataPackGetOptions,
  ): Promise<DataPackResult>;
  close(): Promise<void>;
}

function resultOf(pack: DataPack): DataPackResult | undefined {
  const status = pack.status;
  if (status?.codes !== DATA_PACK_CODES.OK && status?.codes !== DATA_PACK_CODES.ERROR) return undefined;
  const result: DataPackResult = { codes: status.codes, datas: status.datas ?? {} };
  if (status.message !== undefined && status.message !== '') result.message = status.message;
  return result;
}

function specMismatch(name: string, pack: DataPack): DataPackError {
  const { type, names } = (pack.spec ?? {}) as { type?: unknown; names?: unknown };
  const held = `type ${JSON.stringify(type ?? 'base')}, ${Array.isArray(names) ? names.length : 0} names`;
  return new DataPackError(
    'SPEC_MISMATCH',
    `DataPack ${name} exists with another spec (${held}), so its answer is not this request's and is not used; ` +
      'someone created it by hand or with a colliding name: ask a cluster admin to delete it, or read in direct mode.',
  );
}

function kubeError(error: unknown, what: string): DataPackError {
  if (isKubeApiError(error) && error.code === 'INVALID') {
    return new DataPackError(
      'INVALID_REQUEST',
      `the apiserver rejected the DataPack: ${error.detail ?? error.message}`,
      {
        cause: error,
        field: 'names',
      },
    );
  }
  if (isHubError(error) && error.code === 'ABORTED') {
    return new DataPackError('TIMEOUT', `${what} was aborted.`, { cause: error });
  }
  return new DataPackError(
    'KUBE_API',
    `${what} failed: ${isHubError(error) ? error.message : 'unexpected error'}.`,
    {
      cause: error,
      retryable: isHubError(error) ? error.retryable : true,
      ...(isKubeApiError(error) && error.status !== undefined ? { status: error.status } : {}),
    },
  );
}

async function getPack(
  transport: KubeTransport,
  name: string,
  signal: AbortSignal,
): Promise<DataPack | undefined> {
  try {
    return await transport.request<DataPack>(objectPath(KUBE_RESOURCES.DataPack, name), {
      verb: 'get',
      signal,
    });
  } catch (error) {
    if (isKubeApiError(error) && error.code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

async function createPack(
  transport: KubeTransport,
  pack: DataPack,
  signal: AbortSignal,
): Promise<DataPack | undefined> {
  try {
    return await transport.request<DataPack>(collectionPath(KUBE_RESOURCES.DataPack), {
      verb: 'create',
      method: 'POST',
      body: pack,
      signal,
    });
  } catch (error) {
    if (isKubeApiError(error) && (error.code === 'ALREADY_EXISTS' || error.reason === 'AlreadyExists'))
      return undefined;
    throw error;
  }
}

// Watches the one pack from the resourceVersion we saw, so no update between GET and watch is lost.
// `check` sees every version: the pack may be deleted and recreated with another spec meanwhile.
async function waitForVerdict(
  transport: KubeTransport,
  name: string,
  resourceVersion: string | undefined,
  check: (pack: DataPack) => DataPack,
  signal: AbortSignal,
): Promise<DataPackResult | 'deleted'> {
  let from = resourceVersion;
  for (;;) {
    const query = {
      watch: 'true',
      fieldSelector: `metadata.name=${name}`,
      allowWatchBookmarks: 'true',
      ...(from === undefined ? {} : { resourceVersion: from }),
    };
    for await (const raw of transport.stream(collectionPath(KUBE_RESOURCES.DataPack), {
      query,
      signal,
      idleTimeoutMs: 90_000,
    })) {
      const event = raw as { type?: string; object?: DataPack & { code?: number } };
      if (event.type === 'ERROR') {
        from = undefined; // 410 Gone: start again from the current state
        break;
      }
      if (event.object?.metadata?.resourceVersion !== undefined) from = event.object.metadata.resourceVersion;
      if (event.type === 'DELETED') return 'deleted';
      if (event.type === 'ADDED' || event.type === 'MODIFIED') {
        const result = resultOf(check(event.object as DataPack));
        if (result !== undefined) return result;
      }
    }
    if (from === undefined) {
      const pack = await getPack(transport, name, signal);
      if (pack === undefined) return 'deleted';
      const result = resultOf(check(pack));
      if (result !== undefined) return result;
      from = pack.metadata.resourceVersion;
    }
  }
}

function createCrClient(options: CrClientOptions): DataPackClient {
  const naming = options.naming ?? 'spec-hash';
  const expireTime = options.expireTime ?? '2h';
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!parseGoDuration(expireTime).success) {
    throw new DataPackError(
      'INVALID_REQUEST',
      `expireTime "${expireTime}" is not a Go duration, e.g. 2h or 90m.`,
      {
        field: 'expireTime',
      },
    );
  }
  const own = options.transport === undefined;
  const transportPromise: Promise<KubeTransport> =
    options.transport !== undefined
      ? Promise.resolve(options.transport)
      : options.kubeConfig !== undefined
        ? createKubeTransport(options.kubeConfig, { userAgent: 'hub-datapack-client' })
        : Promise.reject(
            new TypeError('createDataPackClient({ mode: "cr" }) needs kubeConfig or transport.'),
          );
  transportPromise.catch(() => {});

  return {
    mode: 'cr',
    async get(request, getOptions = {}) {
      const spec = validateDataPackRequest(request);
      const name = dataPackName(spec, naming);
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal =
        getOptions.signal === undefined ? timeout : AbortSignal.any([timeout, getOptions.signal]);
      const transport = await transportPromise.catch((error: unknown) => {
        throw kubeError(error, 'connecting to the apiserver');
      });
      // Anyone who may create DataPacks may create one under this name first; trust only our spec.
      const check = (pack: DataPack): DataPack => {
        if (!packSpecMatches(pack.spec, spec)) throw specMismatch(name, pack);
        return pack;
      };
      try {
        for (let attempt = 0; attempt < 3; attempt++) {
          let pack = await getPack(transport, name, signal);
          if (pack === undefined) {
            const body: DataPack = {
              apiVersion: IMAGEHUB_API_VERSION,
              kind: 'DataPack',
              metadata: { name },
              spec: { type: spec.type, names: spec.names, expireTime },
            };
            pack = (await createPack(transport, body, signal)) ?? (await getPack(transport, name, signal));
            if (pack === undefined) continue; // created and expired at once: try again
          }
          const ready = resultOf(check(pack));
          if (ready !== undefined) return ready;
          const verdict = await waitForVerdict(transport, name, pack.metadata.resourceVersion, check, signal);
          if (verdict !== 'deleted') return verdict;
        }
        throw new DataPackError(
          'KUBE_API',
          `DataPack ${name} was deleted three times while waiting; check its expireTime.`,
        );
      } catch (error) {
        if (timeout.aborted) {
          throw new DataPackError(
            'TIMEOUT',
            `DataPack ${name} reached neither OK nor ERROR in ${timeoutMs} ms; is hub-controller running?`,
            { cause: error, retryable: true },
          );
        }
        if (error instanceof DataPackError) throw error;
        throw kubeError(error, `reading DataPack ${name}`);
      }
    },
    async close() {
      if (!own) return;
      const transport = await transportPromise.catch(() => undefined);
      await transport?.close();
    },
  };
}

/**
 * A DataPack client. `direct` computes over a {@link Catalogue}; `cr` goes through a DataPack object
 * named by its spec hash (or the original MD5 name), which the DataPack controller fills. Both
 * return the same result for the same objects; private repositories count as missing in both,
 * unless a direct client is given `access`.
 */
export function createDataPackClient(options: DataPackClientOptions): DataPackClient {
  if (options.mode === 'cr') return createCrClient(options);
  const { catalogue, access } = options;
  return {
    mode: 'direct',
    async get(request, getOptions = {}) {
      const spec = validateDataPackRequest(request);
      await catalogue.ready?.(getOptions.signal);
      return computeDataPack(spec, catalogue, { access });
    },
    async close() {},
  };
}
