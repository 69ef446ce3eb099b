import { describe, expect, it } from 'vitest';
import {
  causeFromUnknown,
  errorChain,
  HubError,
  hubErrorGuard,
  isAbortError,
  isHubError,
  toHubError,
} from './index.ts';

type DemoCode = 'BROKEN' | 'FLAKY';
class DemoError extends HubError<DemoCode> {
  override readonly name = 'DemoError';
}
const isDemoError = hubErrorGuard<DemoError>('DemoError');

describe('HubError', () => {
  it('carries code, retryable and a normalised cause', () => {
    const error = new DemoError('FLAKY', 'the link dropped', { retryable: true, cause: 'ECONNRESET' });
    expect(error.code).toBe('FLAKY');
    expect(error.retryable).toBe(true);
    expect(error.name).toBe('DemoError');
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).toBe('ECONNRESET');
    expect(new DemoError('BROKEN', 'no').retryable).toBe(false);
  });

  it('is recognised by brand across copies, where instanceof fails', () => {
    // A second copy of the package has its own class but the same registered symbol.
    const brand = Symbol.for('@hub/error');
    const foreign = Object.assign(new Error('x'), {
      name: 'DemoError',
      code: 'BROKEN',
      retryable: false,
      [brand]: true,
    });
    expect(foreign instanceof HubError).toBe(false);
    expect(isHubError(foreign)).toBe(true);
    expect(isDemoError(foreign)).toBe(true);
    expect(isDemoError(new HubError('BROKEN', 'x'))).toBe(false);
    expect(isHubError(new Error('plain'))).toBe(false);
    expect(isHubError(null)).toBe(false);
  });
});

describe('toHubError', () => {
  it('passes a HubError through unchanged', () => {
    const error = new DemoError('BROKEN', 'no');
    expect(toHubError(error)).toBe(error);
  });

  it('maps aborts to ABORTED and anything else to INTERNAL with the cause kept', () => {
    const controller = new AbortController();
    controller.abort();
    expect(toHubError(controller.signal.reason).code).toBe('ABORTED');
    expect(isAbortError(AbortSignal.timeout(0).reason ?? { name: 'TimeoutError' })).toBe(true);
    const boom = new TypeError('boom');
    const wrapped = toHubError(boom);
    expect(wrapped.code).toBe('INTERNAL');
    expect(wrapped.cause).toBe(boom);
    expect(wrapped.message).toContain('boom');
    expect(toHubError({ weird: 1 }).message).toContain('{"weird":1}');
  });
});

describe('causeFromUnknown and errorChain', () => {
  it('never throws on odd values and stops on cycles', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(causeFromUnknown(cyclic).message).toContain('non-error thrown');
    const inner = new Error('inner');
    const outer = new Error('outer', { cause: inner });
    (inner as { cause?: unknown }).cause = outer;
    expect(errorChain(outer)).toEqual([outer, inner]);
  });
});
