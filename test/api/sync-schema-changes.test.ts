// What a sync checks while Initializing, and what it does when a source table changes under its stream, over the
// real API with a real worker. A check that fails leaves the sync Failed with an error that names what to change
// (code, message, suggestion); once that is changed as suggested, a restart works. A column added on the source
// is added on the target and the sync streams on; a column dropped or retyped stops it with
// unsupported_schema_change naming the table and the column.
import { stackInfo, uniqueName } from '../support/stack';
import { act, defineSync, discard, expectOnlyAllowed, expectSameRows, FAST, streamedPast, useSyncStack } from './sync-lifecycle-support';
import { waitForSync, writerTable } from './sync-support';

const stack = useSyncStack();
const newTable = () => `public.${uniqueName('shape')}`;
const streamingIn = (run: number) => (x: { state: string; phase: string; instance: { run: number } }) =>
  x.state === 'Running' && x.phase === 'streaming' && x.instance.run === run;

/** The sync is Failed on `code`, its message naming each of `names`, its suggestion saying `suggests`; so is its instance. */
async function expectFailedOn(id: string, code: string, names: string[], suggests: string): Promise<void> {
  const sync = await waitForSync(stack().api, id, (x) => x.state === 'Failed');
  expect(sync.error).toMatchObject({ code, retryable: false });
  for (const name of names) expect(sync.error.message).toContain(name);
  expect(sync.error.suggestion).toContain(suggests);
  expect(sync.error.suggestion).not.toContain('resume'); // a Failed sync cannot be resumed
  const [instance] = (await (await stack().api.call('GET', `/v1/syncs/${id}/instances`)).json()).instances;
  expect(instance).toMatchObject({ status: 'Failed', error: { code } });
  await expectOnlyAllowed(stack().api, id, 'Failed', ['restart', 'delete']);
}

/** Restarts a failed sync; it streams in instance `run` and, after a write, the target equals the source. */
async function restartsAndStreams(id: string, table: string, run = 2): Promise<void> {
  expect(await act(stack().api, id, 'restart')).toMatchObject({ instance: { run } });
  await waitForSync(stack().api, id, streamingIn(run));
  await stack().src.query(`UPDATE ${table} SET n = n + 1 WHERE id % 5 = 0`);
  expect(await streamedPast(stack().api, stack().src, id)).toMatchObject({ state: 'Running', error: null });
  await expectSameRows(stack().src, stack().dst, table);
  await discard(stack().api, id);
}

describe('Initializing checks', () => {
  test('a table without a primary key: Failed naming it; after ALTER TABLE … ADD PRIMARY KEY a restart syncs it', async () => {
    const table = newTable();
    await stack().src.query(`CREATE TABLE ${table} (id bigint NOT NULL, n int NOT NULL, payload text);
      INSERT INTO ${table} SELECT g, 0, md5(g::text) FROM generate_series(1, 300) g`);
    const sync = await defineSync(stack().api, [table], { start: true, options: FAST });
    await expectFailedOn(sync.id, 'table_without_primary_key', [table], 'ADD PRIMARY KEY');
    await stack().src.query(`ALTER TABLE ${table} ADD PRIMARY KEY (id)`);
    await restartsAndStreams(sync.id, table);
  });

  test('a table that does not exist: Failed naming it; once it is created a restart syncs it', async () => {
    const table = newTable();
    const sync = await defineSync(stack().api, [table], { start: true, options: FAST });
    await expectFailedOn(sync.id, 'undefined_table', [`the source has no table ${table}`], 'Check the names');
    await writerTable(stack().src, table, 300);
    await restartsAndStreams(sync.id, table);
  });

  test('a target table with another primary key: Failed naming both keys; once it is dropped a restart makes it and syncs', async () => {
    const table = newTable();
    await writerTable(stack().src, table, 300);
    await stack().dst.query(`CREATE TABLE ${table} (id bigint, n int NOT NULL, payload text, PRIMARY KEY (id, n))`);
    const sync = await defineSync(stack().api, [table], { start: true, options: FAST });
    await expectFailedOn(sync.id, 'target_table_mismatch', [`the target's ${table} has primary key (id, n), the source's (id)`], 'same primary key');
    await stack().dst.query(`DROP TABLE ${table}`);
    await restartsAndStreams(sync.id, table);
  });

  // The test cluster trusts every local connection: a role of its own with LOGIN but without REPLICATION is a
  // user name in the connection's URL. It owns the table and may create in the database, so that once it may
  // replicate it can make the publication and the slot.
  test('a source role without REPLICATION: Failed naming the role and the grant; after ALTER ROLE … REPLICATION a restart streams', async () => {
    const role = uniqueName('norepl');
    const table = newTable();
    const url = new URL(stackInfo().sourceUrl);
    await writerTable(stack().src, table, 300);
    await stack().src.query(`CREATE ROLE ${role} LOGIN NOREPLICATION; ALTER TABLE ${table} OWNER TO ${role};
      GRANT CREATE ON DATABASE ${url.pathname.slice(1)} TO ${role}`);
    url.username = role;
    url.password = '';
    expect((await stack().api.call('PUT', `/v1/connections/${role}`, { url: url.toString(), roles: ['source'] })).status).toBe(201);
    const sync = await defineSync(stack().api, [table], { source: role, start: true, options: FAST });
    await expectFailedOn(sync.id, 'replication_not_permitted', [`"${role}"`], `ALTER ROLE "${role}" REPLICATION`);
    await stack().src.query(`ALTER ROLE ${role} REPLICATION`);
    await restartsAndStreams(sync.id, table);
  });
});

describe('schema changes while streaming', () => {
  test('ADD COLUMN on the source (one with a constant default), then writes using it: the target gets the columns and the values; the sync stays Running', async () => {
    const table = newTable();
    await writerTable(stack().src, table, 500);
    const sync = await defineSync(stack().api, [table], { start: true, options: FAST });
    await waitForSync(stack().api, sync.id, streamingIn(1));
    // score: the rows already there read its default without holding it, and no change in the stream carries it.
    await stack().src.query(`ALTER TABLE ${table} ADD COLUMN note text, ADD COLUMN seen timestamptz(3), ADD COLUMN score int NOT NULL DEFAULT 7`);
    await stack().src.query(`UPDATE ${table} SET note = 'note ' || id, seen = '2025-02-03 04:05:06.789+00' WHERE id % 3 = 0`);
    await stack().src.query(`INSERT INTO ${table} VALUES (1001, 1, 'p', 'fresh', now(), 8), (1002, 2, 'q', NULL, NULL, 9)`);
    expect(await streamedPast(stack().api, stack().src, sync.id)).toMatchObject({ state: 'Running', error: null });
    const columns = await stack().dst.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
      [table.slice('public.'.length)],
    );
    expect(columns.rows.map((c) => `${c.column_name} ${c.data_type}`)).toEqual(['id bigint', 'n integer', 'payload text', 'note text', 'seen timestamp with time zone', 'score integer']);
    await expectSameRows(stack().src, stack().dst, table);
    await discard(stack().api, sync.id);
  });

  test('DROP COLUMN on the source: Failed with unsupported_schema_change naming table and column; the same change on the target and a restart mend it', async () => {
    const table = newTable();
    await writerTable(stack().src, table, 500);
    const sync = await defineSync(stack().api, [table], { start: true, options: FAST });
    await waitForSync(stack().api, sync.id, streamingIn(1));
    await stack().src.query(`ALTER TABLE ${table} DROP COLUMN payload`);
    await stack().src.query(`UPDATE ${table} SET n = 7 WHERE id = 1`); // the stream meets the new shape with a change
    await expectFailedOn(sync.id, 'unsupported_schema_change', [table, 'column payload'], 'Make the same change on the target table');
    // A restart alone copies the table again but the target keeps the column, and the stream stops on it again.
    await act(stack().api, sync.id, 'restart');
    await waitForSync(stack().api, sync.id, streamingIn(2));
    await stack().src.query(`UPDATE ${table} SET n = 8 WHERE id = 1`);
    await expectFailedOn(sync.id, 'unsupported_schema_change', [table, 'column payload'], 'Make the same change on the target table');
    await stack().dst.query(`ALTER TABLE ${table} DROP COLUMN payload`);
    await restartsAndStreams(sync.id, table, 3);
  });

  test('a column type change on the source: Failed with unsupported_schema_change naming the column and both types', async () => {
    const table = newTable();
    await writerTable(stack().src, table, 500);
    const sync = await defineSync(stack().api, [table], { start: true, options: FAST });
    await waitForSync(stack().api, sync.id, streamingIn(1));
    await stack().src.query(`ALTER TABLE ${table} ALTER COLUMN n TYPE bigint`);
    await stack().src.query(`UPDATE ${table} SET n = 5000000000 WHERE id = 2`);
    await expectFailedOn(sync.id, 'unsupported_schema_change', [table, 'column n is now bigint (the target has integer)'], 'then restart the sync');
    await stack().dst.query(`ALTER TABLE ${table} ALTER COLUMN n TYPE bigint`);
    await restartsAndStreams(sync.id, table);
  });
});
