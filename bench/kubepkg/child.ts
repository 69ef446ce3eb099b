// One measured operation per process, so /usr/bin/time reports its own peak RSS.
// node --conditions=@hub/source bench/kubepkg/child.ts <import|export|save> ...
import { saveImages } from '@hub/image-save';
import { exportKubePkg, importKubePkg } from '@hub/kubepkg';
import { KUBEPKG_API_VERSION } from '@hub/kubepkg/spec';

const [op, a, b, c] = process.argv.slice(2) as [string, string, string, string | undefined];
if (op === 'import') {
  await importKubePkg(a, { dir: b });
} else if (op === 'export') {
  // a = image reference, b = output, c = gzip level
  const host = a.split('/')[0] as string;
  await exportKubePkg({
    input: {
      apiVersion: KUBEPKG_API_VERSION,
      kind: 'KubePkg',
      metadata: { name: 'bench' },
      spec: { version: '1.0.0', images: { [a]: '' }, manifests: {} },
    },
    output: b,
    platforms: 'all',
    gzip: c === undefined ? 1 : Number(c),
    client: { plainHttp: [host], auth: false },
  });
} else if (op === 'save') {
  const host = a.split('/')[0] as string;
  await saveImages({ images: [a], dir: b, allPlatforms: true, plainHttp: [host], auth: false });
} else {
  throw new Error(`unknown op ${op}`);
}
