// `npm run bench [-- name …]`: runs the named benchmarks (all when none is named) against a fresh
// embedded PostgreSQL, or against DATABASE_URL, and writes their figures into BENCHMARKS.md. Never
// run by `npm test` or CI: timings depend on the machine, so no test asserts one.
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { initOrm, migrate, type ConnectionParts, type Orm } from '../src/db/orm.js';
import { createLogger } from '../src/logger.js';
import type { Benchmark, BenchmarkResult, BenchLog } from './benchmark.js';
import { settlementBenchmark } from './settlement.bench.js';
import { catalogueBenchmark } from './catalogue.bench.js';
import { fanOutBenchmark } from './fan-out.bench.js';
import { openingDayBenchmark } from './opening-day.bench.js';
import { queueScaleBenchmark } from './queue-scale.bench.js';

const BENCHMARKS: Benchmark[] = [settlementBenchmark, queueScaleBenchmark, fanOutBenchmark, openingDayBenchmark, catalogueBenchmark];
const REPORT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'BENCHMARKS.md');
const INTRO = `# Benchmarks

Figures below come from \`npm run bench\` (\`bench/run.ts\`), run on the machine named in each
section against a fresh embedded PostgreSQL unless that section says otherwise; each run replaces
its own benchmark's section and keeps the others. Tests never assert timings: \`npm test\` and CI
do not run benchmarks, so a slow machine fails nothing — compare figures only between runs on the
same kind of machine. On the shared 2-core VMs these were taken on, the same code varies by about
15% between runs (more at p99): a figure near its target may land on either side of it.
`;

const benchStarted = performance.now();
/** Progress with elapsed time, to stderr. */
const log: BenchLog = (message) => process.stderr.write(`[${((performance.now() - benchStarted) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);

interface Machine {
  cores: number;
  cpu: string;
  memory: string;
  node: string;
  postgres: string;
}

interface Completed {
  benchmark: Benchmark;
  result: BenchmarkResult;
  date: string;
}

/** The benchmarks named on the command line (`--` separators ignored), or all of them. */
function selectBenchmarks(args: string[]): Benchmark[] {
  const names = args.filter((a) => a !== '--');
  if (names.length === 0) return BENCHMARKS;
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`Unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}.`);
  return BENCHMARKS.filter((b) => names.includes(b.name));
}

interface Database {
  connection: ConnectionParts;
  external: boolean;
  /** Stops the embedded cluster and removes its folder; a no-op for DATABASE_URL. */
  dispose(): Promise<void>;
}

/** DATABASE_URL if set, else an embedded cluster in a fresh temporary folder that dispose() removes. */
async function openDatabase(): Promise<Database> {
  const config = loadConfig({ DATABASE_URL: process.env.DATABASE_URL, IDENTITY_REGISTRY: 'demo' });
  if (config.database.kind === 'url') {
    const { kind: _kind, ...connection } = config.database;
    log(`WARNING: using DATABASE_URL (${connection.dbName} on ${connection.host}); benchmark data will be added to it and stay there`);
    return { connection, external: true, dispose: async () => {} };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kezek-bench-'));
  fs.chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as the postgres OS user, which must reach it
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  // On Ctrl-C embedded-postgres's exit hook stops the server and exits; this then removes the folder.
  process.once('exit', removeDir);
  log(`starting embedded PostgreSQL in ${dataDir}`);
  try {
    const db = await startEmbeddedPostgres(dataDir, 'kezek_bench', createLogger('warn'));
    return { connection: db.connection, external: false, dispose: async () => (await db.stop(), removeDir()) };
  } catch (err) {
    removeDir();
    throw err;
  }
}

async function describeMachine(orm: Orm): Promise<Machine> {
  const [row] = await orm.em.fork().getConnection().execute<{ version: string }[]>('select version() as version');
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    postgres: row?.version ?? 'unknown',
  };
}

/** Runs each benchmark in turn; a failure is reported and the others still run. */
async function runAll(orm: Orm, connection: ConnectionParts, benchmarks: Benchmark[]): Promise<{ completed: Completed[]; failed: string[] }> {
  const completed: Completed[] = [];
  const failed: string[] = [];
  for (const benchmark of benchmarks) {
    log(`benchmark ${benchmark.name}: ${benchmark.title}`);
    try {
      const result = await benchmark.run(orm, log, connection);
      completed.push({ benchmark, result, date: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
      log(`benchmark ${benchmark.name}: target ${result.target.text} ${result.target.met ? 'met' : 'NOT met'}`);
    } catch (err) {
      failed.push(benchmark.name);
      log(`benchmark ${benchmark.name} FAILED: ${(err as Error)?.stack ?? String(err)}`);
    }
  }
  return { completed, failed };
}

// ---------------------------------------------------------------------------------------------
// BENCHMARKS.md: an intro, then one section per benchmark between markers, so a run replaces
// only its own benchmarks' sections.

const SECTION_RE = /<!-- bench:([\w-]+) -->[\s\S]*?<!-- \/bench:\1 -->/g;

function renderSection(c: Completed, machine: Machine, command: string, external: boolean): string {
  const { benchmark, result } = c;
  const rows = result.figures.map((f) => `| ${f.label} | ${f.value} |`);
  return [
    `<!-- bench:${benchmark.name} -->`,
    `## ${benchmark.name} — ${benchmark.title}`,
    '',
    benchmark.description,
    '',
    `- Command: \`${command}\`${external ? ' (against the database in DATABASE_URL)' : ''}`,
    `- Date: ${c.date}`,
    `- Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memory} memory, Node ${machine.node}, ${machine.postgres}`,
    '',
    '| Figure | Value |',
    '| --- | --- |',
    ...rows,
    '',
    `**Target:** ${result.target.text} — **${result.target.met ? 'met' : 'not met'}**.`,
    `<!-- /bench:${benchmark.name} -->`,
  ].join('\n');
}

/** Replaces the sections of the benchmarks just run, keeps the others in their order, appends new ones. */
function updateReport(existing: string, sections: Map<string, string>): string {
  const kept = new Map<string, string>();
  for (const match of existing.matchAll(SECTION_RE)) kept.set(match[1]!, match[0]);
  for (const [name, text] of sections) kept.set(name, text);
  return `${INTRO}\n${[...kept.values()].join('\n\n')}\n`;
}

function writeReport(completed: Completed[], machine: Machine, command: string, external: boolean): void {
  const existing = fs.existsSync(REPORT) ? fs.readFileSync(REPORT, 'utf8') : '';
  const sections = new Map(completed.map((c) => [c.benchmark.name, renderSection(c, machine, command, external)]));
  fs.writeFileSync(REPORT, updateReport(existing, sections));
  log(`wrote ${path.relative(process.cwd(), REPORT) || REPORT} (${[...sections.keys()].join(', ')})`);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const benchmarks = selectBenchmarks(args);
  const command = ['npm run bench', ...(args.length > 0 ? ['--', ...args.filter((a) => a !== '--')] : [])].join(' ');
  const db = await openDatabase();
  let outcome: { completed: Completed[]; failed: string[] };
  let machine: Machine;
  try {
    const orm = await initOrm(db.connection, createLogger('warn'), 4);
    try {
      await migrate(orm);
      machine = await describeMachine(orm);
      outcome = await runAll(orm, db.connection, benchmarks);
    } finally {
      await orm.close(true);
    }
  } finally {
    log('stopping the database');
    await db.dispose();
  }
  if (outcome.completed.length > 0) writeReport(outcome.completed, machine, command, db.external);
  log(`done in ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);
  return outcome.failed.length === 0 ? 0 : 1;
}

// embedded-postgres's exit hook would otherwise end the process with code 0 whatever happened.
main().then(
  (code) => process.exit(code),
  (err) => {
    log(`Error: ${(err as Error)?.message ?? String(err)}`);
    process.exit(1);
  },
);
