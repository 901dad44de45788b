// A held inline answer gives back exactly what it took: as it came, or gzip that decodes to it, however many
// chunks come faster than zlib compresses them.
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { holdAnswer } from '../../api/inline/held-answer';

// Hex text: compressible, and large enough in all that zlib falls behind and makes add() wait.
const chunks = Array.from({ length: 200 }, () => Buffer.from(randomBytes(32 * 1024).toString('hex')));

async function hold(compression: 'gzip' | 'none', input: Buffer[]): Promise<Buffer> {
  const held = holdAnswer(compression, 1);
  for (const chunk of input) await held.add(chunk);
  return Buffer.concat(await held.end());
}

test('none: the chunks as they came', async () => {
  expect((await hold('none', chunks)).equals(Buffer.concat(chunks))).toBe(true);
});

test('gzip: a gzip body that decodes to the chunks, smaller than they are', async () => {
  const body = await hold('gzip', chunks);
  expect(gunzipSync(body).equals(Buffer.concat(chunks))).toBe(true);
  expect(body.length).toBeLessThan(Buffer.concat(chunks).length);
});

test('gzip: an empty answer is a valid empty gzip', async () => {
  expect(gunzipSync(await hold('gzip', [])).length).toBe(0);
});
