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

  it('a status changes only through moveTo/moveAll (src/services/status-change.ts), which check the transition tables', () => {
    // Files still changing a status by hand; each is converted to moveTo and removed from here.
    const notYet = [
      'src/services/claims.ts',
      'src/services/payment.service.ts',
      'src/services/provider.service.ts',
      'src/services/attendance.service.ts',
      'src/services/child.service.ts',
    ];
    const allowed = ['src/services/status-change.ts', ...notYet];
    // A statement assigning the property (SQL comparisons like `a.status = 'QUEUED'` sit inside strings).
    expect(offenders(['src'], /^\s*[\w.!?]+\.(status|categoryStatus)\s*=(?!=)/, [...allowed, 'src/seed/demo-data.ts'])).toEqual([]);
    expect(offenders(['src'], /\btransition\(/, [...allowed, 'src/domain/lifecycle.ts'])).toEqual([]);
    expect(offenders(['src'], /\bset\s+(status|category_status)\s*=/i, allowed)).toEqual([]);
  });
});
