import type { KubePkg, KubePkgStatus } from '../spec/kubepkg-schema.ts';
import type { ApplyPass } from './apply-objects.ts';
import { type KubePkgCondition, setConditions } from './conditions.ts';
import type { LiveObject } from './kubepkg-client.ts';
import { readinessOf } from './readiness.ts';

/** One applied object in status, with its manifest key and readiness. */
export interface ResourceStatus {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  key: string;
  ready: boolean;
  reason?: string;
}

/** The status the controller writes (a server-side apply of the whole status it owns). */
export interface KubePkgStatusUpdate extends Omit<KubePkgStatus, 'resources'> {
  observedGeneration?: number;
  appliedVersion?: string;
  contentDigest?: string;
  images?: Record<string, string>;
  resources?: ResourceStatus[];
  conditions: KubePkgCondition[];
}

/** The status the object carries now (from an earlier reconcile, or none). */
export type PreviousStatus = Partial<KubePkgStatusUpdate> | undefined;

/** The fields a refusal keeps from what was applied before (the old version still runs). */
function kept(previous: PreviousStatus): Partial<KubePkgStatusUpdate> {
  const p = previous ?? {};
  return {
    ...(p.appliedVersion ? { appliedVersion: p.appliedVersion } : {}),
    ...(p.contentDigest ? { contentDigest: p.contentDigest } : {}),
    ...(p.images ? { images: p.images } : {}),
    ...(p.resources ? { resources: p.resources } : {}),
  };
}

function generationOf(object: LiveObject): number | undefined {
  return typeof object.metadata.generation === 'number' ? object.metadata.generation : undefined;
}

/** Status of a version that was not applied: Applied and Ready False with the reason, the rest kept. */
export function statusRefused(
  object: LiveObject,
  previous: PreviousStatus,
  reason: string,
  message: string,
  now: Date,
): KubePkgStatusUpdate {
  const observedGeneration = generationOf(object);
  const gen = observedGeneration === undefined ? {} : { observedGeneration };
  return {
    ...kept(previous),
    ...gen,
    conditions: setConditions(
      previous?.conditions,
      [
        { type: 'Applied', status: 'False', reason, message, ...gen },
        { type: 'Ready', status: 'False', reason, message, ...gen },
      ],
      now,
    ),
  };
}

/** The digests in use: `spec.images`' pins, else those an export recorded in `status.images`. */
function imagesInUse(pkg: KubePkg): Record<string, string> {
  const images: Record<string, string> = {};
  for (const [ref, digest] of Object.entries(pkg.spec.images)) {
    const pinned = digest || pkg.status?.images?.[ref];
    if (pinned) images[ref] = pinned;
  }
  return images;
}

/** Status after an apply pass: per-resource readiness, and the Applied and Ready conditions. */
export function statusAfterApply(
  object: LiveObject,
  pkg: KubePkg,
  previous: PreviousStatus,
  pass: ApplyPass,
  digest: string,
  now: Date,
): KubePkgStatusUpdate {
  const observedGeneration = generationOf(object);
  const gen = observedGeneration === undefined ? {} : { observedGeneration };
  const resources: ResourceStatus[] = pass.applied.map(({ key, object: o, live }) => {
    const readiness = readinessOf(live);
    return {
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name ?? '',
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      key,
      ready: readiness.ready,
      ...(readiness.reason ? { reason: readiness.reason } : {}),
    };
  });
  const complete = pass.skipped.length === 0;
  const notReady = resources.filter((r) => !r.ready);
  const skipped = pass.skipped.map((s) => `${s.key}: ${s.message}`).join('; ');
  const applied = complete
    ? { status: 'True' as const, reason: 'Applied', message: `version ${pkg.spec.version} applied` }
    : { status: 'False' as const, reason: pass.skipped[0]?.reason ?? 'ApplyFailed', message: skipped };
  const ready = !complete
    ? { status: 'False' as const, reason: applied.reason, message: skipped }
    : notReady.length > 0
      ? {
          status: 'False' as const,
          reason: 'NotReady',
          message: notReady.map((r) => `${r.key}: ${r.reason ?? 'not ready'}`).join('; '),
        }
      : { status: 'True' as const, reason: 'Ready', message: `all ${resources.length} resources are ready` };
  return {
    ...(complete ? {} : kept(previous)),
    ...gen,
    ...(complete
      ? { appliedVersion: pkg.spec.version, contentDigest: digest, images: imagesInUse(pkg) }
      : {}),
    resources,
    conditions: setConditions(
      previous?.conditions,
      [
        { type: 'Applied', ...applied, ...gen },
        { type: 'Ready', ...ready, ...gen },
      ],
      now,
    ),
  };
}
