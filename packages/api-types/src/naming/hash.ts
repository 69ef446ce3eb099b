import { createHash } from 'node:crypto';

/** Lower-case hex SHA-256 of a UTF-8 string. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Lower-case hex MD5 of a UTF-8 string (only for the legacy DataPack names the old frontend used). */
export function md5Hex(value: string): string {
  return createHash('md5').update(value, 'utf8').digest('hex');
}
