// Transformers of the values written to and read from etcd, as upstream's
// k8s.io/apiserver/pkg/storage/value: encryption at rest happens here, below the
// watch cache, so every layer above sees plaintext and etcd only ciphertext.

/** Turns a value into its stored form and back. key is the etcd key (the authenticated data of AEAD ciphers). */
export interface ValueTransformer {
  toStorage(value: Buffer, key: string): Buffer;
  fromStorage(stored: Buffer, key: string): Buffer;
}

/** The prefix of every encrypted value: `k8s:enc:`. identity refuses to read such values. */
export const ENCRYPTED_PREFIX = 'k8s:enc:';

/** Stores values as they are; reads anything that is not encrypted. */
export const identityTransformer: ValueTransformer = {
  toStorage: (value) => value,
  fromStorage(stored) {
    if (hasPrefix(stored, ENCRYPTED_PREFIX)) throw new Error('identity transformer tried to read encrypted data');
    return stored;
  },
};

export interface PrefixedTransformer {
  /** `k8s:enc:<provider>:v1:<keyname>:` for a key, '' for identity. */
  prefix: string;
  transformer: ValueTransformer;
}

/**
 * Writes with the first transformer, prefixing its output with its prefix, and reads
 * with the one whose prefix the stored value carries: the prefix names the provider and
 * key, so keys can rotate while old values stay readable.
 */
export class PrefixTransformers implements ValueTransformer {
  private readonly list: { prefix: Buffer; transformer: ValueTransformer }[];

  constructor(list: PrefixedTransformer[]) {
    if (!list.length) throw new Error('at least one transformer is needed');
    this.list = list.map((t) => ({ prefix: Buffer.from(t.prefix), transformer: t.transformer }));
  }

  toStorage(value: Buffer, key: string): Buffer {
    const first = this.list[0];
    return Buffer.concat([first.prefix, first.transformer.toStorage(value, key)]);
  }

  fromStorage(stored: Buffer, key: string): Buffer {
    const errors: string[] = [];
    for (const { prefix, transformer } of this.list) {
      if (!stored.subarray(0, prefix.length).equals(prefix)) continue;
      try {
        return transformer.fromStorage(stored.subarray(prefix.length), key);
      } catch (err) {
        // identity (no prefix) refuses encrypted data: a later provider may own it.
        if (prefix.length === 0) continue;
        errors.push(`${prefix.toString()} ${(err as Error).message}`);
      }
    }
    if (errors.length) throw new Error(`cannot decrypt ${key}: ${errors.join('; ')}`);
    throw new Error(`cannot decrypt ${key}: no configured provider or key matches its prefix ${JSON.stringify(storedPrefix(stored))}`);
  }
}

/** The `k8s:enc:<provider>:v1:<keyname>:` a stored value starts with, or '' when it has none (for error messages). */
export function storedPrefix(stored: Buffer): string {
  if (!hasPrefix(stored, ENCRYPTED_PREFIX)) return '';
  const head = stored.subarray(0, 256).toString('latin1');
  const m = /^k8s:enc:[^:]*:[^:]*:[^:]*:/.exec(head);
  return m ? m[0] : ENCRYPTED_PREFIX;
}

function hasPrefix(b: Buffer, prefix: string): boolean {
  return b.length >= prefix.length && b.subarray(0, prefix.length).toString('latin1') === prefix;
}

/**
 * Transformers per etcd key prefix (`/registry/secrets/`): values under a configured
 * prefix are transformed, all others are stored as they are.
 */
export class ResourceTransformers implements ValueTransformer {
  constructor(private readonly byPrefix: ReadonlyMap<string, ValueTransformer>) {}

  private find(key: string): ValueTransformer | undefined {
    for (const [prefix, t] of this.byPrefix) if (key.startsWith(prefix)) return t;
    return undefined;
  }

  toStorage(value: Buffer, key: string): Buffer {
    const t = this.find(key);
    return t ? t.toStorage(value, key) : value;
  }

  fromStorage(stored: Buffer, key: string): Buffer {
    const t = this.find(key);
    return t ? t.fromStorage(stored, key) : stored;
  }

  /** The etcd key prefixes whose values are transformed. */
  prefixes(): string[] {
    return [...this.byPrefix.keys()];
  }
}
