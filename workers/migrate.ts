// Entry script: applies Sluice's database migrations and exits.
import { loadConfig } from './config';
import { migrate } from '../store/migrate';

migrate(loadConfig().SLUICE_DATABASE_URL, (m) => console.log(m)).catch((err) => {
  console.error(err);
  process.exit(1);
});
