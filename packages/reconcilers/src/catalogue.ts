// The lists the runtime registers. A DataPack reconciler and webhook join these lists later
// (from ./datapack/), next to the catalogue ones.
import type { AdmissionDefinition, CataloguePolicy, ReconcilerDefinition } from './client.ts';

/** The catalogue controllers: Image → Repository, Repository → Organization, Organization permissions. */
export function catalogueReconcilers(_policy: CataloguePolicy): ReconcilerDefinition[] {
  return [];
}

/** The catalogue admission webhooks: mutating and validating, for Image, Repository and Organization. */
export function catalogueAdmission(): AdmissionDefinition[] {
  return [];
}
