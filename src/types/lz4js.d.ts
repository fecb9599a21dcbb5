/** Types for lz4js 0.2 (pure-JS LZ4; ships no declarations). Only what pleg-analyze uses. */
declare module 'lz4js' {
  /** Decodes one LZ4 block `src[sIndex, sIndex+sLength)` into `dst` at `dIndex`; returns the new `dIndex`. */
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
  /** Whole-frame decode (independent of content size; no checks). */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
  /** Whole-frame encode: 4 MiB independent blocks, no content size, no checksums. */
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
}

declare module 'lz4js/xxh32.js' {
  /** XXH32 of `src[index, index+len)` with `seed`, unsigned. */
  export function hash(seed: number, src: Uint8Array, index: number, len: number): number;
}
