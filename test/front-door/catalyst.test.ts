// An unmodified Catalyst storefront server through the gateway's front door: BigCommerce's own client, over real
// TLS, on BigCommerce's host pattern, with one variable (BIGCOMMERCE_GRAPHQL_API_DOMAIN) pointed at the gateway.
import { startSandbox, type Sandbox } from '../../sandbox';
import { mintClientToken } from '../../src/front-door/client-token';
import { startGateway, type GatewayServer } from '../helpers/stack';
import { FRONT_DOOR_DOMAIN, makeCertificate, rawFrontDoorPost, startCatalystProcess, type CatalystProcess, type Certificate } from './catalyst-helpers';

const PRODUCTS = /* GraphQL */ `
  query ProductListing {
    site { products(first: 20) { edges { node { entityId name prices { price { value currencyCode } } } } } }
  }
`;
const LOGIN = /* GraphQL */ `
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      customerAccessToken { value expiresAt }
      customer { entityId email firstName }
    }
  }
`;
const LOGOUT = /* GraphQL */ `
  mutation Logout { logout { result cartUnassignResult { cart { entityId } } } }
`;

type Listing = { data: { site: { products: { edges: Array<{ node: { entityId: number; prices: { price: { value: number } } } }> } } } };
const pricesOf = (listing: Listing) => new Map(listing.data.site.products.edges.map(({ node }) => [node.entityId, node.prices.price.value]));

describe('Catalyst through the front door', () => {
  let sandbox: Sandbox;
  let gateway: GatewayServer;
  let cert: Certificate;
  let catalyst: CatalystProcess;
  let port: number;
  const clientToken = mintClientToken();
  const graphqlCalls = () => sandbox.requestLog.filter((entry) => entry.path === '/graphql').length;

  beforeAll(async () => {
    cert = makeCertificate(FRONT_DOOR_DOMAIN);
    sandbox = await startSandbox({ port: 0 });
    gateway = await startGateway(sandbox, {
      authMode: 'customer-access-token',
      channelIds: [1, 2],
      tls: { certFile: cert.certFile, keyFile: cert.keyFile },
      config: {
        frontDoor: { domain: FRONT_DOOR_DOMAIN, channels: [1, 2], clientTokens: [clientToken], identitySeconds: 60 },
        cache: { enabled: true, ttlSeconds: 300, maxBytes: 16 * 1024 * 1024, debugHeader: false },
      },
    });
    port = Number(new URL(gateway.url).port);
    catalyst = startCatalystProcess({ port, cert, storeHash: sandbox.identity.storeHash, storefrontToken: clientToken });
  });

  afterAll(async () => {
    await catalyst?.close();
    await gateway?.close();
    await sandbox?.close();
    cert?.remove();
  });

  it('serves a guest catalog query, logs in, prices by the customer group and caches the logged-in page', async () => {
    const guest = await catalyst.fetch<Listing>({ document: PRODUCTS });
    if (!guest.ok) throw new Error(JSON.stringify(guest.error));
    expect(guest.value.data.site.products.edges.length).toBeGreaterThan(0);

    const login = await catalyst.fetch<{ data: { login: { customerAccessToken: { value: string } | null; customer: { email: string } } } }>({
      document: LOGIN,
      variables: { email: 'wholesale@example.com', password: 'Wholesale1!' },
      fetchOptions: { cache: 'no-store' },
    });
    if (!login.ok) throw new Error(JSON.stringify(login.error));
    const token = login.value.data.login.customerAccessToken?.value;
    expect(typeof token).toBe('string');
    expect(login.value.data.login.customer.email).toBe('wholesale@example.com');

    const wholesale = await catalyst.fetch<Listing>({ document: PRODUCTS, customerAccessToken: token });
    if (!wholesale.ok) throw new Error(JSON.stringify(wholesale.error));
    const guestPrices = pricesOf(guest.value);
    const groupPrices = pricesOf(wholesale.value);
    expect([...groupPrices].some(([id, price]) => guestPrices.get(id) !== price)).toBe(true);

    // The same request as Catalyst sends it, by hand: the second answer of the group's page comes from the cache.
    const raw = () =>
      rawFrontDoorPost({
        port,
        cert: cert.cert,
        host: `store-${sandbox.identity.storeHash}-1.${FRONT_DOOR_DOMAIN}`,
        headers: {
          authorization: `Bearer ${clientToken}`,
          'x-bc-customer-access-token': token as string,
          'x-bc-error-on-invalid-customer-access-token': 'true',
          'cache-control': 'no-cache',
        },
        body: JSON.stringify({ query: PRODUCTS }),
      });
    await raw();
    const before = graphqlCalls();
    const hit = await raw();
    expect(hit.status).toBe(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(graphqlCalls()).toBe(before);
    expect(pricesOf(JSON.parse(hit.body) as Listing)).toEqual(groupPrices);

    // The gateway's own fields, for the shopper the token names.
    const pricing = await catalyst.fetch<{ data: { pricing: Array<{ productId: number }> } }>({
      document: `query GroupPricing { pricing(input: { items: [{ productId: ${[...groupPrices.keys()][0]} }] }) { productId calculatedPrice { asEntered } } }`,
      customerAccessToken: token,
    });
    if (!pricing.ok) throw new Error(JSON.stringify(pricing.error));
    expect(pricing.value.data.pricing[0].productId).toBe([...groupPrices.keys()][0]);
    const sso = await catalyst.fetch<{ data: { customerLoginUrl: { url: string } } }>({
      document: `mutation Sso { customerLoginUrl(redirectTo: "/account.php") { url } }`,
      customerAccessToken: token,
    });
    if (!sso.ok) throw new Error(JSON.stringify(sso.error));
    expect(sso.value.data.customerLoginUrl.url).toMatch(/\/login\/token\/[\w-]+\.[\w-]+\.[\w-]+$/);

    const logout = await catalyst.fetch<{ data: { logout: { result: string; cartUnassignResult: unknown } } }>({ document: LOGOUT, customerAccessToken: token });
    if (!logout.ok) throw new Error(JSON.stringify(logout.error));
    expect(logout.value.data.logout.cartUnassignResult).not.toBeNull();
    const after = await catalyst.fetch({ document: PRODUCTS, customerAccessToken: token });
    expect(after.ok).toBe(false);
    if (!after.ok) expect(after.error.name).toBe('InvalidCustomerAccessTokenError');
  });

  it('answers a dead or made-up customer access token as BigCommerce does', async () => {
    const made = await catalyst.fetch({ document: PRODUCTS, customerAccessToken: 'not-a-token-anyone-issued' });
    expect(made.ok).toBe(false);
    if (!made.ok) expect(made.error.name).toBe('InvalidCustomerAccessTokenError');
    // Without the error header BigCommerce answers as a guest; so does the gateway.
    const quiet = await catalyst.fetch<Listing>({ document: PRODUCTS, customerAccessToken: 'not-a-token-anyone-issued', validateCustomerAccessToken: false });
    expect(quiet.ok).toBe(true);
  });

  it('refuses a wrong credential with a bad password message verbatim, and a wrong storefront token without calling upstream', async () => {
    const wrong = await catalyst.fetch({ document: LOGIN, variables: { email: 'wholesale@example.com', password: 'nope' }, fetchOptions: { cache: 'no-store' } });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.error.errors?.[0]?.message).toBe('Invalid credentials');

    const stranger = startCatalystProcess({ port, cert, storeHash: sandbox.identity.storeHash, storefrontToken: mintClientToken() });
    try {
      const before = graphqlCalls();
      const refused = await stranger.fetch({ document: PRODUCTS });
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.error.status).toBe(401);
      expect(graphqlCalls()).toBe(before);
    } finally {
      await stranger.close();
    }
  });

  it('routes by channel and serves the sitemap', async () => {
    const settings = await catalyst.fetch<{ data: { site: { settings: { channelId: number } } } }>({
      document: `query Settings { site { settings { channelId } } }`,
      channelId: '2',
    });
    if (!settings.ok) throw new Error(JSON.stringify(settings.error));
    expect(settings.value.data.site.settings.channelId).toBe(2);

    const sitemap = await catalyst.sitemap();
    if (!sitemap.ok) throw new Error(JSON.stringify(sitemap.error));
    expect(sitemap.value).toContain('<sitemapindex');
  });

  it('answers an unknown store or channel without calling upstream', async () => {
    const before = graphqlCalls();
    for (const host of [`store-otherstore-1.${FRONT_DOOR_DOMAIN}`, `store-${sandbox.identity.storeHash}-9.${FRONT_DOOR_DOMAIN}`]) {
      const answer = await rawFrontDoorPost({ port, cert: cert.cert, host, headers: { authorization: `Bearer ${clientToken}` }, body: JSON.stringify({ query: PRODUCTS }) });
      expect(answer.status).toBe(404);
    }
    expect(graphqlCalls()).toBe(before);
  });
});
