import { SafeIntResolver } from 'graphql-scalars';
import { Field, InputType, ObjectType } from 'type-graphql';

/**
 * An amount of money in integer tiyn (1/100 tenge). Never a float, and never GraphQL's 32-bit Int:
 * one provider's month can pass 21 million tenge.
 */
@ObjectType('Money', { description: 'Money in integer tiyn (1/100 tenge), with its currency. Never a float.' })
export class MoneyType {
  @Field(() => SafeIntResolver, { description: 'Amount in tiyn.' })
  tiyn!: number;

  @Field(() => String, { description: 'ISO 4217 currency code: always "KZT".' })
  currency!: string;
}

@InputType({ description: 'An amount in tiyn (KZT only).' })
export class MoneyInput {
  @Field(() => SafeIntResolver, { description: 'Amount in tiyn, 0 or more.' })
  tiyn!: number;
}

export const money = (tiyn: string | number | bigint | null | undefined): MoneyType => ({ tiyn: Number(tiyn ?? 0), currency: 'KZT' });
