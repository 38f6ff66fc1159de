// The lifecycle under random interleavings: a seeded list of commands — every mutation a parent,
// operator or provider sends (sessions, settlement, payments and category decisions included),
// valid and deliberately wrong, a quarter of them as 2–6 conflicting requests at once, and the
// scheduler's jobs with the clock moved on — run against the real API on a database of its own.
// After every step: no reply outside the closed error set (never a 500), a refused request wrote
// nothing, a change was audited, and the invariants hold (test/model/lifecycle-world.ts).
//
// `npm test` runs a short fixed seed. Before a release: `npm run test:model -- --steps 10000 --seed N`.
// A failure prints the seed and the commands; short runs are shrunk to a short reproduction.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildWorld, checkInvariants, commandArb, depth, runCommand } from '../model/lifecycle-world.js';

const steps = Number(process.env.MODEL_STEPS ?? 60);
const seed = Number(process.env.MODEL_SEED ?? 20261201);
const runs = Number(process.env.MODEL_RUNS ?? 1);

describe('the lifecycle under random interleavings', () => {
  it(`holds its invariants over ${steps} steps (seed ${seed})`, async () => {
    let batches = 0;
    /** What was answered, per mutation and code: shows the run reached offers, enrollments and refusals. */
    const tally = new Map<string, number>();
    /** What the last run's world held at its end (sessions, payments, verified categories…). */
    let reached = '';
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: steps, maxLength: steps }), async (commands) => {
        const world = await buildWorld();
        const log: string[] = [];
        try {
          for (const [i, command] of commands.entries()) {
            if (command.kind === 'together') batches++;
            const line = await runCommand(world, command);
            log.push(`${i + 1}. ${line}`);
            // A long run shows it is alive: a line every thousand steps.
            if ((i + 1) % 1000 === 0) console.log(`lifecycle model: step ${i + 1} of ${steps}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
            for (const [, what, code] of line.matchAll(/([a-zA-Z-]+)\([^)]*\)→(\w+)/g)) tally.set(`${what} ${code}`, (tally.get(`${what} ${code}`) ?? 0) + 1);
            await checkInvariants(world);
          }
          reached = await depth(world);
        } catch (err) {
          throw new Error(`${(err as Error).message}\nafter:\n${log.slice(-15).join('\n')}`);
        } finally {
          await world.close();
        }
      }),
      // Shrinking rebuilds the world for every attempt: worth it for short runs only, and given
      // two minutes at most (the smallest failing list found by then is reported).
      { seed, numRuns: runs, endOnFailure: steps > 300, interruptAfterTimeLimit: 120_000 + steps * 2_000, markInterruptAsFailure: true },
    );
    // Figures for the release note (a long run prints them).
    console.log(`lifecycle model: ${steps * runs} steps, ${batches} concurrent batches, ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${seed}`);
    console.log([...tally].sort().map(([k, n]) => `${k}: ${n}`).join(', '));
    console.log(`reached: ${reached}`);
    expect(batches).toBeGreaterThan(0);
  }, 3_600_000);
});
