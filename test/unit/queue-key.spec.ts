// One key space for a queue in the live feeds (subscriptions, the hub and the events it hears).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VoucherType } from '../../src/domain/enums.js';
import { queueKey, queueOf, queuesOf, voucherTypesOf } from '../../src/realtime/queue-key.js';

const CITY = '01a23372-0c6e-7ac0-a764-23e44450aa01';

describe('queue keys', () => {
  it('name a queue by city id and voucher type, and give both back', () => {
    const key = queueKey(CITY, VoucherType.TARGETED);
    expect(key).toBe(`${CITY}:TARGETED`);
    expect(queueOf(key)).toEqual({ cityId: CITY, voucherType: VoucherType.TARGETED });
  });

  it('are the event’s own queue, or every queue of the city for an event about all of them (rules)', () => {
    expect(queuesOf({ cityId: CITY, voucherType: 'UNIVERSAL' })).toEqual([`${CITY}:UNIVERSAL`]);
    expect(queuesOf({ cityId: CITY, voucherType: null })).toEqual(Object.values(VoucherType).map((type) => `${CITY}:${type}`));
    expect(voucherTypesOf({ voucherType: null })).toEqual(Object.values(VoucherType));
  });
});

describe('the realtime hub', () => {
  it('reads the database only through the services of its units of work', () => {
    const source = fs.readFileSync(new URL('../../src/realtime/hub.ts', import.meta.url), 'utf8');
    expect(source.match(/\.fork\(|\.execute\(|\bem\.|getConnection/g)).toBeNull();
  });
});
