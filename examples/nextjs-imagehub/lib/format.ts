/** `1.2 GB`-style sizes (decimal units, as registries report them). */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** A UTC date and time, the same on server and client (no hydration mismatch). */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms) || ms === 0) return 'unknown';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The registry host shown in pull commands ($HUB_REGISTRY, e.g. the demo's 127.0.0.1:PORT). */
export function registryHost(): string {
  return process.env.HUB_REGISTRY ?? 'registry.local';
}
