import { createInformer, type Informer, type InformerOptions } from './informer.ts';
import type { KubeApiError } from './kube-api-error.ts';
import type { KubeTransport } from './kube-transport.ts';
import type { CachedObject } from './object-store.ts';
import type { KubeResource } from './resource.ts';

/**
 * One informer per (kind, namespace, selectors) for a whole process: the controller's reconcilers,
 * its webhooks and the DataPack reads share one cache and one watch per kind.
 */
export interface SharedInformerFactory {
  readonly transport: KubeTransport;
  /** The informer for `resource` (created on first use; started if the factory is started). */
  informerFor<T extends CachedObject = CachedObject>(
    resource: KubeResource,
    options?: Omit<InformerOptions, 'resource'>,
  ): Informer<T>;
  /** Starts every informer, including ones requested later. */
  start(): void;
  stop(): void;
  /** True when every informer has applied its first list. */
  synced(): boolean;
  waitForSync(signal?: AbortSignal): Promise<void>;
  informers(): readonly Informer[];
}

export function createSharedInformerFactory(
  transport: KubeTransport,
  defaults: Omit<
    InformerOptions,
    'resource' | 'namespace' | 'labelSelector' | 'fieldSelector' | 'onError'
  > & {
    onError?: (error: KubeApiError, resource: KubeResource) => void;
  } = {},
): SharedInformerFactory {
  const byKey = new Map<string, Informer>();
  let started = false;
  return {
    transport,
    informerFor<T extends CachedObject>(
      resource: KubeResource,
      options: Omit<InformerOptions, 'resource'> = {},
    ) {
      const key = [
        resource.group,
        resource.version,
        resource.plural,
        options.namespace,
        options.labelSelector,
        options.fieldSelector,
      ].join('|');
      let informer = byKey.get(key);
      if (!informer) {
        const { onError, ...rest } = defaults;
        informer = createInformer(transport, {
          ...rest,
          ...options,
          resource,
          ...(onError || options.onError
            ? {
                onError: (error: KubeApiError) => {
                  options.onError?.(error);
                  onError?.(error, resource);
                },
              }
            : {}),
        });
        byKey.set(key, informer);
        if (started) informer.start();
      }
      return informer as unknown as Informer<T>;
    },
    start() {
      started = true;
      for (const informer of byKey.values()) informer.start();
    },
    stop() {
      started = false;
      for (const informer of byKey.values()) informer.stop();
    },
    synced: () => [...byKey.values()].every((informer) => informer.synced()),
    async waitForSync(signal) {
      await Promise.all([...byKey.values()].map((informer) => informer.waitForSync(signal)));
    },
    informers: () => [...byKey.values()],
  };
}
