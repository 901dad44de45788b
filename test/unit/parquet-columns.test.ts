// Which Parquet type each PostgreSQL type becomes, and what a value's text becomes in it.
import { parquetColumn, UNREPRESENTABLE } from '../../activities/extract/parquet-columns';
import type { ColumnInfo } from '../../domain/plan';

const col = (type: string, digits: Pick<ColumnInfo, 'precision' | 'scale'> = {}): ColumnInfo => ({ name: 'c', type, ...digits });
const read = (c: ColumnInfo, text: string) => parquetColumn(c).read(Buffer.from(text));

const UTF8 = { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };

describe('types', () => {
  test.each<[string, ColumnInfo, object]>([
    ['boolean', col('boolean'), { type: 'BOOLEAN' }],
    ['smallint', col('smallint'), { type: 'INT32', converted_type: 'INT_16' }],
    ['integer', col('integer'), { type: 'INT32' }],
    ['bigint', col('bigint'), { type: 'INT64' }],
    ['real', col('real'), { type: 'FLOAT' }],
    ['double precision', col('double precision'), { type: 'DOUBLE' }],
    ['numeric(9,2)', col('numeric', { precision: 9, scale: 2 }),
      { type: 'INT32', converted_type: 'DECIMAL', precision: 9, scale: 2, logical_type: { type: 'DECIMAL', precision: 9, scale: 2 } }],
    ['numeric(18,0)', col('numeric', { precision: 18, scale: 0 }),
      { type: 'INT64', converted_type: 'DECIMAL', precision: 18, scale: 0, logical_type: { type: 'DECIMAL', precision: 18, scale: 0 } }],
    ['numeric(38,38)', col('numeric', { precision: 38, scale: 38 }),
      { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, converted_type: 'DECIMAL', precision: 38, scale: 38, logical_type: { type: 'DECIMAL', precision: 38, scale: 38 } }],
    ['numeric (unconstrained)', col('numeric'), UTF8],
    ['numeric(39,2): more digits than readers hold', col('numeric', { precision: 39, scale: 2 }), UTF8],
    ['numeric(5,-2): a negative scale', col('numeric', { precision: 5, scale: -2 }), UTF8],
    ['numeric(3,5): scale above precision', col('numeric', { precision: 3, scale: 5 }), UTF8],
    ['bytea', col('bytea'), { type: 'BYTE_ARRAY' }],
    ['date', col('date'), { type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } }],
    ['timestamp', col('timestamp without time zone'), { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } }],
    ['timestamptz', col('timestamp with time zone'),
      { type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } }],
    ['json', col('json'), { type: 'BYTE_ARRAY', logical_type: { type: 'JSON' } }],
    ['jsonb', col('jsonb'), { type: 'BYTE_ARRAY', logical_type: { type: 'JSON' } }],
    ['text', col('text'), UTF8],
    ['character varying', col('character varying'), UTF8],
    ['character', col('character'), UTF8],
    ['uuid', col('uuid'), UTF8],
    ['an enum', col('mood'), UTF8],
    ['an array', col('integer[]'), UTF8],
    ['interval', col('interval'), UTF8],
    ['a type named like an Object property', col('constructor'), UTF8],
  ])('%s', (_name, c, element) => {
    expect(parquetColumn(c).element).toEqual(element);
  });

  test('only JSON columns go without min/max statistics', () => {
    expect(parquetColumn(col('json')).statistics).toBe(false);
    expect(parquetColumn(col('jsonb')).statistics).toBe(false);
    expect(parquetColumn(col('text')).statistics).toBe(true);
    expect(parquetColumn(col('bigint')).statistics).toBe(true);
  });
});

describe('values from their text', () => {
  test.each<[string, ColumnInfo, string, unknown]>([
    ['true', col('boolean'), 't', true],
    ['false', col('boolean'), 'f', false],
    ['smallint', col('smallint'), '-32768', -32768],
    ['integer', col('integer'), '2147483647', 2147483647],
    ['bigint beyond 2^53', col('bigint'), '9007199254740993', 9007199254740993n],
    ['bigint min', col('bigint'), '-9223372036854775808', -9223372036854775808n],
    ['double NaN', col('double precision'), 'NaN', NaN],
    ['double -Infinity', col('double precision'), '-Infinity', -Infinity],
    ['double -0', col('double precision'), '-0', -0],
    ['double shortest text', col('double precision'), '0.1', 0.1],
    ['real', col('real'), '3.4028235e+38', 3.4028235e38],
    ['decimal: the unscaled value', col('numeric', { precision: 9, scale: 2 }), '-1234.50', -123450n],
    ['decimal, scale 0', col('numeric', { precision: 18, scale: 0 }), '42', 42n],
    ['decimal below one', col('numeric', { precision: 5, scale: 3 }), '-0.007', -7n],
    ['decimal of 38 digits', col('numeric', { precision: 38, scale: 2 }), '999999999999999999999999999999999999.99', 10n ** 38n - 1n],
    ['unconstrained numeric keeps its text', col('numeric'), '1e-100', Buffer.from('1e-100')],
    ['bytea', col('bytea'), '\\x00ff', Buffer.from([0, 255])],
    ['date', col('date'), '1970-01-02', 1],
    ['timestamp: wall-clock micros', col('timestamp without time zone'), '2000-01-01 00:00:00.5', 946684800500000n],
    ['timestamptz: UTC micros', col('timestamp with time zone'), '2000-01-01 05:30:00+05:30', 946684800000000n],
    ['json: its exact text', col('json'), '{"a": 1, "a": 2}', Buffer.from('{"a": 1, "a": 2}')],
    ['text as UTF-8 bytes', col('text'), 'é😀', Buffer.from('é😀')],
  ])('%s', (_name, c, text, value) => {
    expect(read(c, text)).toEqual(value);
  });

  test.each<[string, ColumnInfo, string, string]>([
    ['timestamptz infinity', col('timestamp with time zone'), 'infinity', `column "c" (timestamp with time zone) holds 'infinity', which Parquet's TIMESTAMP`],
    ['timestamp -infinity', col('timestamp without time zone'), '-infinity', "holds '-infinity'"],
    ['a timestamp past 2^63 microseconds after 1970', col('timestamp with time zone'), '294276-12-31 23:59:59.999999+00', "holds '294276-12-31 23:59:59.999999+00'"],
    ['date infinity', col('date'), 'infinity', "holds 'infinity', which Parquet's DATE cannot hold"],
    ['NaN in a DECIMAL', col('numeric', { precision: 9, scale: 2 }), 'NaN', "holds NaN, which Parquet's DECIMAL(9, 2) cannot hold"],
  ])('%s has no Parquet value: the part fails with unrepresentable_value', (_name, c, text, message) => {
    let err: unknown;
    try {
      read(c, text);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: UNREPRESENTABLE, message: expect.stringContaining(message) });
  });

  test('the last representable microsecond reads', () => {
    expect(read(col('timestamp without time zone'), '294247-01-10 04:00:54.775807')).toBe(2n ** 63n - 1n);
  });
});
