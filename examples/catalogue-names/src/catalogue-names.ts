// Derives everything the catalogue needs from a few image names: normalized references,
// the imagehub name, metadata.names, labels, and the DataPack a store page would request.
import {
  dataPackName,
  dataPackSpecHash,
  formatImageHubName,
  formatImageReference,
  imageLabels,
  imageMetadataName,
  parseImageHubName,
  parseImageReference,
  repositoryMetadataName,
  validateDataPack,
} from '@hub/api-types';

export type CatalogueEntry = {
  input: string;
  reference: string;
  hubName?: string;
  imageName?: string;
  repositoryName?: string;
  labels?: Record<string, string>;
  error?: string;
};

/**
 * One entry per input: the normalized docker reference, and the imagehub names where the input is
 * an imagehub name (`org/repo:tag`, relative to the hub registry) or a reference with an org/repo path.
 */
export function describeImages(inputs: readonly string[]): CatalogueEntry[] {
  return inputs.map((input) => {
    const parsed = parseImageReference(input);
    if (!parsed.success)
      return { input, reference: '', error: `${parsed.error.code}: ${parsed.error.message}` };
    const ref = parsed.data;
    const entry: CatalogueEntry = { input, reference: formatImageReference(ref) };
    const direct = parseImageHubName(input);
    const hub = direct.success ? direct : parseImageHubName(`${ref.repository}:${ref.tag ?? 'latest'}`);
    if (hub.success) {
      entry.hubName = formatImageHubName(hub.data);
      entry.imageName = imageMetadataName(hub.data);
      entry.repositoryName = repositoryMetadataName(hub.data);
      entry.labels = imageLabels(hub.data).labels;
    }
    return entry;
  });
}

/** The grid DataPack a store page would create for these entries. */
export function gridDataPack(entries: readonly CatalogueEntry[]) {
  const names = entries.flatMap((e) => (e.hubName === undefined ? [] : [e.hubName]));
  const spec = { type: 'grid' as const, names };
  const pack = {
    apiVersion: 'imagehub.sealos.io/v1',
    kind: 'DataPack',
    metadata: { name: dataPackName(spec) },
    spec,
  };
  const validated = validateDataPack(pack);
  if (!validated.success) throw new Error('generated an invalid DataPack');
  return { pack: validated.data, specHash: dataPackSpecHash(spec), legacyName: dataPackName(spec, 'legacy') };
}

if (import.meta.main) {
  const entries = describeImages([
    'nginx',
    'labring/mysql:v8.0.31',
    'a.b/c:d',
    'localhost:5000/a/b:1',
    'Labring/x',
  ]);
  console.log(JSON.stringify(entries, null, 2));
  console.log(JSON.stringify(gridDataPack(entries), null, 2));
}
