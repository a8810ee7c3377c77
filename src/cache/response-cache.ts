/**
 * # The response cache: a plugin of the gateway's own, not `@graphql-yoga/plugin-response-cache`
 *
 * Why not the library (a well-kept library made for the job is otherwise the first choice here):
 * - It rewrites every document (adds `__typename` and id selections, and `__responseCacheTypeName` /
 *   `__responseCacheId` aliases) to collect entities. The rewritten document is what the pass-through fast path
 *   would forward, so BigCommerce's bytes could no longer be handed to the client unchanged, and the upstream
 *   would see different queries than the client sent.
 * - Its invalidation is by entity (type + id, and mutations by default). BigCommerce's webhooks say "the
 *   catalog of channel 1 changed" or "the prices of group 2 changed": scopes, not entities. Here a scope's
 *   generation ("epoch") is part of every key, so an invalidation is one write, on every instance at once.
 * - Its known traps would each need a fix here: field-level PRIVATE scopes bypassed by aliases,
 *   `__responseCacheTypeName` alias spoofing, `invalidateViaMutation` over-invalidating, and an `onExecute`
 *   plugin (our fast path) replacing the execute function after the cache wrapped it.
 *
 * What it does instead: the serialized answer text is stored under
 * sha256(store, channel, Accept-Language, customer group, epochs, document, operation name, variables), and a
 * hit is answered with exactly those bytes (no parse, no serialisation). The miss stores what the client is
 * sent, byte for byte, so a hit and the uncached answer are the same bytes. What is never cached is decided by
 * src/cache/private-fields.ts on field names, and all of it says `X-Cache: BYPASS`.
 *
 * Order in gateway.ts: after the pass-through plugin. A hit stops execution before anything else runs; on a miss
 * this plugin's onExecuteDone runs last (envelop calls them in plugin order), so it stores the final result,
 * whichever plugin chose the execute function.
 */
import { createHash } from 'node:crypto';
import { getOperationAST, GraphQLError, type ASTVisitor, type DocumentNode, type ExecutionResult, type OperationDefinitionNode, type ValidationContext } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import type { CacheConfig } from '../config';
import type { GatewayContext } from '../context';
import { documentMemo } from '../plugins/document-memo';
import { printCached } from '../remote/storefront-client';
import type { CacheFront } from './cache-front';
import type { GroupConfirmation } from './group-confirmation';
import { mayShowCacheStatus } from './cache-status-visibility';
import { cacheVerdict } from './private-fields';
import { cacheKey, canonicalJson, epochNamesFor, groupOf } from './scope';

export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS';

/** Aliases reserved for cache bookkeeping (the library's, and a namespace of the gateway's own): refused. */
export const RESERVED_ALIAS = /^__(responseCache|gatewayCache)/i;

/** Version of the key layout: a change of what goes into a key changes it, so old entries are never read. */
const KEY_VERSION = 'response:v1';
/** How long a miss waits for an identical miss already on its way upstream before going itself. */
const LEADER_WAIT_MS = 5000;

export interface ResponseCacheDeps {
  config: CacheConfig;
  /** The cache front (cache-front.ts) over the gateway's CacheStore. */
  store: CacheFront;
  storeHash: string;
  graphqlEndpoint: string;
  /** Whether BigCommerce priced a logged-in answer by the group its key names (group-confirmation.ts); absent: yes. */
  confirmGroup?: GroupConfirmation;
  /** GATEWAY_SERVER_KEY: with it a caller may see `X-Cache` (see cache-status-visibility.ts). */
  serverKey?: string;
  /** Front-door callers that proved a storefront client token. */
  isStorefrontServer?: (request: Request) => boolean;
  metrics?: { observeCache(status: CacheStatus): void; observeCacheEntry(bytes: number): void };
}

interface RequestRecord {
  statuses: CacheStatus[];
  /** The answer text of a cacheable single-operation request (for its ETag). */
  texts: string[];
}

type CachedResult = ExecutionResult & { stringify?: (value: unknown) => string };

/**
 * An ExecutionResult that is sent as `text` exactly, as long as no plugin changed it; `data` is parsed only if
 * someone reads it (yoga itself only calls `stringify`). Same contract as the storefront client's results.
 */
function resultOf(text: string, parsed?: ExecutionResult['data']): CachedResult {
  let data = parsed;
  const result = {} as CachedResult;
  Object.defineProperty(result, 'data', {
    enumerable: true,
    configurable: true,
    get: () => (data ??= (JSON.parse(text) as ExecutionResult).data),
    set: (value: ExecutionResult['data']) => {
      data = value;
    },
  });
  Object.defineProperty(result, 'stringify', {
    enumerable: false,
    value: (value: CachedResult) => (value === result && value.errors === undefined && value.extensions === undefined ? text : JSON.stringify(value)),
  });
  return result;
}

function reservedAliasRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      if (node.alias && RESERVED_ALIAS.test(node.alias.value)) {
        context.reportError(
          new GraphQLError(`Alias "${node.alias.value}" is reserved for the gateway's cache`, {
            nodes: node,
            extensions: { code: 'BAD_USER_INPUT', reason: 'RESERVED_ALIAS' },
          }),
        );
      }
    },
  };
}

const documentHashes = new WeakMap<DocumentNode, string>();
function documentHash(document: DocumentNode): string {
  let hash = documentHashes.get(document);
  if (hash === undefined) {
    hash = createHash('sha256').update(printCached(document)).digest('base64url');
    documentHashes.set(document, hash);
  }
  return hash;
}

/** One status for the HTTP response: HIT only if every operation was; BYPASS if any was not cacheable. */
export function combinedStatus(statuses: CacheStatus[]): CacheStatus {
  if (statuses.length === 0 || statuses.includes('BYPASS')) return 'BYPASS';
  return statuses.every((status) => status === 'HIT') ? 'HIT' : 'MISS';
}

function declaredVariables(operation: OperationDefinitionNode, values: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const declared: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (values && Object.prototype.hasOwnProperty.call(values, name)) declared[name] = values[name];
  }
  return declared;
}

function etagOf(text: string): string {
  return `"${createHash('sha256').update(text).digest('base64url')}"`;
}

function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return header.split(',').some((candidate) => {
    const value = candidate.trim();
    return value === '*' || value === etag || value === `W/${etag}`;
  });
}

export interface ResponseCache {
  plugin: Plugin<GatewayContext & YogaInitialContext>;
  /** The X-Cache value of a request (for the request log); BYPASS when nothing was executed. */
  statusOf(request: Request): CacheStatus;
}

export function createResponseCache(deps: ResponseCacheDeps): ResponseCache {
  const ttlMs = deps.config.ttlSeconds * 1000;
  const verdict = documentMemo(cacheVerdict);
  const records = new WeakMap<Request, RequestRecord>();
  const recordOf = (request: Request): RequestRecord => {
    let record = records.get(request);
    if (!record) records.set(request, (record = { statuses: [], texts: [] }));
    return record;
  };
  const note = (record: RequestRecord, status: CacheStatus, text?: string) => {
    record.statuses.push(status);
    if (text !== undefined) record.texts.push(text);
    deps.metrics?.observeCache(status);
  };
  const statusOf = (request: Request): CacheStatus => combinedStatus(records.get(request)?.statuses ?? []);

  /**
   * Misses of one key at the same moment (an entry just expired or was invalidated, and a page is popular) go
   * upstream once: the first request leads, the others wait for its answer — at most LEADER_WAIT_MS, after
   * which (or when the leader's answer is not cacheable) they execute themselves. Per instance.
   */
  const leaders = new Map<string, Promise<string | undefined>>();
  const lead = (key: string): ((text: string | undefined) => void) => {
    let settle: (text: string | undefined) => void = () => undefined;
    const answer = new Promise<string | undefined>((resolve) => (settle = resolve));
    leaders.set(key, answer);
    // A leader whose execution ends without onExecuteDone must not hold its key forever.
    const expiry = setTimeout(() => release(undefined), LEADER_WAIT_MS);
    expiry.unref();
    const release = (text: string | undefined) => {
      clearTimeout(expiry);
      if (leaders.get(key) === answer) leaders.delete(key);
      settle(text);
    };
    return release;
  };
  const answerOf = async (leader: Promise<string | undefined>): Promise<string | undefined> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), LEADER_WAIT_MS);
      timer.unref();
    });
    try {
      return await Promise.race([leader, gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  };

  const plugin: Plugin<GatewayContext & YogaInitialContext> = {
    onValidate({ addValidationRule }) {
      // Always, also with the cache off: the same document is refused the same way whatever GATEWAY_CACHE says.
      addValidationRule(reservedAliasRule);
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue;
      const record = recordOf(ctx.request);
      if (!deps.config.enabled) return note(record, 'BYPASS');
      const operation = getOperationAST(args.document, args.operationName);
      // Mutations and subscriptions never; a trusted server may ask for any group's prices: never shared.
      if (!operation || operation.operation !== 'query' || ctx.trustedServer) return note(record, 'BYPASS');
      if (verdict(args.schema, args.document) !== 'cacheable') return note(record, 'BYPASS');

      let key: string;
      let settle: (text: string | undefined) => void = () => undefined;
      try {
        const group = groupOf(ctx);
        const epochs = await deps.store.readEpochs(epochNamesFor(ctx.channelId, group));
        key = cacheKey([
          KEY_VERSION,
          deps.storeHash,
          ctx.channelId,
          ctx.acceptLanguage ?? '',
          group,
          ...epochs,
          documentHash(args.document),
          args.operationName ?? '',
          // Declared variables only: graphql-js ignores the others, and junk in them must not make new entries.
          canonicalJson(declaredVariables(operation, args.variableValues)),
        ]);
        // Claimed before the first await: of simultaneous misses exactly one leads (see lead).
        const leader = leaders.get(key);
        settle = leader ? () => undefined : lead(key);
        const text = (await deps.store.get(key)) ?? (leader ? await answerOf(leader) : undefined);
        if (text !== undefined) {
          settle(text);
          note(record, 'HIT', text);
          setResultAndStopExecution(resultOf(text));
          return;
        }
      } catch {
        // The cache cannot be read (Redis down): answer without it, and store nothing.
        settle(undefined);
        return note(record, 'BYPASS');
      }

      return {
        async onExecuteDone({ result, setResult }) {
          const executed = result as ExecutionResult | AsyncIterable<unknown>;
          // Results with errors (a failed upstream, a refused argument) are never stored; nor are extensions.
          if (Symbol.asyncIterator in executed || executed.errors?.length || executed.extensions !== undefined || !executed.data) {
            settle(undefined);
            return note(record, 'BYPASS');
          }
          const stringify = (executed as CachedResult).stringify ?? JSON.stringify;
          const text = stringify(executed);
          setResult(resultOf(text, executed.data));
          // Shared and stored only under the group BigCommerce priced it by: a customer moved to another group still
          // names the old one until their session ends.
          if (deps.confirmGroup && !(await deps.confirmGroup(ctx))) {
            settle(undefined);
            return note(record, 'MISS', text);
          }
          // Requests that asked for the same entry meanwhile are answered with these bytes (see lead).
          settle(text);
          try {
            // Counted against this client's share of the write budget (cache-front.ts).
            await deps.store.set(key, text, ttlMs, ctx.clientIp);
            deps.metrics?.observeCacheEntry(Buffer.byteLength(text));
          } catch {
            // Not stored this time; the answer itself is unaffected.
          }
          note(record, 'MISS', text);
        },
      };
    },
    onResultProcess({ request, result, setResultProcessor }) {
      // ETag/304 (RFC 9110 §13.1.2) for a cacheable GET: a client that kept the answer gets an empty 304.
      if (request.method !== 'GET' || Array.isArray(result)) return;
      const record = records.get(request);
      if (!record || record.texts.length !== 1 || combinedStatus(record.statuses) === 'BYPASS') return;
      if (matchesIfNoneMatch(request.headers.get('if-none-match'), etagOf(record.texts[0]))) {
        setResultProcessor((_result, fetchAPI) => new fetchAPI.Response(null, { status: 304 }), 'application/json');
      }
    },
    onResponse({ request, response }) {
      if (new URL(request.url).pathname !== deps.graphqlEndpoint) return;
      const status = statusOf(request);
      if (mayShowCacheStatus(request, { debugHeader: deps.config.debugHeader, serverKey: deps.serverKey, isStorefrontServer: deps.isStorefrontServer })) response.headers.set('x-cache', status);
      const record = records.get(request);
      if (request.method === 'GET' && status !== 'BYPASS' && record?.texts.length === 1) {
        response.headers.set('etag', etagOf(record.texts[0]));
        // Group catalog data, never a shopper's own (those are BYPASS and keep `no-store`): a browser may keep it
        // privately but must revalidate every time (RFC 9111 §5.2.2.4), which costs a 304 when nothing changed
        // and never shows a price the gateway would no longer serve. `Vary` (response-headers.ts) keeps it per
        // cookie, authorization and language.
        response.headers.set('cache-control', 'private, no-cache');
      }
    },
  };
  return { plugin, statusOf };
}
