// The body of POST /v1/extractions: what is accepted (with defaults filled in) and what is refused, and where.
import { extractionRequestSchema, FILTER_OPERATORS, splitTableName } from '../../domain/extraction-request';

const DEFAULTS = { format: 'csv', compression: 'gzip', mode: 'auto', timeZone: 'UTC' };

// The issues of a refused body, as "path: message" lines (path "" for the body itself).
function refusals(body: unknown): { path: string; message: string }[] {
  const result = extractionRequestSchema.safeParse(body);
  if (result.success) throw new Error(`expected ${JSON.stringify(body)} to be refused`);
  return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('accepted requests', () => {
  test.each([
    ['minimal table', { source: 'main', table: 'orders' }, { source: 'main', table: 'orders', ...DEFAULTS }],
    ['schema-qualified table', { source: 'main', table: 'sales.orders' }, { source: 'main', table: 'sales.orders', ...DEFAULTS }],
    ['minimal query', { source: 'main', query: 'SELECT 1' }, { source: 'main', query: 'SELECT 1', ...DEFAULTS }],
    [
      'everything given',
      {
        source: 'main',
        table: 'orders',
        columns: ['id', 'total'],
        filter: [{ column: 'status', op: 'in', value: ['paid', 'sent'] }],
        orderBy: [{ column: 'id', direction: 'desc' }],
        format: 'ndjson',
        compression: 'none',
        mode: 'job',
        timeZone: 'Europe/Paris',
      },
      null, // unchanged
    ],
    [
      'orderBy direction defaults to asc',
      { source: 'main', table: 'orders', orderBy: [{ column: 'id' }] },
      { source: 'main', table: 'orders', orderBy: [{ column: 'id', direction: 'asc' }], ...DEFAULTS },
    ],
  ])('%s', (_name, body, expected) => {
    expect(extractionRequestSchema.parse(body)).toEqual(expected ?? body);
  });

  test.each(['auto', 'inline', 'job'])('mode %s', (mode) => {
    expect(extractionRequestSchema.parse({ source: 'main', table: 'orders', mode }).mode).toBe(mode);
  });

  // Each operator with a value shape it takes.
  const FILTER_CASES: [string, unknown][] = [
    ['eq', 1],
    ['eq', true],
    ['ne', 'x'],
    ['lt', 2.5],
    ['lte', '2024-01-01'],
    ['gt', 0],
    ['gte', -1],
    ['in', [1, 2, 3]],
    ['not_in', ['a']],
    ['like', 'a%'],
    ['ilike', '%B%'],
    ['is_null', undefined],
    ['is_not_null', undefined],
  ];

  test.each(FILTER_CASES)('filter op %s with value %j', (op, value) => {
    const condition = value === undefined ? { column: 'c', op } : { column: 'c', op, value };
    const parsed = extractionRequestSchema.parse({ source: 'main', table: 't', filter: [condition] });
    expect(parsed.filter).toEqual([condition]);
  });

  it('the filter table covers every operator', () => {
    expect(new Set(FILTER_CASES.map(([op]) => op))).toEqual(new Set(FILTER_OPERATORS));
  });
});

describe('refused requests name the field at fault', () => {
  test.each([
    ['both table and query', { source: 's', table: 't', query: 'SELECT 1' }, 'query', '"query" cannot be combined with "table"'],
    ['neither table nor query', { source: 's' }, 'table', 'give either "table" or "query"'],
    ['columns with query', { source: 's', query: 'SELECT 1', columns: ['a'] }, 'columns', '"columns" applies to "table"'],
    ['filter with query', { source: 's', query: 'SELECT 1', filter: [{ column: 'a', op: 'is_null' }] }, 'filter', '"filter" applies to "table"'],
    ['orderBy with query', { source: 's', query: 'SELECT 1', orderBy: [{ column: 'a' }] }, 'orderBy', '"orderBy" applies to "table"'],
    ['in without an array', { source: 's', table: 't', filter: [{ column: 'a', op: 'in', value: 'x' }] }, 'filter.0.value', 'in needs an array of values'],
    ['not_in without an array', { source: 's', table: 't', filter: [{ column: 'a', op: 'not_in', value: 3 }] }, 'filter.0.value', 'not_in needs an array of values'],
    ['eq with an array', { source: 's', table: 't', filter: [{ column: 'a', op: 'eq', value: [1] }] }, 'filter.0.value', 'eq takes a single value; use "in" for a list'],
    ['eq without a value', { source: 's', table: 't', filter: [{ column: 'a', op: 'eq' }] }, 'filter.0.value', 'eq needs a value'],
    ['in with an empty array', { source: 's', table: 't', filter: [{ column: 'a', op: 'in', value: [] }] }, 'filter.0.value', ''],
    ['is_null with a value', { source: 's', table: 't', filter: [{ column: 'a', op: 'is_null', value: 1 }] }, 'filter.0.value', 'is_null takes no value'],
    ['is_not_null with a value', { source: 's', table: 't', filter: [{ column: 'a', op: 'is_not_null', value: null }] }, 'filter.0.value', ''],
    ['unknown operator', { source: 's', table: 't', filter: [{ column: 'a', op: 'between', value: 1 }] }, 'filter.0.op', 'op must be one of eq, ne'],
    ['second filter at fault', { source: 's', table: 't', filter: [{ column: 'a', op: 'is_null' }, { column: 'b', op: 'gt' }] }, 'filter.1.value', 'gt needs a value'],
    ['unknown mode', { source: 's', table: 't', mode: 'batch' }, 'mode', 'expected one of "auto"|"inline"|"job"'],
    ['bad format', { source: 's', table: 't', format: 'xml' }, 'format', 'expected one of "csv"|"ndjson"|"parquet"'],
    ['bad compression', { source: 's', table: 't', compression: 'brotli' }, 'compression', ''],
    ['snappy for CSV', { source: 's', table: 't', compression: 'snappy' }, 'compression', 'snappy compresses Parquet pages only'],
    ['snappy for NDJSON', { source: 's', table: 't', format: 'ndjson', compression: 'snappy' }, 'compression', 'snappy compresses Parquet pages only'],
    ['three-part table name', { source: 's', table: 'db.sales.orders' }, 'table', 'use "table" or "schema.table"'],
    ['empty column list', { source: 's', table: 't', columns: [] }, 'columns', ''],
    ['over-long column name', { source: 's', table: 't', columns: ['x'.repeat(64)] }, 'columns.0', 'PostgreSQL identifiers are at most 63 bytes'],
    ['bad order direction', { source: 's', table: 't', orderBy: [{ column: 'id', direction: 'up' }] }, 'orderBy.0.direction', ''],
    ['missing source', { table: 't' }, 'source', ''],
  ])('%s → %s', (_name, body, path, message) => {
    expect(refusals(body)).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  test.each([
    ['unknown top-level key', { source: 's', table: 't', limit: 10 }, '', 'limit'],
    ['unknown key in a filter', { source: 's', table: 't', filter: [{ column: 'a', op: 'eq', value: 1, negate: true }] }, 'filter.0', 'negate'],
    ['unknown key in an orderBy', { source: 's', table: 't', orderBy: [{ column: 'a', nulls: 'first' }] }, 'orderBy.0', 'nulls'],
  ])('strict: %s', (_name, body, path, key) => {
    expect(refusals(body)).toContainEqual({ path, message: expect.stringContaining(`"${key}"`) });
  });
});

// PostgreSQL text holds no NUL and UTF-8 has no unpaired surrogate: every string of a request that could carry
// one is refused at the field, with a hint, before anything reaches a database.
describe('strings PostgreSQL cannot hold are refused at their field', () => {
  const at = (s: string) => [
    ['source', { source: s, table: 't' }],
    ['table', { source: 'main', table: s }],
    ['table', { source: 'main', table: `sales.${s}` }],
    ['columns.1', { source: 'main', table: 't', columns: ['id', s] }],
    ['filter.0.column', { source: 'main', table: 't', filter: [{ column: s, op: 'is_null' }] }],
    ['filter.0.value', { source: 'main', table: 't', filter: [{ column: 'c', op: 'eq', value: s }] }],
    ['filter.0.value', { source: 'main', table: 't', filter: [{ column: 'c', op: 'like', value: `%${s}%` }] }],
    ['filter.0.value.2', { source: 'main', table: 't', filter: [{ column: 'c', op: 'in', value: ['a', 'b', s] }] }],
    ['orderBy.0.column', { source: 'main', table: 't', orderBy: [{ column: s }] }],
    ['query', { source: 'main', query: `SELECT 1 AS "${s}"` }],
    ['query', { source: 'main', query: `SELECT '${s}'::text` }],
    ['timeZone', { source: 'main', table: 't', timeZone: s }],
  ] as const;

  test.each(at('a\u0000b'))('NUL in %s', (path, body) => {
    const result = extractionRequestSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([
      expect.objectContaining({ path: path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: expect.stringContaining('NUL'), params: { hint: expect.any(String) } }),
    ]);
  });

  test.each([...at('\ud800'), ...at('x\udfff')])('an unpaired surrogate in %s', (path, body) => {
    expect(refusals(body)).toEqual([{ path, message: expect.stringContaining('unpaired UTF-16 surrogate') }]);
  });

  test.each(['\u{1F600}', 'caf\u00e9', 'z\u200dw', '\u202eRTL', '\ufeffBOM', 'ｆｕｌｌ'])('other Unicode is accepted: %j', (s) => {
    expect(extractionRequestSchema.safeParse({ source: s, table: s, columns: [s], filter: [{ column: s, op: 'eq', value: s }], timeZone: s }).success).toBe(true);
  });

  test('a value of another shape says what a value may be', () => {
    for (const value of [{}, null, [[1]], [{}]]) {
      expect(refusals({ source: 'main', table: 't', filter: [{ column: 'c', op: value && Array.isArray(value) ? 'in' : 'eq', value }] })).toContainEqual({
        path: expect.stringMatching(/^filter\.0\.value/), message: expect.stringContaining('string, a number or a boolean'),
      });
    }
  });

  test('prototype keys are unknown keys, and pollute nothing', () => {
    const body = JSON.parse('{"source":"main","table":"t","__proto__":{"polluted":1},"filter":[{"column":"c","op":"is_null","constructor":{"prototype":{"polluted":1}}}]}');
    expect(refusals(body)).toEqual(expect.arrayContaining([
      { path: '', message: expect.stringContaining('"__proto__"') },
      { path: 'filter.0', message: expect.stringContaining('"constructor"') },
    ]));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('splitTableName', () => {
  test.each([
    ['orders', { schema: 'public', name: 'orders' }],
    ['sales.orders', { schema: 'sales', name: 'orders' }],
    ['Order Items', { schema: 'public', name: 'Order Items' }],
    ['My Schema.Order Items', { schema: 'My Schema', name: 'Order Items' }],
  ])('%s → %j', (table, expected) => {
    expect(splitTableName(table)).toEqual(expected);
  });
});
