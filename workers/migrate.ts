// Entry script: applies Sluice's database migrations and exits.
import { loadConfig } from './config';
import { migrate } from '../store/migrate';
import { KeyRing } from '../store/secret-box';

const config = loadConfig();
// The keys encrypt the URLs of old `sources` rows as they become connections.
migrate(config.SLUICE_DATABASE_URL, (m) => console.log(m), KeyRing.parse(config.SLUICE_SECRET_KEYS)).catch((err) => {
  console.error(err);
  process.exit(1);
});
