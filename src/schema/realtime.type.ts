import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ApplicationStatus, VoucherType } from '../domain/enums.js';
import { EventKind } from '../realtime/publish.js';
import { PositionChangeReason } from '../realtime/hub.js';
import { DateTime } from './scalars.js';

registerEnumType(PositionChangeReason, {
  name: 'PositionChangeReason',
  description: 'Why a queue position moved.',
  valuesConfig: {
    CURRENT: { description: 'The position when the subscription started (or restarted after a reconnect).' },
    SOMEONE_AHEAD_OFFERED: { description: 'Vouchers were offered to applications ahead.' },
    SOMEONE_AHEAD_LEFT: { description: 'An application ahead withdrew, was cancelled, or its offer was settled.' },
    SOMEONE_JOINED_AHEAD: { description: 'An application joined ahead: a priority category, or an earlier one restored or requeued.' },
    RULES_CHANGED: { description: 'The city changed its priority order.' },
    STATUS_CHANGED: { description: 'This application itself changed status (e.g. it received an offer).' },
    PRIORITY_VERIFIED: {
      description:
        'A priority category was verified by the city (or the population registry): yours, so your application now ranks by it with its original submission time, or that of an application now ahead of you.',
    },
  },
});

@ObjectType('QueuePosition', { description: 'A live update of one application’s place in the queue.' })
export class QueuePositionType {
  @Field(() => ID, { description: 'The application.' })
  applicationId!: string;

  @Field(() => Int, { nullable: true, description: 'Place among waiting applications (1 = next); null unless QUEUED.' })
  position?: number | null;

  @Field(() => ApplicationStatus, { description: 'The application’s status now.' })
  status!: ApplicationStatus;

  @Field(() => PositionChangeReason, { description: 'Why this update was sent.' })
  reason!: PositionChangeReason;

  @Field(() => DateTime, { description: 'When the position was computed.' })
  at!: Date;
}

registerEnumType(EventKind, {
  name: 'QueueChangeKind',
  description: 'What happened in a queue.',
  valuesConfig: {
    QUEUE_JOINED: { description: 'Applications entered the queue: applied, restored, or back after an offer lapsed.' },
    QUEUE_LEFT: { description: 'Applications left the queue without an offer: withdrawn or cancelled.' },
    OFFERED: { description: 'Vouchers were offered to the head of the queue.' },
    OFFER_CLOSED: { description: 'Offers were accepted, declined or expired.' },
    RULES_CHANGED: { description: 'The city’s rules changed (priority order, deadlines).' },
    PRIORITY_VERIFIED: { description: 'A child’s priority category was verified: its application moved up to its category’s place.' },
  },
});

@ObjectType('QueueChange', { description: 'One change of a queue, anonymised: what happened, to how many, and their public queue labels.' })
export class QueueChangeType {
  @Field(() => VoucherType, { description: 'The queue’s voucher type.' })
  voucherType!: VoucherType;

  @Field(() => EventKind, { description: 'What happened.' })
  kind!: EventKind;

  @Field(() => Int, { description: 'How many applications it concerned (1 for a rules change).' })
  count!: number;

  @Field(() => [String], { description: 'Public labels (as in `queue`) of the applications concerned, at most 20.' })
  labels!: string[];

  @Field(() => DateTime, { description: 'When it happened.' })
  at!: Date;
}
