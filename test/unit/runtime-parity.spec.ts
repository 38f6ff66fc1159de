// `npm start` runs the code under tsx, which emits no decorator metadata; the tests must see the
// code the same way, or a type MikroORM infers from metadata (bigint as string vs BigInt) differs
// between what users run and what tests check. This guard fails if tsconfig turns it back on.
import { describe, expect, it } from 'vitest';
import { Budget } from '../../src/entities/index.js';

describe('the test runtime is the npm start runtime', () => {
  it('emits no decorator metadata, as tsx does not', () => {
    expect(Reflect.getMetadata('design:type', Budget.prototype, 'allocatedTiyn')).toBeUndefined();
  });
});
