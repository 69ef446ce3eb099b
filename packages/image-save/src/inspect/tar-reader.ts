// A pull-based tar reader: the walker asks for one entry at a time and may stop anywhere, which a
// push-based extractor (tar-stream) makes awkward; it understands ustar, pax (path, size) and GNU
// long names, which is what image builders (buildkit, buildah, go-containerregistry) write.

/** Raised for bytes that are not a tar archive. */
export class TarFormatError extends Error {
  override readonly name = 'TarFormatError';
}

/** One tar member's header. */
export interface TarEntry {
  /** Path without a leading `./` or `/`, and without a trailing `/`. */
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'other';
  size: number;
}

const BLOCK = 512;

/** Reads exact byte counts out of an async chunk stream. */
class ByteReader {
  #it: AsyncIterator<Uint8Array>;
  #buf: Buffer = Buffer.alloc(0);
  #done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#it = source[Symbol.asyncIterator]();
  }

  /** Exactly `n` bytes, or fewer at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    while (this.#buf.length < n && !this.#done) await this.#pull();
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(out.length);
    return out;
  }

  /** Discards `n` bytes without keeping them; false when the stream ended first. */
  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (this.#buf.length === 0) {
        if (this.#done) return false;
        await this.#pull();
        continue;
      }
      const take = Math.min(left, this.#buf.length);
      this.#buf = this.#buf.subarray(take);
      left -= take;
    }
    return true;
  }

  async #pull(): Promise<void> {
    const next = await this.#it.next();
    if (next.done) {
      this.#done = true;
      return;
    }
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
  }
}

function cstring(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

function octal(block: Buffer, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  // GNU base-256 for sizes over 8 GiB: high bit set, big-endian remainder.
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = cstring(block, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text))
    throw new TarFormatError('not a tar archive (a header number field is not octal)');
  return Number.parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
  return sum === octal(block, 148, 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return out;
}

/** Normalises a member path: no leading `./` or `/`, no trailing `/`. */
export function normalizeTarPath(path: string): string {
  let p = path;
  while (p.startsWith('./')) p = p.slice(2);
  p = p.replace(/^\/+/, '').replace(/\/+$/, '');
  return p === '.' ? '' : p;
}

const TYPES: Record<string, TarEntry['type']> = {
  '0': 'file',
  '\0': 'file',
  '': 'file',
  '7': 'file',
  '5': 'directory',
  '2': 'symlink',
  '1': 'link',
};

/**
 * The members of a tar stream, one at a time. After each entry the caller either reads its body
 * with `body(max)` or moves on (the body is skipped). Stops at the end-of-archive blocks.
 */
export class TarReader {
  #r: ByteReader;
  #pending = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#r = new ByteReader(source);
  }

  /** The next member, or undefined at the end of the archive. */
  async next(): Promise<TarEntry | undefined> {
    await this.#skipPending();
    let longName: string | undefined;
    let pax: Record<string, string> = {};
    for (;;) {
      const block = await this.#r.read(BLOCK);
      if (block.length === 0) return undefined;
      if (block.length < BLOCK) throw new TarFormatError('archive ends inside a header');
      if (block.every((b) => b === 0)) return undefined;
      if (!checksumOk(block)) throw new TarFormatError('header checksum mismatch (not a tar archive?)');
      const flag = String.fromCharCode(block[156] ?? 0);
      let size = octal(block, 124, 12);
      if (flag === 'L' || flag === 'x' || flag === 'g') {
        if (size > 1024 * 1024) throw new TarFormatError('extended header over 1 MiB');
        const data = await this.#r.read(size);
        await this.#r.skip(padding(size));
        if (flag === 'L') longName = cstring(data, 0, data.length);
        if (flag === 'x') pax = { ...pax, ...parsePax(data) };
        continue;
      }
      if (flag === 'K') {
        await this.#r.skip(size + padding(size));
        continue;
      }
      let name = cstring(block, 0, 100);
      if (block.subarray(257, 262).toString('ascii') === 'ustar') {
        const prefix = cstring(block, 345, 155);
        if (prefix) name = `${prefix}/${name}`;
      }
      if (longName !== undefined) name = longName;
      if (pax.path !== undefined) name = pax.path;
      if (pax.size !== undefined && /^\d+$/.test(pax.size)) size = Number(pax.size);
      const type = TYPES[flag] ?? 'other';
      // Only regular files carry a body in practice; honour the size field for all but links.
      this.#pending = type === 'link' || type === 'symlink' || type === 'directory' ? 0 : size;
      this.#pending += padding(this.#pending);
      return { path: normalizeTarPath(name), type, size: type === 'file' ? size : 0 };
    }
  }

  /**
   * The current member's body, at most `max` bytes (the rest is skipped on the next `next()`).
   * `size` is the member's full size from its header.
   */
  async body(entry: TarEntry, max: number): Promise<Buffer> {
    const want = Math.min(entry.size, max);
    const data = Buffer.from(await this.#r.read(want));
    if (data.length < want) throw new TarFormatError('archive ends inside a member');
    this.#pending -= want;
    return data;
  }

  async #skipPending(): Promise<void> {
    if (this.#pending > 0 && !(await this.#r.skip(this.#pending)))
      throw new TarFormatError('archive ends inside a member');
    this.#pending = 0;
  }
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}
