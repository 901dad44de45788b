// The `sluice` admin commands as an operator runs them (npm run sluice -- …, a process of its own) against the
// test database: a tenant and a key made there work on the API at once, and a revoked one stops at once.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startApi, testSluice, uniqueName, type TestSluice } from '../support/stack';
import { expectProblem } from './support';

/** Runs `npm run --silent sluice -- …args` with nothing but the database in its settings (npm's warnings may be on stderr too). */
function sluice(s: TestSluice, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, SLUICE_DATABASE_URL: s.config.SLUICE_DATABASE_URL };
  const child = spawn('npm', ['run', '--silent', 'sluice', '--', ...args], { cwd: join(__dirname, '..', '..'), env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  return new Promise((ok, fail) => {
    child.on('error', fail);
    child.on('close', (status) => ok({ status, stdout, stderr }));
  });
}

test('tenants create and list, keys create (printed once), list (never the key) and revoke', async () => {
  const s = await testSluice();
  const api = await startApi(s);
  const useKey = (key: string) => api.call('GET', '/v1/jobs', undefined, { authorization: `Bearer ${key}` });
  const run = (...args: string[]) => sluice(s, ...args);
  try {
    const tenant = uniqueName('cli');
    const created = await run('tenants', 'create', tenant, '--name', 'CLI Corp');
    expect(created).toMatchObject({ status: 0, stdout: `Created tenant ${tenant} (CLI Corp).\n` });
    expect((await run('tenants', 'list')).stdout).toMatch(new RegExp(`^${tenant} +CLI Corp +\\d{4}-`, 'm'));

    const made = await run('keys', 'create', tenant, '--label', 'nightly', '--allow-cidr', '127.0.0.0/8', '--allow-cidr', '::1', '--expires-in', '30d');
    expect(made.status).toBe(0);
    const [intro, key, advice] = made.stdout.trimEnd().split('\n');
    const id = /^Created key (key_[0-9a-f]{20}) for tenant /.exec(intro)![1];
    expect(key).toMatch(/^sk_/);
    expect(advice).toMatch(/cannot show it again/);
    expect((await useKey(key)).status).toBe(200);

    const listed = await run('keys', 'list', tenant);
    expect(listed.status).toBe(0);
    const [header, row, ...rest] = listed.stdout.trimEnd().split('\n');
    expect(header.split(/\s{2,}/)).toEqual(['ID', 'LABEL', 'STATUS', 'CREATED', 'EXPIRES', 'REVOKED', 'LAST USED', 'CIDRS']);
    expect(row).toMatch(new RegExp(`^${id} +nightly +active +\\S+Z +\\S+Z +- +\\S+ +127\\.0\\.0\\.0/8,::1/128$`));
    expect(rest).toEqual([]);
    expect(listed.stdout).not.toContain(key);
    const json = JSON.parse((await run('keys', 'list', tenant, '--json')).stdout);
    expect(json).toEqual([expect.objectContaining({ id, label: 'nightly', status: 'active', allowedCidrs: ['127.0.0.0/8', '::1/128'] })]);

    const revoked = await run('keys', 'revoke', id);
    expect(revoked).toMatchObject({ status: 0, stdout: expect.stringMatching(new RegExp(`^Revoked key ${id} of tenant ${tenant} at `)) });
    expect((await expectProblem(await useKey(key), 401)).detail).toBe('the API key was revoked');

    // Refusals: a taken id (1), a bad range named by its flag (1), a command not understood (2).
    expect(await run('tenants', 'create', tenant)).toMatchObject({ status: 1, stderr: expect.stringContaining(`sluice: tenant ${tenant} exists already\n`) });
    expect(await run('keys', 'create', tenant, '--allow-cidr', '10.0.0.1/8')).toMatchObject({ status: 1, stderr: expect.stringMatching(/^sluice: --allow-cidr: .*bits set/m) });
    expect(await run('keys', 'create')).toMatchObject({ status: 2, stderr: expect.stringContaining('usage: sluice keys create <tenant>') });
  } finally {
    await api.close();
    await s.close();
  }
});

test("limits set and show: a tenant's own limits, a bad value named by its flag, default again", async () => {
  const s = await testSluice();
  const run = (...args: string[]) => sluice(s, ...args);
  try {
    const set = await run('limits', 'set', s.tenantId, '--daily-rows', '5000', '--running-jobs', '2', '--json');
    expect(set.status).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ runningJobs: 2, inlineConcurrent: null, dailyRows: 5000, dailyBytes: null, requestsPerMinute: null });
    const shown = await run('limits', 'show', s.tenantId);
    expect(shown.stdout).toMatch(/^dailyRows +5000$/m);
    expect(shown.stdout).toMatch(/^dailyBytes +default$/m);
    expect(await run('limits', 'set', s.tenantId, '--running-jobs', 'many')).toMatchObject({ status: 1, stderr: expect.stringMatching(/^sluice: --running-jobs: /m) });
    expect(JSON.parse((await run('limits', 'set', s.tenantId, '--daily-rows', 'default', '--json')).stdout)).toMatchObject({ dailyRows: null, runningJobs: 2 });
    expect(await run('limits', 'show', 'no-such-tenant')).toMatchObject({ status: 1, stderr: expect.stringContaining('tenant no-such-tenant was not found') });
    expect(await run('secrets', 'rotate', '--help')).toMatchObject({ status: 0, stdout: expect.stringContaining('Re-encrypts every connection URL') });
    expect((await run('help')).stdout).toContain('sluice secrets rotate');
  } finally {
    await s.close();
  }
});
