// npm run seed — loads the demo catalogue (providers and programs in the six pilot cities).
// Safe to repeat: it does nothing if the demo providers are already there.
//
// npm run seed -- --scenario article [--city CODE] — builds, in one pilot city (KYZYLORDA unless
// --city says otherwise), the vouchers and queue article claim 9 reports. It refuses a city that
// already has applications or vouchers, so the figures always come out exact.
import { parseArgs } from 'node:util';
import { withDatabase } from '../db/bootstrap.js';
import type { Orm } from '../db/orm.js';
import { seedArticleScenario } from '../seed/article-scenario.js';
import { seedDemoCatalogue } from '../seed/demo-data.js';
import { runCli } from './run.js';

const SCENARIOS = ['article'] as const;
type Scenario = (typeof SCENARIOS)[number];
const DEFAULT_CITY = 'KYZYLORDA';

interface SeedArgs {
  scenario?: Scenario;
  city: string;
}

/** Reads the arguments before any database is started, so a typo fails at once. */
function readArgs(args: string[]): SeedArgs {
  const { values } = parseArgs({ args, options: { scenario: { type: 'string' }, city: { type: 'string' } }, strict: true });
  const { scenario, city } = values;
  if (scenario !== undefined && !SCENARIOS.includes(scenario as Scenario)) {
    throw new Error(`Unknown scenario "${scenario}"; known scenarios: ${SCENARIOS.join(', ')}.`);
  }
  if (city !== undefined && scenario === undefined) throw new Error('--city only applies together with --scenario.');
  return { scenario: scenario as Scenario | undefined, city: (city ?? DEFAULT_CITY).trim().toUpperCase() };
}

async function loadDemo(orm: Orm): Promise<void> {
  const { providers, programs } = await seedDemoCatalogue(orm.em.fork());
  console.log(providers ? `Loaded ${providers} providers and ${programs} programs.` : 'Demo data is already loaded; nothing to do.');
}

async function loadArticleScenario(orm: Orm, city: string): Promise<void> {
  const result = await seedArticleScenario(orm, { city, progress: (message) => process.stderr.write(`${message}\n`) });
  console.log(
    `Article scenario in ${result.city}: ${result.vouchers.UNIVERSAL} universal and ${result.vouchers.TARGETED} targeted vouchers active, ` +
      `${result.waiting} children in the queue (${(result.ms / 1000).toFixed(1)} s).`,
  );
}

await runCli(async (config, log) => {
  const args = readArgs(process.argv.slice(2));
  await withDatabase(config, log, (orm) => (args.scenario === 'article' ? loadArticleScenario(orm, args.city) : loadDemo(orm)));
});
