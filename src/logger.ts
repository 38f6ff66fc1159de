import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/** Structured JSON logs on stdout; request code logs through a child carrying the request id. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'kezek' },
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.password', '*.token'], remove: true },
  });
}
