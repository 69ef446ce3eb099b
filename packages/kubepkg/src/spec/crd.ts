import { KUBEPKG_API_VERSION } from './kubepkg-schema.ts';

const SEMVER_PATTERN =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';
const DIGEST_PATTERN = '^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$';

const digestMeta = {
  type: 'object',
  required: ['type', 'digest', 'name', 'size'],
  properties: {
    type: { type: 'string', enum: ['manifest', 'blob'] },
    digest: { type: 'string', pattern: DIGEST_PATTERN },
    name: { type: 'string' },
    size: { type: 'integer', minimum: 0 },
    tag: { type: 'string' },
    platform: { type: 'string' },
    mediaType: { type: 'string' },
  },
};

const appliedResource = {
  type: 'object',
  required: ['apiVersion', 'kind', 'name'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    name: { type: 'string' },
    namespace: { type: 'string' },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    key: { type: 'string' },
    ready: { type: 'boolean' },
    reason: { type: 'string' },
  },
};

const condition = {
  type: 'object',
  required: ['type', 'status'],
  properties: {
    type: { type: 'string' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string' },
    message: { type: 'string' },
    observedGeneration: { type: 'integer' },
    lastTransitionTime: { type: 'string', format: 'date-time' },
  },
};

/**
 * The KubePkg CustomResourceDefinition (`kubepkgs.octohelm.tech`), a structural schema mirroring the zod
 * schema. Committed as packages/kubepkg/crds/kubepkg.yaml; a test keeps the two equal.
 */
export function kubePkgCustomResourceDefinition() {
  const [group, version] = KUBEPKG_API_VERSION.split('/') as [string, string];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `kubepkgs.${group}` },
    spec: {
      group,
      names: {
        kind: 'KubePkg',
        listKind: 'KubePkgList',
        plural: 'kubepkgs',
        singular: 'kubepkg',
        shortNames: ['kpkg'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Version', type: 'string', jsonPath: '.spec.version' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
            {
              name: 'Applied',
              type: 'string',
              jsonPath: '.status.appliedVersion',
              priority: 1,
            },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'KubePkg: Kubernetes manifests plus the images they use, shipped as one package.',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: {
                  type: 'object',
                  required: ['version'],
                  // Kept, not pruned: fields of octohelm v0.2+ (spec.containers...) must reach the validating
                  // webhook, which refuses them by name, instead of being dropped silently by the apiserver.
                  'x-kubernetes-preserve-unknown-fields': true,
                  properties: {
                    version: { type: 'string', pattern: SEMVER_PATTERN, description: 'Semantic version.' },
                    images: {
                      type: 'object',
                      description: 'Image reference to pinned digest, or "" when not pinned.',
                      additionalProperties: { type: 'string', pattern: `^$|${DIGEST_PATTERN}` },
                    },
                    manifests: {
                      type: 'object',
                      description: 'Kubernetes objects keyed <name>.<namespace>.<kind>.',
                      additionalProperties: {
                        type: 'object',
                        required: ['apiVersion', 'kind'],
                        properties: { apiVersion: { type: 'string' }, kind: { type: 'string' } },
                        'x-kubernetes-preserve-unknown-fields': true,
                      },
                    },
                  },
                },
                status: {
                  type: 'object',
                  'x-kubernetes-preserve-unknown-fields': true,
                  properties: {
                    images: {
                      type: 'object',
                      additionalProperties: { type: 'string', pattern: DIGEST_PATTERN },
                    },
                    digests: { type: 'array', items: digestMeta },
                    resources: { type: 'array', items: appliedResource },
                    appliedVersion: { type: 'string' },
                    contentDigest: { type: 'string' },
                    observedGeneration: { type: 'integer', format: 'int64' },
                    conditions: {
                      type: 'array',
                      items: condition,
                      'x-kubernetes-list-type': 'map',
                      'x-kubernetes-list-map-keys': ['type'],
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}
