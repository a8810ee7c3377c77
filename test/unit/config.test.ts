import { ConfigError, parseConfig } from '../../src/config';

const REAL_STORE = {
  BC_STOREFRONT_URL: 'https://store-abc123-1.mybigcommerce.com/graphql',
  BC_STORE_URL: 'https://shop.example.com/',
  BC_STORE_HASH: 'abc123',
  BC_ACCESS_TOKEN: 'token',
  BC_CLIENT_ID: 'client',
  BC_CLIENT_SECRET: 'secret',
  BC_STOREFRONT_TOKEN: 'cit',
  GATEWAY_SESSION_SECRET: 's'.repeat(32),
};

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseConfig', () => {
  it('defaults to sandbox mode with documented defaults', () => {
    const config = parseConfig({});
    expect(config.store).toBeUndefined();
    expect(config).toMatchObject({ port: 4000, authMode: 'impersonation', channelId: 1, upstreamTimeoutMs: 10_000, sandbox: { port: 4010 } });
    expect(config.session.cookieSecure).toBe(false);
  });

  it('reads a real store, trimming the trailing slash of URLs, with secure cookies', () => {
    const config = parseConfig({ ...REAL_STORE, BC_AUTH_MODE: 'customer-access-token', BC_CHANNEL_ID: '2' });
    expect(config.store).toMatchObject({
      storeHash: 'abc123',
      storeUrl: 'https://shop.example.com',
      apiUrl: 'https://api.bigcommerce.com',
      authMode: 'customer-access-token',
      channelId: 2,
    });
    expect(config.session.cookieSecure).toBe(true);
  });

  it('reports every problem at once', () => {
    const found = problems({ BC_STOREFRONT_URL: 'ftp://nope', PORT: '-1', UPSTREAM_TIMEOUT_MS: 'soon', GATEWAY_SESSION_SECRET: 'short' });
    expect(found.join('\n')).toMatch(/BC_STOREFRONT_URL/);
    expect(found.join('\n')).toMatch(/PORT/);
    expect(found.join('\n')).toMatch(/UPSTREAM_TIMEOUT_MS/);
    expect(found.join('\n')).toMatch(/GATEWAY_SESSION_SECRET must be at least 32 bytes/);
    expect(found.join('\n')).toMatch(/BC_CLIENT_SECRET is required/);
    expect(found.length).toBeGreaterThanOrEqual(8);
  });

  it('requires GATEWAY_SESSION_SECRET outside sandbox mode only', () => {
    const { GATEWAY_SESSION_SECRET: _omit, ...withoutSecret } = REAL_STORE;
    expect(problems(withoutSecret)).toEqual(['GATEWAY_SESSION_SECRET is required when BC_STOREFRONT_URL is set']);
    expect(problems({})).toEqual([]);
  });

  it('never echoes secret values in its problems', () => {
    const found = problems({ ...REAL_STORE, GATEWAY_SESSION_SECRET: 'tooshort-secret', GATEWAY_SERVER_KEY: 'short-key' });
    expect(found.join('\n')).not.toContain('tooshort-secret');
    expect(found.join('\n')).not.toContain('short-key');
  });
});
