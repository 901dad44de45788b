// BufferPool hands out buffers of its size, keeps at most `keep` of those given back, and never keeps one of
// another size.
import { BufferPool } from '../../connectors/buffer-pool';

test('a buffer given back is the next one taken; at most `keep` are kept; other sizes are not', () => {
  const pool = new BufferPool(16, 2);
  const [a, b, c] = [pool.take(), pool.take(), pool.take()];
  expect([a, b, c].map((x) => x.length)).toEqual([16, 16, 16]);
  pool.giveBack(a);
  pool.giveBack(b);
  pool.giveBack(c); // a third: not kept
  pool.giveBack(Buffer.alloc(32));
  const [first, second, third] = [pool.take(), pool.take(), pool.take()];
  expect(first !== second && [first, second].every((x) => x === a || x === b)).toBe(true); // the two kept
  expect([a, b, c].includes(third)).toBe(false); // then a new one
  expect(third.length).toBe(16);
});
