import { readFile } from 'node:fs/promises';
import { formatImageHubName, type ImageHubName, README_MAX_BYTES } from '@hub/api-types';
import { IndexError } from './index-error.ts';

/** `--readme` texts: one for every image without a README, and per-reference ones. */
export interface ReadmeOverrides {
  fallback?: string;
  /** Keyed by a reference as given, `repo:tag`, `org/repo:tag`, `org/repo` or `repo`. */
  byRef: Map<string, string>;
}

/**
 * Reads `--readme FILE` and `--readme REF=FILE` values. A value whose text before the first `=`
 * parses as a path that exists is still read as REF=FILE only when it contains `=`; file names
 * with `=` are written `./a=b.md` with an explicit reference: `REF=./a=b.md`.
 */
export async function readReadmeOverrides(values: readonly string[]): Promise<ReadmeOverrides> {
  const out: ReadmeOverrides = { byRef: new Map() };
  for (const value of values) {
    const eq = value.indexOf('=');
    const [ref, file] = eq > 0 ? [value.slice(0, eq), value.slice(eq + 1)] : [undefined, value];
    let text: string;
    try {
      const bytes = await readFile(file);
      // The one README limit (the CRD's docs maxLength, and the cut of READMEs read from images).
      if (bytes.length > README_MAX_BYTES)
        throw new IndexError(
          'README_UNREADABLE',
          `--readme ${file} is ${bytes.length} bytes, over the ${README_MAX_BYTES}-byte README limit; shorten it.`,
        );
      text = bytes.toString('utf8');
    } catch (cause) {
      if (cause instanceof IndexError) throw cause;
      throw new IndexError('README_UNREADABLE', `Cannot read --readme ${file}: ${(cause as Error).message}`, {
        cause,
      });
    }
    if (ref === undefined) {
      if (out.fallback !== undefined)
        throw new IndexError(
          'INVALID_ARGUMENT',
          'Only one --readme FILE without a reference may be given; use --readme REF=FILE for the others.',
        );
      out.fallback = text;
    } else out.byRef.set(ref, text);
  }
  return out;
}

/** The override for one image, most specific key first. */
export function readmeFor(
  overrides: ReadmeOverrides | undefined,
  target: { reference: string; repository: string; tag: string },
  name: ImageHubName,
): string | undefined {
  if (!overrides) return undefined;
  const keys = [
    target.reference,
    `${target.repository}:${target.tag}`,
    formatImageHubName(name),
    `${name.organization}/${name.repository}`,
    target.repository,
  ];
  for (const key of keys) {
    const text = overrides.byRef.get(key);
    if (text !== undefined) return text;
  }
  return overrides.fallback;
}
