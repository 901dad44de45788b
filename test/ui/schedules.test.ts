// Schedules on the dashboard in a real browser (Chromium, headless) against a real Sluice: a schedule made and
// triggered through the API is listed with its next run, its latest run's job and its note; its page shows the
// definition, the run with its window and job link, and what Temporal says; the job's page names the schedule run
// it is; pause (with a note) and unpause from the page change the schedule through the API; a refused action shows
// the API's reason; delete removes it. Screenshots go to test-artifacts/ui/. Waits are on conditions.
import type { Client as PgClient } from 'pg';
import { sourceClient, startApi, testSluice, uniqueName, type TestApi, type TestSluice } from '../support/stack';
import { openBrowser, signIn, until, type TestBrowser } from './browser';

let s: TestSluice;
let api: TestApi;
let src: PgClient;
let b: TestBrowser;
const table = uniqueName('ui_events');
// Its first fire time is tomorrow: the only run during the test is the one it triggers.
const startAt = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 86_400_000).toISOString();
const definition = {
  interval: '1h', startAt, note: 'hourly export of new events',
  request: { source: 'src', table, filter: [{ column: 'created_at', op: 'gte', value: { $runWindowStart: true } }] },
};

interface Run { nominalTime: string; window: { start: string; end: string }; jobId: string | null; jobState: string | null }

beforeAll(async () => {
  s = await testSluice();
  await s.startWorker();
  api = await startApi(s);
  src = await sourceClient();
  await src.query(`CREATE TABLE ${table} AS SELECT g AS id, now() - g * interval '1 minute' AS created_at FROM generate_series(1, 300) g`);
  b = await openBrowser();
}, 180_000);

afterAll(async () => {
  await b?.close();
  await api?.close();
  await src?.end();
  await s?.close();
});

async function createSchedule(): Promise<string> {
  const res = await api.call('POST', '/v1/schedules', definition);
  if (res.status !== 201) throw new Error(`POST /v1/schedules answered ${res.status}: ${await res.text()}`);
  return (await res.json()).id;
}

const scheduleView = async (id: string) => (await api.call('GET', `/v1/schedules/${id}`)).json();

/** The term → description pairs of a card's facts, as shown. */
const facts = (card: string) => b.page.$$eval(`section.card:has(h2:text-is("${card}")) dl.facts > *`, (els) => {
  const pairs: Record<string, string> = {};
  for (let i = 0; i + 1 < els.length; i += 2) pairs[els[i].textContent!] = els[i + 1].textContent!;
  return pairs;
});

let id: string;
let run: Run;

test('the schedules list shows a triggered schedule: when, state, next run, its latest run with the job link, its note', async () => {
  id = await createSchedule();
  expect((await api.call('POST', `/v1/schedules/${id}/trigger`)).status).toBe(202);
  run = (await until(async () => (await scheduleView(id)).recentRuns[0] as Run | undefined, (r) => r?.jobState === 'Completed', 'the triggered run completed'))!;
  const listed = (await (await api.call('GET', '/v1/schedules')).json()).schedules.find((x: { id: string }) => x.id === id);

  const { page } = b;
  await signIn(page, api.url, s.apiKey);
  await page.click('nav .views a:text-is("Schedules")');
  const row = `table.schedules tr[data-id="${id}"]`;
  await page.waitForSelector(`${row} .latest-run .badge:text-is("Completed")`);
  const cells = await page.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent));
  expect([cells[0], cells[1], cells[2], cells[5]]).toEqual([id, 'every 1 h', 'active', 'hourly export of new events']);
  expect(await page.getAttribute(`${row} .next-run time`, 'datetime')).toBe(listed.nextRunTimes[0]);
  expect(await page.textContent(`${row} .latest-run a`)).toBe(run.jobId);
  expect(await page.getAttribute(`${row} .latest-run time`, 'datetime')).toBe(run.nominalTime);
  await b.screenshot('schedules');
});

test("the schedule's page: its definition, the run with its window and job link, what Temporal says; the job names its schedule run", async () => {
  const { page } = b;
  await page.click(`table.schedules tr[data-id="${id}"] a[href="#/schedules/${id}"]`);
  await page.waitForSelector('.page-title .badge:text-is("active")');
  expect(await page.textContent('.page-title h1')).toBe(`Schedule ${id}`);
  await page.waitForSelector('section.card:has(h2:text-is("Definition")) dl.facts');
  expect(await facts('Definition')).toMatchObject({
    When: 'every 1 h', Overlap: 'skip: a run due while one is going is skipped', 'Catch-up window': '1 d: a run missed by more is skipped',
    Jitter: 'none', Source: 'src', Table: table, Filter: 'created_at gte the window start', Format: 'csv + gzip',
  });
  expect(await page.getAttribute('section.card:has(h2:text-is("Definition")) dd time', 'datetime')).toBe(startAt);

  const runRow = `table.runs tr[data-job="${run.jobId}"]`;
  expect(await page.$$eval(`${runRow} time`, (ts) => ts.map((t) => t.getAttribute('datetime')))).toEqual(
    [run.nominalTime, run.window.start, run.window.end, expect.any(String)]);
  expect(await page.textContent(`${runRow} a.job-link`)).toBe(run.jobId);
  expect(await page.textContent(`${runRow} .badge`)).toBe('Completed');
  expect(await facts('In Temporal')).toMatchObject({ Schedule: `sluice/${s.tenantId}/schedule/${id}`, 'Skipped for overlap': '0' });
  await b.screenshot('schedule');

  await page.click(`${runRow} a.job-link`);
  await page.waitForSelector('.schedule-run:not([hidden])');
  expect(await page.textContent('.schedule-run')).toMatch(new RegExp(`^Run of schedule ${id}, due .+ · window .+ → .+$`));
  expect(await page.$$eval('.schedule-run time', (ts) => ts.map((t) => t.getAttribute('datetime')))).toEqual([run.nominalTime, run.window.start, run.window.end]);
  await b.screenshot('job-of-schedule');
  await page.click(`.schedule-run a[href="#/schedules/${id}"]`);
  await page.waitForSelector('.page-title .badge:text-is("active")');
});

test('pause from the page pauses the schedule with the note given, and shows it paused; unpause resumes it', async () => {
  const { page } = b;
  page.once('dialog', (d) => void d.accept('source under maintenance')); // "… Why? (optional, shown with it)"
  await page.click('button[data-action="pause"]');
  await page.waitForSelector('.page-title .badge:text-is("paused")');
  await page.waitForSelector('button[data-action="unpause"]');
  expect(await scheduleView(id)).toMatchObject({ state: 'paused', nextRunTimes: [], temporal: { note: 'source under maintenance' } });
  await until(() => facts('In Temporal'), (x) => x.Note === 'source under maintenance', "Temporal's note shown");
  expect(await page.textContent('.problems .notice-warning strong')).toBe('Paused: no run fires until it is unpaused.');
  expect(await page.textContent('.problems .notice-warning .suggestion')).toBe('Note: source under maintenance');
  expect(await page.textContent('section.card:has(h2:text-is("Next runs"))')).toContain('None while it is paused.');
  expect(await page.$$eval('.action-buttons button', (bs) => bs.map((x) => x.textContent))).toEqual(['Unpause', 'Trigger', 'Delete']);
  await b.screenshot('schedule-paused');

  await page.click('button[data-action="unpause"]');
  await page.waitForSelector('.page-title .badge:text-is("active")');
  expect((await scheduleView(id)).state).toBe('active');
  await page.waitForSelector('.next-runs time');
});

test("a refused action shows the API's reason; delete from the page removes the schedule and goes back to the list", async () => {
  const { page } = b;
  // The page's reads held back, another client deletes the schedule: the page still offers Trigger.
  await page.route('**/v1/**', (route) => (route.request().method() === 'GET' ? route.abort() : route.continue()));
  try {
    expect((await api.call('DELETE', `/v1/schedules/${id}`)).status).toBe(204);
    await page.click('button[data-action="trigger"]');
    const refused = await page.waitForSelector('.action-message.refused');
    expect(await refused.textContent()).toBe(`Trigger refused: schedule ${id} was not found`);
    await b.screenshot('schedule-refused-action');
  } finally {
    await page.unroute('**/v1/**');
  }

  const other = await createSchedule();
  await page.goto(`${api.url}/ui/#/schedules/${other}`);
  await page.waitForSelector('.page-title .badge:text-is("active")');
  page.once('dialog', (d) => void d.accept()); // "Delete removes the schedule; the jobs it made stay. Delete?"
  await page.click('button[data-action="delete"]');
  await page.waitForSelector('table.schedules');
  await page.waitForSelector('table.schedules td.empty:has-text("No schedules yet")');
  expect((await api.call('GET', `/v1/schedules/${other}`)).status).toBe(404);
  expect((await api.call('GET', `/v1/jobs/${run.jobId}`)).status).toBe(200); // the jobs it made stay
  expect(b.errors.filter((e) => !/Failed to load resource|net::ERR_FAILED/.test(e))).toEqual([]); // no script error, no CSP refusal
});
