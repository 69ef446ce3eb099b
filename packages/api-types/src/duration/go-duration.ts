import { ApiTypesError } from '../errors.ts';
import type { Result } from '../result.ts';

/**
 * Go's `time.ParseDuration` syntax as a regex source (JS and RE2): an optional sign, then `0` or one
 * or more `<number><unit>` pairs with units ns, us, µs, μs, ms, s, m, h.
 */
export const GO_DURATION_SOURCE = '^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$';
const GO_DURATION = new RegExp(GO_DURATION_SOURCE);
const PART = /([0-9]*)(?:\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)/g;

const NANOS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_INT64 = (1n << 63n) - 1n;

/**
 * Parses a Go duration string (`2h`, `1h30m`, `120m`, `1.5s`, `-5m`) into milliseconds, with Go's
 * limits (at most 2^63-1 ns either way). Returns a result; never throws. `1d` is an error, as in Go,
 * where the original controller silently read it as 0 and deleted the DataPack at once.
 */
export function parseGoDuration(input: string): Result<number, ApiTypesError> {
  if (!GO_DURATION.test(input)) {
    return {
      success: false,
      error: new ApiTypesError(
        'INVALID_DURATION',
        `"${input}" is not a Go duration: write numbers with units ns, us, ms, s, m or h, e.g. 2h, 90m, 1h30m.`,
        { input },
      ),
    };
  }
  const negative = input.startsWith('-');
  let nanos = 0n;
  for (const [, whole = '', fraction = '', unit = ''] of input.matchAll(PART)) {
    const scale = NANOS_PER_UNIT[unit] ?? 1n;
    nanos += BigInt(whole === '' ? '0' : whole) * scale;
    if (fraction !== '') {
      // Exact for every unit: a fraction of a unit rounds down to whole nanoseconds, like Go.
      nanos += (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
    }
    if (nanos > MAX_INT64 + (negative ? 1n : 0n)) {
      return {
        success: false,
        error: new ApiTypesError(
          'DURATION_OVERFLOW',
          `"${input}" is longer than Go's maximum duration (~292 years).`,
          { input },
        ),
      };
    }
  }
  const millis = Number(nanos) / 1e6;
  return { success: true, data: negative && millis !== 0 ? -millis : millis };
}
