// Routing of the sandbox store's HTTP server. Every failure ends in a BigCommerce-shaped response; nothing a client
// sends can crash the process.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCurrentCustomerHandler } from './current-customer';
import { createCustomerLoginHandler, SESSION_COOKIE } from './customer-login';
import { parseCookies, restError, safeDecode, sendJson } from './http-util';
import { createRestHandler, type RestDeps } from './rest';
import { accountPage, cartPage, loginPage } from './storefront-pages';
import { buildStorefrontSchema, createStorefrontHandler } from './storefront-http';
import { handleSitemap } from './sitemap';

export interface RequestLogEntry {
  method: string;
  path: string;
  at: number;
}

/** What the REST routes need, and what the storefront, login and current-customer routes need besides. */
export interface RouterDeps extends RestDeps {
  clientId: string;
  clientSecret: string;
  requestLog: RequestLogEntry[];
  onError: (err: unknown) => void;
}

export function createRouter(deps: RouterDeps) {
  const storefront = createStorefrontHandler({ ...deps, schema: buildStorefrontSchema() });
  const rest = createRestHandler(deps);
  const loginToken = createCustomerLoginHandler(deps);
  const currentCustomer = createCurrentCustomerHandler(deps);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const path = url.pathname;
    deps.requestLog.push({ method: req.method ?? 'GET', path, at: deps.now() });
    const sessionId = parseCookies(req.headers.cookie).get(SESSION_COOKIE);

    if (path === '/graphql') return storefront(req, res);
    if (path.startsWith('/stores/')) return rest(req, res, path, url.searchParams);
    if (req.method === 'GET' || req.method === 'HEAD') {
      const login = /^\/login\/token\/([^/]+)$/.exec(path);
      if (login) return loginToken(req, res, safeDecode(login[1]));
      if (path === '/customer/current.jwt') return currentCustomer(res, url.searchParams.get('app_client_id'), deps.state.session(sessionId));
      if (path === '/account.php') return accountPage(res, deps.catalog, deps.state.session(sessionId));
      if (path === '/login.php') return loginPage(res, deps.state, url.searchParams, sessionId);
      if (path === '/cart.php') return cartPage(res, deps.catalog, deps.state, url.searchParams);
      if (path === '/xmlsitemap.php') return handleSitemap(req, res, url.searchParams, deps.catalog);
    }
    sendJson(res, 404, restError(404, 'The requested resource was not found.'));
  }

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    route(req, res).catch((err: unknown) => {
      deps.onError(err);
      if (!res.headersSent) sendJson(res, 500, restError(500, 'Internal Server Error'));
      else res.destroy();
    });
  };
}
