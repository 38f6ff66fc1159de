import type { GraphQLFormattedError } from 'graphql';
import { DomainError, ERROR_CODES, ErrorCode } from '../errors.js';

/** Codes GraphQL servers give to malformed requests; partners see them all as BAD_USER_INPUT. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_FOUND',
]);

const SUGGESTION_RE = / ?Did you mean .*\?$/;

/** Apollo's answer to an automatic persisted query whose sha256Hash is not its text's: it carries no code. */
const APQ_MISMATCH = 'provided sha does not match query';
const isHashMismatch = (error: unknown) => error instanceof Error && error.message === APQ_MISMATCH;

/** Quoted input longer than this is cut when a message echoes it (graphql-js quotes values whole). */
const MAX_ECHO = 80;
const MAX_MESSAGE = 1000;

/** Keeps error messages short whatever the caller sent: a 90 KiB name is not sent back in full. */
export function truncateEchoes(message: string): string {
  const cut = message.replace(/"((?:[^"\\]|\\.)*)"/g, (whole, inner: string) =>
    inner.length > MAX_ECHO ? `"${inner.slice(0, MAX_ECHO)}…" (${inner.length} characters)` : whole,
  );
  return cut.length > MAX_MESSAGE ? `${cut.slice(0, MAX_MESSAGE)}…` : cut;
}

/** Drops graphql-js's "Did you mean …?" hints, which would let a guesser map a hidden schema. */
export const withoutSuggestions = (message: string): string => message.replace(SUGGESTION_RE, '');

export interface FormatOptions {
  /** Development keeps "Did you mean …?" hints; production hides the schema's shape from guesses. */
  development: boolean;
}

/**
 * The one place errors are shaped for clients: codes from the closed set pass through, malformed
 * requests become BAD_USER_INPUT, and everything unexpected is masked (it was logged with the
 * request id before reaching here).
 */
export function formatError(formatted: GraphQLFormattedError, original: unknown, options: FormatOptions): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? '');
  if (isHashMismatch(original)) {
    return { message: 'The persisted query’s sha256Hash does not match its query text.', extensions: { code: ErrorCode.BAD_USER_INPUT, reason: 'PERSISTED_QUERY_HASH_MISMATCH' } };
  }
  formatted = { ...formatted, message: truncateEchoes(formatted.message) };
  if (original instanceof DomainError || (ERROR_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR)) {
    // `http` (status, Retry-After) is for the HTTP response; Apollo removes it, graphql-ws would not.
    const { stacktrace: _s, http: _h, ...extensions } = formatted.extensions ?? {};
    // A variable that failed its scalar (`Variable "$input" got invalid value … at "input.date"`)
    // names the field like the services' own errors do, so forms can point at it.
    const field = code === ErrorCode.BAD_USER_INPUT && !extensions.field ? /at "([\w.[\]]+)"/.exec(formatted.message)?.[1] : undefined;
    return { ...formatted, extensions: field ? { ...extensions, field } : extensions };
  }
  if (REQUEST_ERROR_CODES.has(code) || (!code && formatted.locations && !formatted.path)) {
    const message = options.development ? formatted.message : withoutSuggestions(formatted.message);
    return { message, locations: formatted.locations, extensions: { code: ErrorCode.BAD_USER_INPUT, reason: code || 'GRAPHQL_VALIDATION_FAILED' } };
  }
  return { message: 'Internal server error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}

/** True for errors that are a bug or an outage rather than the caller's mistake: these get logged. */
export function isUnexpected(error: { extensions?: Record<string, unknown>; originalError?: unknown }): boolean {
  if (error.originalError instanceof DomainError || error instanceof DomainError || isHashMismatch(error) || isHashMismatch(error.originalError)) return false;
  const code = String(error.extensions?.code ?? '');
  if (ERROR_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) return false;
  return !REQUEST_ERROR_CODES.has(code);
}
