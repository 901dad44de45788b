// The dashboard in a real browser (Chromium, headless) against a real Sluice: the page loads without a key and
// signs in with one; a running sync's six tiles move under a writer and its charts are drawn, and a stalled apply
// reads as falling behind; pause and resume from the page change the sync's state through the API, and a refused
// action shows the API's reason; an extraction job's progress bar reaches 100% and its file links download its
// rows. Screenshots go to test-artifacts/ui/. Every wait is on a condition, with generous bounds: the machine is
// shared.
import { getSync, steadyWriter, streamingSync, syncStack, waitForSync, writerTable, type SyncStack } from '../api/sync-support';
import { uniqueName } from '../support/stack';
import { openBrowser, signIn, tileTexts, until, type TestBrowser } from './browser';

let t: SyncStack;
let b: TestBrowser;
let syncId: string;
const table = `public.${uniqueName('dashboard')}`;
const jobTable = `public.${uniqueName('dashboard_job')}`;
const JOB_ROWS = 200_000;

beforeAll(async () => {
  t = await syncStack({ SLUICE_SYNC_METRICS_SECONDS: '1', SLUICE_PART_ROWS: '50000' });
  await writerTable(t.src, table, 1000);
  await t.src.query(`CREATE TABLE ${jobTable} AS SELECT g AS id, md5(g::text) AS word FROM generate_series(1, ${JOB_ROWS}) g`);
  await t.src.query(`ALTER TABLE ${jobTable} ADD PRIMARY KEY (id)`);
  syncId = await streamingSync(t.api, table, { heartbeatIntervalSeconds: 1 });
  b = await openBrowser();
}, 180_000);

afterAll(async () => {
  await b?.close();
  if (syncId) {
    await t.api.call('POST', `/v1/syncs/${syncId}/pause`);
    await t.api.call('DELETE', `/v1/syncs/${syncId}`); // drops the slot, which would hold WAL for the rest of the run
  }
  await t?.close();
});

test('/ui loads without a key, as HTML with a CSP, and serves uPlot; the page signs in with a key and out again', async () => {
  const page = await fetch(`${t.api.url}/ui/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect((await fetch(`${t.api.url}/ui`, { redirect: 'manual' })).status).toBe(301); // to /ui/, for its relative links
  for (const [path, type] of [['/ui/app.js', /javascript/], ['/ui/style.css', /^text\/css/], ['/ui/vendor/uPlot.esm.js', /javascript/], ['/ui/vendor/uPlot.min.css', /^text\/css/]] as const) {
    const res = await fetch(`${t.api.url}${path}`);
    expect([path, res.status]).toEqual([path, 200]);
    expect(res.headers.get('content-type')).toMatch(type);
  }
  expect((await fetch(`${t.api.url}/v1/syncs`)).status).toBe(401); // the API itself still wants the key

  const { page: p } = b;
  await p.goto(`${t.api.url}/ui/`);
  await p.fill('#api-key', 'not-a-key');
  await p.click('button[type=submit]');
  await p.waitForSelector('.form-error:has-text("not valid")');
  expect(await p.evaluate(() => sessionStorage.length)).toBe(0);
  await b.screenshot('sign-in-refused');

  await signIn(p, t.api.url, t.s.apiKey);
  await p.waitForSelector(`tr[data-id="${syncId}"] .badge:has-text("Running")`);
  await p.click('#sign-out');
  await p.waitForSelector('#api-key');
  expect(await p.evaluate(() => sessionStorage.getItem('sluice.apiKey'))).toBeNull();
  await signIn(p, t.api.url, t.s.apiKey);
});

test("a running sync: its six tiles change under a writer, the reading says what they mean, and its charts are drawn", async () => {
  const { page } = b;
  await page.click(`tr[data-id="${syncId}"] a`);
  await page.waitForSelector('.tile[data-kpi="instanceRecords"]');
  await page.waitForSelector('.page-title .badge:has-text("Running")');
  const first = await until(() => tileTexts(page), (x) => Object.keys(x).length === 6, 'six tiles');

  const writer = steadyWriter(t.src, table, { rowsPerTxn: 5, everyMs: 50 });
  try {
    // Each tile shows a value other than its first at some poll: collect until all six have moved.
    const moved = new Set<string>();
    await until(async () => {
      for (const [kpi, text] of Object.entries(await tileTexts(page))) if (text !== first[kpi] && text !== '–') moved.add(kpi);
      return [...moved];
    }, (m) => m.length === 6, 'every tile changed');
    await until(() => page.getAttribute('.reading', 'data-reading'), (r) => r === 'normal' || r === 'no-source-data' || r === 'falling-behind', 'a reading of the KPIs');

    // A uPlot chart of each KPI with points, on a canvas of non-zero size.
    const chart = '.chart[data-chart="instanceRecords"]';
    await until(() => page.getAttribute(chart, 'data-points'), (n) => Number(n) > 0, 'points on the records chart');
    const size = await page.$eval(`${chart} .uplot canvas`, (c) => ({ width: c.clientWidth, height: c.clientHeight }));
    expect(size.width).toBeGreaterThan(0);
    expect(size.height).toBeGreaterThan(0);
    expect(await page.$$eval('.chart .uplot canvas', (cs) => cs.length)).toBe(7); // six KPIs and the retained WAL
    await b.screenshot('sync-running');
  } finally {
    await writer.stop();
  }

  // Another window: the charts are read again for it.
  await page.click('button[data-window="5m"]');
  await page.waitForSelector('button[data-window="5m"].on');
  await until(() => page.getAttribute('.chart[data-chart="instanceRecords"]', 'data-points'), (n) => Number(n) > 0, 'points over 5 minutes');
});

test('a stalled apply (target table locked) reads as falling behind; released, as normal again', async () => {
  const { page } = b;
  const reading = () => page.getAttribute('.reading', 'data-reading');
  const writer = steadyWriter(t.src, table, { firstId: 2_000_000 });
  try {
    await t.dst.query('BEGIN');
    try {
      await t.dst.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      await until(reading, (r) => r === 'falling-behind', 'the reading "falling behind"');
      await until(() => page.textContent('.tile[data-kpi="idleTimeMs"] .tile-word'), (w) => w === 'high, increasing', 'Idle Time read as increasing');
      expect(await reading()).toBe('falling-behind');
      await b.screenshot('sync-falling-behind');
    } finally {
      await t.dst.query('ROLLBACK');
    }
    await until(reading, (r) => r === 'normal', 'the reading "normal" once the backlog is applied');
  } finally {
    await writer.stop();
  }
});

test('pause and resume from the page change the sync through the API; a refused action shows the reason', async () => {
  const { page } = b;
  await page.click('button[data-action="pause"]');
  await waitForSync(t.api, syncId, (s) => s.state === 'Paused');
  await page.waitForSelector('.page-title .badge:has-text("Paused")');
  await page.waitForSelector('button[data-action="resume"]');
  await b.screenshot('sync-paused');

  await page.click('button[data-action="resume"]');
  await waitForSync(t.api, syncId, (s) => s.state === 'Running');
  await page.waitForSelector('.page-title .badge:has-text("Running")');

  // The page's reads held back, so its Pause button is still there when another client pauses the sync first.
  await page.waitForSelector('button[data-action="pause"]');
  await page.route('**/v1/**', (route) => (route.request().method() === 'GET' ? route.abort() : route.continue()));
  try {
    expect((await t.api.call('POST', `/v1/syncs/${syncId}/pause`)).status).toBe(200);
    await page.click('button[data-action="pause"]');
    const refused = await page.waitForSelector('.action-message.refused');
    expect(await refused.textContent()).toContain(`pause is not allowed while sync ${syncId} is Paused`);
  } finally {
    await page.unroute('**/v1/**');
  }
  await page.waitForSelector('.page-title .badge:has-text("Paused")');
  expect((await getSync(t.api, syncId)).state).toBe('Paused');
  await b.screenshot('sync-refused-action');
});

test("an extraction job: the progress bar reaches 100% and the file links download the job's rows", async () => {
  const res = await t.api.call('POST', '/v1/extractions', { source: 'src', table: jobTable, format: 'csv', compression: 'none', mode: 'job' });
  expect(res.status).toBe(202);
  const { id } = await res.json();
  const { page } = b;
  await page.goto(`${t.api.url}/ui/#/jobs/${id}`);
  await page.waitForSelector('.job-progress');
  await until(() => page.getAttribute('.job-progress', 'data-percent'), (p) => p === '100', 'the progress bar at 100%');
  await page.waitForSelector('.page-title .badge:has-text("Completed")');
  await page.waitForSelector('a.file-link');
  await b.screenshot('job-completed');

  const links = await page.$$eval('a.file-link', (as) => as.map((a) => a.getAttribute('href')!));
  expect(links.length).toBeGreaterThan(1);
  const parts = await Promise.all(links.map(async (url) => {
    const file = await fetch(url);
    expect(file.status).toBe(200);
    return file.text();
  }));
  const rows = parts.flatMap((p) => p.split('\n').slice(1).filter(Boolean)); // each part has its header
  expect(parts[0].split('\n')[0]).toBe('id,word');
  expect(rows.length).toBe(JOB_ROWS);
  expect(new Set(rows.map((r) => Number(r.split(',')[0]))).size).toBe(JOB_ROWS);

  const manifestUrl = await page.getAttribute('a.manifest-link', 'href');
  const manifest = await (await fetch(manifestUrl!)).json();
  expect(manifest).toMatchObject({ complete: true, rows: JOB_ROWS });
});

test("a failed extraction job shows its error with the suggestion, and the actions a failed job allows", async () => {
  const res = await t.api.call('POST', '/v1/extractions', { source: 'src', query: `SELECT id / (id - id) FROM ${jobTable}`, format: 'csv', mode: 'job' });
  expect(res.status).toBe(202);
  const { id } = await res.json();
  const { page } = b;
  await page.goto(`${t.api.url}/ui/#/jobs/${id}`);
  await page.waitForSelector('.page-title .badge:has-text("Failed")');
  const job = await (await t.api.call('GET', `/v1/jobs/${id}`)).json();
  expect(await page.textContent('.notice-error strong')).toBe(job.error.message);
  expect(await page.textContent('.notice-error .suggestion')).toBe(job.error.suggestion);
  expect(await page.$$eval('.action-buttons button', (bs) => bs.map((x) => x.getAttribute('data-action')))).toEqual(job.allowedActions);
  await b.screenshot('job-failed');
});

test('a full sync: each table copied shows its progress bar; once Succeeded it is deleted from the page', async () => {
  const res = await t.api.call('POST', '/v1/syncs', { source: 'src', target: 'dst', tables: [jobTable], mode: 'full', start: true });
  expect(res.status).toBe(201);
  const { id } = await res.json();
  const { page } = b;
  await page.goto(`${t.api.url}/ui/#/syncs/${id}`);
  await page.waitForSelector('.page-title .badge:has-text("Succeeded")');
  await page.waitForSelector(`.phase td:has-text("${jobTable}")`);
  expect(await page.getAttribute('.phase .bar', 'aria-valuenow')).toBe('100');
  await b.screenshot('sync-full-succeeded');

  page.once('dialog', (d) => void d.accept()); // "Delete removes the job and everything it keeps. Delete?"
  await page.click('button[data-action="delete"]');
  await page.waitForSelector('table.fleet');
  await until(async () => (await t.api.call('GET', `/v1/syncs/${id}`)).status, (status) => status === 404, 'the sync deleted');
});

test('the fleet lists the sync and the job, and filters them by kind, state and text', async () => {
  const { page } = b;
  await page.goto(`${t.api.url}/ui/#/`);
  await page.waitForSelector(`tr[data-kind="extraction"]`);
  await page.waitForSelector(`tr[data-id="${syncId}"]`);
  await page.selectOption('select[name="kind"]', 'extraction');
  await until(() => page.$$eval('table.fleet tbody tr[data-id]', (trs) => trs.map((tr) => tr.getAttribute('data-kind'))),
    (kinds) => kinds.length > 0 && kinds.every((k) => k === 'extraction'), 'only extraction jobs');
  await page.selectOption('select[name="kind"]', 'all');
  await page.selectOption('select[name="state"]', 'Paused');
  await until(() => page.$$eval('table.fleet tbody tr[data-id]', (trs) => trs.map((tr) => tr.getAttribute('data-id'))),
    (ids) => ids.length === 1 && ids[0] === syncId, 'only the paused sync');
  await page.selectOption('select[name="state"]', 'all');
  await page.fill('input[name="text"]', 'no such thing');
  await page.waitForSelector('td.empty:has-text("Nothing matches")');
  await page.fill('input[name="text"]', syncId.slice(-8));
  await until(() => page.$$eval('table.fleet tbody tr[data-id]', (trs) => trs.length), (n) => n === 1, 'one row for the text');
  await page.fill('input[name="text"]', '');
  await b.screenshot('fleet');
  expect(b.errors.filter((e) => !/Failed to load resource|net::ERR_FAILED/.test(e))).toEqual([]); // no script error, no CSP refusal
});
