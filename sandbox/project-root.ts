// Locates the project root (the directory holding package.json) from this file, so the SDL in schema/ is found
// both under ts-jest (sandbox/*.ts) and from compiled output (dist/sandbox/*.js).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function projectRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`sandbox: no package.json above ${start}`);
    dir = parent;
  }
}

export function sandboxSdlPath(): string {
  return join(projectRoot(), 'schema', 'sandbox.graphql');
}
