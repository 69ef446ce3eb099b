import type { CliIo } from '@hub/api-types/cli';
import type { IndexEvent } from './index-images.ts';

/**
 * A one-line progress display on a TTY (`indexing 120/500: 3 changed, 0 failed`), redrawn in place
 * at most every 100 ms; `done()` clears it so results print on a clean line.
 */
export function createProgressLine(stream: CliIo['stderr']): {
  onEvent(e: IndexEvent): void;
  done(): void;
} {
  let total = 0;
  let seen = 0;
  let changed = 0;
  let failed = 0;
  let last = 0;
  let drawn = false;
  const draw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    stream.write(`\r\x1b[2Kindexing ${seen}/${total}: ${changed} changed, ${failed} failed`);
    drawn = true;
  };
  return {
    onEvent(e) {
      if (e.type === 'listed') total = e.images;
      if (e.type === 'image') {
        seen++;
        if (e.status === 'created' || e.status === 'updated') changed++;
        if (e.status === 'failed') failed++;
      }
      draw(e.type === 'listed');
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
