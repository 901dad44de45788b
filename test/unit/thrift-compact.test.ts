// Thrift compact structs read and written back byte for byte: real footers DuckDB writes, and every wire type.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { T, field, readStruct, setField, writeStruct, type TStruct } from '../../connectors/parquet/thrift-compact';

test('footers DuckDB writes (stats, dictionaries, bloom filters, key-value metadata) read and write back the same bytes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-thrift-'));
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    for (const [i, options] of ['PARQUET_VERSION V2', 'COMPRESSION zstd, KV_METADATA {k: \'v\'}', 'COMPRESSION gzip, ROW_GROUP_SIZE 2048'].entries()) {
      const file = join(dir, `f${i}.parquet`);
      await connection.run(`COPY (SELECT range AS i, range::DOUBLE / 3 AS d, 'v' || (range % 7) AS s, range % 2 = 0 AS b, NULL::INTEGER AS n,
        [range, 1] AS l, {'a': range} AS st, DATE '2000-01-01' + range::INTEGER AS dt, (range * 1.5)::DECIMAL(30, 2) AS dec
        FROM range(5000)) TO '${file}' (FORMAT parquet, ${options})`);
      const bytes = readFileSync(file);
      const footer = bytes.subarray(bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8), bytes.length - 8);
      const { struct, bytes: read } = readStruct(footer);
      expect(read).toBe(footer.length);
      expect(writeStruct(struct).equals(footer)).toBe(true);
    }
  } finally {
    connection.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every wire type, long field ids, long lists, maps and booleans in lists', () => {
  const struct: TStruct = [
    { id: 1, type: T.BOOL, value: true },
    { id: 2, type: T.BOOL, value: false },
    { id: 3, type: T.BYTE, value: -5 },
    { id: 4, type: T.I16, value: -300 },
    { id: 5, type: T.I32, value: 2147483647 },
    { id: 6, type: T.I64, value: -(2n ** 63n) },
    { id: 7, type: T.DOUBLE, value: -0.1 },
    { id: 8, type: T.BINARY, value: Buffer.from('é') },
    { id: 9, type: T.LIST, value: { elementType: T.I32, items: Array.from({ length: 20 }, (_, i) => i - 10) } },
    { id: 10, type: T.SET, value: { elementType: T.BOOL, items: [true, false] } },
    { id: 11, type: T.MAP, value: { keyType: T.BINARY, valueType: T.I64, entries: [[Buffer.from('k'), 1n]] } },
    { id: 12, type: T.STRUCT, value: [{ id: 300, type: T.STRUCT, value: [] }] },
    { id: 40, type: T.UUID, value: Buffer.alloc(16, 7) },
  ];
  const bytes = writeStruct(struct);
  const { struct: back } = readStruct(bytes);
  expect(back).toEqual(struct);
  expect(writeStruct(back).equals(bytes)).toBe(true);
});

test('setField sets, adds in id order, and removes', () => {
  const s: TStruct = [{ id: 1, type: T.I32, value: 1 }, { id: 6, type: T.I32, value: 6 }];
  setField(s, 4, T.BINARY, Buffer.from('x'));
  setField(s, 6, T.I32, undefined);
  setField(s, 1, T.I32, 2);
  setField(s, 9, T.I32, 9);
  expect(s.map((f) => f.id)).toEqual([1, 4, 9]);
  expect(field(s, 1)?.value).toBe(2);
});
