// The sandbox SDL must be a strict subset of the live store's Storefront schema, which this test reads from
// ../shared/bigcommerce/storefront-schema/bigcommerce.graphql (beside the project, never copied into it).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { sandboxSdlPath } from '../../sandbox/project-root';

const LIVE_SCHEMA_PATH = path.resolve(__dirname, '../../../shared/bigcommerce/storefront-schema/bigcommerce.graphql');

function kindOf(t: GraphQLNamedType): string {
  if (isObjectType(t)) return 'object';
  if (isInterfaceType(t)) return 'interface';
  if (isUnionType(t)) return 'union';
  if (isEnumType(t)) return 'enum';
  if (isInputObjectType(t)) return 'input';
  if (isScalarType(t)) return 'scalar';
  return 'unknown';
}

function compareArgs(where: string, ours: readonly GraphQLArgument[], theirs: readonly GraphQLArgument[], problems: string[]): void {
  for (const arg of ours) {
    const real = theirs.find((a) => a.name === arg.name);
    if (!real) problems.push(`${where}(${arg.name}): argument does not exist in the live schema`);
    else if (String(real.type) !== String(arg.type)) problems.push(`${where}(${arg.name}): ${String(arg.type)} here, ${String(real.type)} live`);
  }
  // A query valid against the sandbox must be valid live: required live arguments must exist here too.
  for (const real of theirs) {
    if (isNonNullType(real.type) && real.defaultValue === undefined && !ours.some((a) => a.name === real.name)) {
      problems.push(`${where}(${real.name}): required live argument missing`);
    }
  }
}

function subsetProblems(ours: GraphQLSchema, live: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const type of Object.values(ours.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    const real = live.getType(type.name);
    if (!real) {
      problems.push(`${type.name}: type does not exist in the live schema`);
      continue;
    }
    if (kindOf(real) !== kindOf(type)) {
      problems.push(`${type.name}: ${kindOf(type)} here, ${kindOf(real)} live`);
      continue;
    }
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(real) || isInterfaceType(real))) {
      const realFields = real.getFields();
      for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
        const rf = realFields[field.name];
        if (!rf) {
          problems.push(`${type.name}.${field.name}: field does not exist in the live schema`);
          continue;
        }
        if (String(rf.type) !== String(field.type)) problems.push(`${type.name}.${field.name}: ${String(field.type)} here, ${String(rf.type)} live`);
        compareArgs(`${type.name}.${field.name}`, field.args, rf.args, problems);
      }
      for (const iface of type.getInterfaces()) {
        if (!real.getInterfaces().some((i) => i.name === iface.name)) problems.push(`${type.name}: implements ${iface.name} here, not live`);
      }
    }
    if (isInputObjectType(type) && isInputObjectType(real)) {
      const realFields = real.getFields();
      for (const field of Object.values(type.getFields())) {
        const rf = realFields[field.name];
        if (!rf) problems.push(`${type.name}.${field.name}: input field does not exist in the live schema`);
        else if (String(rf.type) !== String(field.type)) problems.push(`${type.name}.${field.name}: ${String(field.type)} here, ${String(rf.type)} live`);
      }
      for (const rf of Object.values(realFields)) {
        if (isNonNullType(rf.type) && rf.defaultValue === undefined && !type.getFields()[rf.name]) {
          problems.push(`${type.name}.${rf.name}: required live input field missing`);
        }
      }
    }
    if (isEnumType(type) && isEnumType(real)) {
      for (const v of type.getValues()) if (!real.getValue(v.name)) problems.push(`${type.name}.${v.name}: enum value does not exist live`);
    }
    if (isUnionType(type) && isUnionType(real)) {
      for (const member of type.getTypes()) if (!real.getTypes().some((m) => m.name === member.name)) problems.push(`${type.name}: member ${member.name} not live`);
    }
  }
  for (const root of ['getQueryType', 'getMutationType'] as const) {
    const a = ours[root]();
    const b = live[root]();
    if (a && (!b || a.name !== b.name)) problems.push(`root ${root}: ${a.name} here, ${b?.name ?? 'none'} live`);
  }
  return problems;
}

describe('sandbox SDL vs the live Storefront schema read from ../shared/bigcommerce/storefront-schema/bigcommerce.graphql', () => {
  it('reads ../shared/bigcommerce/storefront-schema/bigcommerce.graphql and finds every sandbox type, field and argument there with the same type', () => {
    if (!existsSync(LIVE_SCHEMA_PATH)) {
      throw new Error(
        `The live Storefront schema is missing at ${LIVE_SCHEMA_PATH}. This test needs the reference data checked out beside the project (../shared/bigcommerce/storefront-schema/bigcommerce.graphql).`,
      );
    }
    const live = buildSchema(readFileSync(LIVE_SCHEMA_PATH, 'utf8'));
    const ours = buildSchema(readFileSync(sandboxSdlPath(), 'utf8'));
    expect(subsetProblems(ours, live)).toEqual([]);
    // Sanity: the comparison really ran over the types the issue asks for.
    for (const name of ['Query', 'Site', 'Product', 'Prices', 'Customer', 'Mutation', 'LoginResult', 'CartMutations', 'Cart']) {
      expect(ours.getType(name)).toBeDefined();
    }
  });

  it('reports a field whose type differs from the live schema (the check is not vacuous)', () => {
    if (!existsSync(LIVE_SCHEMA_PATH)) throw new Error(`The live Storefront schema is missing at ${LIVE_SCHEMA_PATH}.`);
    const live = buildSchema(readFileSync(LIVE_SCHEMA_PATH, 'utf8'));
    const wrong = buildSchema('type Query { customer: Customer! }\ntype Customer { entityId: String! bogus: Int }');
    expect(subsetProblems(wrong, live)).toEqual([
      'Query.customer: Customer! here, Customer live',
      'Customer.entityId: String! here, Int! live',
      'Customer.bogus: field does not exist in the live schema',
    ]);
  });
});
