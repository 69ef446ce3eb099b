import { readFile } from 'node:fs/promises';

/**
 * Parses sealer's imageList format: one reference per line; blank lines and `#` comments (whole-line
 * or after whitespace) ignored.
 */
export function parseImageList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '');
}

/** Reads and parses an images file (see {@link parseImageList}). */
export async function readImageList(path: string): Promise<string[]> {
  return parseImageList(await readFile(path, 'utf8'));
}
