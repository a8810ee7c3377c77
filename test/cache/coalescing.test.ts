// Misses of one entry at the same moment (a popular page whose entry just expired or was invalidated) go upstream
// once: the first request leads, the others wait for its answer and get the same bytes.
import { behave, createInProcessGateway, type InProcessGateway } from '../helpers/inprocess';
import { CACHE_ON } from './helpers';

const PRODUCTS = `query Products { site { products(first: 2) { edges { node { entityId name } } } } }`;

let t: InProcessGateway;
beforeEach(async () => {
  t = await createInProcessGateway({ config: { cache: CACHE_ON } });
});
afterEach(() => t.close());

const storefrontCalls = () => t.http.calls.filter((call) => call.kind === 'storefront').length;

it('sends concurrent misses of one entry upstream once, and answers them all with the same bytes', async () => {
  const gate = behave.held();
  t.http.script('storefront', gate.behaviour);
  const answers = Array.from({ length: 8 }, () => t.fetchGraphQL(PRODUCTS));
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(storefrontCalls()).toBe(1);
  gate.release();
  const done = await Promise.all(answers);
  expect(storefrontCalls()).toBe(1);
  expect(new Set(done.map((answer) => answer.text)).size).toBe(1);
  expect(done.map((answer) => answer.headers.get('x-cache')).sort()).toEqual(['HIT', 'HIT', 'HIT', 'HIT', 'HIT', 'HIT', 'HIT', 'MISS']);
});

it('lets the waiting requests go upstream themselves when the leader’s answer cannot be cached', async () => {
  const gate = behave.held(behave.reply(500, 'down'));
  t.http.script('storefront', gate.behaviour);
  const answers = Array.from({ length: 3 }, () => t.fetchGraphQL(PRODUCTS));
  await new Promise((resolve) => setTimeout(resolve, 50));
  gate.release();
  const done = await Promise.all(answers);
  // The leader failed (retries included); the others did not take its error as theirs.
  expect(done.filter((answer) => answer.body.errors === undefined).length).toBeGreaterThanOrEqual(2);
  expect(storefrontCalls()).toBeGreaterThan(1);
});
