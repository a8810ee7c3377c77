import type { AuthMode } from '../../src/config';
import { gql, LOGIN, loginAs, RETAIL, sessionCookieOf, startStack, WHOLESALE, type Stack } from '../helpers/stack';

const CUSTOMER = `{ customer { entityId email customerGroupId } }`;
const PRICES = `{ site { products(first: 20) { edges { node { entityId prices { price { value currencyCode } } } } } } }`;

type PricesData = { site: { products: { edges: Array<{ node: { entityId: number; prices: { price: { value: number } } } }> } } };
const priceMap = (data: PricesData | null | undefined): Record<number, number> =>
  Object.fromEntries((data?.site.products.edges ?? []).map(({ node }) => [node.entityId, node.prices.price.value]));

describe.each<AuthMode>(['impersonation', 'customer-access-token'])('sessions over HTTP (%s mode)', (authMode) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ authMode });
  });
  afterAll(() => stack.close());

  it('logs in with BigCommerce documented login mutation, sets an HttpOnly cookie and offers a session token', async () => {
    const response = await gql(stack.gateway.graphqlUrl, LOGIN, WHOLESALE);
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({ login: { result: 'success' } });
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('sfgw_session='));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const withToken = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
    expect(withToken.token).toEqual(expect.any(String));
    expect(withToken.token.length).toBeGreaterThan(40);
  });

  it('answers customer and group prices for the session shopper, by cookie and by bearer token', async () => {
    const guest = await gql<PricesData>(stack.gateway.graphqlUrl, PRICES);
    const { cookie, token } = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);

    for (const headers of [{ cookie }, { authorization: `Bearer ${token}` }] as Array<Record<string, string>>) {
      const me = await gql<{ customer: { email: string; customerGroupId: number; entityId: number } }>(
        stack.gateway.graphqlUrl,
        CUSTOMER,
        {},
        headers,
      );
      expect(me.body.errors).toBeUndefined();
      expect(me.body.data?.customer.email).toBe(WHOLESALE.email);
      const prices = await gql<PricesData>(stack.gateway.graphqlUrl, PRICES, {}, headers);
      expect(prices.body.errors).toBeUndefined();
      const guestPrices = priceMap(guest.body.data);
      const wholesalePrices = priceMap(prices.body.data);
      expect(Object.keys(wholesalePrices)).toEqual(Object.keys(guestPrices));
      const differing = Object.keys(guestPrices).filter((id) => guestPrices[Number(id)] !== wholesalePrices[Number(id)]);
      expect(differing.length).toBeGreaterThan(0);
    }
  });

  it('answers the rest of a login request for the new shopper: a cart created after login is theirs', async () => {
    const response = await gql<{ login: { sessionToken: string }; cart: { createCart: { cart: { entityId: string } } } }>(
      stack.gateway.graphqlUrl,
      `mutation { login(email: "${WHOLESALE.email}", password: "${WHOLESALE.pass}") { sessionToken } cart { createCart(input: { lineItems: [{ quantity: 1, productEntityId: 100 }] }) { cart { entityId } } } }`,
    );
    expect(response.body.errors).toBeUndefined();
    const cartId = response.body.data!.cart.createCart.cart.entityId;
    const CART = `query Cart($id: String) { site { cart(entityId: $id) { entityId } } }`;
    const asGuest = await gql<{ site: { cart: unknown } }>(stack.gateway.graphqlUrl, CART, { id: cartId });
    expect(asGuest.body.data!.site.cart).toBeNull();
    const asOwner = await gql<{ site: { cart: { entityId: string } } }>(stack.gateway.graphqlUrl, CART, { id: cartId }, {
      authorization: `Bearer ${response.body.data!.login.sessionToken}`,
    });
    expect(asOwner.body.data!.site.cart).toEqual({ entityId: cartId });
  });

  it('never returns a customer access token and delegates login.customer as the new shopper', async () => {
    const response = await gql<{ login: { customer: { email: string }; customerAccessToken: unknown } }>(
      stack.gateway.graphqlUrl,
      `mutation { login(email: "${RETAIL.email}", password: "${RETAIL.pass}") { customer { email } customerAccessToken { value expiresAt } } }`,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.login).toEqual({ customer: { email: RETAIL.email }, customerAccessToken: null });
  });

  it('ends the session on logout: cookie cleared and the bearer token refused', async () => {
    const { token } = await loginAs(stack.gateway.graphqlUrl, RETAIL);
    const logout = await gql(stack.gateway.graphqlUrl, `mutation { logout { result } }`, {}, { authorization: `Bearer ${token}` });
    expect(logout.body.data).toEqual({ logout: { result: 'success' } });
    expect(logout.headers.getSetCookie().find((c) => c.startsWith('sfgw_session='))).toMatch(/Max-Age=0/);
    const after = await gql(stack.gateway.graphqlUrl, CUSTOMER, {}, { authorization: `Bearer ${token}` });
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(after.body.data ?? null).toBeNull();
  });

  it('passes the upstream message through for a wrong password and opens no session', async () => {
    const response = await gql(stack.gateway.graphqlUrl, LOGIN, { email: WHOLESALE.email, pass: 'wrong-password' });
    expect(response.body.data ?? null).toBeNull();
    expect(response.body.errors?.[0].message).toBe('Invalid credentials');
    expect(response.body.errors?.[0].extensions?.code).toEqual(expect.any(String));
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(() => sessionCookieOf(response)).toThrow();
  });

  it('is a guest without a session: customer is null', async () => {
    const response = await gql(stack.gateway.graphqlUrl, CUSTOMER);
    expect(response.body).toEqual({ data: { customer: null } });
  });
});
