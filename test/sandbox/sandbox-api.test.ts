// The exported contract: startSandbox identity defaults, describeSandbox banner, close().
import { describeSandbox, SANDBOX_DEFAULTS, startSandbox } from '../../sandbox';

describe('startSandbox / describeSandbox', () => {
  it('uses the documented development defaults when no identity is given', async () => {
    const s = await startSandbox({ port: 0 });
    try {
      expect(s.identity).toEqual(SANDBOX_DEFAULTS);
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const banner = describeSandbox(s);
      for (const text of [s.url, SANDBOX_DEFAULTS.storeHash, SANDBOX_DEFAULTS.clientId, SANDBOX_DEFAULTS.accessToken, 'wholesale@example.com', 'Wholesale1!', 'retail@example.com', 'Retail1!']) {
        expect(banner).toContain(text);
      }
    } finally {
      await s.close();
    }
  });

  it('takes its identity from options and never prints a caller-supplied client secret', async () => {
    const s = await startSandbox({ port: 0, storeHash: 'abc123', clientId: 'cid', clientSecret: 'a-real-looking-secret-value', accessToken: 'tok', channelId: 1 });
    try {
      expect(s.identity).toEqual({ storeHash: 'abc123', clientId: 'cid', clientSecret: 'a-real-looking-secret-value', accessToken: 'tok', channelId: 1 });
      expect(describeSandbox(s)).not.toContain('a-real-looking-secret-value');
      const res = await fetch(`${s.url}/stores/abc123/v2/time`, { headers: { 'X-Auth-Token': 'tok' } });
      expect(res.status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
