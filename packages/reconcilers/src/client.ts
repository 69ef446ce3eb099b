// The contract between the pure reconcile logic (@hub/reconcilers) and the runtime that drives it
// (@hub/controller's informers and work queue, or a fake in unit tests). Keep changes additive:
// the controller implements these interfaces against the real apiserver.
import type { DataPack, Image, Organization, Repository } from '@hub/api-types';

/** The catalogue kinds, all cluster-scoped, in `imagehub.sealos.io/v1`. */
export interface CatalogueKinds {
  Image: Image;
  Repository: Repository;
  Organization: Organization;
  DataPack: DataPack;
}
export type CatalogueKind = keyof CatalogueKinds;

/** Any Kubernetes object, as the apiserver returns it (RBAC objects, Events, Leases...). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  // `| undefined` on each optional field so the api-types objects (zod output types) are KubeObjects
  // under exactOptionalPropertyTypes.
  metadata: {
    name?: string | undefined;
    namespace?: string | undefined;
    uid?: string | undefined;
    resourceVersion?: string | undefined;
    generation?: number | undefined;
    creationTimestamp?: string | null | undefined;
    deletionTimestamp?: string | null | undefined;
    labels?: Record<string, string> | undefined;
    annotations?: Record<string, string> | undefined;
    finalizers?: string[] | undefined;
    ownerReferences?: OwnerReference[] | Record<string, unknown>[] | undefined;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Names one object. Catalogue kinds and ClusterRoles are cluster-scoped: no namespace. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
}

/** A label selector in its equality form: every pair must match. */
export type LabelSelector = Readonly<Record<string, string>>;

/**
 * A read-only view of the informer cache. Reads are synchronous and may be slightly stale;
 * writes rely on server-side apply or preconditions, and a 409 requeues.
 * Objects returned are shared with the cache: never mutate them.
 */
export interface CacheView {
  get<K extends CatalogueKind>(kind: K, name: string): CatalogueKinds[K] | undefined;
  list<K extends CatalogueKind>(kind: K, selector?: LabelSelector): readonly CatalogueKinds[K][];
  /** Other cached kinds (ClusterRoles and ClusterRoleBindings the controller owns). */
  getObject(ref: Omit<ObjectRef, 'uid'>): KubeObject | undefined;
}

export interface ApplyOptions {
  /** Take ownership of fields another manager set (server-side apply `force`). */
  force?: boolean;
}

export interface DeleteOptions {
  /** Delete only while the object still has this uid/resourceVersion (never a newer one). */
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface EventRecord {
  type: 'Normal' | 'Warning';
  /** CamelCase, e.g. `RepositoryCreated`. */
  reason: string;
  message: string;
}

/**
 * The writes a reconciler may make. Every call is one API request, counted by the runtime; a
 * reconciler writes only when what it computed differs from what the cache shows.
 */
export interface ReconcileClient {
  readonly cache: CacheView;
  /** Server-side apply of the fields given (the controller's field manager). Returns the stored object. */
  apply<T extends KubeObject>(object: T, options?: ApplyOptions): Promise<T>;
  /** Server-side apply on the status subresource of a catalogue object. */
  applyStatus<T extends KubeObject>(object: T, options?: ApplyOptions): Promise<T>;
  /** Deletes; a missing object is not an error. */
  delete(ref: ObjectRef, options?: DeleteOptions): Promise<void>;
  /** Records a Kubernetes Event about the object; never throws (events are best effort). */
  recordEvent(about: ObjectRef, event: EventRecord): void;
}

/** What the work queue does after a reconcile that did not throw. */
export interface ReconcileResult {
  /** Reconcile this key again after this many milliseconds (e.g. a DataPack's expiry). */
  requeueAfterMs?: number;
}

/** The context a reconcile runs in. */
export interface ReconcileContext {
  readonly client: ReconcileClient;
  /** Aborted on shutdown or when the reconcile times out. */
  readonly signal: AbortSignal;
  /** The current time; injectable for tests. */
  now(): Date;
  readonly log: ReconcileLogger;
}

export interface ReconcileLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * One controller: it reconciles objects of `kind` by name, and `watches` maps events on other
 * kinds (or its own) to the names of `kind` that must be reconciled again.
 * Throw a ReconcileError with `retryable: false` for a terminal failure (written to status, not
 * requeued); anything else thrown is retried with backoff.
 */
export interface ReconcilerDefinition<K extends CatalogueKind = CatalogueKind> {
  /** The controller name in metrics and logs, e.g. `repository`. */
  readonly name: string;
  readonly kind: K;
  reconcile(name: string, context: ReconcileContext): Promise<ReconcileResult | undefined>;
  readonly watches: readonly WatchMapping[];
}

/** Maps an event on `kind` (old and new object; either may be absent) to names to reconcile. */
export interface WatchMapping {
  readonly kind: CatalogueKind | 'ClusterRole' | 'ClusterRoleBinding';
  map(event: {
    type: 'ADDED' | 'MODIFIED' | 'DELETED';
    object: KubeObject;
    old?: KubeObject;
  }): readonly string[];
}

/** Who may create Organizations (`--organization-creation`): `anyone`, or members of `group:<name>`. */
export type OrganizationCreation = 'anyone' | `group:${string}`;

/** The policy knobs the controller's flags set; shared by reconcilers and admission. */
export interface CataloguePolicy {
  /** `create` (default): a missing Organization is created; `wait`: a condition says what is missing. */
  missingOrganization: 'create' | 'wait';
  /** Delete a Repository when its last Image is gone (default true). */
  deleteEmptyRepositories: boolean;
  /** Namespace the controller runs in (default `imagehub-system`). */
  controllerNamespace: string;
  /** Namespace whose ServiceAccounts are users (default `user-system`). */
  userNamespace: string;
  /** Who may create Organizations besides the privileged (default `anyone`). */
  organizationCreation?: OrganizationCreation;
  /** The controller's own identity, learned at start with a SelfSubjectReview. */
  controllerIdentity?: { username: string; groups: readonly string[] };
}

/** The part of an AdmissionReview v1 request the decisions read. */
export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  name?: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  userInfo: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  object?: KubeObject | null;
  oldObject?: KubeObject | null;
  dryRun?: boolean;
}

/** One RFC 6902 operation of a mutating webhook's patch. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: unknown;
}

/** What a webhook answers; the runtime wraps it into an AdmissionReview response. */
export interface AdmissionDecision {
  allowed: boolean;
  /** Shown to the user on denial: names the user, the object and what to do. */
  message?: string;
  /** HTTP-style code of a denial (403 forbidden, 422 invalid). */
  code?: number;
  patch?: readonly JsonPatchOperation[];
  warnings?: readonly string[];
}

/**
 * One admission webhook: the runtime serves it at `path` and registers it for `kind` and
 * `operations`. `review` must never throw for any input (a thrown error is answered as a denial).
 */
export interface AdmissionDefinition {
  readonly name: string;
  readonly path: string;
  readonly type: 'mutating' | 'validating';
  readonly kind: CatalogueKind;
  readonly operations: readonly ('CREATE' | 'UPDATE' | 'DELETE')[];
  review(
    request: AdmissionRequest,
    context: { cache: CacheView; policy: CataloguePolicy },
  ): AdmissionDecision;
}
