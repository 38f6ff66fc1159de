// Named parameters compile once into positional ones; a missing value is a loud programming error.
import { describe, expect, it } from 'vitest';
import { sql } from '../../src/db/sql.js';

describe('a named query', () => {
  it('turns each :name into a placeholder, in order, a repeated name binding twice', () => {
    const q = sql<{ cityId: string; type: string; limit: number }>('head', `select id from application where city_id = :cityId and voucher_type = :type and city_id = :cityId limit :limit`);
    expect(q.text).toBe('select id from application where city_id = ? and voucher_type = ? and city_id = ? limit ?');
    expect(q.bind({ cityId: 'c', type: 'TARGETED', limit: 5 })).toEqual(['c', 'TARGETED', 'c', 5]);
  });

  it('leaves :: casts alone, also right after a parameter', () => {
    const q = sql<{ id: string; at: Date }>('cast', `select :id::uuid as id, :at::timestamptz at time zone 'UTC', x::text from t`);
    expect(q.text).toBe(`select ?::uuid as id, ?::timestamptz at time zone 'UTC', x::text from t`);
    expect(q.order).toEqual(['id', 'at']);
  });

  it('binds an array as one value (a list for `in (...)`), and null as null', () => {
    const q = sql<{ ids: string[]; note: string | null }>('list', `select 1 where id in (:ids) and note is not distinct from :note`);
    expect(q.bind({ ids: ['a', 'b'], note: null })).toEqual([['a', 'b'], null]);
  });

  it('refuses to run without a value for every name', () => {
    const q = sql<{ cityId: string }>('needs-city', `select 1 where city_id = :cityId`);
    expect(() => q.bind({} as { cityId: string })).toThrow('query needs-city: no value for :cityId');
  });
});
