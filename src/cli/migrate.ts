// npm run migrate — applies pending migrations to the configured database and exits.
import { withDatabase } from '../db/bootstrap.js';
import { runCli } from './run.js';

await runCli((config, log) =>
  withDatabase(config, log, async (orm) => {
    const executed = await orm.getMigrator().getExecutedMigrations();
    console.log(`Database is up to date (${executed.length} migration${executed.length === 1 ? '' : 's'} applied).`);
  }),
);
