// The protobuf wire format, read side: varints, fixed 32/64-bit words and
// length-delimited bytes. Hand-written because the decoder needs only these
// four primitives and a table walk; a schema library would add a second copy
// of the Kubernetes types.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

/** Thrown for bytes that are not a well-formed protobuf message. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

export interface WireField {
  number: number;
  wireType: number;
  /** varint / fixed values as unsigned 64-bit; undefined for length-delimited. */
  int?: bigint;
  /** length-delimited payload (a view into the input). */
  bytes?: Buffer;
}

export class WireReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new WireError('unexpected end of data in varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  private take(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw new WireError(`length ${n} runs past the end of the message`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads one tag and its value; unknown numbers are returned too so callers can skip them. */
  field(): WireField {
    const key = this.varint();
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (number === 0) throw new WireError('field number 0 is invalid');
    switch (wireType) {
      case WIRE_VARINT:
        return { number, wireType, int: this.varint() };
      case WIRE_FIXED64:
        return { number, wireType, int: this.take(8).readBigUInt64LE(0) };
      case WIRE_BYTES: {
        const len = this.varint();
        if (len > BigInt(this.buf.length)) throw new WireError(`length ${len} runs past the end of the message`);
        return { number, wireType, bytes: this.take(Number(len)) };
      }
      case WIRE_FIXED32:
        return { number, wireType, int: BigInt(this.take(4).readUInt32LE(0)) };
      default:
        // Groups (3, 4) are proto1 leftovers that Kubernetes never emits.
        throw new WireError(`unsupported wire type ${wireType} for field ${number}`);
    }
  }
}

/** Every field of one message, in wire order. */
export function readFields(buf: Buffer): WireField[] {
  const r = new WireReader(buf);
  const out: WireField[] = [];
  while (!r.done) out.push(r.field());
  return out;
}

/** The values of a packed repeated varint field. */
export function readPackedVarints(buf: Buffer): bigint[] {
  const r = new WireReader(buf);
  const out: bigint[] = [];
  while (!r.done) out.push(r.varint());
  return out;
}
