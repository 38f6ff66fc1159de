// Issue 13 §1: the programs that exist when review arrives are the catalogue parents already choose
// from. A database of its own is taken back to before the migration, given a provider and a program
// as the old code wrote them, and migrated again: the program is PUBLISHED as of its creation, and
// its weekly schedule is computed from the start/end slots.
import { describe, expect, it } from 'vitest';
import type { Orm } from '../../src/db/orm.js';
import type { TestApi } from '../support/api.js';
import { migrationWorld } from '../support/migration-world.js';
import { randomBin } from '../support/ids.js';

let api: TestApi;
let orm: Orm;
migrationWorld('kezek_onboarding_migration', (world) => ({ api, orm } = world));

describe('migrating the existing catalogue', () => {
  it('publishes existing programs as of their creation and computes their weekly schedule; contracts start at version 1', async () => {
    await orm.getMigrator().down({ to: 'Migration20261201193500_lock_order' });
    expect(await api.sql(`select column_name from information_schema.columns where table_name = 'program' and column_name in ('status', 'weekly_schedule')`)).toEqual([]);
    const bin = randomBin();
    const [provider] = await api.sql<{ id: string }>(
      `insert into provider (id, bin, name, kind, city_id, status, approved_at) select gen_random_uuid(), ?, 'Old school', 'SCHOOL', id, 'APPROVED', '2026-09-01T00:00:00Z' from city where code = 'ASTANA' returning id`,
      [bin],
    );
    const schedule = [{ weekday: 2, startsAt: '15:00', endsAt: '16:30' }, { weekday: 5, startsAt: '09:15', endsAt: '10:00' }];
    const [program] = await api.sql<{ id: string }>(
      `insert into program (id, provider_id, title_kk, title_ru, direction, min_age, max_age, seats, schedule, language, created_at)
       values (gen_random_uuid(), ?, 'Шахмат', 'Шахматы', 'EDUCATIONAL', 7, 12, 20, ?::jsonb, 'KK', '2026-09-02T10:00:00Z') returning id`,
      [provider!.id, JSON.stringify(schedule)],
    );

    await orm.getMigrator().up();
    const [row] = await api.sql(`select status, published_at = created_at as published_at_creation, weekly_schedule, review_comment from program where id = ?`, [program!.id]);
    expect(row).toEqual({
      status: 'PUBLISHED',
      published_at_creation: true,
      weekly_schedule: [{ weekday: 2, start: '15:00', minutes: 90 }, { weekday: 5, start: '09:15', minutes: 45 }],
      review_comment: null,
    });
    // Still in the public catalogue, with the same meetings in both forms.
    const { program: seen } = await api.data(`query($id: ID!) { program(id: $id) { status schedule { weekday startsAt endsAt } weeklySchedule { weekday start minutes } } }`, { id: program!.id });
    expect(seen).toEqual({ status: 'PUBLISHED', schedule, weeklySchedule: [{ weekday: 2, start: '15:00', minutes: 90 }, { weekday: 5, start: '09:15', minutes: 45 }] });
    expect(await api.sql(`select version from contract_terms order by version`)).toEqual([{ version: 1 }]);
  });
});
