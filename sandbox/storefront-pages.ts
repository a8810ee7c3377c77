// Minimal HTML pages of the sandbox storefront, so that redirects of the login and cart flows land somewhere a
// test (or a person) can check: /account.php, /login.php, /cart.php.
import type { ServerResponse } from 'node:http';
import type { Catalog } from './catalog';
import { escapeHtml, redirect, sendText } from './http-util';
import type { SandboxState, StorefrontSession } from './state';
import { SESSION_COOKIE } from './customer-login';

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

export function accountPage(res: ServerResponse, catalog: Catalog, session: StorefrontSession | null): void {
  const customer = session ? catalog.customers.get(session.customerId) : undefined;
  if (!customer) {
    redirect(res, '/login.php');
    return;
  }
  const group = catalog.groups.get(customer.customerGroupId)?.name ?? '';
  sendText(
    res,
    200,
    page('My Account', `<h1>My Account</h1><p>Signed in as <span id="email">${escapeHtml(customer.email)}</span> (${escapeHtml(group)})</p>`),
    'text/html; charset=utf-8',
  );
}

export function loginPage(res: ServerResponse, state: SandboxState, query: URLSearchParams, sessionId: string | undefined): void {
  const headers: Record<string, string> = {};
  if (query.get('action') === 'logout') {
    state.endSession(sessionId);
    headers['Set-Cookie'] = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
  }
  const error = query.get('error');
  const body = `<h1>Sign in</h1>${error ? `<p class="alert-error" id="error">${escapeHtml(error)}</p>` : ''}`;
  sendText(res, 200, page('Sign in', body), 'text/html; charset=utf-8', headers);
}

export function cartPage(res: ServerResponse, catalog: Catalog, state: SandboxState, query: URLSearchParams): void {
  const cart = state.carts.get(query.get('id') ?? '');
  if (!cart || query.get('token') !== cart.urlToken) {
    sendText(res, 404, page('Cart not found', '<h1>Cart not found</h1>'), 'text/html; charset=utf-8');
    return;
  }
  const checkout = query.get('action') === 'loadInCheckout';
  const items = cart.lines
    .map((l) => `<li>${escapeHtml(catalog.productById.get(l.productId)?.name ?? String(l.productId))} × ${l.quantity}</li>`)
    .join('');
  sendText(res, 200, page(checkout ? 'Checkout' : 'Cart', `<h1>${checkout ? 'Checkout' : 'Cart'} ${escapeHtml(cart.entityId)}</h1><ul>${items}</ul>`), 'text/html; charset=utf-8');
}
