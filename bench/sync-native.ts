// What the sync bench compares Sluice with, all in the bench's one PostgreSQL cluster: native logical
// replication (publication → subscription into a database of the same cluster; the slot is made first with
// pg_create_logical_replication_slot, because CREATE SUBSCRIPTION cannot make a slot on its own cluster),
// `psql COPY | psql COPY`, and pg_recvlogical decoding the same pgoutput stream; plus the pieces every part
// shares: a big UPDATE whose exact commit LSN is read back from the WAL (pg_walinspect), and waiting until a
// consumer has passed that LSN.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { shq, sleep } from './util';

const run = promisify(execFile);

export const connect = async (url: string): Promise<Client> => {
  const c = new Client({ connectionString: url });
  await c.connect();
  return c;
};

export async function withPg<T>(url: string, use: (c: Client) => Promise<T>): Promise<T> {
  const c = await connect(url);
  try {
    return await use(c);
  } finally {
    await c.end();
  }
}

/** bash -c with pipefail; rejects with its stderr on a non-zero exit. Seconds from spawn to exit. */
export async function sh(script: string): Promise<{ seconds: number; stdout: string }> {
  const t0 = performance.now();
  const { stdout } = await run('bash', ['-c', `set -o pipefail; ${script}`], { maxBuffer: 64 << 20 });
  return { seconds: (performance.now() - t0) / 1000, stdout };
}

/** Rows and an order-independent checksum of every row's text: equal on both sides means the same rows. */
export async function tableSum(url: string, table: string): Promise<string> {
  return withPg(url, async (c) => {
    const r = await c.query<{ n: string; h: string | null }>(`SELECT count(*) AS n, sum(hashtext(t::text)::bigint) AS h FROM ${table} t`);
    return `${r.rows[0].n} rows, checksum ${r.rows[0].h ?? 0}`;
  });
}

export async function expectSameRows(what: string, sourceUrl: string, targetUrl: string, table: string): Promise<string> {
  const [s, t] = await Promise.all([tableSum(sourceUrl, table), tableSum(targetUrl, table)]);
  if (s !== t) throw new Error(`${what}: the target's ${table} differs from the source's (source ${s}; target ${t})`);
  return t;
}

// ---- native logical replication -------------------------------------------------------------------------

export interface Subscription {
  name: string;
  drop(): Promise<void>;
}

/** Slot on the source, then the subscription on the target (copy_data as asked); timing is the caller's. */
export async function subscribe(o: { sourceUrl: string; targetUrl: string; name: string; publication: string; copyData: boolean }): Promise<Subscription> {
  await withPg(o.sourceUrl, (c) => c.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [o.name]));
  await withPg(o.targetUrl, (c) => c.query(
    `CREATE SUBSCRIPTION ${o.name} CONNECTION ${c.escapeLiteral(o.sourceUrl)} PUBLICATION ${o.publication}
      WITH (create_slot = false, slot_name = ${c.escapeLiteral(o.name)}, copy_data = ${o.copyData})`,
  ));
  return {
    name: o.name,
    // Detached from its slot first (dropping a slot of its own cluster from DROP SUBSCRIPTION can wait on
    // itself), then the slot, once its walsender has gone.
    drop: async () => {
      await withPg(o.targetUrl, async (c) => {
        await c.query(`ALTER SUBSCRIPTION ${o.name} DISABLE`);
        await c.query(`ALTER SUBSCRIPTION ${o.name} SET (slot_name = NONE)`);
        await c.query(`DROP SUBSCRIPTION ${o.name}`);
      });
      await dropSlot(o.sourceUrl, o.name);
    },
  };
}

export async function dropSlot(sourceUrl: string, slot: string): Promise<void> {
  await withPg(sourceUrl, async (c) => {
    for (let i = 0; i < 300; i++) {
      const r = await c.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      if (!r.rowCount) return;
      if (!r.rows[0].active) {
        await c.query('SELECT pg_drop_replication_slot($1)', [slot]);
        return;
      }
      await sleep(100);
    }
    throw new Error(`slot ${slot} stayed active for 30 s`);
  });
}

/** Until every table of the subscription is `r` (ready): its initial copy done and caught up with the stream. */
export async function waitReady(targetUrl: string, name: string, timeoutMs: number): Promise<void> {
  await withPg(targetUrl, async (c) => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const r = await c.query<{ total: number; ready: number }>(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE srsubstate = 'r')::int AS ready
           FROM pg_subscription_rel WHERE srsubid = (SELECT oid FROM pg_subscription WHERE subname = $1)`, [name]);
      if (r.rows[0].total > 0 && r.rows[0].ready === r.rows[0].total) return;
      if (performance.now() > deadline) throw new Error(`subscription ${name} not ready after ${timeoutMs} ms`);
      await sleep(20);
    }
  });
}

// ---- a big transaction and its commit LSN ------------------------------------------------------------------

export interface Committed {
  /** End of the commit record: what pgoutput reports as the commit's end LSN (Sluice's watermark, an origin's remote_lsn). */
  endLsn: string;
  /** performance.now() when COMMIT returned. */
  committedAt: number;
  statementSeconds: number;
  commitSeconds: number;
}

/** Runs `sql` in one transaction on the source and finds its commit record in the WAL. */
export async function commitBig(sourceUrl: string, sql: string): Promise<Committed> {
  return withPg(sourceUrl, async (c) => {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect');
    await c.query('BEGIN');
    const xid = (await c.query<{ x: string }>('SELECT txid_current()::text AS x')).rows[0].x;
    const t0 = performance.now();
    await c.query(sql);
    const before = (await c.query<{ l: string }>('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0].l;
    const t1 = performance.now();
    await c.query('COMMIT');
    const committedAt = performance.now();
    const after = (await c.query<{ l: string }>('SELECT pg_current_wal_flush_lsn()::text AS l')).rows[0].l;
    // txid_current() is the 64-bit id; the WAL record carries its low 32 bits.
    const rec = await c.query<{ end_lsn: string }>(
      `SELECT end_lsn::text FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn)
        WHERE resource_manager = 'Transaction' AND record_type LIKE 'COMMIT%' AND xid::text::bigint = ($3::bigint % 4294967296)`,
      [before, after, xid]);
    if (rec.rowCount !== 1) throw new Error(`the commit record of transaction ${xid} is not between ${before} and ${after}`);
    return { endLsn: rec.rows[0].end_lsn, committedAt, statementSeconds: (t1 - t0) / 1000, commitSeconds: (committedAt - t1) / 1000 };
  });
}

/** Source side: whether the walsender of `slot` has decoded and sent everything up to `lsn`. */
export const SENT_SQL = `SELECT coalesce(bool_or(r.sent_lsn >= $2::pg_lsn), false) AS done FROM pg_replication_slots s
  JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = $1`;

/**
 * Polls each probe (a query answering one row with a boolean `done`) every `pollMs` until all are done; returns
 * seconds from `since` to the first poll that saw each done.
 */
export async function waitAll(probes: { name: string; url: string; sql: string; params: unknown[] }[], since: number, pollMs: number, timeoutMs: number): Promise<Record<string, number>> {
  const clients = await Promise.all(probes.map((p) => connect(p.url)));
  const done: Record<string, number> = {};
  try {
    for (;;) {
      await Promise.all(probes.map(async (p, i) => {
        if (done[p.name] !== undefined) return;
        const r = await clients[i].query<{ done: boolean }>(p.sql, p.params);
        if (r.rows[0]?.done) done[p.name] = (performance.now() - since) / 1000;
      }));
      if (probes.every((p) => done[p.name] !== undefined)) return done;
      if (performance.now() - since > timeoutMs) throw new Error(`not done after ${timeoutMs} ms: ${probes.filter((p) => done[p.name] === undefined).map((p) => p.name).join(', ')}`);
      await sleep(pollMs);
    }
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

// ---- pg_recvlogical -----------------------------------------------------------------------------------------

export interface Recvlogical {
  pg: string;
  sourceUrl: string;
  publication: string;
}

const recvArgs = (r: Recvlogical, slot: string) =>
  `${shq(r.pg)} -d ${shq(r.sourceUrl)} -S ${shq(slot)} -o proto_version=1 -o publication_names=${shq(r.publication)} -F 0 -f /dev/null --start`;

/** pg_recvlogical streaming the slot to /dev/null until stopped (no fsync: -F 0). */
export function recvLogicalLive(r: Recvlogical, slot: string): { child: ChildProcess; stop(): Promise<void> } {
  const child = spawn('bash', ['-c', `exec ${recvArgs(r, slot)}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  return {
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

/** pg_recvlogical from the slot's start to `endLsn` (--endpos), timed spawn → exit. */
export const recvLogicalTo = (r: Recvlogical, slot: string, endLsn: string) => sh(`${recvArgs(r, slot)} --endpos=${endLsn}`);

export const psqlPipe = (psql: string, sourceUrl: string, targetUrl: string, table: string) =>
  sh(`${shq(psql)} ${shq(sourceUrl)} -X -v ON_ERROR_STOP=1 -c ${shq(`COPY ${table} TO STDOUT`)} | ${shq(psql)} ${shq(targetUrl)} -X -q -v ON_ERROR_STOP=1 -c ${shq(`COPY ${table} FROM STDIN`)}`);
