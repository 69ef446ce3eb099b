import { describe, expect, it } from 'vitest';
import { countingStream } from '../__fixtures__/counting-stream.ts';
import { isDataPackError } from '../errors.ts';
import { readJsonBody } from './read-json-body.ts';

const LIMIT = 10_000;

function post(body: RequestInit['body'], headers: Record<string, string> = {}): Request {
  return new Request('http://hub.test/api/hub/datapacks', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isDataPackError(error)) return `${error.code} ${error.field}`;
    throw error;
  }
  return 'no error';
}

describe('readJsonBody', () => {
  it('refuses a Content-Length over the limit before reading any byte', async () => {
    const { stream, state } = countingStream(LIMIT * 10, 1000);
    const request = post(stream, { 'content-length': String(LIMIT * 10) });
    expect(await codeOf(readJsonBody(request, LIMIT))).toBe('PAYLOAD_TOO_LARGE body');
    expect(state.pulled).toBe(0);
  });

  it('refuses a streamed body without Content-Length once the limit is crossed, reading nothing past it', async () => {
    const { stream, state } = countingStream(LIMIT * 100, 1000);
    expect(await codeOf(readJsonBody(post(stream), LIMIT))).toBe('PAYLOAD_TOO_LARGE body');
    // The chunk that crossed the limit, and not one more.
    expect(state.pulled).toBe(LIMIT + 1000);
    expect(state.cancelled).toBe(true);
  });

  it('refuses a body longer than its Content-Length says', async () => {
    const { stream, state } = countingStream(LIMIT * 100, 1000);
    const request = post(stream, { 'content-length': '20' });
    expect(await codeOf(readJsonBody(request, LIMIT))).toBe('PAYLOAD_TOO_LARGE body');
    expect(state.pulled).toBe(LIMIT + 1000);
  });

  it('reads a body at the limit, even with a character split across chunks', async () => {
    const json = JSON.stringify({ names: ['é'.repeat(10)] });
    const bytes = new TextEncoder().encode(json);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.subarray(i, i + 3));
        controller.close();
      },
    });
    expect(await readJsonBody(post(stream), bytes.length)).toEqual({ names: ['é'.repeat(10)] });
    expect(await codeOf(readJsonBody(post(json), bytes.length - 1))).toBe('PAYLOAD_TOO_LARGE body');
  });

  it('answers INVALID_REQUEST for a wrong Content-Type, malformed JSON or no body', async () => {
    expect(await codeOf(readJsonBody(post('{}', { 'content-type': 'text/plain' }), LIMIT))).toBe(
      'INVALID_REQUEST content-type',
    );
    expect(await codeOf(readJsonBody(post('{'), LIMIT))).toBe('INVALID_REQUEST body');
    expect(await codeOf(readJsonBody(post(null), LIMIT))).toBe('INVALID_REQUEST body');
    expect(await readJsonBody(post('\uFEFF{"a":1}'), LIMIT)).toEqual({ a: 1 });
  });
});
