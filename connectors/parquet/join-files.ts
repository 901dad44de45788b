// Joins Parquet files of the same schema into one, page by page without decoding a value: the files' row groups
// follow one another, each page as it was or compressed on the way (`compress`: pages written uncompressed
// become, say, GZIP pages at a level of one's choosing), and one footer lists them all at their new offsets. A
// file is "PAR1", its column chunks (pages, each a Thrift PageHeader and its bytes), its footer (FileMetaData,
// Thrift compact), the footer's length (4 bytes, little-endian) and "PAR1". The joined footer is the first
// file's with every file's row groups, and each leaf column named and annotated as the caller declares it.
import { open } from 'node:fs/promises';
import { T, field, readStruct, setField, writeStruct, type TList, type TStruct } from './thrift-compact';

const MAGIC = Buffer.from('PAR1');

// Field ids and values of parquet.thrift.
const FILE = { SCHEMA: 2, NUM_ROWS: 3, ROW_GROUPS: 4 };
const ROW_GROUP = { COLUMNS: 1, FILE_OFFSET: 5, TOTAL_COMPRESSED_SIZE: 6, ORDINAL: 7 };
const CHUNK = { META_DATA: 3, OFFSET_INDEX_OFFSET: 4, COLUMN_INDEX_OFFSET: 6 };
const META = {
  PATH_IN_SCHEMA: 3, CODEC: 4, TOTAL_COMPRESSED_SIZE: 7, DATA_PAGE_OFFSET: 9, INDEX_PAGE_OFFSET: 10, DICTIONARY_PAGE_OFFSET: 11,
  BLOOM_FILTER_OFFSET: 14,
};
const PAGE = { TYPE: 1, COMPRESSED_SIZE: 3, CRC: 4 };
const PAGE_TYPE = { DATA_PAGE: 0, DICTIONARY_PAGE: 2 };
const ELEMENT = { NAME: 4, CONVERTED_TYPE: 6, LOGICAL_TYPE: 10 };
const UNCOMPRESSED = 0;

/** How the joined file declares a leaf column. */
export interface Leaf {
  name: string;
  /** Its ConvertedType; null: none. */
  convertedType: number | null;
  /** Its LogicalType, when it is to be replaced. */
  logicalType?: TStruct;
}

/** LogicalType JSON (a union: field 12, an empty struct). */
export const JSON_LOGICAL_TYPE: TStruct = [{ id: 12, type: T.STRUCT, value: [] }];

/** Compresses the pages of column chunks written uncompressed. */
export interface PageCompression {
  /** Its CompressionCodec (GZIP is 2). */
  codec: number;
  compress(page: Buffer): Promise<Buffer>;
}

export interface ParquetPiece {
  path: string;
  /** Where its footer starts: everything before, past the first 4 bytes, is column chunks. */
  footerStart: number;
  footer: TStruct;
}

export async function readPiece(path: string): Promise<ParquetPiece> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const tail = Buffer.alloc(8);
    await file.read(tail, 0, 8, size - 8);
    if (size < 12 || !tail.subarray(4).equals(MAGIC)) throw new Error(`${path} is not a Parquet file`);
    const length = tail.readUInt32LE(0);
    const footerStart = size - 8 - length;
    const bytes = Buffer.alloc(length);
    await file.read(bytes, 0, length, footerStart);
    return { path, footerStart, footer: readStruct(bytes).struct };
  } finally {
    await file.close();
  }
}

const list = (s: TStruct, id: number): TStruct[] => ((field(s, id)?.value as TList | undefined)?.items ?? []) as TStruct[];
const i64 = (s: TStruct, id: number): bigint | undefined => field(s, id)?.value as bigint | undefined;

function declare(element: TStruct, leaf: Leaf): void {
  setField(element, ELEMENT.NAME, T.BINARY, Buffer.from(leaf.name));
  setField(element, ELEMENT.CONVERTED_TYPE, T.I32, leaf.convertedType ?? undefined);
  if (leaf.logicalType) setField(element, ELEMENT.LOGICAL_TYPE, T.STRUCT, leaf.logicalType);
}

/**
 * The pages of one column chunk (`bytes`), compressed when asked, each yielded as it is to be written from offset
 * `at`; updates the chunk's metadata to match and returns the chunk's new size.
 */
async function* pages(meta: TStruct, bytes: Buffer, at: number, compression: PageCompression | undefined): AsyncGenerator<Buffer, number> {
  const compress = compression && field(meta, META.CODEC)?.value === UNCOMPRESSED ? compression : undefined;
  let written = 0;
  let data: number | undefined;
  for (let pos = 0; pos < bytes.length;) {
    const { struct: header, bytes: headerBytes } = readStruct(bytes.subarray(pos));
    const type = field(header, PAGE.TYPE)?.value;
    if (type !== PAGE_TYPE.DATA_PAGE && type !== PAGE_TYPE.DICTIONARY_PAGE) throw new Error(`cannot join Parquet pages of type ${type}`);
    const start = pos + headerBytes;
    pos = start + (field(header, PAGE.COMPRESSED_SIZE)?.value as number);
    let body = bytes.subarray(start, pos);
    let head = bytes.subarray(start - headerBytes, start);
    if (compress) {
      body = await compress.compress(body);
      setField(header, PAGE.COMPRESSED_SIZE, T.I32, body.length);
      setField(header, PAGE.CRC, T.I32, undefined);
      head = writeStruct(header);
    }
    if (type === PAGE_TYPE.DICTIONARY_PAGE) setField(meta, META.DICTIONARY_PAGE_OFFSET, T.I64, BigInt(at + written));
    else data ??= at + written;
    yield head;
    yield body;
    written += head.length + body.length;
  }
  if (data === undefined) throw new Error('a Parquet column chunk without a data page');
  setField(meta, META.DATA_PAGE_OFFSET, T.I64, BigInt(data));
  setField(meta, META.TOTAL_COMPRESSED_SIZE, T.I64, BigInt(written));
  if (compress) setField(meta, META.CODEC, T.I32, compress.codec);
  return written;
}

/** The joined file's bytes, read from the pieces as they are wanted; the footer comes last. */
export async function* joinedFile(pieces: ParquetPiece[], leaves: Leaf[], compression?: PageCompression): AsyncIterable<Buffer> {
  if (!pieces.length) throw new Error('no Parquet file to join');
  const groups: TStruct[] = [];
  let rows = 0n;
  let at = MAGIC.length;
  yield MAGIC;
  for (const piece of pieces) {
    const file = await open(piece.path, 'r');
    try {
      for (const group of list(piece.footer, FILE.ROW_GROUPS)) {
        const groupStart = at;
        for (const [i, chunk] of list(group, ROW_GROUP.COLUMNS).entries()) {
          const meta = field(chunk, CHUNK.META_DATA)?.value as TStruct;
          // Page indexes and bloom filters live outside the column chunks and would be left behind: refused.
          if ([CHUNK.OFFSET_INDEX_OFFSET, CHUNK.COLUMN_INDEX_OFFSET].some((id) => field(chunk, id)) || field(meta, META.BLOOM_FILTER_OFFSET) || field(meta, META.INDEX_PAGE_OFFSET)) {
            throw new Error('cannot join Parquet files with page indexes or bloom filters');
          }
          const start = i64(meta, META.DICTIONARY_PAGE_OFFSET) ?? i64(meta, META.DATA_PAGE_OFFSET)!;
          const bytes = Buffer.alloc(Number(i64(meta, META.TOTAL_COMPRESSED_SIZE)));
          await file.read(bytes, 0, bytes.length, Number(start));
          at += yield* pages(meta, bytes, at, compression);
          setField(meta, META.PATH_IN_SCHEMA, T.LIST, { elementType: T.BINARY, items: [Buffer.from(leaves[i].name)] });
        }
        setField(group, ROW_GROUP.FILE_OFFSET, T.I64, BigInt(groupStart));
        if (field(group, ROW_GROUP.TOTAL_COMPRESSED_SIZE)) setField(group, ROW_GROUP.TOTAL_COMPRESSED_SIZE, T.I64, BigInt(at - groupStart));
        if (field(group, ROW_GROUP.ORDINAL)) setField(group, ROW_GROUP.ORDINAL, T.I16, groups.length);
        groups.push(group);
      }
    } finally {
      await file.close();
    }
    rows += i64(piece.footer, FILE.NUM_ROWS) ?? 0n;
  }
  const footer = pieces[0].footer.map((f) => ({ ...f }));
  setField(footer, FILE.NUM_ROWS, T.I64, rows);
  setField(footer, FILE.ROW_GROUPS, T.LIST, { elementType: T.STRUCT, items: groups });
  const elements = list(footer, FILE.SCHEMA).slice(1); // [0] is the root
  if (elements.length !== leaves.length) throw new Error(`the Parquet files have ${elements.length} columns, not ${leaves.length}`);
  elements.forEach((element, i) => declare(element, leaves[i]));
  const bytes = writeStruct(footer);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(bytes.length);
  yield Buffer.concat([bytes, length, MAGIC]);
}
