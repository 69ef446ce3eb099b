// Public API of the periodic indexer, re-exported from @hub/controller.
export { INDEX_FEATURE, INDEX_FLAGS } from './index-feature.ts';
export {
  createPeriodicIndexer,
  type IndexerLog,
  type PeriodicIndexer,
  type PeriodicIndexerOptions,
} from './periodic-indexer.ts';
