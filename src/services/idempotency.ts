import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer.js';
import { IdempotencyRecord } from '../entities/index.js';
import { badInput, conflict } from '../errors.js';
import { actorOf } from './audit.service.js';
import { claimIdempotencyKey } from './idempotency.queries.js';

const KEY_RE = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Runs a money mutation at most once per client key, in the caller's transaction. The first run's
 * result (as ids) is stored with a hash of its input; a retry with the same key and input returns
 * those ids without running again, and the same key with other input is a CONFLICT. Two requests
 * with one key at once: the second waits on the first's row and then sees its result.
 */
export async function onceForKey(
  em: EntityManager,
  viewer: Viewer,
  key: string | null | undefined,
  operation: string,
  input: unknown,
  run: () => Promise<string[]>,
): Promise<{ ids: string[]; replayed: boolean }> {
  if (key == null) return { ids: await run(), replayed: false };
  if (!KEY_RE.test(key)) throw badInput('input.idempotencyKey', 'An idempotency key is 8–128 letters, digits or ._:- characters.');
  const actor = actorOf(viewer);
  const scope = `${actor.role}:${actor.id ?? ''}`;
  const requestHash = createHash('sha256').update(`${operation}\n${JSON.stringify(input)}`).digest('hex');
  await claimIdempotencyKey.all(em, { scope, key, operation, requestHash });
  const record = await em.findOneOrFail(IdempotencyRecord, { scope, key }, { refresh: true });
  if (record.operation !== operation || record.requestHash !== requestHash) {
    throw conflict('This idempotency key was already used with a different request.', { field: 'input.idempotencyKey' });
  }
  if (record.resultIds) return { ids: record.resultIds, replayed: true };
  const ids = await run();
  record.resultIds = ids;
  return { ids, replayed: false };
}
