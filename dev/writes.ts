// `npm run dev:writes [-- --rate N]`: a steady writer on the demo source's public.orders while `npm run dev`
// runs, so that a sync has changes to carry: N statements a second (default 5), about half inserts, a third
// updates and the rest deletes, each its own transaction. Says what it did every 5 s; Ctrl-C stops it.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

const REPORT_EVERY_MS = 5_000;
const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'];

function rateArg(argv: string[]): number {
  const i = argv.findIndex((a) => a === '--rate' || a.startsWith('--rate='));
  if (i < 0) return 5;
  const text = argv[i].includes('=') ? argv[i].slice('--rate='.length) : argv[i + 1];
  const rate = Number(text);
  if (!(rate > 0 && rate <= 1000)) throw new Error(`--rate takes statements per second, more than 0 and at most 1000 (got ${text})`);
  return rate;
}

function demoSourceUrl(): string {
  const file = join(resolve(process.env.SLUICE_DEV_STATE_DIR ?? join(__dirname, '..', '.sluice')), 'dev.json');
  if (!existsSync(file)) throw new Error(`${file} is missing: start the dev stack first (npm run dev)`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { demoSourceUrl: string }).demoSourceUrl;
}

const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)];

async function main() {
  const rate = rateArg(process.argv.slice(2));
  const db = new Client({ connectionString: demoSourceUrl(), application_name: 'sluice-dev-writes' });
  await db.connect();
  let nextId = Number((await db.query<{ n: string }>('SELECT coalesce(max(id), 0) + 1 AS n FROM public.orders')).rows[0].n);
  const randomId = () => 1 + Math.floor(Math.random() * (nextId - 1));
  const done = { inserted: 0, updated: 0, deleted: 0 };
  let lastReport = { ...done };

  // One statement; its kind by chance: ~50% insert, ~35% update, ~15% delete.
  async function write() {
    const roll = Math.random();
    if (roll < 0.5) {
      const id = nextId++;
      const res = await db.query(
        `INSERT INTO public.orders (id, customer_id, customer_email, status, amount, currency, created_at)
         VALUES ($1, $2::int, 'customer' || $2::int || '@example.com', 'pending', $3, 'EUR', now()) ON CONFLICT (id) DO NOTHING`,
        [id, 1 + Math.floor(Math.random() * 65536), (1 + Math.random() * 500).toFixed(2)],
      );
      done.inserted += res.rowCount ?? 0;
    } else if (roll < 0.85) {
      const res = await db.query(
        `UPDATE public.orders SET status = $2, amount = round(amount * 1.01, 2),
                shipped_at = CASE WHEN $2 IN ('shipped', 'delivered') THEN coalesce(shipped_at, now()) END
          WHERE id = $1`,
        [randomId(), pick(STATUSES)],
      );
      done.updated += res.rowCount ?? 0;
    } else {
      done.deleted += (await db.query('DELETE FROM public.orders WHERE id = $1', [randomId()])).rowCount ?? 0;
    }
  }

  console.log(`[dev:writes] writing to public.orders of the demo source, ${rate} statements/s (Ctrl-C stops)`);
  let busy: Promise<void> | null = null;
  const tick = setInterval(() => {
    if (busy) return; // the last statement has not finished: skip a beat rather than pile up
    busy = write().catch((err: Error) => console.error(`[dev:writes] ${err.message}`)).finally(() => (busy = null));
  }, 1000 / rate);
  const report = setInterval(() => {
    const d = { inserted: done.inserted - lastReport.inserted, updated: done.updated - lastReport.updated, deleted: done.deleted - lastReport.deleted };
    lastReport = { ...done };
    console.log(`[dev:writes] last ${REPORT_EVERY_MS / 1000} s: ${d.inserted} inserted, ${d.updated} updated, ${d.deleted} deleted`);
  }, REPORT_EVERY_MS);

  const stop = async () => {
    clearInterval(tick);
    clearInterval(report);
    await busy;
    await db.end();
    console.log(`[dev:writes] stopped: ${done.inserted} inserted, ${done.updated} updated, ${done.deleted} deleted in all`);
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void stop());
}

main().catch((err: Error) => {
  console.error(`[dev:writes] ${err.message}`);
  process.exit(1);
});
