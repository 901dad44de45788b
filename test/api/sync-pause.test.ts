// Pausing a streaming sync while the source keeps writing (design.md §2: Paused keeps the slot, WAL accumulates
// on the source; §7: that growth must not be silent). While paused, GET /v1/syncs/:id shows the slot's retained
// WAL rising sample by sample and warns (paused_wal_growing, and wal_over_budget past a small budget); after a
// resume the sync streams again from where it stopped and the target ends equal to the source row by row.
import { uniqueName } from '../support/stack';
import { caughtUp, getSync, rows, sleep, steadyWriter, streamingSync, syncStack, waitForSync, writerTable, type SyncStack } from './sync-support';

const BUDGET = 1 << 20; // the least budget a sync accepts; the writer passes it within seconds

let t: SyncStack;
const table = `public.${uniqueName('paused')}`;

beforeAll(async () => {
  // The paused sampler every second, so that growth shows within a few seconds.
  t = await syncStack({ SLUICE_SYNC_PAUSED_SAMPLE_SECONDS: '1', SLUICE_SYNC_METRICS_SECONDS: '1' });
  await writerTable(t.src, table, 2000);
});

afterAll(async () => {
  await t?.close();
});

test('paused under writes: retained WAL grows and is warned about; resumed, the target catches up and equals the source', async () => {
  const { api, src, dst } = t;
  const id = await streamingSync(api, table, { heartbeatIntervalSeconds: 1, walBudgetBytes: BUDGET });
  const writer = steadyWriter(src, table, { rowsPerTxn: 20, everyMs: 20 });
  try {
    await sleep(1000); // some changes streamed before the pause
    const paused = await api.call('POST', `/v1/syncs/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ state: 'Paused' });

    // Each read shows the newest sample; collect distinct values until both warnings are up (budget passed).
    const retained: number[] = [];
    const warned = new Set<string>();
    const end = Date.now() + 90_000;
    while (!(warned.has('paused_wal_growing') && warned.has('wal_over_budget') && retained.length >= 3)) {
      if (Date.now() > end) throw new Error(`no growth or warnings while paused: ${JSON.stringify({ retained, warned: [...warned] })}`);
      const sync = await getSync(api, id);
      expect(sync.state).toBe('Paused');
      const bytes = sync.slot.retainedWalBytes;
      if (typeof bytes === 'number' && bytes !== retained[retained.length - 1]) retained.push(bytes);
      for (const w of sync.warnings) warned.add(w.code);
      await sleep(500);
    }
    // Rising across samples: the slot holds every byte written since the pause.
    for (let i = 1; i < retained.length; i++) expect(retained[i]).toBeGreaterThan(retained[i - 1]);
    expect(retained[retained.length - 1]).toBeGreaterThan(BUDGET);
    const warnings = (await getSync(api, id)).warnings;
    expect(warnings.map((w: { code: string }) => w.code)).toEqual(expect.arrayContaining(['paused_wal_growing', 'wal_over_budget']));
    for (const w of warnings) expect(w).toMatchObject({ message: expect.any(String), suggestion: expect.any(String) });
    expect(writer.txns).toBeGreaterThan(10);

    const resumed = await api.call('POST', `/v1/syncs/${id}/resume`);
    expect(resumed.status).toBe(200);
    expect(await resumed.json()).toMatchObject({ state: 'Running' });
    await sleep(2000); // the writer goes on while the resumed stream works off the backlog
  } finally {
    await writer.stop();
  }
  await caughtUp(src, dst, id, 120_000);
  const [source, target] = [await rows(src, table), await rows(dst, table)];
  expect(target.length).toBe(source.length);
  expect(target).toEqual(source);

  // Caught up and running: the slot advanced, so the pause warning is gone.
  const after = await waitForSync(api, id, (x) => !x.warnings.some((w: { code: string }) => w.code === 'paused_wal_growing'));
  expect(after).toMatchObject({ state: 'Running', instance: { run: 1 } });
  expect((await api.call('POST', `/v1/syncs/${id}/pause`)).status).toBe(200);
  expect((await api.call('DELETE', `/v1/syncs/${id}`)).status).toBe(204); // drops the slot, which would hold WAL
}, 300_000);
