// npm run seed — loads the demo catalogue (providers and programs in the six pilot cities).
// Safe to repeat: it does nothing if the demo providers are already there.
import { withDatabase } from '../db/bootstrap.js';
import { seedDemoCatalogue } from '../seed/demo-data.js';
import { runCli } from './run.js';

await runCli((config, log) =>
  withDatabase(config, log, async (orm) => {
    const { providers, programs } = await seedDemoCatalogue(orm.em.fork());
    console.log(providers ? `Loaded ${providers} providers and ${programs} programs.` : 'Demo data is already loaded; nothing to do.');
  }),
);
