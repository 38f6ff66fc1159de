import { VoucherType } from '../domain/enums.js';

/** A queue: one city's applicants for one voucher type. */
export interface QueueRef {
  cityId: string;
  voucherType: VoucherType;
}

/**
 * The one key space for queues in the live feeds: by city id and voucher type, the way events and
 * applications name a queue. Subscriptions, the hub's watchers and the events they hear all use it,
 * so a queue has one key however it was reached (a dashboard asks by city code; that is resolved
 * to the city's id before keying).
 */
export type QueueKey = string & { readonly __queueKey: unique symbol };

export const queueKey = (cityId: string, voucherType: VoucherType | string): QueueKey => `${cityId}:${voucherType}` as QueueKey;

export function queueOf(key: QueueKey): QueueRef {
  const colon = key.indexOf(':');
  return { cityId: key.slice(0, colon), voucherType: key.slice(colon + 1) as VoucherType };
}

/** The voucher types an event is about: its own, or every one for an event about the whole city (rules). */
export const voucherTypesOf = (event: { voucherType: string | null }): VoucherType[] =>
  event.voucherType ? [event.voucherType as VoucherType] : Object.values(VoucherType);

/** The queues an event is about (see voucherTypesOf). */
export const queuesOf = (event: { cityId: string; voucherType: string | null }): QueueKey[] => voucherTypesOf(event).map((type) => queueKey(event.cityId, type));
