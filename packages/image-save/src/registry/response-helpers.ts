// Distribution API paths, token scopes and response-header reading shared by the registry client.
import type { Dispatcher } from 'undici';
import type { RepositoryLocation } from './registry-types.ts';

type Response = Dispatcher.ResponseData;

export function manifestPath(loc: RepositoryLocation, reference: string): string {
  return `/v2/${loc.repository}/manifests/${reference}`;
}

export function blobPath(loc: RepositoryLocation, digest: string): string {
  return `/v2/${loc.repository}/blobs/${digest}`;
}

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

export function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`;
}

export function header(res: Response, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function numberHeader(res: Response, name: string): number | undefined {
  const v = header(res, name);
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}
