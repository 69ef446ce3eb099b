export type { PlatformSpec, SelectOptions } from './platform.ts';
export {
  formatPlatform,
  hostPlatform,
  isAttestation,
  normalizePlatform,
  PlatformError,
  parsePlatform,
  platformMatches,
  selectIndexChildren,
} from './platform.ts';
