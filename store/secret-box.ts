// Secrets at rest (connection URLs with their passwords, webhook signing secrets): AES-256-GCM with a random
// 12-byte IV and the 16-byte auth tag, under a key ring. The first key encrypts; every key decrypts, so a new key
// can be put first and older rows re-encrypted later (store/secret-rotation.ts). Pure: no I/O.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface Sealed {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export const KEY_RING_FORMAT = 'comma-separated keyId=base64 of 32 random bytes, e.g. k1=$(openssl rand -base64 32)';

export class KeyRingError extends Error {}

export class KeyRing {
  private constructor(private readonly keys: Map<string, Buffer>, readonly currentId: string) {}

  /** `keyId=base64(32 bytes)[,keyId=…]`; throws KeyRingError saying what is wrong (never a key's bytes). */
  static parse(text: string): KeyRing {
    const keys = new Map<string, Buffer>();
    const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
    if (!entries.length) throw new KeyRingError(`no key given; ${KEY_RING_FORMAT}`);
    entries.forEach((entry, n) => {
      const eq = entry.indexOf('=');
      const id = eq < 0 ? '' : entry.slice(0, eq);
      const value = eq < 0 ? '' : entry.slice(eq + 1);
      if (!KEY_ID.test(id)) throw new KeyRingError(`key ${n + 1}: not keyId=base64 (a keyId is 1-64 of A-Z a-z 0-9 _ . -)`);
      if (keys.has(id)) throw new KeyRingError(`key id "${id}" is given twice`);
      const key = Buffer.from(value, 'base64');
      if (!BASE64.test(value) || key.length !== 32) {
        throw new KeyRingError(`key "${id}" is not the base64 of 32 bytes (it decodes to ${BASE64.test(value) ? key.length : 'no'} bytes)`);
      }
      keys.set(id, key);
    });
    return new KeyRing(keys, entries[0].slice(0, entries[0].indexOf('=')));
  }

  /** A key for another use (`purpose` names it), derived from the current key with HKDF: never the key itself. */
  derive(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.keys.get(this.currentId)!, Buffer.alloc(0), purpose, 32));
  }

  /** `aad` binds the secret to its row (e.g. tenant and name), so a ciphertext copied to another row fails. */
  encrypt(plaintext: string, aad: string): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.currentId, iv, tag: cipher.getAuthTag(), ciphertext };
  }

  /** Every key's id, the current one first. */
  get ids(): string[] {
    return [...this.keys.keys()];
  }

  /** The secret encrypted again under the current key. */
  reseal(sealed: Sealed, aad: string): Sealed {
    return this.encrypt(this.decrypt(sealed, aad), aad);
  }

  /** Throws when the key is not in the ring or the data or its aad were changed. */
  decrypt(sealed: Sealed, aad: string): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) throw new KeyRingError(`the secret was encrypted with key "${sealed.keyId}", which SLUICE_SECRET_KEYS does not hold`);
    // authTagLength: a shortened tag would otherwise be accepted, and be easier to forge.
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: 16 });
    try {
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(sealed.tag);
      return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new KeyRingError(`the secret does not decrypt with key "${sealed.keyId}": it was changed, or the key is not the one it was encrypted with`);
    }
  }
}

/** A fresh one-key ring's text, for a development stack. */
export const newKeyRingText = (id = 'k1') => `${id}=${randomBytes(32).toString('base64')}`;
