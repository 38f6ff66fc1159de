import type { EntityManager } from '@mikro-orm/postgresql';
import { ProgramStatus, ProviderStatus, VoucherType } from '../domain/enums.js';
import { providerKindsAccepting } from '../domain/voucher-eligibility.js';
import { type Child, Program } from '../entities/index.js';
import { badInput } from '../errors.js';
import { isUuid } from '../ids.js';
import { ageOn } from '../domain/calendar.js';

/**
 * The program a voucher is about to be placed in, checked against everything except seats (which
 * are taken by a guarded update): it exists, is published and open, its provider is approved, is in the
 * voucher's city, accepts the voucher type, and fits the child's age today.
 */
export async function programForPlacement(em: EntityManager, programId: string, voucher: { type: VoucherType; cityId: string }, child: Child, now: Date): Promise<Program> {
  const field = 'input.programId';
  const program = isUuid(programId) ? await em.findOne(Program, { id: programId }, { populate: ['provider'] }) : null;
  const provider = program?.provider.getEntity();
  if (!program || !provider || provider.status !== ProviderStatus.APPROVED || program.status !== ProgramStatus.PUBLISHED || !program.active) {
    throw badInput(field, 'This program is not open for enrollment.');
  }
  if (provider.city.id !== voucher.cityId) throw badInput(field, 'This program is in another city than the voucher.');
  if (!providerKindsAccepting(voucher.type).includes(provider.kind)) {
    throw badInput(field, `A ${voucher.type} voucher cannot be used at a ${provider.kind} provider: targeted vouchers are for school and state-institution clubs.`);
  }
  const age = ageOn(child.birthDate, now);
  if (age < program.minAge || age > program.maxAge) {
    throw badInput(field, `This program is for ages ${program.minAge}–${program.maxAge}; the child is ${age}.`);
  }
  return program;
}
