import { dirname, isAbsolute, resolve, sep } from 'node:path';
import type { Kubeconfig } from './kubeconfig-types.ts';

type Named = { name: string };

/**
 * Merges kubeconfig files as kubectl does: the first file to set a value wins, for a whole named cluster,
 * user or context as for `current-context`. Relative paths are resolved against each file's directory first.
 */
export function mergeKubeconfigs(files: ReadonlyArray<{ path: string; config: Kubeconfig }>): Kubeconfig {
  const merged: Kubeconfig = { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] };
  for (const { path, config } of files) {
    const absolute = withAbsolutePaths(config, dirname(path));
    mergeNamed(merged.clusters ?? [], absolute.clusters);
    mergeNamed(merged.users ?? [], absolute.users);
    mergeNamed(merged.contexts ?? [], absolute.contexts);
    if (!merged['current-context'] && absolute['current-context'])
      merged['current-context'] = absolute['current-context'];
  }
  return merged;
}

function mergeNamed<T extends Named>(into: T[], from: readonly T[] | null | undefined): void {
  for (const entry of from ?? []) if (!into.some((e) => e.name === entry.name)) into.push(entry);
}

/** kubectl's ResolveLocalPaths: file references are relative to the kubeconfig that names them. */
function withAbsolutePaths(config: Kubeconfig, base: string): Kubeconfig {
  const abs = (file: string | undefined) => (file && !isAbsolute(file) ? resolve(base, file) : file);
  const set = <T extends Record<string, unknown>>(object: T, keys: readonly (keyof T)[]): T => {
    const copy = { ...object };
    for (const key of keys) {
      const value = abs(copy[key] as string | undefined);
      if (value !== undefined) copy[key] = value as T[keyof T];
    }
    return copy;
  };
  return {
    ...config,
    clusters: (config.clusters ?? []).map((c) => ({
      ...c,
      cluster: set(c.cluster ?? { server: '' }, ['certificate-authority']),
    })),
    users: (config.users ?? []).map((u) => {
      const user = set(u.user ?? {}, ['client-certificate', 'client-key', 'tokenFile']);
      // An exec command is a path only when it names a directory; a bare name is looked up on PATH.
      if (user.exec?.command.includes(sep))
        user.exec = { ...user.exec, command: abs(user.exec.command) ?? '' };
      return { ...u, user };
    }),
    contexts: config.contexts ?? [],
  };
}
