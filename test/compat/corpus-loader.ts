// The storefront operation corpus (./corpus): one named operation per file, with optional `<file>.variables.json`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getOperationAST, parse, type OperationTypeNode } from 'graphql';

export const CORPUS_DIR = resolve(__dirname, 'corpus');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface CorpusOperation {
  /** File name without `.graphql`, e.g. `product-page`. */
  file: string;
  /** The operation's own name, sent as `operationName`. */
  name: string;
  type: OperationTypeNode;
  query: string;
  /** From `<file>.variables.json` when present. */
  variables: JsonObject;
}

export function loadCorpus(): CorpusOperation[] {
  return readdirSync(CORPUS_DIR)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => {
      const base = file.slice(0, -'.graphql'.length);
      const query = readFileSync(resolve(CORPUS_DIR, file), 'utf8');
      const operation = getOperationAST(parse(query));
      if (!operation?.name) throw new Error(`${file}: expected exactly one named operation`);
      const variablesFile = resolve(CORPUS_DIR, `${base}.variables.json`);
      const variables = existsSync(variablesFile) ? (JSON.parse(readFileSync(variablesFile, 'utf8')) as JsonObject) : {};
      return { file: base, name: operation.name.value, type: operation.operation, query, variables };
    });
}

