import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../../workers/config';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

test.each(Object.keys(configSchema.shape))('README documents the setting %s', (key) => {
  expect(readme).toContain(`\`${key}\``);
});

test('README gives the two commands', () => {
  expect(readme).toContain('npm run dev');
  expect(readme).toContain('npm test');
});
