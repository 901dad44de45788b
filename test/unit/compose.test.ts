// temporal-compose.yml and the Dockerfile cannot be run on CI (no Docker engine), so check that they agree with the code:
// settings, scripts, search attributes, addresses and the Node version.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configSchema } from '../../workers/config';
import { SEARCH_ATTRIBUTES } from '../../dev/services';

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, unknown>;
  ports?: string[];
  healthcheck?: { test: string[] };
}

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const compose = parse(read('temporal-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; engines: { node: string } };

// Compose hands every value to the process as a string.
const envOf = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [k, String(v)]));
const commandOf = (name: string) => [services[name]?.command ?? []].flat().join(' ');
const serviceWithImage = (prefix: string): [string, Service] => {
  const found = Object.entries(services).filter(([, s]) => s.image?.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0];
};
// "127.0.0.1:9000:9000" -> { host: 9000, container: 9000 }
const portsOf = (service: Service) =>
  (service.ports ?? []).map((p) => {
    const parts = p.split(':');
    return { host: Number(parts[parts.length - 2]), container: Number(parts[parts.length - 1]) };
  });

const sluiceServices = ['migrate', 'worker', 'api'];
const worker = envOf('worker');
const api = envOf('api');

describe('temporal-compose.yml', () => {
  test('the Sluice services are built from the Dockerfile', () => {
    for (const name of sluiceServices) expect(services[name]?.build).toBeDefined();
  });

  test('Sluice services set only variables that configSchema knows', () => {
    const known = Object.keys(configSchema.shape);
    for (const name of sluiceServices) {
      const ours = Object.keys(envOf(name)).filter((k) => /^(SLUICE|TEMPORAL)_/.test(k));
      expect({ [name]: ours.filter((k) => !known.includes(k)) }).toEqual({ [name]: [] });
    }
  });

  test('worker and api set every required variable, and configSchema accepts their settings', () => {
    const required = Object.entries(configSchema.shape)
      .filter(([, field]) => !field.safeParse(undefined).success)
      .map(([key]) => key);
    expect(required.length).toBeGreaterThan(0);
    for (const env of [worker, api]) {
      expect(Object.keys(env)).toEqual(expect.arrayContaining(required));
      const parsed = configSchema.safeParse(env);
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
  });

  test.each(sluiceServices)('%s runs an npm script whose entry file exists', (name) => {
    const match = /^npm run (\S+)$/.exec(commandOf(name));
    expect(match).not.toBeNull();
    const script = pkg.scripts[match![1]];
    expect(script).toMatch(/^tsx \S+\.ts$/);
    const entry = script.split(' ')[1];
    expect({ entry, exists: existsSync(join(root, entry)) }).toEqual({ entry, exists: true });
  });

  test('it registers exactly the search attributes of dev/services.ts', () => {
    const setup = Object.keys(services).filter((n) => commandOf(n).includes('temporal operator search-attribute create'));
    expect(setup).toHaveLength(1);
    const [name] = setup;
    expect(services[name].image).toMatch(/^temporalio\/admin-tools:/);
    const command = commandOf(name);
    const registered = [...command.matchAll(/--name (\w+) --type (\w+)/g)].map((m) => `${m[1]}=${m[2]}`);
    expect(registered.sort()).toEqual([...SEARCH_ATTRIBUTES].sort());
    // ...in the namespace and on the server that Sluice uses.
    expect(envOf(name).TEMPORAL_NAMESPACE).toBe(worker.TEMPORAL_NAMESPACE);
    expect(envOf(name).TEMPORAL_ADDRESS).toBe(worker.TEMPORAL_ADDRESS);
  });

  test('Sluice reaches Temporal at the temporal service and its frontend port', () => {
    const [name, temporal] = serviceWithImage('temporalio/server');
    const [host, port] = worker.TEMPORAL_ADDRESS.split(':');
    expect(host).toBe(name);
    expect(portsOf(temporal).map((p) => p.container)).toContain(Number(port));
    expect(api.TEMPORAL_ADDRESS).toBe(worker.TEMPORAL_ADDRESS);
  });

  test('S3 is the minio service, and download links use its published port', () => {
    const [name, minio] = serviceWithImage('minio/minio');
    const inside = new URL(worker.SLUICE_S3_ENDPOINT);
    expect(inside.hostname).toBe(name);
    const published = portsOf(minio).find((p) => p.container === Number(inside.port));
    expect(published?.host).toBe(Number(new URL(worker.SLUICE_S3_PUBLIC_ENDPOINT).port));
    expect(envOf(name).MINIO_ROOT_USER).toBe(worker.SLUICE_S3_ACCESS_KEY_ID);
    expect(envOf(name).MINIO_ROOT_PASSWORD).toBe(worker.SLUICE_S3_SECRET_ACCESS_KEY);
  });

  test("Sluice's PostgreSQL runs with wal_level=logical", () => {
    const name = new URL(worker.SLUICE_DATABASE_URL).hostname;
    expect(services[name]?.image).toMatch(/^postgres:/);
    expect(services[name]?.command).toContain('wal_level=logical');
  });

  test('the api listens, publishes and is health-checked on SLUICE_API_PORT', () => {
    expect(api.SLUICE_API_HOST).toBe('0.0.0.0');
    expect(portsOf(services.api).map((p) => p.container)).toContain(Number(api.SLUICE_API_PORT));
    expect(services.api.healthcheck?.test.join(' ')).toContain(`:${api.SLUICE_API_PORT}/healthz`);
  });

  test('every image is pinned', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, image: service.image }).toEqual({ name, image: expect.stringMatching(/^[\w./-]+:[\w.-]+$/) });
      expect(service.image).not.toMatch(/:latest$/);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  test('its Node major is the one package.json engines asks for', () => {
    const base = /^FROM node:(\d+)\S*/m.exec(dockerfile);
    expect(base).not.toBeNull();
    expect(base![1]).toBe(/(\d+)/.exec(pkg.engines.node)![1]);
  });

  test('it installs runtime dependencies only, runs as a non-root user and starts the api by default', () => {
    expect(dockerfile).toContain('npm install --omit=dev');
    expect(dockerfile).toMatch(/^USER (?!root)\S+/m);
    expect(dockerfile).toMatch(/^CMD \["npm", "run", "api"\]/m);
  });

  test("the image's scripts run the compiled code, the worker's with package.json's start:worker settings", () => {
    // The RUN line that sets them, run by sh in a copy of package.json, as the image's build runs it.
    const run = /^RUN (npm pkg set (?:.*\\\n)*.*)$/m.exec(dockerfile);
    expect(run).not.toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'sluice-image-scripts-'));
    try {
      copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
      execFileSync('sh', ['-c', run![1]], { cwd: dir, stdio: 'pipe' });
      const scripts = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as typeof pkg).scripts;
      expect(scripts.worker).toBe(pkg.scripts['start:worker']);
      expect(scripts.worker).toMatch(/exec node .*dist\/workers\/extraction.js$/);
      expect(scripts.api).toBe('node dist/workers/api.js');
      expect(scripts.migrate).toBe('node dist/workers/migrate.js');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
