// Idempotency records' hand-written SQL: the first request with a key claims it.
import { sql } from '../db/sql.js';

/** Claims (scope, key) for this request unless a request already has; the caller reads the row back. */
export const claimIdempotencyKey = sql<{ scope: string; key: string; operation: string; requestHash: string }, never>(
  'idempotency.claim-key',
  `insert into idempotency_record (scope, key, operation, request_hash) values (:scope, :key, :operation, :requestHash) on conflict do nothing`,
);
