// POST /graphql: BigCommerce's Storefront GraphQL endpoint. Authenticates the storefront token, identifies the
// shopper (X-Bc-Customer-Id with an impersonation token, X-Bc-Customer-Access-Token with a storefront or private
// token), then executes one operation or a batch (JSON array) against the subset schema.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { execute, getOperationAST, GraphQLError, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { COMPLEXITY_LIMIT, complexityScore, tooComplexMessage } from './complexity';
import { BodyTooLargeError, headerValue, isJsonContentType, readBody, sendJson } from './http-util';
import { sandboxSdlPath } from './project-root';
import { verifyCustomerLoginJwt } from './customer-login';
import type { StorefrontContext } from './storefront-context';
import { createStorefrontResolvers } from './storefront-resolvers';
import { StorefrontAuthError, type StorefrontTokenService } from './storefront-tokens';
import type { Catalog } from './catalog';
import type { SandboxState } from './state';

export const IMPERSONATION_FROM_BROWSER_MESSAGE =
  'Request not allowed: Detected that request originated from a browser script and is using a customer impersonation jwt token. Customer impersonation tokens are not allowed with frontend requests.';
/** BigCommerce documents that private tokens reject browser requests but not the message; this one is the sandbox's. */
export const PRIVATE_FROM_BROWSER_MESSAGE =
  'Request not allowed: Detected that request originated from a browser script and is using a private token. Private tokens are not allowed with frontend requests.';
export const ORIGIN_MISMATCH_MESSAGE =
  "'Origin' header invalid: The 'Origin' request header value did not match the allowed origin set in the JWT auth token. Please generate a token that is valid for this origin";
export const INVALID_CAT_MESSAGE = 'Invalid customer access token.';

export function buildStorefrontSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: readFileSync(sandboxSdlPath(), 'utf8'), resolvers: createStorefrontResolvers() });
}

interface GraphQLRequestBody {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

function isRequestBody(value: unknown): value is GraphQLRequestBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.query === 'string' &&
    (v.variables === undefined || v.variables === null || (typeof v.variables === 'object' && !Array.isArray(v.variables))) &&
    (v.operationName === undefined || v.operationName === null || typeof v.operationName === 'string')
  );
}

function errorsBody(message: string, extensions?: Record<string, unknown>): { errors: { message: string; extensions?: Record<string, unknown> }[] } {
  return { errors: [extensions ? { message, extensions } : { message }] };
}

export interface StorefrontHandlerDeps {
  schema: GraphQLSchema;
  tokens: StorefrontTokenService;
  catalog: Catalog;
  state: SandboxState;
  storeHash: string;
  channelId: number;
  channelIds: number[];
  /** API account that signs Customer Login JWTs (for `loginWithCustomerLoginJwt`). */
  clientId: string;
  clientSecret: string;
  now: () => number;
}

/** Parsed and validated documents by query text: the same query is parsed and validated once (bounded). */
const validDocuments = new WeakMap<GraphQLSchema, Map<string, DocumentNode>>();

function documentFor(schema: GraphQLSchema, query: string): DocumentNode | ExecutionResult {
  let cache = validDocuments.get(schema);
  if (!cache) validDocuments.set(schema, (cache = new Map()));
  const known = cache.get(query);
  if (known) return known;
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (err) {
    return { errors: [err instanceof GraphQLError ? err : new GraphQLError('Invalid query')] };
  }
  const validationErrors = validate(schema, document);
  if (validationErrors.length > 0) return { errors: validationErrors };
  if (cache.size >= 1000) cache.clear();
  cache.set(query, document);
  return document;
}

interface OperationOutcome {
  result: ExecutionResult;
  /** The operation's complexity score; absent for requests that are not valid (BigCommerce scores valid ones). */
  complexity?: number;
  operation?: OperationDefinitionNode;
}

async function runOne(deps: StorefrontHandlerDeps, body: GraphQLRequestBody, ctx: StorefrontContext): Promise<OperationOutcome> {
  const document = documentFor(deps.schema, body.query);
  if (!('kind' in document)) return { result: document };
  const operation = getOperationAST(document, body.operationName ?? undefined) ?? undefined;
  const complexity = operation ? complexityScore(deps.schema, document, operation, body.variables ?? {}) ?? undefined : undefined;
  // Scored before execution: an operation over the limit runs no resolver (no mutation takes effect).
  if (complexity !== undefined && complexity > COMPLEXITY_LIMIT) {
    return { result: { errors: [new GraphQLError(tooComplexMessage(complexity))] }, complexity, operation };
  }
  const result = await execute({
    schema: deps.schema,
    document,
    variableValues: body.variables ?? undefined,
    operationName: body.operationName ?? undefined,
    contextValue: ctx,
  });
  return { result, complexity, operation };
}

/**
 * BigCommerce's GraphQL response headers (developer.bigcommerce.com/docs/start/about, "GraphQL-specific response
 * headers"): the complexity score, the operation type and name ("" when anonymous). A batch reports the sum of its
 * operations' scores (each operation is held to the limit on its own) and no type or name.
 */
function responseHeaders(outcomes: OperationOutcome[], batch: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  const scored = outcomes.filter((o) => o.complexity !== undefined);
  if (scored.length > 0) headers['X-Bc-Graphql-Complexity'] = String(Math.min(Number.MAX_SAFE_INTEGER, scored.reduce((sum, o) => sum + (o.complexity ?? 0), 0)));
  const operation = outcomes[0]?.operation;
  if (!batch && operation) {
    headers['X-Bc-Graphql-Operation-Type'] = operation.operation;
    headers['X-Bc-Graphql-Operation-Name'] = operation.name?.value ?? '';
  }
  return headers;
}

/**
 * The channel a request is for: BigCommerce serves each channel on its own permanent host,
 * `store-{hash}-{channel}.mybigcommerce.com` (developer.bigcommerce.com/docs/storefront/graphql); any other host
 * (the sandbox's own address) is the default channel. Undefined for a channel the store does not have.
 */
export function channelOfHost(host: string | undefined, deps: Pick<StorefrontHandlerDeps, 'storeHash' | 'channelId' | 'channelIds'>): number | undefined {
  const match = /^store-([a-z0-9]+)-([0-9]{1,9})\./i.exec(host ?? '');
  if (!match || match[1].toLowerCase() !== deps.storeHash.toLowerCase()) return deps.channelId;
  const channelId = Number(match[2]);
  return deps.channelIds.includes(channelId) ? channelId : undefined;
}

export function createStorefrontHandler(deps: StorefrontHandlerDeps) {
  // The mutation is called server-to-server: the caller's IP is the storefront server's, never the shopper's, so
  // the request_ip claim cannot be compared here (GET /login/token/{jwt} does compare it). The signature, 30 s iat
  // window and single-use jti still bound what a leaked token can do.
  const verifyLoginJwt = (jwt: string) => verifyCustomerLoginJwt(jwt, deps, { requestIp: null });
  return async function handleStorefrontGraphQL(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      sendJson(res, 405, errorsBody('Only POST is supported for /graphql.'), { Allow: 'POST' });
      return;
    }
    if (!isJsonContentType(req)) {
      sendJson(res, 415, errorsBody('Content-Type must be application/json.'));
      return;
    }
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        sendJson(res, 413, errorsBody('Request body is too large.'));
        return;
      }
      throw err;
    }

    const channelId = channelOfHost(headerValue(req, 'host'), deps);
    if (channelId === undefined) {
      sendJson(res, 404, errorsBody('Store not found'));
      return;
    }
    // Authentication comes before anything about the body, as on BigCommerce (401 for any body).
    let verified;
    try {
      verified = await deps.tokens.verify(headerValue(req, 'authorization'), channelId);
    } catch (err) {
      if (err instanceof StorefrontAuthError) {
        sendJson(res, 401, errorsBody(err.message));
        return;
      }
      throw err;
    }
    const origin = headerValue(req, 'origin');
    if (origin !== undefined) {
      if (verified.kind === 'impersonation') {
        sendJson(res, 403, errorsBody(IMPERSONATION_FROM_BROWSER_MESSAGE));
        return;
      }
      if (verified.kind === 'private') {
        sendJson(res, 403, errorsBody(PRIVATE_FROM_BROWSER_MESSAGE));
        return;
      }
      if (!verified.claims.cors.includes(origin)) {
        sendJson(res, 403, errorsBody(ORIGIN_MISMATCH_MESSAGE));
        return;
      }
    }

    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      sendJson(res, 400, errorsBody('Malformed JSON in request body.'));
      return;
    }
    const batch = Array.isArray(parsed);
    const bodies = batch ? (parsed as unknown[]) : [parsed];
    if (bodies.length === 0 || !bodies.every(isRequestBody)) {
      sendJson(res, 400, errorsBody('Request body must be {"query": string, "variables"?: object, "operationName"?: string} or an array of those.'));
      return;
    }

    // Identify the shopper: each token kind honours only its own header (developer.bigcommerce.com/docs/start/authentication/graphql-storefront).
    let customerId: number | null = null;
    let customerAccessToken: string | null = null;
    if (verified.kind === 'impersonation') {
      const header = headerValue(req, 'x-bc-customer-id');
      if (header !== undefined && /^\d+$/.test(header.trim())) {
        const id = Number(header.trim());
        // An unknown customer id is treated as a guest.
        if (deps.catalog.customers.has(id)) customerId = id;
      }
    } else {
      const cat = headerValue(req, 'x-bc-customer-access-token');
      if (cat !== undefined && cat.trim() !== '') {
        const id = deps.state.customerForAccessToken(cat.trim());
        if (id === null) {
          const result = { data: null, ...errorsBody(INVALID_CAT_MESSAGE, { code: 'INVALID_CUSTOMER_ACCESS_TOKEN' }) };
          sendJson(res, 200, batch ? bodies.map(() => result) : result);
          return;
        }
        customerId = id;
        customerAccessToken = cat.trim();
      }
    }

    const ctxFor = (): StorefrontContext => ({
      catalog: deps.catalog,
      state: deps.state,
      storeHash: deps.storeHash,
      channelId,
      tokenKind: verified.kind,
      scopes: verified.kind === 'private' ? verified.claims.scopes ?? [] : null,
      customerId,
      customerAccessToken,
      fromBrowser: origin !== undefined,
      now: deps.now,
      verifyCustomerLoginJwt: verifyLoginJwt,
    });
    const outcomes: OperationOutcome[] = [];
    // Sequential on purpose: a batch may hold mutations whose effects later operations read.
    for (const body of bodies as GraphQLRequestBody[]) outcomes.push(await runOne(deps, body, ctxFor()));
    const results = outcomes.map((o) => o.result);
    sendJson(res, 200, batch ? results : results[0], responseHeaders(outcomes, batch));
  };
}
