import { GraphQLError } from 'graphql';

/**
 * The closed set of error codes partners can rely on (DESIGN §3). Anything else that reaches a
 * client is masked as INTERNAL_SERVER_ERROR.
 */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  QUOTA_EXHAUSTED = 'QUOTA_EXHAUSTED',
  CAPACITY_FULL = 'CAPACITY_FULL',
  RATE_LIMITED = 'RATE_LIMITED',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

export const ERROR_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/**
 * The HTTP status of a response that fails as a whole with `code`: a refused GraphQL request
 * (credentials, limits: see `refusal`) and every plain HTTP route (exports, rate limits, bodies).
 * Errors inside an executed GraphQL operation stay in a 200 response, as GraphQL clients expect.
 * Exhaustive: a new code does not compile until it has a status here.
 */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.BAD_USER_INPUT:
      return 400;
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.FORBIDDEN:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.CONFLICT:
    case ErrorCode.QUOTA_EXHAUSTED:
    case ErrorCode.CAPACITY_FULL:
      return 409;
    case ErrorCode.RATE_LIMITED:
      return 429;
    case ErrorCode.INTERNAL_SERVER_ERROR:
      return 500;
    default:
      return unreachable(code);
  }
}

function unreachable(value: never): never {
  throw new Error(`Unhandled error code: ${String(value)}`);
}

/** A failure the caller can act on. Services throw these; everything else is a bug and is masked. */
export class DomainError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
    this.name = 'DomainError';
  }

  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

/**
 * An error that refuses a whole request before it runs. Apollo answers such a request with the
 * error's `extensions.http` (formatError then drops it from the body), so its status is the code's
 * own, the same as any other HTTP route gives; `headers` go with it (Retry-After).
 */
export const refusal = (code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, headers?: Map<string, string>) =>
  new DomainError(code, message, { ...extensions, http: { status: httpStatusOf(code), ...(headers ? { headers } : {}) } });

export const unauthenticated = (message = 'Sign in to do this: send a bearer token or an API key.') =>
  new DomainError(ErrorCode.UNAUTHENTICATED, message);

export const forbidden = (message = 'Your role does not allow this.') => new DomainError(ErrorCode.FORBIDDEN, message);

export const notFound = (what: string, id?: string) =>
  new DomainError(ErrorCode.NOT_FOUND, id ? `${what} ${id} was not found.` : `${what} was not found.`);

/** `field` is the input path the message is about, e.g. `input.iin`, so forms can highlight it. */
export const badInput = (field: string, message: string) =>
  new DomainError(ErrorCode.BAD_USER_INPUT, message, { field });

export const conflict = (message: string, extensions: Record<string, unknown> = {}) =>
  new DomainError(ErrorCode.CONFLICT, message, extensions);
