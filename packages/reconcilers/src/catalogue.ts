// The lists the runtime registers. The DataPack reconciler and webhook join these lists (from
// ./datapack/), next to the catalogue ones.
import { imageMutation, repositoryMutation } from './admission/catalogue-mutation.ts';
import {
  imageValidation,
  organizationValidation,
  repositoryValidation,
} from './admission/catalogue-validation.ts';
import { organizationMutation } from './admission/organization-mutation.ts';
import type { AdmissionDefinition, CataloguePolicy, ReconcilerDefinition } from './client.ts';
import { datapackAdmission } from './datapack/datapack-admission.ts';
import { datapackReconciler } from './datapack/datapack-reconciler.ts';
import { imageReconciler } from './reconcile/image-reconciler.ts';
import { organizationReconciler } from './reconcile/organization-reconciler.ts';
import { repositoryReconciler } from './reconcile/repository-reconciler.ts';

/** The catalogue controllers: Image → Repository, Repository → Organization, Organization permissions. */
export function catalogueReconcilers(policy: CataloguePolicy): ReconcilerDefinition[] {
  return [
    imageReconciler(policy),
    repositoryReconciler(policy),
    organizationReconciler(policy),
    datapackReconciler(policy),
  ];
}

/** The catalogue admission webhooks: mutating and validating, for Image, Repository and Organization. */
export function catalogueAdmission(): AdmissionDefinition[] {
  return [
    imageMutation,
    repositoryMutation,
    organizationMutation,
    imageValidation,
    repositoryValidation,
    organizationValidation,
    datapackAdmission(),
  ];
}
