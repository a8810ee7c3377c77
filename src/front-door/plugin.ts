import type { Plugin } from 'graphql-yoga';
import { constantTimeEqual } from '../auth/constant-time';
import type { FrontDoorConfig } from '../config';
import type { SitemapClient } from '../remote/sitemap';
import type { UpstreamTally } from '../remote/upstream-budget';
import { parseStorefrontHost } from './host';
import type { FrontDoorRequest } from './requests';

/** BigCommerce's 401 messages (developer.bigcommerce.com/docs/start/about/status-codes, "GraphQL HTTP status codes"). */
export const MISSING_TOKEN_MESSAGE = 'GraphQL credentials were missing. No token was sent.';
export const INVALID_TOKEN_MESSAGE = 'GraphQL invalid credentials. JWT signature is invalid';

/** BigCommerce's default channel is channel 1, whatever the gateway's own BC_CHANNEL_ID. */
const DEFAULT_CHANNEL = 1;

function sameToken(sent: string, tokens: readonly string[]): boolean {
  let found = false;
  // Every configured token is compared, so timing says nothing about which one (or how much of one) matched.
  for (const token of tokens) if (constantTimeEqual(sent, token)) found = true;
  return found;
}

export interface FrontDoor {
  plugin: Plugin;
  /** The front door's view of a request it accepted; undefined for the session endpoint's requests. */
  requestOf(request: Request): FrontDoorRequest | undefined;
}

/**
 * The BigCommerce-compatible front door: on `store-{hash}[-{channel}].{domain}` the gateway answers as the Storefront
 * API does — `POST /graphql` for storefront servers holding a client token (BigCommerce's 401 otherwise, before any
 * upstream call), `GET /xmlsitemap.php` for anyone, 404 for any other path or store. Other hosts are not its business.
 */
export function createFrontDoor(deps: {
  config: FrontDoorConfig;
  storeHash: string;
  graphqlEndpoint: string;
  sitemap: SitemapClient;
  tallyOf: (request: Request) => UpstreamTally | undefined;
}): FrontDoor {
  const accepted = new WeakMap<Request, FrontDoorRequest>();
  const tokens = deps.config.clientTokens;
  const hostOptions = { domain: deps.config.domain, storeHash: deps.storeHash, defaultChannelId: DEFAULT_CHANNEL, channels: deps.config.channels };
  const plugin: Plugin = {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const host = parseStorefrontHost(request.headers.get('host') ?? url.host, hostOptions);
      if (host.kind === 'other') return;
      const json = (status: number, message: string) =>
        endResponse(new fetchAPI.Response(JSON.stringify({ errors: [{ message }] }), { status, headers: { 'content-type': 'application/json' } }));
      if (host.kind === 'unknown') return json(404, 'Store not found');
      if (url.pathname === '/xmlsitemap.php' && (request.method === 'GET' || request.method === 'HEAD')) {
        const reply = await deps.sitemap(host.channelId, url.search).catch(() => 'failed' as const);
        if (reply === 'failed') return json(502, 'Sitemap is unavailable');
        if (!reply) return json(404, 'Not found');
        return endResponse(new fetchAPI.Response(request.method === 'HEAD' ? null : reply.body, { status: reply.status, headers: { 'content-type': reply.contentType } }));
      }
      if (url.pathname !== deps.graphqlEndpoint) return json(404, 'Not found');
      const authorization = request.headers.get('authorization');
      if (authorization === null || authorization.trim() === '') return json(401, MISSING_TOKEN_MESSAGE);
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!bearer || !sameToken(bearer[1], tokens)) return json(401, INVALID_TOKEN_MESSAGE);
      accepted.set(request, { channelId: host.channelId });
    },
    onResponse({ request, response }) {
      if (!accepted.has(request)) return;
      // Catalyst logs it per operation; BigCommerce sends it on every scored answer.
      const complexity = deps.tallyOf(request)?.complexity;
      if (complexity !== undefined) response.headers.set('x-bc-graphql-complexity', String(complexity));
    },
  };
  return { plugin, requestOf: (request) => accepted.get(request) };
}
