/**
 * Longest README (`detail.docs`, a DataPack entry's `docs`), in UTF-8 bytes where hub cuts one
 * (inspectImage, hub-index --readme, DataPack answers). The CRD's `maxLength` is the same number
 * in characters: a text cut to this many bytes always passes it, and a hand-written one of this
 * many characters is at most 1 MiB of UTF-8, well under etcd's 1.5 MiB per object.
 */
export const README_MAX_BYTES = 256 * 1024;

/**
 * Longest icon (`detail.icon`), in characters: a URL or a small `data:` URI (the demo's SVG icons
 * are under 1 KiB). Icons repeat in every grid entry, so they stay small.
 */
export const ICON_MAX_LENGTH = 8 * 1024;
