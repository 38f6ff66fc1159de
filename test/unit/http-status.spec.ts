// One HTTP status per error code, for every route that answers an error as a whole response.
import { describe, expect, it } from 'vitest';
import { ErrorCode, httpStatusOf, refusal } from '../../src/errors.js';

describe('httpStatusOf', () => {
  const expected: Record<ErrorCode, number> = {
    [ErrorCode.BAD_USER_INPUT]: 400,
    [ErrorCode.UNAUTHENTICATED]: 401,
    [ErrorCode.FORBIDDEN]: 403,
    [ErrorCode.NOT_FOUND]: 404,
    [ErrorCode.CONFLICT]: 409,
    [ErrorCode.QUOTA_EXHAUSTED]: 409,
    [ErrorCode.CAPACITY_FULL]: 409,
    [ErrorCode.RATE_LIMITED]: 429,
    [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
  };

  it.each(Object.values(ErrorCode))('gives %s its status', (code) => {
    expect(httpStatusOf(code)).toBe(expected[code]);
  });

  it('answers a client mistake with a 4xx: only INTERNAL_SERVER_ERROR is a 5xx', () => {
    const serverSide = Object.values(ErrorCode).filter((code) => httpStatusOf(code) >= 500);
    expect(serverSide).toEqual([ErrorCode.INTERNAL_SERVER_ERROR]);
  });

  it('refuses a code outside the closed set instead of guessing', () => {
    expect(() => httpStatusOf('TEAPOT' as ErrorCode)).toThrow('Unhandled error code: TEAPOT');
  });

  it('gives a refused request the status of its code, for Apollo to answer with', () => {
    const error = refusal(ErrorCode.RATE_LIMITED, 'Too many.', { retryAfter: 3 }, new Map([['retry-after', '3']]));
    expect(error.extensions).toEqual({ retryAfter: 3, http: { status: 429, headers: new Map([['retry-after', '3']]) }, code: 'RATE_LIMITED' });
    expect(refusal(ErrorCode.UNAUTHENTICATED, 'Sign in.').extensions).toEqual({ http: { status: 401 }, code: 'UNAUTHENTICATED' });
  });
});
