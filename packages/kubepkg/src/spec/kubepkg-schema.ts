import { parseImageReference } from '@hub/api-types';
import { z } from 'zod';

/** API group/version of KubePkg, unchanged since octohelm v0.1 (there is no later version). */
export const KUBEPKG_API_VERSION = 'octohelm.tech/v1alpha1';

// semver.org's official grammar (2.0.0), anchored; a leading `v` is accepted as octohelm's tools do.
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
// OCI digest restricted to the algorithms registries actually serve.
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
// RFC 1123 subdomain, the rule Kubernetes applies to most object names.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** An OCI content digest (`sha256:<64 hex>` or `sha512:<128 hex>`). */
export const DigestSchema = z.string().regex(DIGEST, 'must be an OCI digest such as sha256:<64 hex>');

/** Object metadata: a name is required; the rest of Kubernetes' ObjectMeta passes through. */
export const KubePkgMetadataSchema = z.looseObject({
  name: z
    .string()
    .max(253)
    .regex(DNS_SUBDOMAIN, 'must be a lower-case RFC 1123 name (a-z, 0-9, "-" and ".")'),
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** Any Kubernetes object: `apiVersion` and `kind` are required, everything else is kept as-is. */
export const KubernetesManifestSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z
    .looseObject({
      name: z.string().min(1).optional(),
      generateName: z.string().optional(),
      namespace: z.string().optional(),
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

/**
 * One resolved blob or manifest, in octohelm v0.1.x `status.digests` form:
 * `name` is the repository, `tag` and `platform` are set on manifests.
 */
export const DigestMetaSchema = z.object({
  type: z.enum(['manifest', 'blob']),
  digest: DigestSchema,
  name: z.string().min(1),
  size: z.number().int().nonnegative(),
  tag: z.string().optional(),
  platform: z.string().optional(),
  mediaType: z.string().optional(),
});

/** A Kubernetes object that `applyKubePkg` applied. */
export const AppliedResourceSchema = z.preprocess(
  fromObjectShape,
  z.object({
    apiVersion: z.string(),
    kind: z.string(),
    name: z.string(),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    /** The `spec.manifests` key it was applied from (written by the controller). */
    key: z.string().optional(),
    /** Whether it is up (Deployments available, Jobs complete...), and if not, why. */
    ready: z.boolean().optional(),
    reason: z.string().optional(),
  }),
);

/** octohelm's `status.resources` entries are objects (`{apiVersion, kind, metadata: {name, namespace}, status}`). */
function fromObjectShape(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || 'name' in raw) return raw;
  const { apiVersion, kind, metadata } = raw as { apiVersion?: unknown; kind?: unknown; metadata?: unknown };
  const meta = (typeof metadata === 'object' && metadata !== null ? metadata : {}) as Record<string, unknown>;
  return {
    apiVersion,
    kind,
    name: meta.name,
    ...(meta.namespace === undefined ? {} : { namespace: meta.namespace }),
    ...(meta.uid === undefined ? {} : { uid: meta.uid }),
    ...(meta.resourceVersion === undefined ? {} : { resourceVersion: meta.resourceVersion }),
  };
}

/**
 * Spec fields of octohelm kubepkg v0.2 and later, from which that version generates the manifests. We do not
 * generate them, and dropping them silently would export an empty package, so they are refused by name.
 */
export const LATER_SPEC_FIELDS = [
  'deploy',
  'containers',
  'services',
  'config',
  'volumes',
  'serviceAccount',
] as const;

function refuseLaterFields(raw: unknown, ctx: z.core.$RefinementCtx<unknown>): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const found = LATER_SPEC_FIELDS.filter((field) => field in raw);
  if (found.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: [found[0] as string],
      message: `${found.map((f) => `spec.${f}`).join(', ')}: introduced by octohelm kubepkg v0.2, which generates manifests from them; this version reads v0.1 specs only. Render the manifests (e.g. with octohelm kubepkg v0.2+) into spec.manifests and remove these fields.`,
      params: { unsupported: found },
    });
  }
  return raw;
}

/**
 * `spec.manifests`: flat (`{ "<key>": object }`) or nested as octohelm's own test input writes it
 * (`{ configMaps: { name: object }, deployments: {...} }`). Like the original, each value is walked until
 * something with `apiVersion` and `kind` is found; nested keys are joined with ".".
 */
function flattenManifests(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const flat: Record<string, unknown> = {};
  // A group holds only objects and has no field of a Kubernetes object; anything else is a manifest
  // (and a malformed one is reported by the manifest schema, at its own key).
  const isGroup = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length > 0 &&
    !['apiVersion', 'kind', 'metadata'].some((field) => field in value) &&
    Object.values(value).every(
      (inner) => typeof inner === 'object' && inner !== null && !Array.isArray(inner),
    );
  const walk = (key: string, value: unknown, depth: number) => {
    if (depth >= 4 || !isGroup(value)) {
      flat[key] = value;
      return;
    }
    for (const [sub, inner] of Object.entries(value)) walk(`${key}.${sub}`, inner, depth + 1);
  };
  for (const [key, value] of Object.entries(raw)) walk(key, value, 0);
  return flat;
}

/** What a controller records about a KubePkg: resolved digests and the applied resources. */
export const KubePkgStatusSchema = z.looseObject({
  /** Pinned digests of `spec.images` after resolution (reference → digest). */
  images: z.record(z.string(), DigestSchema).optional(),
  /** Every manifest and blob the package carries (octohelm v0.1.x compatible). */
  digests: z.array(DigestMetaSchema).optional(),
  /** Objects applied for the last applied version. */
  resources: z.array(AppliedResourceSchema).optional(),
  /** The `spec.version` those resources belong to. */
  appliedVersion: z.string().optional(),
  /** Digest of the applied version, images and manifests (the controller's upgrade check). */
  contentDigest: z.string().optional(),
  /** `metadata.generation` the controller last acted on. */
  observedGeneration: z.number().int().optional(),
  /** `Applied` and `Ready` (metav1.Condition). */
  conditions: z
    .array(
      z.looseObject({
        type: z.string(),
        status: z.string(),
        reason: z.string().optional(),
        message: z.string().optional(),
        observedGeneration: z.number().int().optional(),
        lastTransitionTime: z.string().optional(),
      }),
    )
    .optional(),
});

/** The KubePkg spec: a semver version, images (reference → pinned digest or `""`) and manifests. */
export const KubePkgSpecSchema = z.preprocess(
  refuseLaterFields,
  z.object({
    version: z.string().regex(SEMVER, 'must be a semantic version such as 1.2.3'),
    images: z
      .record(
        z.string().min(1),
        z.union([DigestSchema, z.literal('')], { error: 'must be an OCI digest (sha256:<64 hex>) or ""' }),
      )
      .superRefine((images, ctx) => {
        for (const reference of Object.keys(images)) {
          const parsed = parseImageReference(reference);
          if (!parsed.success) {
            ctx.addIssue({
              code: 'custom',
              path: [reference],
              message: `not an image reference: ${parsed.error.message}`,
            });
          }
        }
      })
      .default({}),
    manifests: z
      .preprocess(flattenManifests, z.record(z.string().min(1), KubernetesManifestSchema))
      .default({}),
  }),
);

/** A KubePkg (`octohelm.tech/v1alpha1`): one deployable package of manifests and the images they use. */
export const KubePkgSchema = z.object({
  apiVersion: z.literal(KUBEPKG_API_VERSION),
  kind: z.literal('KubePkg'),
  metadata: KubePkgMetadataSchema,
  spec: KubePkgSpecSchema,
  status: KubePkgStatusSchema.optional(),
});

/** Several packages in one document, as octohelm writes when exporting more than one. */
export const KubePkgListSchema = z.object({
  apiVersion: z.literal(KUBEPKG_API_VERSION),
  kind: z.literal('KubePkgList'),
  metadata: z.looseObject({}).optional(),
  items: z.array(KubePkgSchema),
});

/** Either document kind, discriminated by `kind`. */
export const KubePkgDocumentSchema = z.discriminatedUnion('kind', [KubePkgSchema, KubePkgListSchema]);

export type KubePkg = z.infer<typeof KubePkgSchema>;
export type KubePkgInput = z.input<typeof KubePkgSchema>;
export type KubePkgList = z.infer<typeof KubePkgListSchema>;
export type KubePkgSpec = z.infer<typeof KubePkgSpecSchema>;
export type KubePkgStatus = z.infer<typeof KubePkgStatusSchema>;
export type DigestMeta = z.infer<typeof DigestMetaSchema>;
export type AppliedResource = z.infer<typeof AppliedResourceSchema>;
export type KubernetesManifest = z.infer<typeof KubernetesManifestSchema>;
