export type { PlatformErrorCode, PlatformSpec, SelectOptions } from './platform.ts';
export {
  formatPlatform,
  hostPlatform,
  isAttestation,
  isPlatformError,
  normalizePlatform,
  PlatformError,
  parsePlatform,
  platformMatches,
  selectIndexChildren,
} from './platform.ts';
