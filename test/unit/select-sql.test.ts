// The SELECT and COPY statements of an extraction: names are quoted identifiers, and values only ever travel as
// bind values (read back with current_setting()), never in the SQL text.
import type { ColumnInfo, PartRange, ResolvedFilter, SelectSpec, SplitStrategy } from '../../domain/plan';
import { bindValuesSql, copySql, selectSql } from '../../connectors/postgres/select-sql';

const p = (i: number, type: string) => `current_setting('sluice.p${i}')::${type}`;
const list = (i: number, type: string) => `(SELECT v::${type} FROM jsonb_array_elements_text(current_setting('sluice.p${i}')::jsonb) AS v)`;

const ID: ColumnInfo = { name: 'id', type: 'bigint' };
const table = (spec: Partial<SelectSpec & { kind: 'table' }> = {}): SelectSpec => ({
  kind: 'table',
  schema: 'public',
  name: 'orders',
  columns: [ID, { name: 'status', type: 'text' }],
  filter: [],
  orderBy: [],
  ...spec,
});
const FROM = 'SELECT "id", "status" FROM "public"."orders"';

describe('identifiers are quoted', () => {
  test.each([
    ['plain names', table(), FROM],
    [
      'a column with a double quote and a table with a space',
      table({ schema: 'Sales', name: 'Order Items', columns: [{ name: 'we"ird', type: 'text' }, { name: 'Total', type: 'numeric' }] }),
      'SELECT "we""ird", "Total" FROM "Sales"."Order Items"',
    ],
    [
      'a name that tries to end the statement',
      table({ name: 'x"; DROP TABLE users; --', columns: [ID] }),
      'SELECT "id" FROM "public"."x""; DROP TABLE users; --"',
    ],
    [
      'filter and order columns',
      table({
        columns: [ID],
        filter: [{ column: 'we"ird', type: 'text', op: 'is_null' }],
        orderBy: [{ column: 'Created At', direction: 'desc' }],
      }),
      'SELECT "id" FROM "public"."orders" WHERE "we""ird" IS NULL ORDER BY "Created At" DESC',
    ],
  ])('%s', (_name, spec, text) => {
    expect(selectSql(spec, 'single-stream')).toEqual({ text, values: [] });
  });
});

describe('filter operators', () => {
  test.each<[string, ResolvedFilter, string, string[]]>([
    ['eq', { column: 'status', type: 'text', op: 'eq', value: 'paid' }, `"status" = ${p(0, 'text')}`, ['paid']],
    ['ne', { column: 'status', type: 'text', op: 'ne', value: 'paid' }, `"status" <> ${p(0, 'text')}`, ['paid']],
    ['lt', { column: 'total', type: 'numeric(10,2)', op: 'lt', value: 9.99 }, `"total" < ${p(0, 'numeric(10,2)')}`, ['9.99']],
    ['lte', { column: 'at', type: 'timestamp with time zone', op: 'lte', value: '2024-01-01T00:00:00Z' }, `"at" <= ${p(0, 'timestamp with time zone')}`, ['2024-01-01T00:00:00Z']],
    ['gt', { column: 'id', type: 'bigint', op: 'gt', value: 10 }, `"id" > ${p(0, 'bigint')}`, ['10']],
    ['gte', { column: 'ok', type: 'boolean', op: 'gte', value: true }, `"ok" >= ${p(0, 'boolean')}`, ['true']],
    ['in', { column: 'id', type: 'integer', op: 'in', value: [1, 2, 3] }, `"id" IN ${list(0, 'integer')}`, ['["1","2","3"]']],
    ['not_in', { column: 'status', type: 'text', op: 'not_in', value: ['a', 'b"c'] }, `"status" NOT IN ${list(0, 'text')}`, ['["a","b\\"c"]']],
    ['like', { column: 'name', type: 'character varying(20)', op: 'like', value: 'A%' }, `"name"::text LIKE ${p(0, 'text')}`, ['A%']],
    ['ilike', { column: 'id', type: 'bigint', op: 'ilike', value: '%7' }, `"id"::text ILIKE ${p(0, 'text')}`, ['%7']],
    ['is_null', { column: 'status', type: 'text', op: 'is_null' }, '"status" IS NULL', []],
    ['is_not_null', { column: 'status', type: 'text', op: 'is_not_null' }, '"status" IS NOT NULL', []],
  ])('%s', (_op, filter, condition, values) => {
    expect(selectSql(table({ filter: [filter] }), 'single-stream')).toEqual({ text: `${FROM} WHERE ${condition}`, values });
  });

  it('joins several conditions with AND and numbers their values in order', () => {
    const spec = table({
      filter: [
        { column: 'status', type: 'text', op: 'in', value: ['paid', 'sent'] },
        { column: 'deleted_at', type: 'timestamp', op: 'is_null' },
        { column: 'id', type: 'bigint', op: 'gte', value: 100 },
      ],
    });
    expect(selectSql(spec, 'single-stream')).toEqual({
      text: `${FROM} WHERE "status" IN ${list(0, 'text')} AND "deleted_at" IS NULL AND "id" >= ${p(1, 'bigint')}`,
      values: ['["paid","sent"]', '100'],
    });
  });
});

describe('user values never enter the SQL text', () => {
  const EVIL = ["'; DROP TABLE x; --", "' OR '1'='1", '$$ x $$', "current_setting('x')", '"quoted"', 'back\\slash', 'new\nline'];

  test.each(EVIL.flatMap((v) => (['eq', 'ne', 'lt', 'like', 'ilike', 'in', 'not_in'] as const).map((op) => [op, v] as const)))('%s %j', (op, value) => {
    const isList = op === 'in' || op === 'not_in';
    const { text, values } = selectSql(table({ splitColumn: ID, filter: [{ column: 'status', type: 'text', op, value: isList ? [value] : value }] }), 'key-range', { from: value });
    expect(text).not.toContain(value);
    expect(values).toEqual(isList ? [JSON.stringify([value]), value] : [value, value]);
    expect(copySql({ text, values }, 'csv').text).not.toContain(value);
    expect(bindValuesSql(values)!.text).not.toContain(value);
  });
});

describe('part ranges', () => {
  const keyed = table({ splitColumn: ID });

  test.each<[string, SelectSpec, SplitStrategy, PartRange, string, string[]]>([
    ['key range, both bounds', keyed, 'key-range', { from: '100', to: '200' }, `WHERE "id" >= ${p(0, 'bigint')} AND "id" < ${p(1, 'bigint')}`, ['100', '200']],
    ['key range, first part', keyed, 'key-range', { to: '100' }, `WHERE "id" < ${p(0, 'bigint')}`, ['100']],
    ['key range, last part', keyed, 'key-range', { from: '9007199254740993' }, `WHERE "id" >= ${p(0, 'bigint')}`, ['9007199254740993']],
    ['key range, single open part', keyed, 'key-range', {}, '', []],
    ['block range, both bounds', table(), 'block-range', { from: '3', to: '6' }, `WHERE ctid >= ${p(0, 'tid')} AND ctid < ${p(1, 'tid')}`, ['(3,0)', '(6,0)']],
    ['block range, first part', table(), 'block-range', { to: '3' }, `WHERE ctid < ${p(0, 'tid')}`, ['(3,0)']],
    ['block range, last part', table(), 'block-range', { from: '6' }, `WHERE ctid >= ${p(0, 'tid')}`, ['(6,0)']],
    ['single stream ignores any range', keyed, 'single-stream', { from: '1', to: '2' }, '', []],
    ['key range without a split column adds nothing', table(), 'key-range', { from: '1', to: '2' }, '', []],
  ])('%s', (_name, spec, strategy, range, where, values) => {
    expect(selectSql(spec, strategy, range)).toEqual({ text: where ? `${FROM} ${where}` : FROM, values });
  });

  it('puts range bounds after the filter values, with the key column quoted and cast to its type', () => {
    const spec = table({
      splitColumn: { name: 'Order Id', type: 'integer' },
      filter: [{ column: 'status', type: 'text', op: 'eq', value: 'paid' }],
      orderBy: [{ column: 'Order Id', direction: 'desc' }],
    });
    expect(selectSql(spec, 'key-range', { from: '5', to: '9' })).toEqual({
      text: `${FROM} WHERE "status" = ${p(0, 'text')} AND "Order Id" >= ${p(1, 'integer')} AND "Order Id" < ${p(2, 'integer')} ORDER BY "Order Id" DESC`,
      values: ['paid', '5', '9'],
    });
  });
});

describe('order', () => {
  test.each<[string, { column: string; direction: 'asc' | 'desc' }[], string]>([
    ['none', [], ''],
    ['one ascending', [{ column: 'id', direction: 'asc' }], ' ORDER BY "id" ASC'],
    ['several', [{ column: 'status', direction: 'desc' }, { column: 'id', direction: 'asc' }], ' ORDER BY "status" DESC, "id" ASC'],
  ])('%s', (_name, orderBy, clause) => {
    expect(selectSql(table({ orderBy }), 'single-stream').text).toBe(FROM + clause);
  });
});

describe('query kind', () => {
  const spec: SelectSpec = { kind: 'query', query: "SELECT * FROM t WHERE note = 'x'", columns: [] };

  test.each<[SplitStrategy, PartRange]>([
    ['single-stream', {}],
    ['key-range', { from: '1', to: '2' }],
    ['block-range', { from: '1' }],
  ])('wraps the query as a subselect (%s)', (strategy, range) => {
    expect(selectSql(spec, strategy, range)).toEqual({ text: "SELECT * FROM (SELECT * FROM t WHERE note = 'x') AS sluice_q", values: [] });
  });
});

describe('copySql', () => {
  const select = selectSql(table({ filter: [{ column: 'status', type: 'text', op: 'eq', value: 'paid' }] }), 'single-stream');

  test.each([
    ['csv', `COPY (${select.text}) TO STDOUT WITH (FORMAT csv, HEADER true)`],
    ['ndjson', `COPY (SELECT row_to_json(sluice_r) FROM (${select.text}) AS sluice_r) TO STDOUT`],
    ['parquet', `COPY (${select.text}) TO STDOUT`],
  ] as const)('%s', (format, text) => {
    expect(copySql(select, format)).toEqual({ text, values: ['paid'] });
  });
});

describe('bindValuesSql', () => {
  test.each([
    [[], null],
    [['paid'], { text: "SELECT set_config('sluice.p0', $1, true)", values: ['paid'] }],
    [
      ['a', "'; DROP TABLE x; --", 'c'],
      {
        text: "SELECT set_config('sluice.p0', $1, true), set_config('sluice.p1', $2, true), set_config('sluice.p2', $3, true)",
        values: ['a', "'; DROP TABLE x; --", 'c'],
      },
    ],
  ])('%j', (values, expected) => {
    expect(bindValuesSql(values)).toEqual(expected);
  });

  it('sets exactly the parameters the statement reads', () => {
    const select = selectSql(table({ splitColumn: ID, filter: [{ column: 'status', type: 'text', op: 'in', value: ['a'] }] }), 'key-range', { from: '1', to: '9' });
    const read = [...select.text.matchAll(/current_setting\('(sluice\.p\d+)'\)/g)].map((m) => m[1]);
    const set = [...bindValuesSql(select.values)!.text.matchAll(/set_config\('(sluice\.p\d+)'/g)].map((m) => m[1]);
    expect(read).toEqual(set);
    expect(set).toEqual(['sluice.p0', 'sluice.p1', 'sluice.p2']);
  });
});
