/** Progress events emitted by `saveImages` through `onEvent` (and printed as NDJSON by `hub-save --json`). */
export type SaveEvent =
  | { type: 'image-start'; reference: string }
  | {
      type: 'image-resolved';
      reference: string;
      digest: string;
      mediaType: string;
      manifests: number;
      blobs: number;
      bytes: number;
    }
  | {
      type: 'image-done';
      reference: string;
      status: 'saved' | 'failed';
      repository: string;
      tag?: string;
      /** The Docker Hub short name it is also served under (`mysql`), when saved. */
      shortName?: string;
      digest?: string;
      upToDate?: boolean;
      error?: { code: string; message: string };
    }
  | { type: 'blob-start'; digest: string; size: number; offset: number }
  | { type: 'blob-progress'; digest: string; size: number; transferred: number }
  | { type: 'blob-done'; digest: string; size: number; fetched: number }
  | { type: 'blob-skipped'; digest: string; size: number; reason: 'present' | 'foreign' }
  /** A blob transfer broke off (or was refused) and is tried again from `offset` after `delayMs`. */
  | {
      type: 'blob-retry';
      digest: string;
      /** The try that failed (1-based). */
      attempt: number;
      delayMs: number;
      /** Bytes already stored: the next try resumes there with Range. */
      offset: number;
      error: { code: string; message: string };
    }
  /** A registry request (manifest, token, tag list, …) failed and is tried again after `delayMs`. */
  | {
      type: 'retry';
      host: string;
      path: string;
      /** The tag or digest being fetched, when there is one. */
      reference?: string;
      /** The try that failed (1-based). */
      attempt: number;
      delayMs: number;
      error: { code: string; message: string };
    };

/** Totals of one `saveImages` run. */
export interface SaveSummary {
  images: number;
  saved: number;
  failed: number;
  /** Images whose stored tag already matched the source (only a HEAD was spent). */
  upToDate: number;
  bytesFetched: number;
  blobsFetched: number;
  /** Blobs already stored and verified, not fetched again. */
  blobsSkipped: number;
  /** Repository links written for blobs (a shared blob is linked in every repository using it). */
  blobsLinked: number;
  manifestsFetched: number;
  durationMs: number;
}
