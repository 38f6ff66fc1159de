import { BigIntType } from '@mikro-orm/core';

/**
 * A PostgreSQL `bigint` read as a decimal string (money in tiyn, sequence numbers).
 *
 * Always name the mode: left to itself MikroORM picks the JavaScript type from decorator
 * metadata, which tsc emits (a string) but tsx does not (a BigInt) — so `npm start` held BigInts
 * that JSON cannot serialise while the tests held strings. Tests now run without decorator
 * metadata too (tsconfig), so the two runtimes see the same entities.
 */
export const bigintString = () => new BigIntType('string');
