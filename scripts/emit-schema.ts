// `npm run schema:emit`: writes the schema clients see (storefront + gateway fields, stitched) to
// schema/gateway.composed.graphql, so codegen and frontend tooling can work without a running gateway.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { startSandbox } from '../sandbox';
import { buildGateway, gatewayConfig, projectRoot, sandboxStore } from './harness';

export const COMPOSED_SCHEMA_FILE = 'schema/gateway.composed.graphql';

const HEADER = [
  '# GENERATED FILE: do not edit. Regenerate with `npm run schema:emit`.',
  "# The gateway's composed schema: the sandbox store's Storefront API subset (schema/sandbox.graphql) stitched",
  '# with the gateway fields (schema/gateway/*.graphql). Against a real store the Storefront part is that store\'s',
  '# full schema; the gateway fields are the same. test/compat/composed-schema.test.ts keeps this file current.',
  '',
].join('\n');

/** Stable text for a schema: sorted, so stitching order never shows up as a diff. */
export function printComposedSchema(schema: GraphQLSchema): string {
  return `${HEADER}\n${printSchema(lexicographicSortSchema(schema))}\n`;
}

/** Compose the gateway against a throwaway sandbox (the same start-up path as sandbox mode) and print its schema. */
export async function composeGatewaySchema(): Promise<string> {
  const sandbox = await startSandbox({ port: 0 });
  try {
    const gateway = await buildGateway(gatewayConfig(await sandboxStore(sandbox)));
    return printComposedSchema(gateway.schema);
  } finally {
    await sandbox.close();
  }
}

export function composedSchemaPath(): string {
  return join(projectRoot(), COMPOSED_SCHEMA_FILE);
}

async function main(): Promise<void> {
  const text = await composeGatewaySchema();
  writeFileSync(composedSchemaPath(), text);
  process.stdout.write(`wrote ${COMPOSED_SCHEMA_FILE} (${text.length} bytes)\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`schema:emit failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
