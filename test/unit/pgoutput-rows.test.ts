// Sluice's decoding of pgoutput row messages gives what the library's own parser gives (values left as text),
// message by message: inserts, updates with and without an old key or old row, deletes, NULLs, unchanged TOAST
// values, multibyte text, and a column called __proto__.
import { PgoutputParser } from 'pg-logical-replication/dist/output-plugins/pgoutput/pgoutput-parser';
import type { Pgoutput } from 'pg-logical-replication';
import { decodeRowMessage, isRowMessage } from '../../connectors/postgres/sync/pgoutput-rows';

type Value = string | null | 'UNCHANGED';
const UNCHANGED = 'UNCHANGED' as const;

const str = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
const int16 = (n: number) => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };
const int32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
const byte = (c: string) => Buffer.from(c, 'latin1');

const relationMessage = (oid: number, columns: { name: string; key?: boolean }[]) =>
  Buffer.concat([
    byte('R'), int32(oid), str('public'), str('t'), byte('d'), int16(columns.length),
    ...columns.flatMap((c) => [Buffer.from([c.key ? 1 : 0]), str(c.name), int32(25), int32(-1)]),
  ]);

const tuple = (values: Value[]) =>
  Buffer.concat([
    int16(values.length),
    ...values.map((v) => {
      if (v === null) return byte('n');
      if (v === UNCHANGED) return byte('u');
      const text = Buffer.from(v, 'utf8');
      return Buffer.concat([byte('t'), int32(text.length), text]);
    }),
  ]);

const OID = 16384;
const COLUMNS = [{ name: 'id', key: true }, { name: 'note' }, { name: 'big' }];
const WEIRD = [{ name: '__proto__', key: true }, { name: 'x' }];

const cases: [string, typeof COLUMNS, Buffer][] = [
  ['insert', COLUMNS, Buffer.concat([byte('I'), int32(OID), byte('N'), tuple(['1', 'héllo ✓ 𝄞', null])])],
  ['insert of empty text', COLUMNS, Buffer.concat([byte('I'), int32(OID), byte('N'), tuple(['2', '', ''])])],
  ['update, key unchanged, TOAST unchanged', COLUMNS, Buffer.concat([byte('U'), int32(OID), byte('N'), tuple(['1', 'x', UNCHANGED])])],
  ['update of the key', COLUMNS, Buffer.concat([byte('U'), int32(OID), byte('K'), tuple(['1', null, null]), byte('N'), tuple(['9', 'y', UNCHANGED])])],
  ['update with the old row (REPLICA IDENTITY FULL)', COLUMNS, Buffer.concat([byte('U'), int32(OID), byte('O'), tuple(['1', 'a', 'kept']), byte('N'), tuple(['1', 'b', UNCHANGED])])],
  ['delete by key', COLUMNS, Buffer.concat([byte('D'), int32(OID), byte('K'), tuple(['5', null, null])])],
  ['delete with the old row', COLUMNS, Buffer.concat([byte('D'), int32(OID), byte('O'), tuple(['5', null, 'v'])])],
  ['a column called __proto__', WEIRD, Buffer.concat([byte('I'), int32(OID), byte('N'), tuple(['k', 'v'])])],
];

const plain = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (x === undefined ? '<undefined>' : x)));

test.each(cases)('%s: as the library decodes it', (_name, columns, message) => {
  const library = new PgoutputParser();
  const rel = library.parse(relationMessage(OID, columns)) as Pgoutput.MessageRelation;
  for (const c of rel.columns) c.parser = (raw: unknown) => raw;
  expect(isRowMessage(message)).toBe(true);
  const ours = decodeRowMessage(message, (oid) => (oid === OID ? rel : undefined));
  const theirs = library.parse(message);
  expect(plain(ours)).toEqual(plain(theirs));
  if (columns === WEIRD) expect(Object.keys((ours as Pgoutput.MessageInsert).new)).toEqual(['__proto__', 'x']);
});

test('a change of a relation not described yet, and a truncated message, are errors', () => {
  const insert = Buffer.concat([byte('I'), int32(OID), byte('N'), tuple(['1', 'a', 'b'])]);
  expect(() => decodeRowMessage(insert, () => undefined)).toThrow(/before its Relation message/);
  const rel = new PgoutputParser().parse(relationMessage(OID, COLUMNS)) as Pgoutput.MessageRelation;
  expect(() => decodeRowMessage(insert.subarray(0, insert.length - 1), () => rel)).toThrow(/end of message/);
});

test('other messages are left to the library', () => {
  expect(isRowMessage(relationMessage(OID, COLUMNS))).toBe(false);
  expect(isRowMessage(byte('C'))).toBe(false);
});
