// Decodes `application/vnd.kubernetes.protobuf` request bodies into the JSON
// object kube-apiserver would have received had the client sent JSON. kubectl's
// generator commands (`kubectl create namespace|configmap|secret|deployment|...`)
// send only protobuf, so the apiserver must read it.
//
// Envelope: the magic bytes `k8s\0`, then a runtime.Unknown message
// { typeMeta = 1 { apiVersion = 1, kind = 2 }, raw = 2, contentEncoding = 3,
// contentType = 4 } whose `raw` is the object's own message (which carries no
// TypeMeta of its own). Field tables live in fields.ts.

import { StatusError, newBadRequest } from '../meta/v1/status.js';
import { KINDS, MESSAGES, SPECIAL_MESSAGES, type FieldSpec, type FieldType, type MessageTable } from './fields.js';
import { WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT, WireError, readFields, readPackedVarints, type WireField } from './wire.js';
import { setOwn } from '../../pkg/util/ownkeys.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

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
    for (const f of readFields(body.subarray(MAGIC.length))) {
      if (f.number === 1 && f.bytes) {
        for (const t of readFields(f.bytes)) {
          if (t.number === 1 && t.bytes) apiVersion = utf8(t.bytes);
          else if (t.number === 2 && t.bytes) kind = utf8(t.bytes);
        }
      } else if (f.number === 2 && f.bytes) raw = f.bytes;
      else if (f.number === 3 && f.bytes) contentEncoding = utf8(f.bytes);
    }
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
    if (err instanceof WireError || err instanceof SyntaxError) {
      throw newBadRequest(`the protobuf body is malformed: ${err.message}`);
    }
    throw err;
  }
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
  for (const f of readFields(buf)) {
    const spec = table[f.number];
    if (!spec) continue;
    setField(out, spec, f);
  }
  return out;
}

function setField(out: Json, spec: FieldSpec, f: WireField): void {
  const { type } = spec;
  if (type.startsWith('map<')) {
    const entry = decodeMapEntry(type, need(f, spec));
    const m = (out[spec.name] ??= {}) as Json;
    setOwn(m, entry.key, entry.value); // map keys are the client's: "__proto__" is data
    return;
  }
  if (type.startsWith('message:')) {
    const message = type.slice('message:'.length);
    const value = decodeSpecialOrMessage(message, need(f, spec));
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
    if (f.wireType === WIRE_BYTES && (type === 'int32' || type === 'int64' || type === 'bool')) {
      for (const v of readPackedVarints(f.bytes!)) arr.push(scalarFromInt(type, v));
    } else {
      arr.push(scalar(type, f));
    }
    return;
  }
  const value = scalar(type, f);
  if (!spec.keepZero && isZero(value)) return;
  out[spec.name] = value;
}

function need(f: WireField, spec: FieldSpec): Buffer {
  if (f.wireType !== WIRE_BYTES || !f.bytes) {
    throw new WireError(`field ${f.number} (${spec.name || spec.type}) has wire type ${f.wireType}, want length-delimited`);
  }
  return f.bytes;
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function scalar(type: FieldType, f: WireField): unknown {
  switch (type) {
    case 'string':
      if (f.wireType !== WIRE_BYTES) throw new WireError(`field ${f.number}: string with wire type ${f.wireType}`);
      return utf8(f.bytes!);
    case 'bytes':
      if (f.wireType !== WIRE_BYTES) throw new WireError(`field ${f.number}: bytes with wire type ${f.wireType}`);
      return f.bytes!.toString('base64');
    case 'int32':
    case 'int64':
    case 'bool':
      if (f.wireType !== WIRE_VARINT && f.wireType !== WIRE_FIXED32 && f.wireType !== WIRE_FIXED64) {
        throw new WireError(`field ${f.number}: ${type} with wire type ${f.wireType}`);
      }
      return scalarFromInt(type, f.int!);
    default:
      throw new Error(`not a scalar type: ${type}`);
  }
}

function scalarFromInt(type: 'int32' | 'int64' | 'bool', v: bigint): number | boolean {
  if (type === 'bool') return v !== 0n;
  // Negative int32 values are sign-extended to 64 bits on the wire.
  return type === 'int32' ? Number(BigInt.asIntN(32, v)) : Number(BigInt.asIntN(64, v));
}

function decodeMapEntry(type: FieldType, buf: Buffer): { key: string; value: unknown } {
  const valueType = type.slice('map<string,'.length, -1);
  let key = '';
  let value: unknown;
  for (const f of readFields(buf)) {
    if (f.number === 1) key = scalar('string', f) as string;
    else if (f.number === 2) {
      if (valueType === 'string') value = scalar('string', f);
      else if (valueType === 'bytes') value = scalar('bytes', f);
      else value = decodeSpecialOrMessage(valueType.slice('message:'.length), need(f, { name: key, type }));
    }
  }
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
      for (const f of readFields(buf)) if (f.number === 1) s = scalar('string', f) as string;
      return s || '0';
    }
    case 'IntOrString':
      return decodeIntOrString(buf);
    case 'FieldsV1': {
      // metav1.FieldsV1 { raw = 1 } holds the JSON itself.
      let raw: Buffer | undefined;
      for (const f of readFields(buf)) if (f.number === 1 && f.bytes) raw = f.bytes;
      return raw && raw.length ? (JSON.parse(utf8(raw)) as unknown) : {};
    }
  }
  return undefined;
}

/** metav1.Time { seconds = 1, nanos = 2 } → RFC 3339 (seconds; MicroTime keeps microseconds). */
function decodeTime(buf: Buffer, micro: boolean): string | undefined {
  let seconds = 0n;
  let nanos = 0;
  for (const f of readFields(buf)) {
    if (f.number === 1) seconds = BigInt.asIntN(64, f.int ?? 0n);
    else if (f.number === 2) nanos = Number(BigInt.asIntN(32, f.int ?? 0n));
  }
  if (seconds === 0n && nanos === 0) return undefined; // Go's zero time, sent as an empty message
  const d = new Date(Number(seconds) * 1000);
  if (Number.isNaN(d.getTime())) throw new WireError(`time seconds ${seconds} out of range`);
  const base = d.toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

/** intstr.IntOrString { type = 1 (0 int, 1 string), intVal = 2, strVal = 3 }. */
function decodeIntOrString(buf: Buffer): number | string {
  let type = 0n;
  let intVal = 0;
  let strVal = '';
  for (const f of readFields(buf)) {
    if (f.number === 1) type = f.int ?? 0n;
    else if (f.number === 2) intVal = Number(BigInt.asIntN(32, f.int ?? 0n));
    else if (f.number === 3) strVal = scalar('string', f) as string;
  }
  return type === 1n ? strVal : intVal;
}
