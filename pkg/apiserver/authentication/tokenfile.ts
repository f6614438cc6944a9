// Static tokens (--token-auth-file), as kube-apiserver's tokenfile authenticator:
// a CSV file of token,user,uid[,"group1,group2"]. A request's token is one Map lookup;
// the users are made once, with system:authenticated added.
import { readFileSync } from 'node:fs';
import type { UserInfo } from '../../auth/user.js';
import { withAuthenticatedGroup } from './result.js';

export interface StaticToken {
  token: string;
  user: UserInfo;
}

/** One CSV record as Go's encoding/csv reads it: "quoted, fields" with "" for a quote. */
export function parseCSVLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error(`extraneous or missing " in quoted-field`);
        field += line.slice(i, q);
        i = q + 1;
        if (line[i] === '"') {
          field += '"';
          i++;
          continue;
        }
        break;
      }
      if (i < line.length && line[i] !== ',') throw new Error(`extraneous or missing " in quoted-field`);
    } else {
      const comma = line.indexOf(',', i);
      field = line.slice(i, comma < 0 ? line.length : comma);
      if (field.includes('"')) throw new Error(`bare " in non-quoted-field`);
      i = comma < 0 ? line.length : comma;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/** The records of a token file; at least three columns each, as kube-apiserver requires. */
export function parseTokenFile(text: string, path = 'token file'): StaticToken[] {
  const out: StaticToken[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (line.trim() === '' || line.startsWith('#')) continue;
    let record: string[];
    try {
      record = parseCSVLine(line);
    } catch (err) {
      throw new Error(`token file '${path}' line ${n + 1}: ${(err as Error).message}`);
    }
    if (record.length < 3) throw new Error(`token file '${path}' must have at least 3 columns (token, user name, user uid), found ${record.length}`);
    const [token, name, uid, groups] = record;
    // An empty token would match nothing a client can send; upstream skips it with a warning.
    if (token === '') continue;
    out.push({ token, user: { name, uid, groups: groups === undefined ? [] : groups.split(',') } });
  }
  return out;
}

export function readTokenFile(path: string): StaticToken[] {
  return parseTokenFile(readFileSync(path, 'utf8'), path);
}

export class TokenFileAuthenticator {
  private readonly tokens = new Map<string, UserInfo>();

  constructor(tokens: readonly StaticToken[]) {
    // A later line wins, as in upstream's map.
    for (const t of tokens) this.tokens.set(t.token, withAuthenticatedGroup(t.user));
  }

  authenticateToken(token: string): UserInfo | undefined {
    return this.tokens.get(token);
  }

  get size(): number {
    return this.tokens.size;
  }
}
