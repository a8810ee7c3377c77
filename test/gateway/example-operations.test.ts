import {
  CheckoutLoginUrlDocument,
  CurrentCustomerDocument,
  CustomerLoginUrlDocument,
  LoginDocument,
  LoginWithCurrentCustomerJwtDocument,
  LogoutDocument,
  PricingDocument,
  ProductsWithPricingDocument,
} from '../generated/operations';
import { execute, gql, startStack, WHOLESALE, type Stack } from '../helpers/stack';

/** The example operations of schema/operations/, as typed documents, through a whole shopper journey. */
describe('example operations (typed documents from codegen) over HTTP', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('runs login → products with pricing → pricing → SSO links → currentCustomer → logout', async () => {
    const url = stack.gateway.graphqlUrl;
    const guest = await execute(url, ProductsWithPricingDocument, { first: 5 });
    expect(guest.body.errors).toBeUndefined();

    const login = await execute(url, LoginDocument, WHOLESALE);
    expect(login.body.errors).toBeUndefined();
    const session = login.body.data!.login;
    expect(session).toMatchObject({ result: 'success', customer: { email: WHOLESALE.email } });
    const auth = { authorization: `Bearer ${session.sessionToken}` };

    const products = await execute(url, ProductsWithPricingDocument, { first: 5, currencyCode: 'USD' }, auth);
    expect(products.body.errors).toBeUndefined();
    const edges = products.body.data!.site.products.edges!;
    expect(edges).toHaveLength(5);
    const guestEdges = guest.body.data!.site.products.edges!;
    expect(edges.some((edge, i) => edge.node.pricing?.calculatedPrice?.taxInclusive !== guestEdges[i].node.pricing?.calculatedPrice?.taxInclusive)).toBe(true);

    const pricing = await execute(url, PricingDocument, { input: { items: edges.map((e) => ({ productId: e.node.entityId })) } }, auth);
    expect(pricing.body.data!.pricing.map((p) => p.calculatedPrice?.asEntered)).toEqual(edges.map((e) => e.node.pricing?.calculatedPrice?.taxInclusive));

    const loginUrl = await execute(url, CustomerLoginUrlDocument, { redirectTo: '/account.php' }, auth);
    expect(loginUrl.body.data!.customerLoginUrl.url).toContain('/login/token/');

    const cart = await gql<{ cart: { createCart: { cart: { entityId: string } } } }>(
      url,
      `mutation { cart { createCart(input: { lineItems: [{ quantity: 1, productEntityId: ${edges[0].node.entityId} }] }) { cart { entityId } } } }`,
      {},
      auth,
    );
    const checkout = await execute(url, CheckoutLoginUrlDocument, { cartEntityId: cart.body.data!.cart.createCart.cart.entityId }, auth);
    expect(checkout.body.data!.checkoutLoginUrl.redirectTo).toMatch(/^\/cart\.php\?/);

    // Follow the SSO link like a browser, then ask the hosted storefront who is logged in.
    const visit = await fetch(loginUrl.body.data!.customerLoginUrl.url, { redirect: 'manual' });
    const storefrontCookie = visit.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const jwt = await (
      await fetch(`${stack.sandbox.url}/customer/current.jwt?app_client_id=${stack.sandbox.identity.clientId}`, { headers: { cookie: storefrontCookie } })
    ).text();
    const viaJwt = await execute(url, CurrentCustomerDocument, { currentCustomerJwt: jwt });
    expect(viaJwt.body.data!.currentCustomer).toMatchObject({ email: WHOLESALE.email, source: 'CURRENT_CUSTOMER_JWT', customer: { firstName: expect.any(String) } });
    const viaSession = await execute(url, CurrentCustomerDocument, {}, auth);
    expect(viaSession.body.data!.currentCustomer).toMatchObject({ email: WHOLESALE.email, source: 'SESSION' });
    const reopened = await execute(url, LoginWithCurrentCustomerJwtDocument, { currentCustomerJwt: jwt });
    expect(reopened.body.data!.loginWithCurrentCustomerJwt.customer).toMatchObject({ email: WHOLESALE.email, source: 'CURRENT_CUSTOMER_JWT' });

    const logout = await execute(url, LogoutDocument, {}, auth);
    expect(logout.body.data!.logout.result).toBe('success');
    expect((await execute(url, CurrentCustomerDocument, {}, auth)).status).toBe(401);
  });
});
