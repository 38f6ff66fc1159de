// The one way a status changes. Every aggregate with a lifecycle (DESIGN §2; the tables in
// src/domain/lifecycles.ts) moves through `moveTo` (one entity) or `moveAll` (a set, in SQL): the
// move is checked against the aggregate's transition table (CONFLICT naming it when not allowed),
// the true previous status is recorded in the audit entry beside the new one, and the event
// subscribers and other instances hear is published in the same transaction.
import type { EntityManager } from '@mikro-orm/postgresql';
import { canTransition, transition } from '../domain/lifecycle.js';
import type { Lifecycle } from '../domain/lifecycles.js';
import { type QueueEvent, publishEvent } from '../realtime/publish.js';
import { type Actor, recordAudit } from './audit.service.js';

/** What a status change records: who, which action, where, why. */
export interface StatusChange {
  actor: Actor;
  /** The audit log's action, e.g. WITHDRAWN, SUSPENDED. */
  action: string;
  cityCode: string | null;
  reason?: string | null;
  rulesVersion?: number | null;
  /** Other facts recorded beside the status (the status itself is filled in). */
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  /** Published in the same transaction; leave out when the caller publishes one event for a whole batch. */
  event?: QueueEvent;
}

/**
 * One step of another entity's audited change (the voucher an accepted offer activates): checked
 * against its own table like any move, recorded in that entity's entry, which names it.
 */
export interface PartOf {
  partOf: { entityType: string; entityId: string };
}

type WithStatus<K extends string, S extends string> = { id: string } & Record<K, S>;

/**
 * Moves one entity to `to`: checks the table, sets the status, and records the audit entry (and
 * publishes the event) for the change. Returns the status it moved from.
 */
export async function moveTo<S extends string, K extends string>(
  em: EntityManager,
  entity: WithStatus<K, S>,
  lifecycle: Lifecycle<S, K>,
  to: S,
  change: StatusChange | PartOf,
): Promise<S> {
  const from = entity[lifecycle.field];
  (entity as Record<K, S>)[lifecycle.field] = transition(lifecycle.table, lifecycle.name, from, to);
  if ('partOf' in change) return from;
  recordAudit(em, change.actor, {
    action: change.action,
    entityType: lifecycle.entityType,
    entityId: entity.id,
    cityCode: change.cityCode,
    before: { status: from, ...change.before },
    after: { status: to, ...change.after },
    rulesVersion: change.rulesVersion ?? null,
    reason: change.reason ?? null,
  });
  if (change.event) await publishEvent(em, change.event);
  return from;
}

/**
 * Moves every row of `lifecycle.tableName` matching `where` and in one of `from` to `to`, in one
 * statement; for jobs that move many rows at once (sessions nobody confirmed become UNCONFIRMED).
 * Every `from → to` is checked against the same transition table before anything is written.
 * `where` is a SQL condition on the row (alias `t`) with positional parameters `params`, `using`
 * the tables it joins (`program p join city c on …`), `set` the assignments that go with the status
 * (`decided_at = ?`). Returns the ids moved.
 */
export async function moveAll<S extends string, K extends string>(
  em: EntityManager,
  lifecycle: Lifecycle<S, K> & { tableName: string; column: string },
  move: { from: readonly S[]; to: S; where: string; params: unknown[]; using?: { sql: string; params: unknown[] }; set?: { sql: string; params: unknown[] } },
): Promise<string[]> {
  for (const from of move.from) {
    if (!canTransition(lifecycle.table, from, move.to)) transition(lifecycle.table, lifecycle.name, from, move.to);
  }
  const set = move.set ? `, ${move.set.sql}` : '';
  const using = move.using ? ` from ${move.using.sql}` : '';
  const rows = await em.execute<{ id: string }[]>(
    `update ${lifecycle.tableName} t set ${lifecycle.column} = ?${set}${using} where t.${lifecycle.column} in (?) and (${move.where}) returning t.id`,
    [move.to, ...(move.set?.params ?? []), ...(move.using?.params ?? []), [...move.from], ...move.params],
  );
  return rows.map((r) => r.id);
}
