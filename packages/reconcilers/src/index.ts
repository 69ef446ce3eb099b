// Public API of @hub/reconcilers. Hand-written: every export is deliberate.
export type {
  ApplyOptions,
  CacheView,
  CatalogueKind,
  CatalogueKinds,
  DeleteOptions,
  EventRecord,
  KubeObject,
  LabelSelector,
  ObjectRef,
  OwnerReference,
  ReconcileClient,
  ReconcileContext,
  ReconcileLogger,
  ReconcileResult,
  ReconcilerDefinition,
  WatchMapping,
} from './client.ts';
