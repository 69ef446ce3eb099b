import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { readKubePkgArchive } from '../archive/read-archive.ts';
import { KubePkgError } from '../errors.ts';
import { kubePkgFromManifests, parseManifests } from '../manifests/load-manifests.ts';
import type { KubePkg, KubePkgList } from '../spec/kubepkg-schema.ts';
import { safeParseKubePkgDocument } from '../spec/safe-parse.ts';

const STOP = Symbol('stop');

/**
 * The KubePkg/KubePkgList document of a file: a kubepkg archive (tar or tar.gz; only its first entry
 * is read), a kubepkg.json, or, when `fromManifests` is given, YAML/JSON Kubernetes manifests.
 */
export async function readKubePkgDocument(
  paths: readonly string[],
  fromManifests?: { name: string; version: string; namespace?: string },
): Promise<KubePkg | KubePkgList> {
  const [first] = paths;
  if (!first) throw new KubePkgError('INVALID_ARGUMENT', 'No input file given.');
  if (paths.length === 1 && (await looksLikeArchive(first))) {
    let document: KubePkg | KubePkgList | undefined;
    await readKubePkgArchive(createReadStream(first), {
      onSpec: (doc) => {
        document = doc;
        throw STOP;
      },
      onBlob: async () => undefined,
    }).catch((error: unknown) => {
      if (error !== STOP) throw error;
    });
    if (!document)
      throw new KubePkgError('ARCHIVE_MISSING_SPEC', `${first} has no kubepkg.json.`, { subject: first });
    return document;
  }
  const texts = await Promise.all(paths.map(async (path) => ({ path, text: await readFile(path, 'utf8') })));
  if (texts.length === 1 && texts[0]) {
    const parsed = tryJson(texts[0].text);
    const kind = (parsed as { kind?: unknown } | undefined)?.kind;
    if (kind === 'KubePkg' || kind === 'KubePkgList') {
      const result = safeParseKubePkgDocument(parsed);
      if (!result.success) throw result.error;
      return result.data;
    }
  }
  if (!fromManifests) {
    throw new KubePkgError(
      'INVALID_ARGUMENT',
      `${first} is not a kubepkg archive or kubepkg.json; pass --name and --version to build a package from manifests.`,
      {
        subject: first,
      },
    );
  }
  const manifests = texts.flatMap(({ path, text }) => parseManifests(text, path));
  return kubePkgFromManifests(manifests, fromManifests);
}

async function looksLikeArchive(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(512), 0, 512, 0);
    if (bytesRead >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) return true;
    return bytesRead >= 262 && buffer.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    await handle.close();
  }
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
