/**
 * Import cycles between source files: each one found is printed and the
 * exit code is 1. Project-level cycles are the boundary rule's (eslint);
 * this catches cycles inside a project, type-only imports included, since
 * they tie two modules together as much as value imports do.
 *
 *   npx tsx tools/ci/import-cycles.ts
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const RELATIVE_IMPORT = /(?:^|[\s;])(?:import|export)\s(?:[^'"`;]*?\sfrom\s)?\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** The files `source` (at `file`) imports by relative path, resolved against `known` files. */
export function relativeImports(file: string, source: string, known: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(RELATIVE_IMPORT)) {
    const specifier = match[1] ?? match[2]!;
    const base = resolve(dirname(file), specifier);
    const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
    const target = candidates.find((candidate) => known.has(candidate));
    if (target) found.push(target);
  }
  return found;
}

/** Every strongly connected group of more than one file, or a file importing itself (Tarjan's algorithm). */
export function findImportCycles(sources: ReadonlyMap<string, string>): string[][] {
  const known = new Set(sources.keys());
  const edges = new Map([...sources].map(([file, source]) => [file, relativeImports(file, source, known)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of edges.get(file)!) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== file);
    if (group.length > 1 || edges.get(file)!.includes(file)) cycles.push(group.sort());
  };
  for (const file of known) if (!index.has(file)) visit(file);
  return cycles;
}

/** The TypeScript sources of the repository's projects. */
export function projectSources(root: string): Map<string, string> {
  const sources = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist' || name === 'target' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) sources.set(path, readFileSync(path, 'utf8'));
    }
  };
  for (const top of ['libs', 'apps', 'tools']) walk(join(root, top));
  return sources;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const cycles = findImportCycles(projectSources(root));
  for (const cycle of cycles) console.log(`import cycle: ${cycle.map((file) => relative(root, file)).join(' <-> ')}`);
  console.log(cycles.length === 0 ? 'no import cycles' : `${cycles.length} import cycle(s): break each by moving what both files need into one of them or a third module`);
  process.exitCode = cycles.length === 0 ? 0 : 1;
}
