// Connection URLs at rest: AES-256-GCM under a key ring whose first key encrypts and whose every key decrypts.
import { randomBytes } from 'node:crypto';
import { KeyRing, KeyRingError, newKeyRingText } from '../../store/secret-box';
import { loadConfig } from '../../workers/config';

const key = () => randomBytes(32).toString('base64');
const URL = 'postgresql://reader:s3cr%C3%A9t@db.example.com:5432/shop';

test('a secret comes back as it went in, under the first key, with a fresh IV each time', () => {
  const ring = KeyRing.parse(`new=${key()}, old=${key()}`);
  const a = ring.encrypt(URL, 'acme/shop');
  const b = ring.encrypt(URL, 'acme/shop');
  expect(a.keyId).toBe('new');
  expect(a.iv).toHaveLength(12);
  expect(a.tag).toHaveLength(16);
  expect(a.iv.equals(b.iv)).toBe(false);
  expect(a.ciphertext.toString('latin1')).not.toContain('s3cr');
  expect(ring.decrypt(a, 'acme/shop')).toBe(URL);
});

test('every key of the ring decrypts: a secret of the old key after a new one was put first', () => {
  const oldKey = key();
  const sealed = KeyRing.parse(`old=${oldKey}`).encrypt(URL, 'x');
  expect(KeyRing.parse(`new=${key()},old=${oldKey}`).decrypt(sealed, 'x')).toBe(URL);
});

test('reseal puts a secret of an old key under the first one; ids lists the ring, first key first', () => {
  const oldKey = key();
  const sealed = KeyRing.parse(`old=${oldKey}`).encrypt(URL, 'x');
  const ring = KeyRing.parse(`new=${key()},old=${oldKey}`);
  expect(ring.ids).toEqual(['new', 'old']);
  const resealed = ring.reseal(sealed, 'x');
  expect(resealed.keyId).toBe('new');
  expect(ring.decrypt(resealed, 'x')).toBe(URL);
  expect(() => ring.reseal(sealed, 'y')).toThrow(KeyRingError);
});

test('a key id the ring does not hold is refused, naming the id', () => {
  const sealed = KeyRing.parse(`gone=${key()}`).encrypt(URL, 'x');
  expect(() => KeyRing.parse(`k1=${key()}`).decrypt(sealed, 'x')).toThrow(/key "gone"/);
});

test('the same id with other bytes does not decrypt', () => {
  const sealed = KeyRing.parse(`k1=${key()}`).encrypt(URL, 'x');
  expect(() => KeyRing.parse(`k1=${key()}`).decrypt(sealed, 'x')).toThrow(KeyRingError);
});

test('a changed ciphertext, IV, tag or row (aad) does not decrypt', () => {
  const ring = KeyRing.parse(`k1=${key()}`);
  const sealed = ring.encrypt(URL, 'acme/shop');
  const flip = (b: Buffer) => Buffer.from(b.map((x, i) => (i === 0 ? x ^ 1 : x)));
  expect(() => ring.decrypt({ ...sealed, ciphertext: flip(sealed.ciphertext) }, 'acme/shop')).toThrow(KeyRingError);
  expect(() => ring.decrypt({ ...sealed, iv: flip(sealed.iv) }, 'acme/shop')).toThrow(KeyRingError);
  expect(() => ring.decrypt({ ...sealed, tag: flip(sealed.tag) }, 'acme/shop')).toThrow(KeyRingError);
  expect(() => ring.decrypt({ ...sealed, tag: sealed.tag.subarray(0, 4) }, 'acme/shop')).toThrow(KeyRingError);
  expect(() => ring.decrypt(sealed, 'acme/other')).toThrow(KeyRingError);
});

test.each([
  ['nothing', '', /no key given/],
  ['no =', 'k1', /key 1: not keyId=base64/],
  ['an empty id', `=${key()}`, /key 1: not keyId=base64/],
  ['an id with a space', `my key=${key()}`, /key 1/],
  ['16 bytes', `k1=${randomBytes(16).toString('base64')}`, /"k1" is not the base64 of 32 bytes \(it decodes to 16 bytes\)/],
  ['not base64', `k1=${'*'.repeat(44)}`, /"k1" is not the base64 of 32 bytes/],
  ['an id twice', `k1=${key()},k1=${key()}`, /"k1" is given twice/],
  ['a bad second key', `k1=${key()},k2=abc`, /"k2"/],
])('a key ring of %s is refused with a message that says why', (_what, text, message) => {
  expect(() => KeyRing.parse(text)).toThrow(message);
  try {
    KeyRing.parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(KeyRingError);
    const value = text.split('=')[1]?.split(',')[0];
    if (value && value.length > 8) expect((err as Error).message).not.toContain(value); // never the key itself
  }
});

test('a new key ring text parses', () => {
  expect(KeyRing.parse(newKeyRingText('dev')).currentId).toBe('dev');
});

test('SLUICE_SECRET_KEYS missing or not 32 bytes stops the configuration with a message naming it', () => {
  const base = { SLUICE_DATABASE_URL: 'postgres://sluice@localhost/sluice' };
  expect(() => loadConfig(base)).toThrow(/SLUICE_SECRET_KEYS: required: comma-separated keyId=base64 of 32 random bytes/);
  expect(() => loadConfig({ ...base, SLUICE_SECRET_KEYS: `k1=${randomBytes(31).toString('base64')}` })).toThrow(/SLUICE_SECRET_KEYS: key "k1" is not the base64 of 32 bytes/);
  expect(loadConfig({ ...base, SLUICE_SECRET_KEYS: `k1=${key()}` }).SLUICE_SECRET_KEYS).toMatch(/^k1=/);
});
