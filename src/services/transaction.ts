import { DeadlockException, DriverException, type EntityManager } from '@mikro-orm/postgresql';
import { conflict } from '../errors.js';

/** Attempts per use case before giving up (each one is a whole new transaction). */
export const MAX_TRANSACTION_ATTEMPTS = 5;

/** serialization_failure and deadlock_detected: PostgreSQL chose this transaction to roll back; running it again is safe. */
const RETRYABLE_STATES = new Set(['40001', '40P01']);

/**
 * Thrown by a use case that read which locks it needs, took them, and found the set changed in
 * between (a row moved before it was locked): the attempt is abandoned and run again.
 */
export class LockSetChanged extends Error {
  constructor() {
    super('the set of locks this transaction needs changed while it was taking them');
    this.name = 'LockSetChanged';
  }
}

export function isRetryableTransactionError(err: unknown): boolean {
  if (err instanceof DeadlockException || err instanceof LockSetChanged) return true;
  return err instanceof DriverException && RETRYABLE_STATES.has(String((err as { code?: unknown }).code ?? ''));
}

/**
 * The service layer's transaction: runs `work` in a transaction and, when PostgreSQL rolls it
 * back for a deadlock or a serialization failure, runs it again from the start in a new one.
 * Everything a use case writes — rows, audit entries, domain events, the SMS outbox, idempotency
 * records — is written through `tx` inside `work`, so a rolled-back attempt leaves nothing behind
 * and a retry cannot duplicate a side effect. `work` must not change entities loaded outside it.
 *
 * Inside an outer transaction it joins that one and does not retry: the outer one was rolled back
 * as a whole, so only its owner can start it again.
 */
export async function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>, attempts = MAX_TRANSACTION_ATTEMPTS): Promise<T> {
  if (em.isInTransaction()) return em.transactional(work);
  for (let attempt = 1; ; attempt++) {
    try {
      return await em.transactional(work);
    } catch (err) {
      if (!isRetryableTransactionError(err)) throw err;
      if (attempt >= attempts) {
        // Not the client's mistake, but not a failure of the request either: it may simply be sent again.
        throw conflict('This request kept colliding with simultaneous changes to the same records; nothing was changed. Please send it again.', { retryable: true });
      }
      // A little random wait, so the transactions that collided do not collide again in step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
