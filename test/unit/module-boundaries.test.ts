import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '../..');
const SRC = join(ROOT, 'src');
const SANDBOX = join(ROOT, 'sandbox');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

type ImportKind = 'static' | 'dynamic' | 'require' | 'type-query';

interface ModuleReference {
  file: string;
  target: string;
  kind: ImportKind;
  /** For `import(...)` calls: the call sits inside a function, so it runs only when that function does. */
  insideFunction: boolean;
}

/**
 * Every module a file refers to, read from its syntax tree (comments and strings do not count): `import`/`export
 * ... from`, side-effect imports, `import x = require()`, `import()` calls, `require()` calls and `import('...')` types.
 */
function references(file: string, text: string = readFileSync(file, 'utf8')): ModuleReference[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: ModuleReference[] = [];
  const add = (specifier: ts.Node | undefined, kind: ImportKind, node: ts.Node): void => {
    if (!specifier || !ts.isStringLiteralLike(specifier) || !specifier.text.startsWith('.')) return;
    let insideFunction = false;
    for (let n: ts.Node | undefined = node.parent; n; n = n.parent) if (ts.isFunctionLike(n)) insideFunction = true;
    out.push({ file, target: resolve(dirname(file), specifier.text), kind, insideFunction });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier, 'static', node);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression, 'static', node);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0], 'dynamic', node);
    else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') add(node.arguments[0], 'require', node);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, 'type-query', node);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const under = (dir: string) => (path: string) => path === dir || path.startsWith(dir + '/');
const inSrc = under(SRC);
const inSandbox = under(SANDBOX);
const show = (ref: ModuleReference) => `${relative(ROOT, ref.file)} → ${relative(ROOT, ref.target)} (${ref.kind})`;

/**
 * The sandbox store and the gateway share no code, so one wire-contract bug cannot hide on both sides; and a gateway
 * serving a real store never loads the sandbox: only src/main.ts refers to it, through an `import()` it calls on demand.
 */
describe('module boundaries', () => {
  const srcFiles = sourceFiles(SRC);
  const sandboxFiles = sourceFiles(SANDBOX);

  it('the sandbox is a top-level package with its own entry point, and nothing is left in src/sandbox', () => {
    expect(existsSync(join(SANDBOX, 'index.ts'))).toBe(true);
    expect(existsSync(join(SRC, 'sandbox'))).toBe(false);
    expect(sandboxFiles.length).toBeGreaterThan(1);
  });

  it('sandbox/ imports nothing from src/', () => {
    const crossing = sandboxFiles.flatMap((file) => references(file)).filter((ref) => inSrc(ref.target)).map(show);
    expect(crossing).toEqual([]);
  });

  it('src/ imports nothing from sandbox/ except a lazy import() in src/main.ts', () => {
    const refs = srcFiles.flatMap((file) => references(file)).filter((ref) => inSandbox(ref.target));
    const notLazy = refs.filter((ref) => relative(ROOT, ref.file) !== 'src/main.ts' || ref.kind !== 'dynamic' || !ref.insideFunction).map(show);
    expect(notLazy).toEqual([]);
    // main.ts does load it (the check above must not pass merely because nothing refers to the sandbox).
    expect(refs.map(show)).toEqual(['src/main.ts → sandbox (dynamic)']);
  });

  it('finds every kind of reference the checks above rely on', () => {
    const probe = join(SRC, '__probe__.ts');
    const text = [
      "import a from '../sandbox';",
      "import type { B } from '../sandbox/b';",
      "export { c } from '../sandbox/c';",
      "import '../sandbox/d';",
      "const e = require('../sandbox/e');",
      "type F = typeof import('../sandbox/f');",
      "const g = import('../sandbox/g');",
      "function h() { return import('../sandbox/h'); }",
      "// import x from '../sandbox/comment';",
    ].join('\n');
    expect(references(probe, text).map((r) => [relative(ROOT, r.target), r.kind, r.insideFunction])).toEqual([
      ['sandbox', 'static', false],
      ['sandbox/b', 'static', false],
      ['sandbox/c', 'static', false],
      ['sandbox/d', 'static', false],
      ['sandbox/e', 'require', false],
      ['sandbox/f', 'type-query', false],
      ['sandbox/g', 'dynamic', false],
      ['sandbox/h', 'dynamic', true],
    ]);
  });

  it('only src/main.ts reads process.env; the sandbox reads none', () => {
    const envReaders = [...srcFiles, ...sandboxFiles].filter((file) => readFileSync(file, 'utf8').includes('process.env')).map((file) => relative(ROOT, file));
    expect(envReaders).toEqual(['src/main.ts']);
  });
});
