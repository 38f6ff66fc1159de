import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EntityClass } from '@mikro-orm/core';
import { EnrollmentStatus, VoucherStatus } from './domain/enums.js';
import { Application, Attendance, Child, City, ContractTerms, Enrollment, Offer, PaymentLine, Program, Provider, Voucher } from './entities/index.js';
import { queuePositions } from './services/queue-blocks.js';

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Batches `id → entity` reads within one operation: one SQL statement per entity type per tick,
 * however many rows a page holds. Made fresh per request so nothing is cached across callers.
 */
function byId<T extends { id: string }>(em: EntityManager, entity: EntityClass<T>) {
  return new DataLoader<string, T>(async (ids) => {
    const rows = await em.find(entity, { id: { $in: [...ids] } } as never);
    const map = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => map.get(id) ?? new Error(`${entity.name} ${id} not found`));
  });
}

/** Groups rows by a foreign key, in one statement per batch of keys. */
function manyBy<T extends object>(load: (keys: string[]) => Promise<T[]>, keyOf: (row: T) => string) {
  return new DataLoader<string, T[]>(async (keys) => {
    const rows = await load([...keys]);
    const groups = new Map<string, T[]>();
    for (const row of rows) groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
    return keys.map((key) => groups.get(key) ?? []);
  });
}

/** At most one row per key (the newest wins), in one statement per batch of keys. */
function oneBy<T extends { id: string }>(load: (keys: string[]) => Promise<T[]>, keyOf: (row: T) => string) {
  return new DataLoader<string, T | null>(async (keys) => {
    const rows = await load([...keys]);
    const newest = new Map<string, T>();
    for (const row of rows) if (!newest.has(keyOf(row)) || newest.get(keyOf(row))!.id < row.id) newest.set(keyOf(row), row);
    return keys.map((key) => newest.get(key) ?? null);
  });
}

export function createLoaders(em: EntityManager) {
  return {
    city: byId(em, City),
    cityByCode: new DataLoader<string, City>(async (codes) => {
      const rows = await em.find(City, { code: { $in: [...codes] } });
      return codes.map((code) => rows.find((c) => c.code === code) ?? new Error(`City ${code} not found`));
    }),
    provider: byId(em, Provider),
    contractTerms: new DataLoader<number, ContractTerms>(async (versions) => {
      const rows = await em.find(ContractTerms, { version: { $in: [...versions] } });
      return versions.map((v) => rows.find((t) => t.version === v) ?? new Error(`Contract terms ${v} not found`));
    }),
    program: byId(em, Program),
    child: byId(em, Child),
    application: byId(em, Application),
    voucher: byId(em, Voucher),
    enrollment: byId(em, Enrollment),
    linesByPayment: manyBy((ids) => em.find(PaymentLine, { payment: { $in: ids } }, { orderBy: { enrollment: 'asc' } }), (l) => l.payment.id),
    attendancesByLine: manyBy((ids) => em.find(Attendance, { paymentLineId: { $in: ids } }, { orderBy: { sessionDate: 'asc' } }), (a) => a.paymentLineId!),
    attendancesByChild: manyBy(
      async (ids) => (await em.find(Attendance, { enrollment: { voucher: { child: { $in: ids } } } }, { populate: ['enrollment.voucher'], orderBy: { sessionDate: 'asc' } })),
      (a) => a.enrollment.getEntity().voucher.getEntity().child.id,
    ),
    /** Applications' queue positions, by their queue key; asked only for applications read as QUEUED. */
    position: new DataLoader<string, number | null>(async (ids) => {
      const positions = await queuePositions(em, ids);
      return ids.map((id) => positions.get(id) ?? null);
    }),
    /** The newest offer made on an application. */
    offerByApplication: oneBy((ids) => em.find(Offer, { application: { $in: ids } }), (o) => o.application.id),
    voucherByApplication: oneBy((ids) => em.find(Voucher, { application: { $in: ids } }), (v) => v.application.id),
    /** The voucher a child holds now (active or suspended), if any. */
    heldVoucherByChild: oneBy(
      (ids) => em.find(Voucher, { child: { $in: ids }, status: { $in: [VoucherStatus.ACTIVE, VoucherStatus.SUSPENDED] } }),
      (v) => v.child.id,
    ),
    applicationsByChild: manyBy((ids) => em.find(Application, { child: { $in: ids } }, { orderBy: { id: 'asc' } }), (a) => a.child.id),
    enrollmentsByVoucher: manyBy((ids) => em.find(Enrollment, { voucher: { $in: ids } }, { orderBy: { id: 'asc' } }), (e) => e.voucher.id),
    activeEnrollmentByVoucher: oneBy((ids) => em.find(Enrollment, { voucher: { $in: ids }, status: EnrollmentStatus.ACTIVE }), (e) => e.voucher.id),
  };
}
