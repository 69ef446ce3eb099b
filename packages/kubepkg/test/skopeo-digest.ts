import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The digest of the manifest skopeo reads for `reference` (`registry/repo:tag`), over plain HTTP. */
export async function skopeoDigest(reference: string): Promise<string> {
  const { stdout } = await run(
    'skopeo',
    ['inspect', '--raw', '--tls-verify=false', `docker://${reference}`],
    { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 },
  );
  return `sha256:${createHash('sha256').update(stdout).digest('hex')}`;
}
