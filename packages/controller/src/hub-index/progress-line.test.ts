import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressLine } from './progress-line.ts';

describe('createProgressLine', () => {
  it('redraws one line in place and clears it when done', () => {
    let out = '';
    const stream = new Writable({
      write(chunk, _enc, done) {
        out += String(chunk);
        done();
      },
    });
    const line = createProgressLine(stream);
    line.onEvent({ type: 'listed', images: 2, repositories: 1 });
    expect(out).toBe('\r\x1b[2Kindexing 0/2: 0 changed, 0 failed');
    line.onEvent({ type: 'image', reference: 'a', status: 'created' });
    line.onEvent({ type: 'image', reference: 'b', status: 'failed' });
    line.done();
    // Redraws are throttled; the last state is on screen or cleared, never a second line.
    expect(out).not.toContain('\n');
    expect(out.endsWith('\r\x1b[2K')).toBe(true);
  });
});
