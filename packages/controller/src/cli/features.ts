import { INDEX_FEATURE } from '../indexer/index-feature.ts';
import { KUBEPKG_FEATURE } from '../kubepkg/kubepkg-feature.ts';
import type { Manager } from '../manager.ts';
import { REGISTRY_TOKEN_FEATURE } from '../registry-auth/registry-token-feature.ts';
import type { Logger } from '../runtime/logger.ts';
import {
  CATALOGUE_FLAGS,
  CONNECTION_FLAGS,
  LEADER_FLAGS,
  SERVING_FLAGS,
  WEBHOOK_FLAGS,
} from './controller-flags.ts';
import type { FlagGroup, FlagValues } from './flag-table.ts';

/** Something a feature runs next to the controller, stopped on shutdown. */
export interface FeatureRunnable {
  stop(): Promise<void>;
}

/**
 * A CLI feature: its flags, and optionally what it starts once the manager runs (a token server,
 * an index loop). Adding a feature = one file with its group and `start`, plus one line in FEATURES.
 */
export interface CliFeature {
  readonly flags: FlagGroup;
  /** Checks the feature's flag values before anything starts; throws UsageError (exit 2). */
  validate?(values: FlagValues): void;
  start?(context: {
    values: FlagValues;
    manager: Manager;
    log: Logger;
    signal: AbortSignal;
  }): Promise<FeatureRunnable | undefined>;
}

/** The hub-controller features, in --help order. */
export const FEATURES: readonly CliFeature[] = [
  { flags: CONNECTION_FLAGS },
  { flags: WEBHOOK_FLAGS },
  { flags: SERVING_FLAGS },
  { flags: LEADER_FLAGS },
  { flags: CATALOGUE_FLAGS },
  INDEX_FEATURE,
  REGISTRY_TOKEN_FEATURE,
  KUBEPKG_FEATURE,
];
