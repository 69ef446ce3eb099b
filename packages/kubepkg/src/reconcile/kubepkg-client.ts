// The contract between the pure KubePkg reconcile logic and the runtime that drives it (@hub/controller over
// its KubeTransport, or a fake in unit tests), as @hub/reconcilers' ReconcileClient is for the catalogue.

/** Names one object of any kind. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
}

/** An object as the apiserver stores it (what an apply or a get returns). */
export interface LiveObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string | undefined;
    namespace?: string | undefined;
    uid?: string | undefined;
    generation?: number | undefined;
    labels?: Record<string, string> | undefined;
    annotations?: Record<string, string> | undefined;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/**
 * The requests the KubePkg reconciler makes, each one API call. A refusal of the apiserver is thrown as a
 * KubePkgError `APPLY_FAILED` whose `detail` has `status` and `reason` (the server's explanation), and
 * `retryable` when the same call may succeed later (a 5xx, a timeout, a broken connection).
 */
export interface KubePkgClient {
  /** Server-side apply, forced, with the controller's field manager, of any kind; returns the stored object. */
  apply(object: LiveObject): Promise<LiveObject>;
  /** Server-side apply on the status subresource of a KubePkg. */
  applyStatus(object: LiveObject): Promise<void>;
  /** The object, or undefined when it does not exist (or its kind is not served). */
  get(ref: ObjectRef): Promise<LiveObject | undefined>;
  /** Deletes in the background; a missing object is not an error. */
  delete(ref: ObjectRef): Promise<void>;
}
