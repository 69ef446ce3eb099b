import { HubError, hubErrorGuard } from '@hub/api-types/errors';
import type { Descriptor, Platform } from '../registry/media-types.ts';

/** A platform request: `os/arch[/variant]`, normalised. */
export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
}

/** Why a platform string was rejected. */
export type PlatformErrorCode = 'INVALID_PLATFORM';

/** Error for a malformed platform string (bad input: never retryable). */
export class PlatformError extends HubError<PlatformErrorCode> {
  override readonly name = 'PlatformError';
  /** The string that was parsed, unchanged. */
  readonly input: string;
  constructor(input: string) {
    super(
      'INVALID_PLATFORM',
      `"${input}" is not a platform; use os/arch[/variant], e.g. linux/amd64 or linux/arm/v7.`,
    );
    this.input = input;
  }
}

/** Brand guard for {@link PlatformError} (works across installed copies). */
export const isPlatformError = hubErrorGuard<PlatformError>('PlatformError');

const ARCH_ALIASES: Record<string, string> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
  i386: '386',
};
const PART = /^[a-z0-9_.-]+$/;

/** Normalises a platform as containerd does: arm64 → variant v8, arm → v7 by default, amd64 → no variant. */
export function normalizePlatform(p: PlatformSpec | Platform): PlatformSpec {
  const os = p.os.toLowerCase();
  const architecture = ARCH_ALIASES[p.architecture.toLowerCase()] ?? p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase();
  if (architecture === 'arm64' && (variant === undefined || variant === '' || variant === '8'))
    variant = 'v8';
  if (architecture === 'arm' && (variant === undefined || variant === '')) variant = 'v7';
  if (architecture === 'arm' && /^\d$/.test(variant ?? '')) variant = `v${variant}`;
  if (architecture === 'amd64' && (variant === 'v1' || variant === '')) variant = undefined;
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** Parses `os/arch[/variant]` (or a bare arch, meaning linux/<arch>) into a normalised spec. */
export function parsePlatform(input: string): PlatformSpec {
  const parts = input.trim().toLowerCase().split('/');
  if (parts.some((x) => !PART.test(x)) || parts.length > 3) throw new PlatformError(input);
  if (parts.length === 1) return normalizePlatform({ os: 'linux', architecture: parts[0] as string });
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return normalizePlatform(variant ? { os, architecture, variant } : { os, architecture });
}

/** `os/arch[/variant]` of a spec. */
export function formatPlatform(p: PlatformSpec | Platform): string {
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== '').join('/');
}

/** The host's platform in OCI terms, the default of `docker pull`. */
export function hostPlatform(): PlatformSpec {
  const osMap: Record<string, string> = { win32: 'windows', sunos: 'solaris' };
  const archMap: Record<string, string> = {
    x64: 'amd64',
    ia32: '386',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
    loong64: 'loong64',
    mips: 'mips',
    mipsel: 'mipsle',
  };
  const os = osMap[process.platform] ?? process.platform;
  // Container images for macOS hosts are linux images (Docker Desktop does the same).
  return normalizePlatform({
    os: os === 'darwin' ? 'linux' : os,
    architecture: archMap[process.arch] ?? process.arch,
  });
}

/** True when `candidate` satisfies `wanted` after normalisation (a wanted variant must match exactly). */
export function platformMatches(wanted: PlatformSpec, candidate: PlatformSpec | Platform): boolean {
  const w = normalizePlatform(wanted);
  const c = normalizePlatform(candidate);
  return (
    w.os === c.os && w.architecture === c.architecture && (w.variant === undefined || w.variant === c.variant)
  );
}

/** True for attestation/signature entries: `unknown/unknown` or a `vnd.docker.reference.type` annotation. */
export function isAttestation(d: Descriptor): boolean {
  if (d.annotations?.['vnd.docker.reference.type'] !== undefined) return true;
  return d.platform?.os === 'unknown' && d.platform.architecture === 'unknown';
}

/** What to keep from an index. */
export interface SelectOptions {
  /** Wanted platforms; `'all'` keeps every platform. */
  platforms: readonly PlatformSpec[] | 'all';
  /** Keep attestation manifests (`unknown/unknown`) for the kept images (default false). */
  includeAttestations?: boolean;
}

/**
 * Chooses the children of an index to save, deterministically:
 * - every entry without a platform (artifacts such as Helm charts) is kept;
 * - for each wanted platform, the first matching entry in index order is kept (a wanted platform
 *   without variant prefers the entry whose variant is the normalised default);
 * - attestations are kept only when asked for, and only those that reference a kept child.
 * The result keeps index order.
 */
export function selectIndexChildren(children: readonly Descriptor[], opts: SelectOptions): Descriptor[] {
  const keep = new Set<number>();
  const attestations: number[] = [];
  children.forEach((d, i) => {
    if (isAttestation(d)) attestations.push(i);
    else if (!d.platform || opts.platforms === 'all') keep.add(i);
  });
  if (opts.platforms !== 'all') {
    for (const wanted of opts.platforms) {
      const matching = children
        .map((d, i) => ({ d, i }))
        .filter(({ d, i }) => d.platform && !attestations.includes(i) && platformMatches(wanted, d.platform));
      const exact = matching.find(
        ({ d }) => d.platform && normalizePlatform(d.platform).variant === normalizePlatform(wanted).variant,
      );
      const pick = exact ?? matching[0];
      if (pick) keep.add(pick.i);
    }
  }
  if (opts.includeAttestations) {
    const keptDigests = new Set([...keep].map((i) => children[i]?.digest));
    for (const i of attestations) {
      const ref = children[i]?.annotations?.['vnd.docker.reference.digest'];
      if (opts.platforms === 'all' || ref === undefined || keptDigests.has(ref)) keep.add(i);
    }
  }
  return children.filter((_, i) => keep.has(i));
}
