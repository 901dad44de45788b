// The apply's text[] literals are what node-postgres itself sends for the same values, whatever they hold.
import { textArray } from '../../connectors/postgres/sync/upsert-sql';
import type { RowValues } from '../../domain/change-batch';

// node-postgres's own conversion of a query parameter (untyped: not part of its public types).
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

const values: (string | null)[] = ['plain', '', 'NULL', null, 'with "quotes"', 'back\\slash', '\\"', '{braces},commas', ' spaced ', 'tab\tnew\nline', 'héllo ✓ 𝄞'];

test.each(values.map((v) => [JSON.stringify(v), v]))('%s', (_name, v) => {
  const rows: RowValues[] = [{ c: v }, { c: 'after' }];
  expect(textArray(rows, 'c')).toBe(prepareValue([v, 'after']));
});

test('all values at once; a column the row does not hold is NULL', () => {
  expect(textArray(values.map((c) => ({ c })), 'c')).toBe(prepareValue(values));
  expect(textArray([{ c: 'x' }, { c: undefined }], 'c')).toBe('{"x",NULL}');
  expect(textArray([], 'c')).toBe('{}');
});
