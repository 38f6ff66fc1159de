import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * A SQL statement with named parameters (`:cityId`), kept beside its aggregate in a `*.queries.ts`
 * file and called by name from the service. Names are compiled once, at definition, into the
 * driver's positional placeholders; running the query checks that every name has a value, so a
 * renamed parameter fails loudly instead of binding the wrong value.
 *
 *   export const queuedHead = sql<{ cityId: string; type: VoucherType; limit: number }, { id: string }>(
 *     'queued-head', `select id from application where city_id = :cityId and voucher_type = :type limit :limit`);
 *   const rows = await queuedHead.all(em, { cityId, type, limit: 10 });
 *
 * `::` casts are left alone (`:id::uuid` is the parameter `id` cast to uuid). An array value binds as
 * a list (`in (:ids)`), as with the driver's own placeholders. Keep `:` out of string literals in
 * the text (write times as parameters).
 */
export class NamedQuery<P extends object, R> {
  /** The statement with positional placeholders, as sent. */
  readonly text: string;
  /** The parameter each placeholder takes, in order (a name used twice appears twice). */
  readonly order: readonly (keyof P & string)[];

  constructor(
    /** A stable name: logs, statement counts and (later) prepared statements refer to it. */
    readonly name: string,
    source: string,
  ) {
    const order: (keyof P & string)[] = [];
    this.text = source.replace(PARAMETER, (_match, name: string) => {
      order.push(name as keyof P & string);
      return '?';
    });
    this.order = order;
  }

  /** The values in placeholder order; throws on a parameter without a value (a programming error). */
  bind(params: P): unknown[] {
    return this.order.map((name) => {
      const value = (params as Record<string, unknown>)[name];
      if (value === undefined) throw new Error(`query ${this.name}: no value for :${name}`);
      return value;
    });
  }

  /** Every row, in the caller's transaction (or the EntityManager's connection). */
  all(em: EntityManager, params: P): Promise<R[]> {
    return em.execute<R[]>(this.text, this.bind(params));
  }

  /**
   * Every row, on a pooled connection outside any transaction the EntityManager is in: for reads
   * that must see what is committed now (a position read beside a transaction that waits).
   */
  outside(em: EntityManager, params: P): Promise<R[]> {
    return em.getConnection().execute<R[]>(this.text, this.bind(params));
  }

  /** The first row, or undefined. */
  async first(em: EntityManager, params: P): Promise<R | undefined> {
    return (await this.all(em, params))[0];
  }
}

/** `:name` not preceded by another `:` (so `::type` casts are not parameters). */
const PARAMETER = /(?<![:\w]):([a-zA-Z_][a-zA-Z0-9_]*)/g;

/** Defines a named query: `P` its parameters, `R` one row of its result. */
export function sql<P extends object = Record<string, never>, R = Record<string, unknown>>(name: string, text: string): NamedQuery<P, R> {
  return new NamedQuery<P, R>(name, text);
}
