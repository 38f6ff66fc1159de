// The queue side (applications, queue, issuing, rules, offers, vouchers, queue blocks, counters and
// the scheduler) sends hand-written SQL only through named queries kept beside their aggregate in
// src/services/*.queries.ts (issue 12): no statement text or positional parameters in these files.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const QUEUE_SIDE = [
  'src/services/application.service.ts',
  'src/services/queue.service.ts',
  'src/services/issuing.service.ts',
  'src/services/rules.service.ts',
  'src/services/offer.service.ts',
  'src/services/voucher.service.ts',
  'src/services/queue-blocks.ts',
  'src/services/placement.ts',
  'src/services/counters.ts',
  'src/jobs/scheduler.ts',
];

describe('the queue side’s SQL', () => {
  it('runs as named queries from *.queries.ts, never as statement text in a service or job', () => {
    const offenders = QUEUE_SIDE.flatMap((file) =>
      fs
        .readFileSync(path.join(root, file), 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          // A call of execute() with anything but a named query's statement (queue-blocks.ts hands
          // the live hub the text and values of its named queries, which it extends).
          /\.execute\s*[<(]/.test(line) && !/\.execute(<[^(]*>)?\(\.\.\.\w+Statement\(/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
    expect(offenders).toEqual([]);
  });
});
