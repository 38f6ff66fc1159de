import { Field, ID, ObjectType } from 'type-graphql';
import { LocalizedTextType } from './common.js';

@ObjectType('City', { description: 'A city running the programme. Rules, quotas and queues are per city.' })
export class CityType {
  @Field(() => ID, { description: 'Stable id of the city.' })
  id!: string;

  @Field(() => String, { description: 'Stable code used in filters and arguments, e.g. "ASTANA".' })
  code!: string;

  @Field(() => LocalizedTextType, { description: 'The city’s name.' })
  name!: LocalizedTextType;

  @Field(() => String, { description: 'IANA time zone in which the city’s deadlines and dates are reckoned.' })
  timezone!: string;
}
