import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const SRC = resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/from\s+'([^']+)'/g)].map((match) => resolve(join(file, '..'), match[1]));
}

/** DESIGN.md: the sandbox and the gateway share no code, so one wire-contract bug cannot hide on both sides. */
describe('module boundaries', () => {
  const files = sourceFiles(SRC);
  const sandboxDir = join(SRC, 'sandbox');
  const inSandbox = (path: string) => path === sandboxDir || path.startsWith(sandboxDir + '/');

  it('src/sandbox imports nothing from the rest of src/', () => {
    const crossing = files
      .filter(inSandbox)
      .flatMap((file) => imports(file).filter((target) => target.startsWith(SRC) && !inSandbox(target)).map((target) => `${relative(SRC, file)} → ${relative(SRC, target)}`));
    expect(crossing).toEqual([]);
  });

  it('only src/main.ts imports src/sandbox, and only src/main.ts reads process.env', () => {
    const importers = files.filter((file) => !inSandbox(file) && imports(file).some(inSandbox)).map((file) => relative(SRC, file));
    expect(importers).toEqual(['main.ts']);
    const envReaders = files.filter((file) => readFileSync(file, 'utf8').includes('process.env')).map((file) => relative(SRC, file));
    expect(envReaders).toEqual(['main.ts']);
  });
});
