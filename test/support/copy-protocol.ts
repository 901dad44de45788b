// Bytes of PostgreSQL's COPY protocol, for the tests of reading it.

/** One protocol message: its type byte, its length, its body. */
export const message = (type: string, body: Buffer): Buffer => {
  const head = Buffer.alloc(5);
  head[0] = type.charCodeAt(0);
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
};

/** `count` CSV-like rows, row i `width(i)` bytes wide after its number. */
export const rowsOf = (count: number, width: (i: number) => number): Buffer[] =>
  Array.from({ length: count }, (_, i) => Buffer.from(`${i},${'x'.repeat(width(i))}\n`));
