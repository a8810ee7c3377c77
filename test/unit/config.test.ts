import { ConfigError, parseConfig } from '../../src/config';
import { clearedSessionCookie, sessionCookie } from '../../src/auth/session-cookie';

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

  it('GATEWAY_SHUTDOWN_DRAIN_MS: 5000 by default, 0 turns the drain off, anything but a bounded integer is a problem', () => {
    expect(parseConfig({}).shutdownDrainMs).toBe(5000);
    expect(parseConfig({ GATEWAY_SHUTDOWN_DRAIN_MS: '0' }).shutdownDrainMs).toBe(0);
    expect(parseConfig({ GATEWAY_SHUTDOWN_DRAIN_MS: '15000' }).shutdownDrainMs).toBe(15_000);
    for (const bad of ['-1', 'soon', '1.5', '300001']) expect(problems({ GATEWAY_SHUTDOWN_DRAIN_MS: bad }).join('\n')).toMatch(/GATEWAY_SHUTDOWN_DRAIN_MS/);
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

  it('never turns a real store configuration with BC_STOREFRONT_URL forgotten into a sandbox with its secret', () => {
    const { BC_STOREFRONT_URL: _forgotten, ...withoutUrl } = REAL_STORE;
    const found = problems(withoutUrl).join('\n');
    expect(found).toMatch(/BC_STOREFRONT_TOKEN and BC_STORE_URL set without BC_STOREFRONT_URL/);
    expect(problems({ BC_STOREFRONT_TOKEN: 'cit' }).join('\n')).toMatch(/BC_STOREFRONT_TOKEN set without BC_STOREFRONT_URL/);
    // The sandbox's own identity can still be fixed (tests pin its secret).
    expect(problems({ BC_CLIENT_SECRET: 'a-sandbox-secret-for-tests', BC_STORE_HASH: 'sandbox2' })).toEqual([]);
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

  describe('production (NODE_ENV=production)', () => {
    it('refuses to start without BC_STOREFRONT_URL instead of serving the sandbox', () => {
      const found = problems({ NODE_ENV: 'production' });
      expect(found).toEqual([expect.stringContaining('BC_STOREFRONT_URL')]);
      expect(found[0]).toMatch(/NODE_ENV=production/);
      // Every problem at once, this one included.
      expect(problems({ NODE_ENV: 'production', PORT: 'x' }).join('\n')).toMatch(/BC_STOREFRONT_URL[\s\S]*PORT|PORT[\s\S]*BC_STOREFRONT_URL/);
    });

    it('turns GraphiQL and introspection off by default, and on when asked', () => {
      const production = parseConfig({ ...REAL_STORE, NODE_ENV: 'production' });
      expect(production.production).toBe(true);
      expect(production.graphiql).toBe(false);
      expect(production.limits.introspection).toBe(false);
      expect(production.limits.fieldSuggestions).toBe(false);
      const enabled = parseConfig({ ...REAL_STORE, NODE_ENV: 'production', GATEWAY_GRAPHIQL: 'true', GATEWAY_INTROSPECTION: 'true' });
      expect(enabled.graphiql).toBe(true);
      expect(enabled.limits.introspection).toBe(true);
    });

    it('keeps the development defaults outside production', () => {
      for (const env of [{}, { NODE_ENV: 'development' }, { NODE_ENV: 'test' }, { ...REAL_STORE }]) {
        const config = parseConfig(env);
        expect(config.production).toBe(false);
        expect(config.graphiql).toBe(true);
        expect(config.limits.introspection).toBe(true);
      }
    });
  });

  describe('session cookie name', () => {
    it('uses the __Host- prefix whenever the cookie is Secure', () => {
      expect(parseConfig({ ...REAL_STORE, NODE_ENV: 'production' }).session).toMatchObject({ cookieName: '__Host-sfgw_session', cookieSecure: true });
      expect(parseConfig(REAL_STORE).session).toMatchObject({ cookieName: '__Host-sfgw_session', cookieSecure: true });
      expect(parseConfig({ GATEWAY_COOKIE_SECURE: 'true' }).session).toMatchObject({ cookieName: '__Host-sfgw_session', cookieSecure: true });
      expect(parseConfig({}).session).toMatchObject({ cookieName: 'sfgw_session', cookieSecure: false });
      expect(parseConfig({ ...REAL_STORE, GATEWAY_COOKIE_SECURE: 'false' }).session).toMatchObject({ cookieName: 'sfgw_session', cookieSecure: false });
    });

    it('sets a __Host- cookie with Secure, Path=/ and no Domain (also when deleting it)', () => {
      const { session } = parseConfig({ ...REAL_STORE, NODE_ENV: 'production' });
      const settings = { name: session.cookieName, secure: session.cookieSecure };
      for (const cookie of [sessionCookie(settings, 'token', 60), clearedSessionCookie(settings)]) {
        expect(cookie.startsWith('__Host-sfgw_session=')).toBe(true);
        expect(cookie.split('; ')).toEqual(expect.arrayContaining(['Secure', 'Path=/', 'HttpOnly']));
        expect(cookie).not.toMatch(/Domain=/i);
      }
      // A prefixed name is never sent without Secure (browsers would drop it).
      expect(sessionCookie({ name: '__Host-sfgw_session', secure: false }, 't', 60)).toMatch(/; Secure$/);
    });
  });

  describe('GATEWAY_TRUST_PROXY', () => {
    it.each([
      [undefined, false],
      ['false', false],
      ['true', true],
      ['1', true],
      ['2', 2],
      ['10.0.0.0/8,192.168.1.7', ['10.0.0.0/8', '192.168.1.7']],
      ['fd00::/8, 10.1.2.3', ['fd00::/8', '10.1.2.3']],
    ])('reads %j', (raw, expected) => {
      expect(parseConfig(raw === undefined ? {} : { GATEWAY_TRUST_PROXY: raw }).trustProxy).toEqual(expected);
    });

    it.each(['maybe', '10.0.0.0/40', '10.0.0.1,', '999', 'proxy.internal'])('reports %j as a problem naming the variable', (raw) => {
      expect(problems({ GATEWAY_TRUST_PROXY: raw }).join('\n')).toMatch(/GATEWAY_TRUST_PROXY/);
    });
  });

  describe('listener limits', () => {
    it('has documented defaults and reads overrides', () => {
      expect(parseConfig({}).server).toEqual({ requestTimeoutMs: 10_000, headersTimeoutMs: 5000, maxConnections: 10_000, maxConnectionsPerAddress: 256 });
      expect(parseConfig({ GATEWAY_HEADERS_TIMEOUT_MS: '2000', GATEWAY_MAX_CONNECTIONS_PER_ADDRESS: '32' }).server).toMatchObject({ headersTimeoutMs: 2000, maxConnectionsPerAddress: 32 });
      const found = problems({ GATEWAY_HEADERS_TIMEOUT_MS: '10', GATEWAY_MAX_CONNECTIONS_PER_ADDRESS: '0' }).join('\n');
      expect(found).toMatch(/GATEWAY_HEADERS_TIMEOUT_MS/);
      expect(found).toMatch(/GATEWAY_MAX_CONNECTIONS_PER_ADDRESS/);
    });
  });

  describe('selection limits', () => {
    it('has generous defaults and reads overrides', () => {
      expect(parseConfig({}).limits).toMatchObject({ maxSelections: 2000, maxSelectionsPerSet: 250, maxFieldMerges: 2000 });
      expect(
        parseConfig({ GATEWAY_MAX_SELECTIONS: '5000', GATEWAY_MAX_SELECTIONS_PER_SET: '400', GATEWAY_MAX_FIELD_MERGES: '100' }).limits,
      ).toMatchObject({ maxSelections: 5000, maxSelectionsPerSet: 400, maxFieldMerges: 100 });
      const found = problems({ GATEWAY_MAX_SELECTIONS: 'lots', GATEWAY_MAX_SELECTIONS_PER_SET: '0', GATEWAY_MAX_FIELD_MERGES: '-5' }).join('\n');
      expect(found).toMatch(/GATEWAY_MAX_SELECTIONS /);
      expect(found).toMatch(/GATEWAY_MAX_SELECTIONS_PER_SET/);
      expect(found).toMatch(/GATEWAY_MAX_FIELD_MERGES/);
    });
  });
});
