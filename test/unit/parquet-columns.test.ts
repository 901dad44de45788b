// Which Parquet type each PostgreSQL type becomes, how the file declares it, and the error for a value it cannot hold.
import { convertedType, parquetType, unrepresentable, UNREPRESENTABLE, type ParquetType } from '../../activities/extract/parquet-columns';
import type { ColumnInfo } from '../../domain/plan';

const col = (type: string, digits: Pick<ColumnInfo, 'precision' | 'scale'> = {}): ColumnInfo => ({ name: 'c', type, ...digits });
const TEXT: ParquetType = { kind: 'text' };

describe('types', () => {
  test.each<[string, ColumnInfo, ParquetType]>([
    ['boolean', col('boolean'), { kind: 'boolean' }],
    ['smallint', col('smallint'), { kind: 'int16' }],
    ['integer', col('integer'), { kind: 'int32' }],
    ['bigint', col('bigint'), { kind: 'int64' }],
    ['real', col('real'), { kind: 'float' }],
    ['double precision', col('double precision'), { kind: 'double' }],
    ['numeric(9,2)', col('numeric', { precision: 9, scale: 2 }), { kind: 'decimal', precision: 9, scale: 2 }],
    ['numeric(18,0)', col('numeric', { precision: 18, scale: 0 }), { kind: 'decimal', precision: 18, scale: 0 }],
    ['numeric(38,38)', col('numeric', { precision: 38, scale: 38 }), { kind: 'decimal', precision: 38, scale: 38 }],
    ['numeric (unconstrained)', col('numeric'), TEXT],
    ['numeric(39,2): more digits than readers hold', col('numeric', { precision: 39, scale: 2 }), TEXT],
    ['numeric(5,-2): a negative scale', col('numeric', { precision: 5, scale: -2 }), TEXT],
    ['numeric(3,5): scale above precision', col('numeric', { precision: 3, scale: 5 }), TEXT],
    ['bytea', col('bytea'), { kind: 'bytes' }],
    ['date', col('date'), { kind: 'date' }],
    ['timestamp', col('timestamp without time zone'), { kind: 'timestamp', utc: false }],
    ['timestamptz', col('timestamp with time zone'), { kind: 'timestamp', utc: true }],
    ['json', col('json'), { kind: 'json' }],
    ['jsonb', col('jsonb'), { kind: 'json' }],
    ['text', col('text'), TEXT],
    ['character varying', col('character varying'), TEXT],
    ['character', col('character'), TEXT],
    ['uuid', col('uuid'), TEXT],
    ['an enum', col('mood'), TEXT],
    ['an array', col('integer[]'), TEXT],
    ['interval', col('interval'), TEXT],
    ['a type named like an Object property', col('constructor'), TEXT],
  ])('%s', (_name, c, type) => {
    expect(parquetType(c)).toEqual(type);
  });
});

test('converted types: none for plain integers, floats, bytes and wall-clock timestamps', () => {
  const declared = (type: string, digits = {}) => convertedType(parquetType(col(type, digits)));
  expect(['integer', 'bigint', 'boolean', 'real', 'double precision', 'bytea', 'timestamp without time zone'].map((t) => declared(t))).toEqual(Array(7).fill(null));
  expect(declared('smallint')).toBe(16); // INT_16
  expect(declared('numeric', { precision: 9, scale: 2 })).toBe(5); // DECIMAL
  expect(declared('date')).toBe(6); // DATE
  expect(declared('timestamp with time zone')).toBe(10); // TIMESTAMP_MICROS
  expect(declared('jsonb')).toBe(19); // JSON
  expect(declared('text')).toBe(0); // UTF8
});

test.each<[ColumnInfo, string, string]>([
  [col('timestamp with time zone'), 'infinity', `column "c" (timestamp with time zone) holds 'infinity', which Parquet's TIMESTAMP (microseconds since 1970 in 64 bits) cannot hold`],
  [col('date'), '-infinity', `column "c" (date) holds '-infinity', which Parquet's DATE cannot hold`],
  [col('numeric', { precision: 9, scale: 2 }), 'NaN', `column "c" (numeric) holds NaN, which Parquet's DECIMAL(9, 2) cannot hold`],
])('unrepresentable %s %s', (c, text, message) => {
  expect(unrepresentable(c, text)).toMatchObject({ code: UNREPRESENTABLE, message });
});
