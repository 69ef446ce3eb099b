const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * `text` cut to at most `maxBytes` UTF-8 bytes, never inside a character (so never leaving a
 * U+FFFD behind); `text` itself when it fits. Web APIs only, so it runs wherever api-types does.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  // Every UTF-16 code unit is at least one UTF-8 byte: a short string needs no encoding.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  let end = Math.max(0, Math.floor(maxBytes));
  // Step back over continuation bytes (10xxxxxx) to the start of the character that did not fit.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end));
}
