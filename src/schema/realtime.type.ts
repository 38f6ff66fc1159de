import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ApplicationStatus } from '../domain/enums.js';
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
