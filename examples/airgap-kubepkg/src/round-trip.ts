import { join } from 'node:path';
import { exportKubePkg, importKubePkg, kubePkgFromManifests, parseManifests } from '@hub/kubepkg';

/** Options of {@link airGapRoundTrip}. */
export interface RoundTripOptions {
  /** Manifests (YAML) of the application; their images are collected and exported. */
  manifestsYaml: string;
  /** Registry hosts spoken to over plain HTTP (a local test registry). */
  plainHttp?: string[];
  /** Working directory: the archive and the target storage directory go here. */
  workDir: string;
}

/**
 * The whole air-gap flow in one function: build a KubePkg from manifests, export it (online side),
 * then import the archive into a registry storage directory (offline side).
 */
export async function airGapRoundTrip(options: RoundTripOptions) {
  const manifests = parseManifests(options.manifestsYaml, 'app.yaml');
  const pkg = kubePkgFromManifests(manifests, { name: 'demo', version: '1.0.0' });

  const archive = join(options.workDir, 'demo.kubepkg.tgz');
  const exported = await exportKubePkg({
    input: pkg,
    platforms: ['linux/amd64'],
    output: archive,
    client: { plainHttp: options.plainHttp ?? [], auth: false },
  });

  const storageDir = join(options.workDir, 'registry');
  const imported = await importKubePkg(archive, { dir: storageDir });
  return { archive, storageDir, exported, imported };
}
