import { startSandbox } from '../../sandbox';
import { gql, readyStatusOnce, startGateway } from '../helpers/stack';

/** "The upstream killed mid-run and restarted": a real sandbox process goes away and comes back on its port. */
describe('upstream killed and restarted', () => {
  it('answers UPSTREAM_ERROR while the sandbox is down and recovers by itself when it returns, same token', async () => {
    const first = await startSandbox({ port: 0, storeHash: 'restartstore' });
    const port = Number(new URL(first.url).port);
    const gateway = await startGateway(first, { config: { upstreamRetries: 0 } });
    const QUERY = `{ site { settings { storeName } } }`;
    try {
      expect((await gql(gateway.graphqlUrl, QUERY)).body.errors).toBeUndefined();
      await first.close();
      const down = await gql(gateway.graphqlUrl, QUERY);
      expect(down.body.errors?.[0].extensions?.code).toBe('UPSTREAM_ERROR');
      expect((await fetch(`${gateway.url}/ready`)).status).toBe(503);

      // A new process of the same store: the storefront token the gateway holds must still be accepted.
      const second = await startSandbox({ port, storeHash: 'restartstore' });
      try {
        let answer = await gql<{ site: { settings: { storeName: string } } }>(gateway.graphqlUrl, QUERY);
        for (let i = 0; i < 40 && answer.body.errors; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          answer = await gql(gateway.graphqlUrl, QUERY);
        }
        expect(answer.body.errors).toBeUndefined();
        expect(answer.body.data?.site.settings.storeName).toEqual(expect.any(String));
        expect(await readyStatusOnce(gateway.url, 200)).toBe(200);
      } finally {
        await second.close();
      }
    } finally {
      await gateway.close();
    }
  });

  it('refuses a token of another store identity after a restart (the key follows the identity)', async () => {
    const a = await startSandbox({ port: 0, storeHash: 'storea', clientSecret: 'secret-a-0123456789' });
    const tokenResponse = await fetch(`${a.url}/stores/storea/v3/storefront/api-token-customer-impersonation`, {
      method: 'POST',
      headers: { 'x-auth-token': a.identity.accessToken, 'content-type': 'application/json' },
      body: JSON.stringify({ channel_id: 1, expires_at: Math.floor(Date.now() / 1000) + 600 }),
    });
    const { data } = (await tokenResponse.json()) as { data: { token: string } };
    const port = Number(new URL(a.url).port);
    await a.close();
    const b = await startSandbox({ port, storeHash: 'storea', clientSecret: 'another-secret-9876543210' });
    try {
      const response = await fetch(`${b.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${data.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ site { settings { storeName } } }' }),
      });
      expect(response.status).toBe(401);
    } finally {
      await b.close();
    }
  });
});
