import type { Response } from 'express';
import { type DomainError, httpStatusOf } from '../errors.js';

/**
 * A plain HTTP route's whole answer as an error, in the shape GraphQL clients already read
 * (`{ errors: [{ message, extensions: { code, … } }] }`), with the status of its code and any
 * headers the error carries (Retry-After). `status` is given only where the transport knows a
 * more precise one than the code's (a body too large is 413, still BAD_USER_INPUT).
 */
export function sendError(res: Response, error: DomainError, status = httpStatusOf(error.code)): void {
  const { http, ...extensions } = error.extensions as { http?: { headers?: Map<string, string> } };
  for (const [name, value] of http?.headers ?? []) res.setHeader(name, value);
  res.status(status).json({ errors: [{ message: error.message, extensions }] });
}
