import { IMAGEHUB_API_VERSION } from '@hub/api-types';
import type { CatalogueKind, KubeObject, ObjectRef, OwnerReference } from '../client.ts';

/** The reference of a catalogue object, for events and deletes. */
export function catalogueRef(kind: CatalogueKind, object: KubeObject): ObjectRef {
  return {
    apiVersion: IMAGEHUB_API_VERSION,
    kind,
    name: object.metadata.name ?? '',
    ...(object.metadata.uid === undefined ? {} : { uid: object.metadata.uid }),
  };
}

/** A controller owner reference to a catalogue object (no blockOwnerDeletion: it needs extra RBAC). */
export function controllerReference(kind: CatalogueKind, owner: KubeObject): OwnerReference {
  return {
    apiVersion: IMAGEHUB_API_VERSION,
    kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
  };
}

function isOwnerReference(value: unknown): value is OwnerReference {
  if (typeof value !== 'object' || value === null) return false;
  const ref = value as Record<string, unknown>;
  return typeof ref.kind === 'string' && typeof ref.name === 'string' && typeof ref.uid === 'string';
}

/** The well-formed owner references of an object. */
export function ownerReferencesOf(object: KubeObject): OwnerReference[] {
  const refs: unknown = object.metadata.ownerReferences;
  return Array.isArray(refs) ? refs.filter(isOwnerReference) : [];
}

/**
 * True when the only owner of `kind` is `wanted` (same uid, marked controller): what the reconciler
 * applies, so anything else means a write.
 */
export function ownedOnlyBy(
  object: KubeObject,
  kind: CatalogueKind,
  wanted: OwnerReference | undefined,
): boolean {
  const ofKind = ownerReferencesOf(object).filter(
    (ref) => ref.kind === kind && ref.apiVersion === IMAGEHUB_API_VERSION,
  );
  if (wanted === undefined) return ofKind.length === 0;
  return ofKind.length === 1 && ofKind[0]?.uid === wanted.uid && ofKind[0].controller === true;
}

/** True when every key of `wanted` is in `actual` with the same value. */
export function includesAll(
  actual: Readonly<Record<string, string>> | undefined,
  wanted: Record<string, string>,
): boolean {
  return Object.entries(wanted).every(([key, value]) => actual?.[key] === value);
}

/** `spec.name` of any object of these kinds, when it is a string (watch events carry any object). */
export function specNameOf(object: KubeObject | undefined): string | undefined {
  const name = (object?.spec as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}
