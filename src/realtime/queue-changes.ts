import type { VoucherType } from '../domain/enums.js';
import { publicLabel } from '../domain/public-label.js';
import type { EventKind, QueueEvent } from './publish.js';
import { voucherTypesOf } from './queue-key.js';

/** At most this many pseudonyms per change: a mass offer of thousands stays one small message. */
const MAX_LABELS = 20;

/**
 * A queue change as the public sees it: what happened, to how many, and their public labels (the
 * pseudonyms the open queue shows). No ids, no names: nothing that identifies a child.
 */
export interface QueueChangeRow {
  cityCode: string;
  voucherType: VoucherType;
  kind: EventKind;
  count: number;
  labels: string[];
  at: Date;
}

/** One domain event → its public changes, one per queue it touched (a rules change touches both). */
export function publicChanges(event: QueueEvent & { occurredAt: Date }, cityCode: string): QueueChangeRow[] {
  const ids = event.payload.applicationIds ?? [];
  return voucherTypesOf(event).map((voucherType) => ({
    cityCode,
    voucherType,
    kind: event.kind,
    count: Math.max(ids.length, 1),
    labels: ids.slice(0, MAX_LABELS).map(publicLabel),
    at: event.occurredAt,
  }));
}
