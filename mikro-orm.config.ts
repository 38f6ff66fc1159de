// Configuration for the MikroORM CLI (`npx mikro-orm schema:update --dump`, `debug`, …) against the
// database the API would use. New migrations are made with `npm run migration:create`, which
// migrates up first so the diff holds only what changed.
import { loadConfig } from './src/config.js';
import { resolveConnection, toolCommand } from './src/db/connect.js';
import { ormOptions } from './src/db/orm.js';
import { createLogger } from './src/logger.js';

const { connection } = await resolveConnection(loadConfig(), createLogger('warn'), { command: toolCommand(), join: true });
export default ormOptions(connection);
