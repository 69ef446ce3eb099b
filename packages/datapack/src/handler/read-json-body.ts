import { DataPackError } from '../errors.ts';

function tooLarge(maxBytes: number): DataPackError {
  return new DataPackError(
    'PAYLOAD_TOO_LARGE',
    `the body is larger than ${maxBytes} bytes; ask for fewer names per request.`,
    { field: 'body' },
  );
}

/**
 * The JSON body of `request`, read with at most `maxBytes` bytes held. A declared Content-Length
 * over the limit is refused before any byte is read; a streamed body (no Content-Length, or one
 * that lies) is refused as soon as the limit is crossed, and the stream is cancelled so nothing
 * past that chunk is pulled. Throws PAYLOAD_TOO_LARGE, or INVALID_REQUEST for a wrong
 * Content-Type or malformed JSON.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json')) {
    throw new DataPackError('INVALID_REQUEST', 'send the body as Content-Type: application/json.', {
      field: 'content-type',
    });
  }
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared.trim()) > maxBytes) {
    // Tell the source we will not read it (no pull happens); a failing cancel changes nothing.
    request.body?.cancel().catch(() => {});
    throw tooLarge(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body !== null) {
    const reader = request.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          // Not awaited: a source that never settles its cancel must not hold the answer.
          reader.cancel().catch(() => {});
          throw tooLarge(maxBytes);
        }
        chunks.push(value);
      }
    } finally {
      reader.releaseLock();
    }
  }
  try {
    // TextDecoder, as request.text() does: replaces malformed bytes and drops a leading BOM.
    return JSON.parse(new TextDecoder().decode(Buffer.concat(chunks, total)));
  } catch {
    throw new DataPackError('INVALID_REQUEST', 'the body is not valid JSON.', { field: 'body' });
  }
}
