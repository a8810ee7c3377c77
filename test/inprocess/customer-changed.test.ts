/**
 * A customer moved to another group (or deleted) in the store keeps a session naming the old group: its prices,
 * and the cache entries it would be answered from, would be the old group's. BigCommerce's `store/customer/updated`
 * and `store/customer/deleted` webhooks end that customer's sessions issued before; a new login carries who the
 * customer is now. In process: the webhook is signed as BigCommerce signs it and posted through `yoga.fetch`.
 */
import { randomUUID } from 'node:crypto';
import { createInProcessGateway, TEST_STORE, WHOLESALE_CUSTOMER, type InProcessGateway } from '../helpers/inprocess';
import { signedHeaders } from '../webhooks/helpers';

const LOGIN = `mutation Login($email: String!, $pass: String!) { login(email: $email, password: $pass) { sessionToken } }`;
const WHO = `{ currentCustomer { entityId } }`;

let clock = Date.UTC(2031, 4, 17, 9, 30, 0);
let t: InProcessGateway;
beforeEach(async () => {
  t = await createInProcessGateway({ now: () => clock });
});
afterEach(() => t.close());

async function login(email: string, pass: string): Promise<string> {
  const response = await t.fetchGraphQL(LOGIN, { email, pass });
  return (response.body.data as { login: { sessionToken: string } }).login.sessionToken;
}

async function deliver(scope: string, customerId: number): Promise<Response> {
  const body = JSON.stringify({
    scope,
    store_id: '1001',
    data: { type: 'customer', id: customerId },
    hash: randomUUID().replace(/-/g, ''),
    created_at: Math.floor(clock / 1000),
    producer: `stores/${TEST_STORE.storeHash}`,
  });
  return t.fetch('/webhooks/bigcommerce', { method: 'POST', headers: signedHeaders(TEST_STORE.clientSecret, body), body });
}

async function statusOf(token: string): Promise<number> {
  return (await t.fetchGraphQL(WHO, {}, { authorization: `Bearer ${token}` })).status;
}

async function eventuallyStatus(token: string, status: number): Promise<void> {
  const deadline = Date.now() + 2000;
  while ((await statusOf(token)) !== status) {
    if (Date.now() > deadline) throw new Error(`session did not answer ${status} within 2 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it.each(['store/customer/updated', 'store/customer/deleted'])('%s ends that customer’s sessions issued before, and only theirs', async (scope) => {
  const wholesale = await login(WHOLESALE_CUSTOMER.email, 'Wholesale1!');
  const retail = await login('retail@example.com', 'Retail1!');
  expect(await statusOf(wholesale)).toBe(200);

  clock += 5_000;
  expect((await deliver(scope, WHOLESALE_CUSTOMER.entityId)).status).toBe(200);
  await eventuallyStatus(wholesale, 401);
  const refused = await t.fetchGraphQL(WHO, {}, { authorization: `Bearer ${wholesale}` });
  expect(refused.body.errors?.[0]).toMatchObject({ message: 'Your account changed; log in again', extensions: { code: 'UNAUTHENTICATED' } });
  expect(await statusOf(retail)).toBe(200);

  // A login after the change carries who the customer is now.
  clock += 1_000;
  const again = await login(WHOLESALE_CUSTOMER.email, 'Wholesale1!');
  expect(await statusOf(again)).toBe(200);
});

it('refuses an unsigned customer event: sessions stay', async () => {
  const wholesale = await login(WHOLESALE_CUSTOMER.email, 'Wholesale1!');
  const body = JSON.stringify({ scope: 'store/customer/updated', store_id: '1001', data: { type: 'customer', id: WHOLESALE_CUSTOMER.entityId }, hash: 'x1', created_at: 1, producer: `stores/${TEST_STORE.storeHash}` });
  const response = await t.fetch('/webhooks/bigcommerce', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(response.status).toBe(401);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(await statusOf(wholesale)).toBe(200);
});
