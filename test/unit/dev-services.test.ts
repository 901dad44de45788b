// The dev stack's start-up failure lines and where PostgreSQL keeps its data (dev/services.ts).
import { causeFromLog, postgresDataDir } from '../../dev/services';

describe('causeFromLog', () => {
  test('PostgreSQL: the first FATAL line, without its timestamp and pid', () => {
    const log = [
      '2026-11-27 23:40:01.123 UTC [4242] LOG:  starting PostgreSQL 15.14 on x86_64-pc-linux-gnu',
      '2026-11-27 23:40:01.124 UTC [4242] FATAL:  could not create lock file "/tmp/x/.s.PGSQL.5432.lock": Permission denied',
      '2026-11-27 23:40:01.125 UTC [4242] LOG:  database system is shut down',
    ].join('\n');
    expect(causeFromLog(log)).toBe('FATAL:  could not create lock file "/tmp/x/.s.PGSQL.5432.lock": Permission denied');
  });

  test('initdb and setpriv errors are found; without an error line, the last line', () => {
    expect(causeFromLog('The files belonging to this database system will be owned by user "postgres".\ninitdb: error: could not change permissions of directory "/x": Operation not permitted\n'))
      .toBe('initdb: error: could not change permissions of directory "/x": Operation not permitted');
    expect(causeFromLog('setpriv: failed to execute /nope/minio: No such file or directory\n')).toBe('setpriv: failed to execute /nope/minio: No such file or directory');
    expect(causeFromLog('starting\nlistening on 127.0.0.1:9000\n\n')).toBe('listening on 127.0.0.1:9000');
    expect(causeFromLog('\n  \n')).toBeUndefined();
  });

  test('long lines are cut', () => {
    expect(causeFromLog(`ERROR ${'x'.repeat(1000)}`)!.length).toBeLessThanOrEqual(301);
  });
});

describe('postgresDataDir', () => {
  test('one directory per checkout, under /var/tmp, the same on every run', () => {
    const a = postgresDataDir('/root/sluice/.sluice/dev/postgres');
    expect(a).toMatch(/^\/var\/tmp\/sluice-postgres-[0-9a-f]{16}$/);
    expect(postgresDataDir('/root/sluice/.sluice/dev/postgres/')).toBe(a);
    expect(postgresDataDir('/root/other/.sluice/dev/postgres')).not.toBe(a);
  });
});
