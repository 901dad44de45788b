// The body of POST /v1/connections: a URL or its parts, out comes one URL; nothing of it in an error.
import { connectionBodySchema, describeConnectionUrl } from '../../domain/connection';

const parse = (body: unknown) => connectionBodySchema.safeParse(body);

test('parts become a URL whose special characters are escaped, and read back the same', () => {
  const r = parse({ name: 'wh', host: '::1', port: 6543, database: 'd b', user: 'me@x', password: 'p@ss:/?#%', sslmode: 'require' });
  expect(r.success && r.data).toEqual({ name: 'wh', roles: ['source', 'target'], url: 'postgresql://me%40x:p%40ss%3A%2F%3F%23%25@[::1]:6543/d%20b?sslmode=require', queryRole: null, allowPrivilegedRole: false });
  const url = r.success ? r.data.url : '';
  expect(describeConnectionUrl(url)).toEqual({ host: '::1', port: 6543, database: 'd b', user: 'me@x', sslmode: 'require' });
  expect(decodeURIComponent(new URL(url).password)).toBe('p@ss:/?#%');
});

test('a URL is kept as given; roles come out in one order; the database defaults to the user', () => {
  const r = parse({ name: 'a', url: 'postgres://u:pw@h/', roles: ['target', 'source'] });
  expect(r.success && r.data).toEqual({ name: 'a', roles: ['source', 'target'], url: 'postgres://u:pw@h/', queryRole: null, allowPrivilegedRole: false });
  expect(describeConnectionUrl('postgres://u:pw@h/')).toEqual({ host: 'h', port: 5432, database: 'u', user: 'u', sslmode: null });
});

test('a queryRole and allowPrivilegedRole are kept as given', () => {
  const r = parse({ name: 'a', url: 'postgres://u@h/db', roles: ['source'], queryRole: 'Extract Reader', allowPrivilegedRole: true });
  expect(r.success && r.data).toMatchObject({ queryRole: 'Extract Reader', allowPrivilegedRole: true });
});

test.each([
  [{ name: 'a', url: 'postgres://u:pw@h/db', roles: ['source', 'source'] }, 'roles', 'names a role twice'],
  [{ name: 'a', url: 'postgres://u:topsecret@h/%zz' }, 'url', 'has a malformed %-escape'],
  [{ name: 'a', url: 'https://u:topsecret@h/db' }, 'url', 'has the scheme "https:", not postgres:// or postgresql://'],
  [{ name: 'a', host: 'h', database: 'd', user: 'u', password: 'a\0b' }, 'password', 'contains a NUL character (\\u0000), which PostgreSQL text cannot hold'],
  [{ name: 'a', host: 'h', database: 'd\ud800', user: 'u', password: 'topsecret' }, 'database', 'contains an unpaired UTF-16 surrogate, which is not a Unicode character'],
  [{ name: 'a', url: 'postgres://u:topsecret@h/d%00' }, 'url', 'holds a NUL character (%00)'],
  [{ name: 'a'.repeat(64), url: 'postgres://h/db' }, 'name', 'is not a valid connection name'],
  [{ name: 'a', url: 'postgres://h/db', roles: ['target'], queryRole: 'reader' }, 'queryRole', 'applies to a connection with role source'],
  [{ name: 'a', url: 'postgres://h/db', queryRole: '' }, 'queryRole', 'Too small: expected string to have >=1 characters'],
  [{ name: 'a', url: 'postgres://h/db', allowPrivilegedRole: 'yes' }, 'allowPrivilegedRole', 'Invalid input: expected boolean, received string'],
])('%j is refused at %s', (body, field, message) => {
  const r = parse(body);
  expect(r.success).toBe(false);
  const issue = r.error!.issues.find((i) => i.path.join('.') === field);
  expect(issue?.message).toBe(message);
  expect(JSON.stringify(r.error!.issues)).not.toContain('topsecret');
});
