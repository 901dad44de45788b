// What the catalog's numbers mean, and the names a Parquet file can take.
import { numericDigits, requireDistinctNames } from '../../connectors/postgres/catalog';

// atttypmod / RowDescription's type modifier of numeric(precision, scale), as PostgreSQL packs it.
const typmod = (precision: number, scale: number) => ((precision << 16) | (scale & 0x7ff)) + 4;

test.each([
  ['numeric', typmod(10, 2), { precision: 10, scale: 2 }],
  ['numeric', typmod(1000, 0), { precision: 1000, scale: 0 }],
  ['numeric', typmod(5, -3), { precision: 5, scale: -3 }],
  ['numeric', typmod(3, 7), { precision: 3, scale: 7 }],
  ['numeric', -1, {}],
  ['integer', -1, {}],
  ['character varying', 14, {}],
])('numericDigits(%s, %d) = %j', (type, mod, digits) => {
  expect(numericDigits(type, mod)).toEqual(digits);
});

test('distinct names pass; a repeated name is refused like PostgreSQL refuses a duplicate column', () => {
  expect(() => requireDistinctNames([{ name: 'a', type: 'integer' }, { name: 'A', type: 'integer' }])).not.toThrow();
  expect(() => requireDistinctNames([{ name: 'a', type: 'integer' }, { name: 'b', type: 'text' }, { name: 'a', type: 'text' }])).toThrow(
    expect.objectContaining({ code: '42701', message: 'the query returns more than one column named "a"', field: 'query' }),
  );
});
