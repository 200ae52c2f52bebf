// Decodes pgoutput's logical replication messages, protocol version 1 (the "Logical Replication Message Formats"
// chapter of the PostgreSQL documentation). Values stay as the server's text; turning them into Ferry's values is
// the change decoder's job, which knows each column's type. Messages Ferry does not use (Origin, Type, logical
// decoding Message) decode to `ignored`.

/** One column value of a tuple: null, unchanged TOAST (the log did not carry it), or its text form. */
export type TupleValue = null | { unchanged: true } | string;

export interface RelationColumn {
  name: string;
  typeOid: number;
  typeModifier: number;
  /** Part of the replica identity (the key under the default identity; every column under FULL). */
  isKey: boolean;
}

export type PgoutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTime: bigint; xid: number }
  | { tag: 'commit'; commitLsn: bigint; endLsn: bigint; commitTime: bigint }
  | {
      tag: 'relation';
      relationOid: number;
      namespace: string;
      name: string;
      /** pg_class.relreplident: d default, n nothing, f full, i index. */
      replicaIdentity: string;
      columns: RelationColumn[];
    }
  | { tag: 'insert'; relationOid: number; newTuple: TupleValue[] }
  | { tag: 'update'; relationOid: number; oldKey?: TupleValue[]; oldTuple?: TupleValue[]; newTuple: TupleValue[] }
  | { tag: 'delete'; relationOid: number; oldKey?: TupleValue[]; oldTuple?: TupleValue[] }
  | { tag: 'truncate'; relationOids: number[] }
  | { tag: 'ignored' };

const unchanged = { unchanged: true } as const;

class Reader {
  private offset = 0;
  private readonly buffer: Buffer;
  constructor(buffer: Buffer) {
    this.buffer = buffer;
  }
  byte(): number {
    return this.buffer.readUInt8(this.offset++);
  }
  int16(): number {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32(): number {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  uint32(): number {
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  int64(): bigint {
    const value = this.buffer.readBigUInt64BE(this.offset);
    this.offset += 8;
    return value;
  }
  /** A NUL-terminated string. */
  string(): string {
    const end = this.buffer.indexOf(0, this.offset);
    if (end < 0) throw new Error('pgoutput: unterminated string');
    const value = this.buffer.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return value;
  }
  text(length: number): string {
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
}

function readTuple(reader: Reader): TupleValue[] {
  const count = reader.int16();
  const values: TupleValue[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const kind = reader.byte();
    if (kind === 0x6e /* n */) values[index] = null;
    else if (kind === 0x75 /* u */) values[index] = unchanged;
    else if (kind === 0x74 /* t */) values[index] = reader.text(reader.int32());
    else throw new Error(`pgoutput: unexpected tuple value kind 0x${kind.toString(16)} (binary mode is not used)`);
  }
  return values;
}

/** After the relation id of an Update or Delete: an optional old key (K) or old row (O), then for Update the N. */
function readOldTuple(reader: Reader): { oldKey?: TupleValue[]; oldTuple?: TupleValue[]; next: number } {
  const kind = reader.byte();
  if (kind === 0x4b /* K */) return { oldKey: readTuple(reader), next: -1 };
  if (kind === 0x4f /* O */) return { oldTuple: readTuple(reader), next: -1 };
  return { next: kind };
}

export function decodePgoutputMessage(message: Buffer): PgoutputMessage {
  const reader = new Reader(message);
  const tag = reader.byte();
  switch (tag) {
    case 0x42 /* B */:
      return { tag: 'begin', finalLsn: reader.int64(), commitTime: reader.int64(), xid: reader.uint32() };
    case 0x43 /* C */:
      {
        reader.byte(); // flags, unused
        return { tag: 'commit', commitLsn: reader.int64(), endLsn: reader.int64(), commitTime: reader.int64() };
      }
    case 0x52 /* R */:
      {
        const relationOid = reader.uint32();
        const namespace = reader.string();
        const name = reader.string();
        const replicaIdentity = String.fromCharCode(reader.byte());
        const count = reader.int16();
        const columns: RelationColumn[] = [];
        for (let index = 0; index < count; index++) {
          const flags = reader.byte();
          columns.push({
            isKey: (flags & 1) === 1,
            name: reader.string(),
            typeOid: reader.uint32(),
            typeModifier: reader.int32(),
          });
        }
        return { tag: 'relation', relationOid, namespace, name, replicaIdentity, columns };
      }
    case 0x49 /* I */:
      {
        const relationOid = reader.uint32();
        reader.byte(); // N
        return { tag: 'insert', relationOid, newTuple: readTuple(reader) };
      }
    case 0x55 /* U */:
      {
        const relationOid = reader.uint32();
        const old = readOldTuple(reader);
        if (old.next === -1) reader.byte(); // N after K or O
        return { tag: 'update', relationOid, oldKey: old.oldKey, oldTuple: old.oldTuple, newTuple: readTuple(reader) };
      }
    case 0x44 /* D */:
      {
        const relationOid = reader.uint32();
        const old = readOldTuple(reader);
        return { tag: 'delete', relationOid, oldKey: old.oldKey, oldTuple: old.oldTuple };
      }
    case 0x54 /* T */:
      {
        const count = reader.int32();
        reader.byte(); // options: CASCADE, RESTART IDENTITY
        const relationOids: number[] = [];
        for (let index = 0; index < count; index++) relationOids.push(reader.uint32());
        return { tag: 'truncate', relationOids };
      }
    case 0x4f /* O: origin */:
    case 0x59 /* Y: type */:
    case 0x4d /* M: logical decoding message */:
      return { tag: 'ignored' };
    default:
      throw new Error(`pgoutput: unexpected message type 0x${tag.toString(16)}`);
  }
}
