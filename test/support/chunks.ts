/** `buf` as a stream of chunks of the given sizes, repeated (a size below 1 counts as 1). */
export async function* pieces(buf: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let pos = 0;
  for (let i = 0; pos < buf.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length] ?? 1);
    yield buf.subarray(pos, pos + size);
    pos += size;
  }
}
