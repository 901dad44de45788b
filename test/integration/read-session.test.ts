// A source connection killed while a session holds it idle (between COPY and COMMIT, say) must fail that
// session only, never the worker process.
import { Pool } from 'pg';
import { SourcePools } from '../../connectors/postgres/pools';
import { ReadSession } from '../../connectors/postgres/read-session';
import { sourceClient, stackInfo } from '../support/stack';

test('a session whose connection is killed while idle records the error and releases cleanly', async () => {
  const pool = new Pool({ connectionString: stackInfo().sourceUrl, max: 1, application_name: 'sluice-killed' });
  const admin = await sourceClient();
  try {
    const session = await ReadSession.open(pool, { timeZone: 'UTC', statementTimeoutMs: 0 });
    const pid = (await session.client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const lost = new Promise((resolve) => session.client.once('error', resolve));
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await lost; // without Sluice's listener this event would be an uncaught error
    expect(session.lostWith).toBeInstanceOf(Error);
    await expect(session.commit()).rejects.toThrow();
    session.close();
    // The broken connection was discarded: the pool hands out a working one.
    const next = await ReadSession.open(pool, { timeZone: 'UTC', statementTimeoutMs: 0 });
    expect((await next.client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await next.commit();
  } finally {
    await admin.end();
    await pool.end();
  }
});

test('a session closed mid-COPY after its reader has let go of the stream (a cancelled activity) does not crash the process', async () => {
  const pools = new SourcePools(1); // the worker's: sockets read from a reused buffer
  const pool = pools.get(stackInfo().sourceUrl);
  try {
    const session = await ReadSession.open(pool, { timeZone: 'UTC', statementTimeoutMs: 0 });
    const stream = await session.copyRows({ text: "COPY (SELECT repeat('x', 10000), pg_sleep(0.01) FROM generate_series(1, 100000)) TO STDOUT", values: [] });
    const reader = () => undefined;
    stream.on('error', reader);
    await new Promise((resolve) => stream.once('data', resolve));
    // What a pipeline does once it has failed: it stops listening, then the abort closes the session.
    stream.off('error', reader);
    stream.destroy();
    session.close(new Error('cancelled'));
    // The destroyed connection fails its COPY on a later tick: that failure must have somewhere to go.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = await ReadSession.open(pool, { timeZone: 'UTC', statementTimeoutMs: 0 });
    expect((await next.client.query('SELECT 1 AS one')).rows[0].one).toBe(1);
    await next.commit();
  } finally {
    await pools.end();
  }
});
