import { formatBytes } from '../format/format-bytes.ts';
import type { SaveEvent } from '../save/events.ts';

/**
 * Renders save events: on a TTY, one status line redrawn in place (totals and the busiest blobs);
 * otherwise plain lines for image and blob milestones only.
 */
export function createProgressRenderer(
  out: { write(text: string): unknown; columns?: number },
  tty: boolean,
): (e: SaveEvent) => void {
  const active = new Map<string, { size: number; transferred: number }>();
  let done = 0;
  let bytes = 0;
  let lastDraw = 0;
  const short = (d: string) => d.slice(7, 19);
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - lastDraw < 100) return;
    lastDraw = now;
    const parts = [...active.entries()]
      .slice(0, 3)
      .map(([d, a]) => `${short(d)} ${a.size ? Math.floor((a.transferred / a.size) * 100) : 0}%`);
    const line = `blobs done ${done}, ${formatBytes(bytes)} | ${parts.join(' | ')}`;
    const width = (out.columns ?? 100) - 1;
    out.write(`\r\x1b[2K${line.slice(0, width)}`);
  };
  const println = (text: string) => {
    if (tty) out.write('\r\x1b[2K');
    out.write(`${text}\n`);
    if (tty) draw(true);
  };
  return (e) => {
    switch (e.type) {
      case 'image-resolved':
        println(
          `resolved ${e.reference} ${e.digest} (${e.manifests} manifests, ${e.blobs} blobs, ${formatBytes(e.bytes)})`,
        );
        break;
      case 'image-done':
        println(
          e.status === 'saved'
            ? `saved ${e.reference} -> ${e.repository}${e.tag ? `:${e.tag}` : ''}${e.upToDate ? ' (up to date)' : ''}`
            : `failed ${e.reference}${e.error ? ` [${e.error.code}]` : ''}`,
        );
        break;
      case 'blob-start':
        active.set(e.digest, { size: e.size, transferred: e.offset });
        if (!tty)
          out.write(
            `fetching ${e.digest} (${formatBytes(e.size)}${e.offset ? `, resuming at ${formatBytes(e.offset)}` : ''})\n`,
          );
        break;
      case 'blob-progress': {
        const a = active.get(e.digest);
        if (a) a.transferred = e.transferred;
        if (tty) draw();
        break;
      }
      case 'blob-done':
        active.delete(e.digest);
        done++;
        bytes += e.fetched;
        if (!tty) out.write(`fetched ${e.digest}\n`);
        else draw(true);
        break;
      case 'blob-skipped':
        done++;
        break;
      case 'blob-retry':
        println(
          `retry ${e.attempt} of blob ${e.digest} from byte ${e.offset} in ${e.delayMs} ms: ${e.error.message}`,
        );
        break;
      case 'retry':
        println(`retry ${e.attempt} of ${e.reference ?? e.path} in ${e.delayMs} ms: ${e.error.message}`);
        break;
      default:
        break;
    }
  };
}
