import type { EntityManager } from '@mikro-orm/postgresql';

export const EVENTS_CHANNEL = 'kezek_events';

export enum EventKind {
  /** Someone entered a queue: applied, restored, or came back after an offer lapsed. */
  QUEUE_JOINED = 'QUEUE_JOINED',
  /** Someone left a queue without an offer: withdrew or was cancelled. */
  QUEUE_LEFT = 'QUEUE_LEFT',
  /** Offers were made to the head of a queue. */
  OFFERED = 'OFFERED',
  /** An offer was accepted, declined or expired. */
  OFFER_CLOSED = 'OFFER_CLOSED',
  /** A city's rules changed; priority ranks may have moved. */
  RULES_CHANGED = 'RULES_CHANGED',
  /** A child's priority category was verified: its applications were re-ranked. */
  PRIORITY_VERIFIED = 'PRIORITY_VERIFIED',
}

export interface QueueEvent {
  kind: EventKind;
  cityId: string;
  /** Null for events about every queue of the city (rules). */
  voucherType: string | null;
  payload: { applicationIds?: string[]; applicantIds?: string[]; offerIds?: string[] };
}

/**
 * Writes the event in the caller's transaction and announces it with NOTIFY, which PostgreSQL
 * delivers only if and when that transaction commits: no event for a rolled-back change, none lost
 * for a committed one (listeners that missed the NOTIFY read it back by its sequence id).
 *
 * The transaction id is taken (the `x` CTE, materialised, scanned first) before the sequence
 * number: the event bus relies on every event id being held by a transaction that already has an
 * id, to know when a missing event id can no longer appear (see EventBus).
 */
export async function publishEvent(em: EntityManager, event: QueueEvent): Promise<bigint> {
  const [row] = await em.execute<{ id: string }[]>(
    `with x as materialized (select pg_current_xact_id() as tx),
          e as (insert into domain_event (tx, kind, city_id, voucher_type, payload) select x.tx, ?, ?::uuid, ?, ?::jsonb from x returning id)
     select pg_notify(?, id::text), id::text as id from e`,
    [event.kind, event.cityId, event.voucherType, JSON.stringify(event.payload), EVENTS_CHANNEL],
  );
  return BigInt(row!.id);
}
