import { parseConfig } from '../../src/config';
import { mintClientToken } from '../../src/front-door/client-token';
import { parseStorefrontHost } from '../../src/front-door/host';
import { storefrontTargetFor } from '../../src/remote/storefront-target';

const door = { domain: 'gw.example.com', storeHash: 'abc123', defaultChannelId: 1, channels: [1, 2] };

describe('front-door host names', () => {
  it.each([
    ['store-abc123-1.gw.example.com', 1],
    ['store-abc123-2.gw.example.com:8443', 2],
    ['STORE-ABC123-2.GW.EXAMPLE.COM', 2],
    ['store-abc123.gw.example.com', 1],
    ['store-abc123.gw.example.com.', 1],
  ])('%s is channel %d of the store', (host, channelId) => expect(parseStorefrontHost(host, door)).toEqual({ kind: 'store', channelId }));

  it.each([
    'store-other-1.gw.example.com',
    'store-abc123-3.gw.example.com',
    'store-abc123-01x.gw.example.com',
    'store-abc123-1.sub.gw.example.com',
    'xstore-abc123-1.gw.example.com',
    'gw.example.com.store-abc123-1.gw.example.com',
  ])('%s is no store the gateway serves', (host) => expect(parseStorefrontHost(host, door)).toEqual({ kind: 'unknown' }));

  it.each([null, 'localhost:4000', 'store-abc123-1.gw.example.com.evil.net', 'store-abc123-1.xgw.example.com', 'gw.example.com'])(
    '%s is not the front door',
    (host) => expect(parseStorefrontHost(host, door)).toEqual({ kind: 'other' }),
  );

  it('channel 1 is the default channel of store-{hash} even when another channel is configured, and only if served', () => {
    expect(parseStorefrontHost('store-abc123.gw.example.com', { ...door, channels: [2] })).toEqual({ kind: 'unknown' });
  });
});

describe('the upstream of a channel', () => {
  const store = { storeHash: 'abc123', channelId: 1 };
  it('swaps the channel of a permanent storefront URL', () => {
    expect(storefrontTargetFor({ ...store, storefrontUrl: 'https://store-abc123-1.mybigcommerce.com/graphql' }, 2)).toEqual({
      url: 'https://store-abc123-2.mybigcommerce.com/graphql',
    });
    expect(storefrontTargetFor({ ...store, storefrontUrl: 'https://store-abc123.mybigcommerce.com/graphql' }, 7)?.url).toBe('https://store-abc123-7.mybigcommerce.com/graphql');
  });
  it('names the channel by Host for a local upstream reached by address, and serves a vanity domain its own channel only', () => {
    expect(storefrontTargetFor({ ...store, storefrontUrl: 'http://127.0.0.1:4010/graphql' }, 2)).toEqual({ url: 'http://127.0.0.1:4010/graphql', host: 'store-abc123-2.127.0.0.1:4010' });
    expect(storefrontTargetFor({ ...store, storefrontUrl: 'https://shop.example.com/graphql' }, 2)).toBeUndefined();
    expect(storefrontTargetFor({ ...store, storefrontUrl: 'https://shop.example.com/graphql' }, 1)).toEqual({ url: 'https://shop.example.com/graphql' });
  });
});

describe('front-door configuration', () => {
  const base = { GATEWAY_STOREFRONT_DOMAIN: 'gw.example.com', GATEWAY_STOREFRONT_CLIENT_TOKENS: mintClientToken() };
  const problems = (env: Record<string, string>) => {
    try {
      parseConfig(env);
      return [];
    } catch (error) {
      return (error as { problems: string[] }).problems;
    }
  };

  it('defaults to customer-access-token mode, the configured channel and a bounded identity memory', () => {
    const config = parseConfig({ ...base, GATEWAY_STOREFRONT_CHANNELS: '2, 3' });
    expect(config.authMode).toBe('customer-access-token');
    expect(config.frontDoor).toEqual({ domain: 'gw.example.com', channels: [1, 2, 3], clientTokens: [base.GATEWAY_STOREFRONT_CLIENT_TOKENS], identitySeconds: 60 });
  });

  it.each([
    [{ BC_AUTH_MODE: 'impersonation' }, /requires BC_AUTH_MODE=customer-access-token/],
    [{ GATEWAY_STOREFRONT_CLIENT_TOKENS: '' }, /GATEWAY_STOREFRONT_CLIENT_TOKENS is required/],
    [{ GATEWAY_STOREFRONT_CLIENT_TOKENS: 'a-long-random-secret-that-is-no-jwt-at-all-0123456789' }, /JWT-shaped/],
    [{ GATEWAY_STOREFRONT_CLIENT_TOKENS: 'e30.e30.x' }, /at least 32 bytes/],
    [{ GATEWAY_STOREFRONT_DOMAIN: 'https://gw.example.com' }, /must be a DNS name/],
    [{ GATEWAY_STOREFRONT_CHANNELS: 'two' }, /must list channel ids/],
    [{ GATEWAY_TLS_CERT_FILE: '/tmp/cert.pem' }, /go together/],
  ])('refuses %j', (env, problem) => expect(problems({ ...base, ...env }).some((text) => problem.test(text))).toBe(true));

  it('mints distinct JWT-shaped tokens the configuration accepts', () => {
    const tokens = new Set(Array.from({ length: 20 }, () => mintClientToken()));
    expect(tokens.size).toBe(20);
    expect(parseConfig({ ...base, GATEWAY_STOREFRONT_CLIENT_TOKENS: [...tokens].join(',') }).frontDoor?.clientTokens).toHaveLength(20);
  });
});
