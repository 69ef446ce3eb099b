import { parseGoDuration } from '@hub/api-types';
import type { CliFeature } from '../cli/features.ts';
import { type FlagGroup, type FlagValues, UsageError } from '../cli/flag-table.ts';
import { createImageStore } from '../hub-index/image-store.ts';
import { createPeriodicIndexer } from './periodic-indexer.ts';

/** hub-controller's periodic indexing flags. */
export const INDEX_FLAGS: FlagGroup = {
  title: 'Periodic indexing (what hub-index does, on a timer, leader only)',
  flags: [
    {
      name: 'index-registry',
      type: 'string',
      value: 'HOST[:PORT]',
      help: "index this registry's _catalog into Images; absent: no indexing",
    },
    {
      name: 'index-interval',
      type: 'string',
      value: 'DURATION',
      default: '10m',
      help: 'pause between runs (Go duration: 30s, 10m, 1h)',
    },
    {
      name: 'index-repository',
      type: 'string',
      value: 'GLOB[,GLOB]',
      help: 'only repositories matching these globs (team/*, **)',
    },
    {
      name: 'index-plain-http',
      type: 'string',
      value: 'HOST[,HOST]',
      help: 'talk HTTP, not HTTPS, to these registry hosts',
    },
    {
      name: 'index-prune',
      type: 'boolean',
      help: 'delete indexed Images whose tags are gone from the registry',
    },
  ],
};

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** The indexing feature of hub-controller: starts a periodic indexer when `--index-registry` is set. */
function intervalMs(values: FlagValues): number {
  const interval = parseGoDuration(values['index-interval'] ?? '10m');
  if (!interval.success || interval.data < 1000)
    throw new UsageError(
      `--index-interval must be a Go duration of at least 1s, not ${values['index-interval']}`,
    );
  return interval.data;
}

export const INDEX_FEATURE: CliFeature = {
  flags: INDEX_FLAGS,
  validate(values) {
    if (values['index-registry']) intervalMs(values);
  },
  async start({ values, manager, log }) {
    const registry = values['index-registry'];
    if (!registry) return undefined;
    const indexer = createPeriodicIndexer({
      store: createImageStore(manager.transport),
      registry,
      repositories: list(values['index-repository']),
      plainHttp: list(values['index-plain-http']),
      intervalMs: intervalMs(values),
      isLeader: () => manager.isLeader(),
      prune: values['index-prune'] === 'true',
      log: log.with({ component: 'indexer' }),
    });
    return indexer;
  },
};
