// npm run test:model -- --steps 10000 --seed 42 [--runs 1]: the lifecycle model test, longer than
// `npm test` runs it. Runs over 300 steps stop at the first failure instead of shrinking it (every
// shrink attempt rebuilds the world); re-run a short prefix with its seed to get a minimal case.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '2000' }, seed: { type: 'string', default: String(Date.now() % 1_000_000) }, runs: { type: 'string', default: '1' } } });
for (const [name, value] of Object.entries(values)) {
  if (!/^\d+$/.test(value!)) {
    process.stderr.write(`--${name} must be a whole number, not "${value}"\n`);
    process.exit(2);
  }
}
console.log(`lifecycle model: ${values.steps} steps × ${values.runs} run(s), seed ${values.seed}`);
const result = spawnSync('npx', ['vitest', 'run', 'test/integration/lifecycle-model.spec.ts'], {
  stdio: 'inherit',
  env: { ...process.env, MODEL_STEPS: values.steps, MODEL_SEED: values.seed, MODEL_RUNS: values.runs },
});
process.exit(result.status ?? 1);
