// What `npm run bench` runs: named benchmarks, each returning figures for BENCHMARKS.md. Nothing here
// is imported by the tests or CI, so no test ever depends on a timing.
import type { Knex } from '@mikro-orm/postgresql';
import type { ConnectionParts, Orm } from '../src/db/orm.js';
import { type Column, insertRows } from '../src/seed/bulk-insert.js';

/** Progress for a person watching the run; goes to stderr so stdout stays free for results. */
export type BenchLog = (message: string) => void;

export interface Figure {
  label: string;
  value: string;
}

export interface BenchmarkResult {
  figures: Figure[];
  /** The goal the benchmark checks, e.g. "first settlement under 30 s", and whether this run met it. */
  target: { text: string; met: boolean };
}

export interface Benchmark {
  /** What `npm run bench -- NAME` selects; also the key of its section in BENCHMARKS.md. */
  name: string;
  title: string;
  /** What is measured and how the data looks, written into BENCHMARKS.md as is. */
  description: string;
  /** Loads its own data into the migrated database, measures, and checks the outcome (throws if wrong). */
  run(orm: Orm, log: BenchLog, connection: ConnectionParts): Promise<BenchmarkResult>;
}

/** Seconds since `startedMs` (a performance.now() reading). */
export const secondsSince = (startedMs: number): number => (performance.now() - startedMs) / 1000;

export const formatSeconds = (seconds: number): string => `${seconds.toFixed(2)} s`;

/** A count with thin grouping, e.g. 800,000. */
export const formatCount = (n: number | bigint): string => n.toLocaleString('en-US');

/** Tiyn (1/100 tenge) as "1,234.56 KZT", in bigint arithmetic so no amount passes through a float. */
export function formatTiyn(tiyn: bigint): string {
  const sign = tiyn < 0n ? '-' : '';
  const abs = tiyn < 0n ? -tiyn : tiyn;
  return `${sign}${formatCount(abs / 100n)}.${String(abs % 100n).padStart(2, '0')} KZT`;
}

/** Bulk-inserts generated rows (src/seed/bulk-insert.ts) and logs how many, and how long it took. */
export async function loadRows<Row>(trx: Knex.Transaction, table: string, rows: readonly Row[], columns: Column<Row>[], log: BenchLog): Promise<void> {
  const started = performance.now();
  await insertRows(trx, table, rows, columns);
  log(`  ${table}: ${formatCount(rows.length)} rows in ${formatSeconds(secondsSince(started))}`);
}
