// Decodes `application/vnd.kubernetes.protobuf` request bodies into the JSON
// object kube-apiserver would have received had the client sent JSON. kubectl's
// generator commands (`kubectl create namespace|configmap|secret|deployment|...`)
// send only protobuf, so the apiserver must read it.
//
// Envelope: the magic bytes `k8s\0`, then a runtime.Unknown message
// { typeMeta = 1 { apiVersion = 1, kind = 2 }, raw = 2, contentEncoding = 3,
// contentType = 4 } whose `raw` is the object's own message (which carries no
// TypeMeta of its own). Field tables live in fields.ts; protobufjs' Reader reads
// the wire format.

import protobuf from 'protobufjs/minimal.js';
import { StatusError, newBadRequest } from '../meta/v1/status.js';
import { KINDS, MESSAGES, SPECIAL_MESSAGES, type FieldSpec, type FieldType, type MessageTable } from './fields.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

// Wire types.
const VARINT = 0;
const FIXED64 = 1;
const LEN = 2;
const FIXED32 = 5;

type Reader = protobuf.Reader;

/** Thrown for bytes that are well-formed protobuf but not the message a field table describes. */
class WireError extends Error {}

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

type Json = Record<string, unknown>;

/**
 * Decodes one protobuf-encoded Kubernetes object. Throws a 400 BadRequest
 * StatusError for malformed bytes and a 415 UnsupportedMediaType StatusError
 * for a kind this server cannot read as protobuf (the client may send JSON).
 */
export function decodeKubernetesProtobuf(body: Buffer): DecodedObject {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw newBadRequest('the protobuf body does not start with the "k8s\\x00" prefix');
  }
  try {
    let apiVersion = '';
    let kind = '';
    let raw: Buffer = Buffer.alloc(0);
    let contentEncoding = '';
    eachField(body.subarray(MAGIC.length), (r, number, wireType) => {
      if (number === 1 && wireType === LEN) {
        eachField(lengthDelimited(r), (t, n, wt) => {
          if (n === 1) apiVersion = readString(t, n, wt);
          else if (n === 2) kind = readString(t, n, wt);
          else t.skipType(wt);
        });
      } else if (number === 2 && wireType === LEN) raw = lengthDelimited(r);
      else if (number === 3 && wireType === LEN) contentEncoding = readString(r, number, wireType);
      else r.skipType(wireType);
    });
    if (!kind || !apiVersion) throw newBadRequest('the protobuf body is missing apiVersion or kind in its type metadata');
    if (contentEncoding) {
      throw new StatusError(415, 'UnsupportedMediaType', `protobuf content encoding ${JSON.stringify(contentEncoding)} is not supported`);
    }
    const message = KINDS[`${apiVersion}/${kind}`];
    if (!message) {
      throw new StatusError(
        415,
        'UnsupportedMediaType',
        `this server cannot read ${kind} (${apiVersion}) sent as ${PROTOBUF_MEDIA_TYPE}; send the object as application/json instead (for example with kubectl apply -f or kubectl create -f)`,
        { kind },
      );
    }
    const object: Json = { kind, apiVersion, ...decodeMessage(raw, message) };
    return { apiVersion, kind, object };
  } catch (err) {
    if (err instanceof StatusError) throw err;
    // protobufjs throws RangeError for lengths and varints that run past the end.
    if (err instanceof WireError || err instanceof RangeError || err instanceof SyntaxError) {
      throw newBadRequest(`the protobuf body is malformed: ${err.message}`);
    }
    throw err;
  }
}

/** Reads every field of one message; onField reads or skips each value. */
function eachField(buf: Buffer, onField: (r: Reader, number: number, wireType: number) => void): void {
  const r = protobuf.Reader.create(buf);
  while (r.pos < r.len) {
    const key = r.uint32();
    const number = key >>> 3;
    const wireType = key & 7;
    if (number === 0) throw new WireError('field number 0 is invalid');
    // Groups (3, 4) are proto1 leftovers that Kubernetes never emits.
    if (wireType !== VARINT && wireType !== FIXED64 && wireType !== LEN && wireType !== FIXED32) {
      throw new WireError(`unsupported wire type ${wireType} for field ${number}`);
    }
    onField(r, number, wireType);
  }
}

/** A length-delimited value: a view into the input, not a copy. */
function lengthDelimited(r: Reader): Buffer {
  return r.bytes() as Buffer;
}

function utf8(b: Buffer): string {
  return b.toString('utf8');
}

function tableOf(name: string): MessageTable {
  const t = MESSAGES[name];
  if (!t) throw new Error(`protobuf field table has no message ${name}`);
  return t;
}

/** Walks one message by its table; unknown field numbers are skipped, as proto does. */
export function decodeMessage(buf: Buffer, name: string): Json {
  const table = tableOf(name);
  const out: Json = {};
  eachField(buf, (r, number, wireType) => {
    const spec = table[number];
    if (spec) setField(out, spec, r, number, wireType);
    else r.skipType(wireType);
  });
  return out;
}

function setField(out: Json, spec: FieldSpec, r: Reader, number: number, wireType: number): void {
  const { type } = spec;
  if (type.startsWith('map<')) {
    const entry = decodeMapEntry(type, need(r, number, wireType, spec));
    const m = (out[spec.name] ??= {}) as Json;
    // The key is the client's: an own property even when it is "__proto__", as JSON.parse makes it.
    Object.defineProperty(m, entry.key, { value: entry.value, enumerable: true, writable: true, configurable: true });
    return;
  }
  if (type.startsWith('message:')) {
    const message = type.slice('message:'.length);
    const value = decodeSpecialOrMessage(message, need(r, number, wireType, spec));
    if (spec.inline) {
      Object.assign(out, value as Json);
      return;
    }
    if (value === undefined) return; // a zero Time: Go writes it as an empty message
    if (spec.repeated) ((out[spec.name] ??= []) as unknown[]).push(value);
    else out[spec.name] = value;
    return;
  }
  if (spec.repeated) {
    const arr = (out[spec.name] ??= []) as unknown[];
    // Numeric repeated fields may arrive packed (one length-delimited run).
    if (wireType === LEN && (type === 'int32' || type === 'int64' || type === 'bool')) {
      const packed = protobuf.Reader.create(lengthDelimited(r));
      while (packed.pos < packed.len) arr.push(readInt(packed, type, number, VARINT));
    } else {
      arr.push(scalar(r, type, number, wireType));
    }
    return;
  }
  const value = scalar(r, type, number, wireType);
  if (!spec.keepZero && isZero(value)) return;
  out[spec.name] = value;
}

function need(r: Reader, number: number, wireType: number, spec: FieldSpec): Buffer {
  if (wireType !== LEN) {
    throw new WireError(`field ${number} (${spec.name || spec.type}) has wire type ${wireType}, want length-delimited`);
  }
  return lengthDelimited(r);
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function scalar(r: Reader, type: FieldType, number: number, wireType: number): unknown {
  switch (type) {
    case 'string':
      return readString(r, number, wireType);
    case 'bytes':
      if (wireType !== LEN) throw new WireError(`field ${number}: bytes with wire type ${wireType}`);
      return lengthDelimited(r).toString('base64');
    case 'int32':
    case 'int64':
    case 'bool':
      return readInt(r, type, number, wireType);
    default:
      throw new Error(`not a scalar type: ${type}`);
  }
}

function readString(r: Reader, number: number, wireType: number): string {
  if (wireType !== LEN) throw new WireError(`field ${number}: string with wire type ${wireType}`);
  return utf8(lengthDelimited(r));
}

/** The 64 bits protobufjs returns for int64 and sfixed64: a Long (high word signed), or a number without the long package. */
type Bits64 = { low: number; high: number } | number;

/**
 * An integer or bool field. Negative int32 values are sign-extended to 64 bits
 * on the wire, so every varint is read as 64 bits and int32 keeps the low 32.
 */
function readInt(r: Reader, type: 'int32' | 'int64' | 'bool', number: number, wireType: number): number | boolean {
  let v: Bits64;
  switch (wireType) {
    case VARINT:
      try {
        v = r.int64();
      } catch (err) {
        if (err instanceof RangeError) throw err;
        throw new WireError('varint longer than 10 bytes');
      }
      break;
    case FIXED64:
      v = r.sfixed64();
      break;
    case FIXED32: {
      const u = r.fixed32();
      return type === 'bool' ? u !== 0 : type === 'int32' ? u | 0 : u;
    }
    default:
      throw new WireError(`field ${number}: ${type} with wire type ${wireType}`);
  }
  if (typeof v === 'number') return type === 'bool' ? v !== 0 : type === 'int32' ? v | 0 : v;
  return type === 'bool' ? (v.low | v.high) !== 0 : type === 'int32' ? v.low | 0 : v.high * 2 ** 32 + (v.low >>> 0);
}

function decodeMapEntry(type: FieldType, buf: Buffer): { key: string; value: unknown } {
  const valueType = type.slice('map<string,'.length, -1);
  let key = '';
  let value: unknown;
  eachField(buf, (r, number, wireType) => {
    if (number === 1) key = readString(r, number, wireType);
    else if (number === 2) {
      if (valueType === 'string') value = readString(r, number, wireType);
      else if (valueType === 'bytes') value = scalar(r, 'bytes', number, wireType);
      else value = decodeSpecialOrMessage(valueType.slice('message:'.length), need(r, number, wireType, { name: key, type }));
    } else r.skipType(wireType);
  });
  // An absent value is the zero value, as in any proto map.
  if (value === undefined) value = valueType === 'string' || valueType === 'bytes' ? '' : valueType === 'message:Quantity' ? '0' : {};
  return { key, value };
}

function decodeSpecialOrMessage(name: string, buf: Buffer): unknown {
  if (!SPECIAL_MESSAGES.has(name)) return decodeMessage(buf, name);
  switch (name) {
    case 'Time':
    case 'MicroTime':
      return decodeTime(buf, name === 'MicroTime');
    case 'Quantity': {
      // resource.Quantity { string = 1 }: its JSON form is that string.
      let s = '';
      eachField(buf, (r, number, wireType) => {
        if (number === 1) s = readString(r, number, wireType);
        else r.skipType(wireType);
      });
      return s || '0';
    }
    case 'IntOrString':
      return decodeIntOrString(buf);
    case 'FieldsV1': {
      // metav1.FieldsV1 { raw = 1 } holds the JSON itself.
      let raw: Buffer | undefined;
      eachField(buf, (r, number, wireType) => {
        if (number === 1 && wireType === LEN) raw = lengthDelimited(r);
        else r.skipType(wireType);
      });
      return raw && raw.length ? (JSON.parse(utf8(raw)) as unknown) : {};
    }
  }
  return undefined;
}

/** metav1.Time { seconds = 1, nanos = 2 } → RFC 3339 (seconds; MicroTime keeps microseconds). */
function decodeTime(buf: Buffer, micro: boolean): string | undefined {
  let seconds = 0;
  let nanos = 0;
  eachField(buf, (r, number, wireType) => {
    if (number === 1) seconds = readInt(r, 'int64', number, wireType) as number;
    else if (number === 2) nanos = readInt(r, 'int32', number, wireType) as number;
    else r.skipType(wireType);
  });
  if (seconds === 0 && nanos === 0) return undefined; // Go's zero time, sent as an empty message
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw new WireError(`time seconds ${seconds} out of range`);
  const base = d.toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

/** intstr.IntOrString { type = 1 (0 int, 1 string), intVal = 2, strVal = 3 }. */
function decodeIntOrString(buf: Buffer): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  eachField(buf, (r, number, wireType) => {
    if (number === 1) type = readInt(r, 'int64', number, wireType) as number;
    else if (number === 2) intVal = readInt(r, 'int32', number, wireType) as number;
    else if (number === 3) strVal = readString(r, number, wireType);
    else r.skipType(wireType);
  });
  return type === 1 ? strVal : intVal;
}
