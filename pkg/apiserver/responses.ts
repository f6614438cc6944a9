// Writing answers: objects as JSON or YAML, errors as a metav1.Status, and Warning headers.
import type { Response } from 'express';
import { stringify as toYAML } from 'yaml';
import { toStatusError } from '../../api/meta/v1/status.js';
import { objectJSON } from '../storage/objectjson.js';
import { isStackOverflow, nestedTooDeeplyToProcess } from './depth.js';
import type { ResponseFormat } from './negotiation.js';
import { auditResponseObject } from './audit/context.js';

/** Writes a StatusError (or any error) as a metav1.Status, never a stack trace. */
export function sendError(res: Response, err: unknown, log?: (msg: string) => void): void {
  // Input nested within the depth limit can still exhaust the stack of a recursive walk (a patch,
  // validation, a copy): the request is refused, as it is before anything is written.
  const se = isStackOverflow(err) ? nestedTooDeeplyToProcess() : toStatusError(err);
  if (se.code >= 500 && log) log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  if (res.headersSent) {
    res.end();
    return;
  }
  // As kube-apiserver's ErrorNegotiated: a Status with retryAfterSeconds also says so in Retry-After.
  const retry = se.details?.retryAfterSeconds;
  if (retry && retry > 0) res.setHeader('Retry-After', String(retry));
  const status = se.toStatus();
  auditResponseObject(res, status);
  sendJSON(res, se.code, JSON.stringify(status));
}

export function sendObject(res: Response, code: number, obj: unknown, format: ResponseFormat = 'json'): void {
  auditResponseObject(res, obj);
  if (format === 'yaml') res.status(code).type('application/yaml').send(toYAML(obj));
  else sendJSON(res, code, objectJSON(obj));
}

/**
 * JSON text straight to the response, with the headers express's send would set.
 * Ending with the string lets Node write headers and body in one TLS write;
 * express's send would first copy it into a Buffer and write the two separately.
 */
export function sendJSON(res: Response, code: number, text: string): void {
  res.statusCode = code;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * A Warning header value as k8s.io/apimachinery's NewWarningHeader makes it: `299 - "text"`
 * with '"' and '\\' escaped. Go sends the text's UTF-8 bytes; Node refuses header characters
 * above U+00FF and writes the others in one encoding or another depending on how the body is
 * sent, so characters outside printable ASCII are written as Go's %q writes them (\u65e5,
 * \U0001f600, line breaks and other controls as \u000a). It cannot throw: warnings are sent
 * after the write they describe.
 */
export function warningHeader(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp > 0xffff) out += `\\U${cp.toString(16).padStart(8, '0')}`;
    else out += `\\u${cp.toString(16).padStart(4, '0')}`;
  }
  return `299 - "${out}"`;
}
