import { isKubeApiError, type KubeResource, type KubeTransport } from '@hub/datapack';

interface ApiResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean }>;
}

/** Finds the REST resource of any kind, as kubectl does: the group version's APIResourceList, cached. */
export interface ApiDiscovery {
  /** The resource of `kind` in `apiVersion`, or undefined when the apiserver does not serve it. */
  resourceOf(apiVersion: string, kind: string, signal?: AbortSignal): Promise<KubeResource | undefined>;
}

/**
 * Discovery over the manager's transport. A group version is read once and read again when a kind is missing
 * from it (a CRD the package just applied), at most once a second per group version.
 */
export function createApiDiscovery(transport: KubeTransport, now: () => number = Date.now): ApiDiscovery {
  const cache = new Map<string, { at: number; kinds: Map<string, KubeResource> | undefined }>();
  const load = async (apiVersion: string, signal?: AbortSignal) => {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    let kinds: Map<string, KubeResource> | undefined;
    try {
      const list = await transport.request<ApiResourceList>(path, {
        verb: 'get',
        ...(signal ? { signal } : {}),
      });
      kinds = new Map();
      for (const r of list.resources ?? []) {
        // Subresources (`deployments/status`) share the kind of their parent.
        if (r.name.includes('/')) continue;
        kinds.set(r.kind, {
          group: group ?? '',
          version: version ?? '',
          plural: r.name,
          kind: r.kind,
          namespaced: r.namespaced,
        });
      }
    } catch (error) {
      if (!(isKubeApiError(error) && error.status === 404)) throw error;
    }
    cache.set(apiVersion, { at: now(), kinds });
    return kinds;
  };
  return {
    async resourceOf(apiVersion, kind, signal) {
      const cached = cache.get(apiVersion);
      const found = cached?.kinds?.get(kind);
      if (found) return found;
      if (cached && now() - cached.at < 1_000) return undefined;
      return (await load(apiVersion, signal))?.get(kind);
    },
  };
}
