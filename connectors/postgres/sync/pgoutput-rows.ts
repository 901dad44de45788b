// Row messages of pgoutput (insert, update, delete) decoded straight from the buffer, values as the text
// PostgreSQL sent: the apply reads millions of them, and the library's decoding (a type parser call, a decoder
// call and a buffer view per value, tuples as dictionaries) is most of what the stream costs in the worker.
// Same shapes as the library's messages; the other messages stay the library's.
import type { Pgoutput } from 'pg-logical-replication';

type Relation = Pgoutput.MessageRelation;
type Tuple = Record<string, string | null | undefined>;
export type RowMessage = Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete;

const INSERT = 0x49; // I
const UPDATE = 0x55; // U
const DELETE = 0x44; // D
const KEY = 0x4b; // K
const OLD = 0x4f; // O
const NEW = 0x4e; // N

export const isRowMessage = (buf: Buffer): boolean => buf[0] === INSERT || buf[0] === UPDATE || buf[0] === DELETE;

// A column may be called __proto__: such a relation's tuples have no prototype to set.
const tupleFor = (rel: Relation): Tuple => (rel.columns.some((c) => c.name === '__proto__') ? Object.create(null) : {});

class Reader {
  pos = 1;
  constructor(readonly buf: Buffer) {}

  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('pgoutput: unexpected end of message');
    return this.buf[this.pos++];
  }

  int32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** TupleData; 'u' (a TOASTed value the change left alone) takes `unchanged`'s value, else undefined. */
  tuple(rel: Relation, unchanged: Tuple | null): Tuple {
    const n = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    const row = tupleFor(rel);
    const { columns } = rel;
    for (let i = 0; i < n; i++) {
      const name = columns[i].name;
      const kind = this.byte();
      if (kind === 0x74 /* t */) {
        const len = this.int32();
        const end = this.pos + len;
        if (end > this.buf.length) throw new Error('pgoutput: unexpected end of message');
        row[name] = this.buf.toString('utf8', this.pos, end);
        this.pos = end;
      } else if (kind === 0x6e /* n */) {
        row[name] = null;
      } else if (kind === 0x75 /* u */) {
        row[name] = unchanged ? unchanged[name] : undefined;
      } else {
        throw new Error(`pgoutput: unexpected column kind ${String.fromCharCode(kind)} (binary output is not asked for)`);
      }
    }
    return row;
  }

  /** A 'K' tuple: only the replica identity's columns mean anything. */
  keyTuple(rel: Relation): Tuple {
    const all = this.tuple(rel, null);
    const key = tupleFor(rel);
    for (const k of rel.keyColumns) key[k] = all[k] === null ? undefined : all[k];
    return key;
  }
}

/** Decodes an insert, update or delete; `relationOf` gives the relation its Relation message described. */
export function decodeRowMessage(buf: Buffer, relationOf: (oid: number) => Relation | undefined): RowMessage {
  const r = new Reader(buf);
  const tag = buf[0];
  const oid = r.int32() >>> 0;
  const relation = relationOf(oid);
  if (!relation) throw new Error(`pgoutput: a change of relation ${oid} before its Relation message`);
  if (tag === INSERT) {
    r.byte(); // N
    return { tag: 'insert', relation, new: r.tuple(relation, null) };
  }
  const sub = r.byte();
  if (tag === DELETE) {
    if (sub === KEY) return { tag: 'delete', relation, key: r.keyTuple(relation), old: null };
    if (sub === OLD) return { tag: 'delete', relation, key: null, old: r.tuple(relation, null) };
    throw new Error(`pgoutput: unexpected delete part ${String.fromCharCode(sub)}`);
  }
  if (sub === NEW) return { tag: 'update', relation, key: null, old: null, new: r.tuple(relation, null) };
  if (sub !== KEY && sub !== OLD) throw new Error(`pgoutput: unexpected update part ${String.fromCharCode(sub)}`);
  const key = sub === KEY ? r.keyTuple(relation) : null;
  const old = sub === OLD ? r.tuple(relation, null) : null;
  if (r.byte() !== NEW) throw new Error('pgoutput: an update without its new row');
  return { tag: 'update', relation, key, old, new: r.tuple(relation, old) };
}
