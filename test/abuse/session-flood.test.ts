// Sessions and one-time tokens under abuse, over HTTP: session openings are bounded per customer (aliases and
// batches alike) and leave bystanders logged in; a spent Current Customer JWT reads nothing more; a Customer Login
// JWT the gateway minted for the store's /login/token is not also redeemable at the gateway, in either order.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { gql, loginAs, RETAIL, SERVER_KEY, startStack, WHOLESALE, type Stack } from '../helpers/stack';

const CLIENT_SECRET = 'session-flood-suite-secret-0123456789-abc';
const CUSTOMERS = { retail: { id: 1, email: RETAIL.email, group: 1 }, wholesale: { id: 2, email: WHOLESALE.email, group: 2 }, vip: { id: 3, email: 'vip@example.com', group: 3 } };
const CURRENT = `query Current($jwt: String) { currentCustomer(currentCustomerJwt: $jwt) { entityId email customer { email } } }`;
const ME = `{ customer { entityId } }`;

type Customer = (typeof CUSTOMERS)[keyof typeof CUSTOMERS];
type Errors = Array<{ path?: Array<string | number>; extensions?: Record<string, unknown> }>;

describe('sessions and one-time tokens under abuse (over HTTP)', () => {
  let stack: Stack;
  let url: string;
  beforeEach(async () => {
    // A stack per test: the per-customer opening counters start empty.
    stack = await startStack({ sandbox: { clientSecret: CLIENT_SECRET } });
    url = stack.gateway.graphqlUrl;
  });
  afterEach(() => stack.close());

  /** A Current Customer JWT as /customer/current.jwt issues it; `jti` (optional in BigCommerce's) makes each distinct. */
  function currentCustomerJwt(customer: Customer, options: { jti?: boolean } = {}): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    const { clientId, storeHash } = stack.sandbox.identity;
    return new SignJWT({
      customer: { id: customer.id, email: customer.email, group_id: String(customer.group) },
      iss: 'bc/apps',
      sub: storeHash,
      iat,
      exp: iat + 900,
      version: 1,
      aud: clientId,
      application_id: clientId,
      store_hash: storeHash,
      operation: 'current_customer',
      ...(options.jti === false ? {} : { jti: randomUUID() }),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(CLIENT_SECRET));
  }

  /** One document opening `count` sessions as aliases, each with its own token. */
  async function aliasedOpenings(customer: Customer, count: number): Promise<{ query: string; variables: Record<string, string> }> {
    const variables: Record<string, string> = {};
    const fields: string[] = [];
    for (let i = 0; i < count; i++) {
      variables[`t${i}`] = await currentCustomerJwt(customer);
      fields.push(`s${i}: loginWithCurrentCustomerJwt(currentCustomerJwt: $t${i}) { sessionToken }`);
    }
    return { query: `mutation Open(${Object.keys(variables).map((name) => `$${name}: String!`).join(', ')}) { ${fields.join(' ')} }`, variables };
  }

  const reasons = (errors: Errors | undefined) => (errors ?? []).map((error) => error.extensions?.reason);
  const stillLoggedIn = async (token: string) => (await gql<{ customer: { entityId: number } | null }>(url, ME, {}, { authorization: `Bearer ${token}` })).body;

  describe('session openings', () => {
    it('aliased: the 21st session of one customer in the window is refused, other customers and bystanders are not', async () => {
      const bystander = await loginAs(url, RETAIL);
      for (let round = 0; round < 5; round++) {
        const { query, variables } = await aliasedOpenings(CUSTOMERS.wholesale, 4);
        const response = await gql<Record<string, { sessionToken: string }>>(url, query, variables);
        expect(response.body.errors).toBeUndefined();
        expect(Object.values(response.body.data ?? {}).filter((value) => value.sessionToken)).toHaveLength(4);
      }
      // Mutation fields run one after the other: the first refused alias ends the document.
      const { query, variables } = await aliasedOpenings(CUSTOMERS.wholesale, 4);
      const over = await gql(url, query, variables);
      expect(reasons(over.body.errors)).toEqual(['TOO_MANY_SESSIONS']);
      expect(over.body.data ?? null).toBeNull();
      expect(over.headers.getSetCookie().some((cookie) => cookie.startsWith('sfgw_session=') && !cookie.startsWith('sfgw_session=;'))).toBe(false);
      // Another customer opens sessions as before; the bystander's session still works (nothing mass-revoked).
      const other = await gql(url, `mutation O($t: String!) { loginWithCurrentCustomerJwt(currentCustomerJwt: $t) { sessionToken } }`, {
        t: await currentCustomerJwt(CUSTOMERS.vip),
      });
      expect(other.body.errors).toBeUndefined();
      expect((await stillLoggedIn(bystander.token)).data?.customer).toEqual({ entityId: CUSTOMERS.retail.id });
    });

    it('batched, and by password: the bound is per customer whatever the path', async () => {
      const OPEN = `mutation O($t: String!) { loginWithCurrentCustomerJwt(currentCustomerJwt: $t) { sessionToken } }`;
      const batch = async (size: number): Promise<unknown[]> => {
        const operations = await Promise.all(Array.from({ length: size }, async () => ({ query: OPEN, variables: { t: await currentCustomerJwt(CUSTOMERS.vip) } })));
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(operations) });
        const results = (await response.json()) as Array<{ errors?: Errors }>;
        return results.map((result) => (result.errors ? reasons(result.errors)[0] : 'opened'));
      };
      expect(await batch(8)).toEqual(Array(8).fill('opened'));
      expect(await batch(8)).toEqual(Array(8).fill('opened'));
      const third = await batch(8);
      expect(third.filter((outcome) => outcome === 'opened')).toHaveLength(4);
      expect(third.filter((outcome) => outcome === 'TOO_MANY_SESSIONS')).toHaveLength(4);
      // The right password is refused alike once the account's bound is spent; a wrong one stays "Invalid credentials".
      const right = await gql(url, `mutation { login(email: "vip@example.com", password: "Vip1!") { result } }`);
      expect(right.body.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'TOO_MANY_SESSIONS', retryAfterMs: expect.any(Number) });
      expect(right.headers.getSetCookie().some((cookie) => cookie.startsWith('sfgw_session=') && !cookie.startsWith('sfgw_session=;'))).toBe(false);
      const wrong = await gql(url, `mutation { login(email: "vip@example.com", password: "not-it") { result } }`);
      expect(wrong.body.errors?.[0]).toMatchObject({ message: 'Invalid credentials', extensions: { code: 'UNAUTHENTICATED' } });
      // Another account from the same client is not held back by this one's bound.
      expect((await loginAs(url, RETAIL)).token).toEqual(expect.any(String));
    });

    it("a logout ends that session only: the customer's other devices stay logged in", async () => {
      const phone = await loginAs(url, WHOLESALE);
      const laptop = await loginAs(url, WHOLESALE);
      const logout = await gql(url, `mutation { logout { result } }`, {}, { authorization: `Bearer ${phone.token}` });
      expect(logout.body.errors).toBeUndefined();
      expect((await gql(url, ME, {}, { authorization: `Bearer ${phone.token}` })).body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect((await stillLoggedIn(laptop.token)).data?.customer).toEqual({ entityId: CUSTOMERS.wholesale.id });
    });
  });

  describe('a spent Current Customer JWT', () => {
    it.each([
      ['with a jti', true],
      ['without a jti (as BigCommerce documents them)', false],
    ])('%s reads the account until it is exchanged for a session, and nothing after, on every path', async (_name, jti) => {
      const jwt = await currentCustomerJwt(CUSTOMERS.wholesale, { jti });
      const before = await gql<{ currentCustomer: { entityId: number } }>(url, CURRENT, { jwt });
      expect(before.body.errors).toBeUndefined();
      expect(before.body.data?.currentCustomer.entityId).toBe(CUSTOMERS.wholesale.id);
      // Reading twice spends nothing: the exchange still works.
      expect((await gql(url, CURRENT, { jwt })).body.errors).toBeUndefined();
      const opened = await gql(url, `mutation O($t: String!) { loginWithCurrentCustomerJwt(currentCustomerJwt: $t) { sessionToken } }`, { t: jwt });
      expect(opened.body.errors).toBeUndefined();

      const bystander = await loginAs(url, RETAIL);
      const attempts = [
        await gql(url, CURRENT, { jwt }),
        await gql(url, CURRENT, { jwt }, { cookie: bystander.cookie }),
        await gql(url, `query A($jwt: String) { a: currentCustomer(currentCustomerJwt: $jwt) { email } b: currentCustomer(currentCustomerJwt: $jwt) { customer { email } } }`, { jwt }),
      ];
      for (const attempt of attempts) {
        expect(attempt.body.errors?.length).toBeGreaterThan(0);
        expect(attempt.body.errors?.every((error) => error.extensions?.code === 'UNAUTHENTICATED' && error.extensions?.reason === 'ALREADY_USED')).toBe(true);
        expect(JSON.stringify(attempt.body)).not.toContain(WHOLESALE.email);
      }
    });
  });

  describe("the gateway's own Customer Login JWTs", () => {
    const REDEEM = `mutation R($jwt: String!) { loginWithCustomerLoginJwt(jwt: $jwt) { sessionToken customer { email } } }`;
    const mint = async (cookie: string, count = 1): Promise<string[]> => {
      const fields = Array.from({ length: count }, (_, i) => `u${i}: customerLoginUrl { url }`).join(' ');
      const response = await gql<Record<string, { url: string }>>(url, `mutation { ${fields} }`, {}, { cookie });
      expect(response.body.errors).toBeUndefined();
      return Object.values(response.body.data!).map((value) => value.url.split('/login/token/')[1]);
    };
    const atTheStore = async (jwt: string) => {
      const response = await fetch(`${stack.sandbox.url}/login/token/${jwt}`, { redirect: 'manual' });
      return response.headers.get('location') ?? '';
    };
    const atTheGateway = async (jwt: string, headers: Record<string, string> = {}) => {
      const response = await gql(url, REDEEM, { jwt }, headers);
      expect(JSON.stringify(response.body.data ?? null)).not.toContain(WHOLESALE.email);
      expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith('sfgw_session=') && !cookie.startsWith('sfgw_session=;'))).toBe(false);
      return response.body.errors?.[0].extensions;
    };

    it('used at the store first: the gateway then refuses it', async () => {
      const shopper = await loginAs(url, WHOLESALE);
      const [jwt] = await mint(shopper.cookie);
      expect(await atTheStore(jwt)).toBe('/account.php');
      expect(await atTheGateway(jwt)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CLAIM_INVALID' });
    });

    it('presented to the gateway first (aliased, batched, as a trusted server): refused, and the shopper\'s link still works at the store', async () => {
      const shopper = await loginAs(url, WHOLESALE);
      const jwts = await mint(shopper.cookie, 3);
      expect(await atTheGateway(jwts[0])).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'CLAIM_INVALID' });
      expect(await atTheGateway(jwts[1], { cookie: shopper.cookie })).toMatchObject({ reason: 'CLAIM_INVALID' });
      const aliased = await gql(url, `mutation R($a: String!, $b: String!) { a: loginWithCustomerLoginJwt(jwt: $a) { sessionToken } b: loginWithCustomerLoginJwt(jwt: $b) { sessionToken } }`, {
        a: jwts[2],
        b: jwts[2],
      });
      expect(reasons(aliased.body.errors)).toEqual(['CLAIM_INVALID']);
      const batched = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(jwts.map((jwt) => ({ query: REDEEM, variables: { jwt } }))),
      });
      const results = (await batched.json()) as Array<{ errors?: Errors }>;
      expect(results.map((result) => reasons(result.errors)[0])).toEqual(['CLAIM_INVALID', 'CLAIM_INVALID', 'CLAIM_INVALID']);
      expect(await atTheGateway(jwts[0], { 'x-gateway-server-key': SERVER_KEY })).toMatchObject({ reason: 'CLAIM_INVALID' });
      for (const jwt of jwts) expect(await atTheStore(jwt)).toBe('/account.php');
    });
  });
});
