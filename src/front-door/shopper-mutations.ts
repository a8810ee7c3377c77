import { getOperationAST, GraphQLError, Kind, valueFromASTUntyped, type DocumentNode, type FieldNode, type SelectionSetNode } from 'graphql';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { LoginThrottle } from '../auth/login-throttle';
import type { GatewayContext } from '../context';
import { gatewayError } from '../errors';
import type { CustomerTokenIdentity } from './customer-token-identity';

/** Root fields of an operation, through inline fragments and fragment spreads (a spread must not hide a login). */
function rootFields(document: DocumentNode, selectionSet: SelectionSetNode, seen = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...rootFields(document, selection.selectionSet, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find((definition) => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === selection.name.value);
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) fields.push(...rootFields(document, fragment.selectionSet, seen));
    }
  }
  return fields;
}

/**
 * On the front door BigCommerce answers `login` and `logout` itself; the gateway still holds its login limits
 * (per shopper address and per email, as on the session endpoint) and forgets a token its shopper logged out.
 */
export function frontDoorShopperMutationsPlugin(deps: { loginThrottle: LoginThrottle; customerTokens: CustomerTokenIdentity }): Plugin<GatewayContext> {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as GatewayContext;
      if (!ctx.frontDoor) return;
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'mutation') return;
      const fields = rootFields(args.document, operation.selectionSet);
      const variables = (args.variableValues ?? {}) as Record<string, unknown>;
      const logins: Array<{ responseKey: string; email: string }> = [];
      for (const field of fields) {
        if (field.name.value !== 'login') continue;
        const argument = field.arguments?.find((arg) => arg.name.value === 'email');
        const email = argument ? valueFromASTUntyped(argument.value, variables) : undefined;
        logins.push({ responseKey: field.alias?.value ?? field.name.value, email: typeof email === 'string' ? email : '' });
      }
      try {
        for (const login of logins) await deps.loginThrottle.beforeAttempt(ctx.clientIp, login.email);
      } catch (error) {
        setResultAndStopExecution({ data: null, errors: [error instanceof GraphQLError ? error : gatewayError('UNAVAILABLE', 'Login limits cannot be checked; try again shortly')] });
        return;
      }
      const token = ctx.shopper?.customerAccessToken;
      const logsOut = token !== undefined && fields.some((field) => field.name.value === 'logout');
      if (logins.length === 0 && !logsOut) return;
      return {
        async onExecuteDone({ result }) {
          // BigCommerce answers a refused login with null and an error: a result there is a success.
          const data = (result as ExecutionResult).data as Record<string, unknown> | null | undefined;
          for (const login of logins) if (data?.[login.responseKey]) await deps.loginThrottle.succeeded(login.email);
          if (logsOut && token !== undefined) await deps.customerTokens.forget(token).catch(() => undefined);
        },
      };
    },
  };
}
