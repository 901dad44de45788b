// Thrift's compact protocol, which Parquet's footer (FileMetaData) is written in, read into a tree that keeps
// every field (known or not) and written back the same way: enough to edit a few fields of a footer by their ids
// without a schema. Integers of 64 bits are bigints; binary values stay bytes.

export const T = { BOOL: 1, BYTE: 3, I16: 4, I32: 5, I64: 6, DOUBLE: 7, BINARY: 8, LIST: 9, SET: 10, MAP: 11, STRUCT: 12, UUID: 13 } as const;
const BOOL_FALSE = 2; // a boolean field's type nibble when false; T.BOOL (1) when true

export type TValue = boolean | number | bigint | Buffer | TStruct | TList | TMap;
export interface TField {
  id: number;
  type: number;
  value: TValue;
}
/** A struct's fields in the order they came. */
export type TStruct = TField[];
export interface TList {
  elementType: number;
  items: TValue[];
}
export interface TMap {
  keyType: number;
  valueType: number;
  entries: [TValue, TValue][];
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('Thrift compact data ends early');
    return this.buf[this.pos++];
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
    }
  }

  zigzag(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }

  bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new Error('Thrift compact data ends early');
    return this.buf.subarray(this.pos, (this.pos += n));
  }

  value(type: number): TValue {
    switch (type) {
      case T.BOOL:
      case BOOL_FALSE:
        return this.byte() === T.BOOL; // inside a list, set or map: one byte each
      case T.BYTE:
        return (this.byte() << 24) >> 24;
      case T.I16:
      case T.I32:
        return Number(this.zigzag());
      case T.I64:
        return this.zigzag();
      case T.DOUBLE:
        return this.bytes(8).readDoubleLE(0);
      case T.BINARY:
        return this.bytes(Number(this.varint()));
      case T.UUID:
        return this.bytes(16);
      case T.LIST:
      case T.SET: {
        const head = this.byte();
        const size = head >> 4 === 15 ? Number(this.varint()) : head >> 4;
        const elementType = head & 15;
        return { elementType, items: Array.from({ length: size }, () => this.value(elementType)) };
      }
      case T.MAP: {
        const size = Number(this.varint());
        const types = size ? this.byte() : 0;
        const [keyType, valueType] = [types >> 4, types & 15];
        return { keyType, valueType, entries: Array.from({ length: size }, () => [this.value(keyType), this.value(valueType)] as [TValue, TValue]) };
      }
      case T.STRUCT:
        return this.struct();
      default:
        throw new Error(`unknown Thrift compact type ${type}`);
    }
  }

  struct(): TStruct {
    const fields: TStruct = [];
    let id = 0;
    for (;;) {
      const head = this.byte();
      if (head === 0) return fields;
      const delta = head >> 4;
      id = delta ? id + delta : Number(this.zigzag());
      const type = head & 15;
      if (type === T.BOOL || type === BOOL_FALSE) fields.push({ id, type: T.BOOL, value: type === T.BOOL });
      else fields.push({ id, type, value: this.value(type) });
    }
  }
}

class Writer {
  private readonly out: number[] = [];

  bytes(): Buffer {
    return Buffer.from(this.out);
  }

  varint(n: bigint): void {
    while (n >= 0x80n) {
      this.out.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.out.push(Number(n));
  }

  zigzag(n: bigint): void {
    this.varint(n >= 0n ? n << 1n : ((-n) << 1n) - 1n);
  }

  raw(b: Buffer): void {
    for (const x of b) this.out.push(x);
  }

  value(type: number, v: TValue): void {
    switch (type) {
      case T.BOOL:
      case BOOL_FALSE:
        this.out.push(v ? T.BOOL : BOOL_FALSE);
        return;
      case T.BYTE:
        this.out.push((v as number) & 0xff);
        return;
      case T.I16:
      case T.I32:
        this.zigzag(BigInt(v as number));
        return;
      case T.I64:
        this.zigzag(v as bigint);
        return;
      case T.DOUBLE: {
        const b = Buffer.alloc(8);
        b.writeDoubleLE(v as number);
        this.raw(b);
        return;
      }
      case T.BINARY:
        this.varint(BigInt((v as Buffer).length));
        this.raw(v as Buffer);
        return;
      case T.UUID:
        this.raw(v as Buffer);
        return;
      case T.LIST:
      case T.SET: {
        const { elementType, items } = v as TList;
        if (items.length < 15) this.out.push((items.length << 4) | elementType);
        else {
          this.out.push(0xf0 | elementType);
          this.varint(BigInt(items.length));
        }
        for (const item of items) this.value(elementType, item);
        return;
      }
      case T.MAP: {
        const { keyType, valueType, entries } = v as TMap;
        this.varint(BigInt(entries.length));
        if (entries.length) this.out.push((keyType << 4) | valueType);
        for (const [k, x] of entries) {
          this.value(keyType, k);
          this.value(valueType, x);
        }
        return;
      }
      case T.STRUCT:
        this.struct(v as TStruct);
        return;
      default:
        throw new Error(`unknown Thrift compact type ${type}`);
    }
  }

  struct(fields: TStruct): void {
    let last = 0;
    for (const { id, type, value } of fields) {
      const wire = type === T.BOOL ? (value ? T.BOOL : BOOL_FALSE) : type;
      if (id > last && id - last <= 15) this.out.push(((id - last) << 4) | wire);
      else {
        this.out.push(wire);
        this.zigzag(BigInt(id));
      }
      last = id;
      if (type !== T.BOOL) this.value(type, value);
    }
    this.out.push(0);
  }
}

/** The struct at the start of `buf`, and how many bytes it took. */
export function readStruct(buf: Buffer): { struct: TStruct; bytes: number } {
  const reader = new Reader(buf);
  const struct = reader.struct();
  return { struct, bytes: reader.pos };
}

export function writeStruct(struct: TStruct): Buffer {
  const writer = new Writer();
  writer.struct(struct);
  return writer.bytes();
}

/** The field `id` of a struct, if it has one. */
export const field = (s: TStruct, id: number): TField | undefined => s.find((f) => f.id === id);

/** Sets field `id` (kept in id order), or removes it when `value` is undefined. */
export function setField(s: TStruct, id: number, type: number, value: TValue | undefined): void {
  const at = s.findIndex((f) => f.id >= id);
  const present = at >= 0 && s[at].id === id;
  if (value === undefined) {
    if (present) s.splice(at, 1);
  } else if (present) s[at] = { id, type, value };
  else s.splice(at < 0 ? s.length : at, 0, { id, type, value });
}
