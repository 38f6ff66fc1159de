// The transactional outbox: services record an SMS in the same transaction as the change it reports,
// so a message exists if and only if the change committed. The dispatcher sends it later.
import { type EntityManager, ref } from '@mikro-orm/postgresql';
import type { NotificationKind } from '../domain/enums.js';
import type { Applicant } from '../entities/applicant.entity.js';
import { Notification } from '../entities/notification.entity.js';
import { renderSms, type SmsParams } from './templates.js';

export interface EnqueueSmsInput {
  applicant: Applicant;
  kind: NotificationKind;
  /** Names the event, e.g. `offer:<id>:made`; unique in the table, so one event makes one SMS. */
  idempotencyKey: string;
  params: SmsParams;
}

/**
 * Renders the SMS in the applicant's language and persists it without flushing: the caller flushes
 * in its own transaction. A repeated key fails that flush with UniqueConstraintViolationException.
 */
export function enqueueSms(em: EntityManager, input: EnqueueSmsInput): Notification {
  const { applicant, kind, idempotencyKey, params } = input;
  const notification = new Notification({
    applicant: ref(applicant),
    // Copied, not joined at send time: the SMS goes to the number the applicant had at the event.
    phone: applicant.phone,
    language: applicant.language,
    kind,
    body: renderSms(kind, applicant.language, params),
    idempotencyKey,
  });
  em.persist(notification);
  return notification;
}
