// README's architecture map names every entry of src/, web/ and test/, and nothing that is not there.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const readme = fs.readFileSync(new URL('README.md', root), 'utf8');

/** Top-level folder → the names listed under it (two-space indented lines) in the map's code block. */
function mapOfReadme(): Map<string, string[]> {
  const section = readme.slice(readme.indexOf('## Architecture'));
  const block = section.slice(section.indexOf('```') + 3, section.indexOf('```', section.indexOf('```') + 3));
  const map = new Map<string, string[]>();
  let parent: string | null = null;
  for (const line of block.split('\n')) {
    const top = /^(\S+\/)/.exec(line);
    const child = /^ {2}(\S+)/.exec(line);
    if (top) map.set((parent = top[1]!), []);
    else if (child && parent) map.get(parent)!.push(child[1]!);
  }
  return map;
}

/** What is there, folders with a trailing slash; generated output that git ignores is left out. */
const entries = (dir: string, generated: string[] = []) =>
  fs
    .readdirSync(new URL(dir, root), { withFileTypes: true })
    .filter((e) => !generated.includes(e.name))
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name));

describe('the architecture map in README.md', () => {
  it.each([
    ['src/', []],
    ['web/', ['dist']],
    ['test/', []],
  ])('lists exactly what %s holds', (dir, generated) => {
    const listed = mapOfReadme().get(dir);
    expect(listed?.slice().sort()).toEqual(entries(dir, generated).sort());
  });
});
