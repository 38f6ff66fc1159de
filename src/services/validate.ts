import { type EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { badInput, conflict } from '../errors.js';

/** Trims a free-text field and checks its length, naming the field in the error. */
export function requireText(value: string, field: string, { min = 1, max = 300 } = {}): string {
  const text = value.trim().replace(/\s+/g, ' ');
  if (text.length < min) throw badInput(field, `${field} must not be empty.`);
  if (text.length > max) throw badInput(field, `${field} must be at most ${max} characters.`);
  return text;
}

export function requireIntInRange(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badInput(field, `${field} must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

/**
 * Inserts an entity in its own transaction and turns a unique-constraint violation into CONFLICT.
 * The service's own check gives the friendly answer; the constraint decides races.
 */
export async function persistUnique(em: EntityManager, entity: object, message: string): Promise<void> {
  try {
    await em.transactional(async (tx) => {
      tx.persist(entity);
    });
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw conflict(message);
    throw err;
  }
}
