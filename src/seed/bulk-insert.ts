import type { Knex } from '@mikro-orm/postgresql';

/** One column of a bulk insert: its name, its PostgreSQL type, and how a row gives its value. */
export type Column<Row> = [name: string, pgType: string, value: (row: Row) => string | number];

/** Rows per statement: large enough to amortise the round trip, small enough to keep each array parameter a few MB. */
const BATCH_ROWS = 10_000;

/**
 * INSERT … SELECT FROM unnest(one array per column), BATCH_ROWS rows a statement: the fastest way
 * to load generated data short of COPY, and it runs every trigger and constraint as a live insert
 * would. Rows are inserted in the order given (defaults from sequences follow it).
 * `progress` hears after each statement how many rows are in.
 */
export async function insertRows<Row>(
  trx: Knex.Transaction,
  table: string,
  rows: readonly Row[],
  columns: Column<Row>[],
  progress?: (inserted: number, total: number) => void,
): Promise<void> {
  const sql = `insert into "${table}" (${columns.map(([name]) => `"${name}"`).join(', ')})
    select * from unnest(${columns.map(([, type]) => `?::${type}[]`).join(', ')})`;
  for (let start = 0; start < rows.length; start += BATCH_ROWS) {
    const batch = rows.slice(start, start + BATCH_ROWS);
    // Each array is one parameter; node-postgres sends it as an array literal.
    await trx.raw(sql, columns.map(([, , value]) => batch.map(value)) as Knex.RawBinding[]);
    progress?.(start + batch.length, rows.length);
  }
}
