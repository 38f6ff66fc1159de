// Rules of the code's shape that a reviewer would otherwise have to remember: checked on the
// source text, so a new file that breaks one fails here with its name and line.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** Every .ts file under `dir`, with its lines stripped of comments (so prose may say `new Date()`). */
function sources(dir: string): { file: string; lines: string[] }[] {
  const out: { file: string; lines: string[] }[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.relative(root, path.join(entry.parentPath, entry.name));
    const text = fs.readFileSync(path.join(root, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
    out.push({ file, lines: text.split('\n').map((l) => l.replace(/(^|[^:])\/\/.*$/, '$1')) });
  }
  return out;
}

/** `file:line: text` for every line matching `pattern`, outside the files `except` names. */
function offenders(dirs: string[], pattern: RegExp, except: string[] = []): string[] {
  return dirs.flatMap((dir) =>
    sources(dir)
      .filter(({ file }) => !except.includes(file))
      .flatMap(({ file, lines }) => lines.flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []))),
  );
}

describe('the shape of the code', () => {
  it('services and jobs read the time from the injected clock, never the system one', () => {
    expect(offenders(['src/services', 'src/jobs'], /new Date\(\)|Date\.now\(\)/)).toEqual([]);
  });

  it('tests move time through the clock (api.clock, a request\'s own time, a job\'s now), never by back-dating rows', () => {
    expect(offenders(['test'], /\bset\s+\w*(_at|deadline|_date)\s*=/i, ['test/unit/architecture.spec.ts'])).toEqual([]);
  });

  it('a status changes only through moveTo/moveAll (src/services/status-change.ts), which check the transition tables', () => {
    const allowed = ['src/services/status-change.ts'];
    // A statement assigning the property (SQL comparisons like `a.status = 'QUEUED'` sit inside strings).
    // Where a lifecycle begins rather than moves: a family's declaration starts a new category claim
    // on its link, CLAIMED (Guardianship.beginCategoryClaim), as a new entity starts in its first status.
    const begins = (line: string) => line.startsWith('src/entities/guardianship.entity.ts:') && line.endsWith(': this.categoryStatus = ClaimStatus.CLAIMED;');
    expect(offenders(['src'], /^\s*[\w.!?]+\.(status|categoryStatus)\s*=(?!=)/, [...allowed, 'src/seed/demo-data.ts']).filter((line) => !begins(line))).toEqual([]);
    expect(offenders(['src'], /\btransition\(/, [...allowed, 'src/domain/lifecycle.ts'])).toEqual([]);
    expect(offenders(['src'], /\bset\s+(status|category_status)\s*=/i, allowed)).toEqual([]);
  });

  it('hand-written SQL lives beside its aggregate in *.queries.ts (named parameters), which services call by name', () => {
    // The mechanisms build their statements from their arguments (advisory locks, set-wise moves).
    const mechanisms = ['src/services/locks.ts', 'src/services/status-change.ts'];
    const queries = sources('src/services').map(({ file }) => file).filter((file) => file.endsWith('.queries.ts'));
    // A raw statement: EntityManager or connection execute (the ORM's query builder, qb.execute, is not one).
    expect(offenders(['src/services', 'src/jobs', 'src/identity'], /(?<!qb)\.execute\s*[<(]/, [...mechanisms, ...queries])).toEqual([]);
  });
});
