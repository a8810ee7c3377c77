// GATEWAY_CACHE, GATEWAY_CACHE_TTL_SECONDS, GATEWAY_CACHE_MAX_MB and GATEWAY_CACHE_DEBUG_HEADER: defaults and refusals (all reported at once).
import { ConfigError, parseConfig } from '../../src/config';

describe('cache configuration', () => {
  it('defaults to on, 300 s, 64 MB', () => {
    expect(parseConfig({}).cache).toEqual({ enabled: true, ttlSeconds: 300, maxBytes: 64 * 1024 * 1024, debugHeader: false });
  });

  it('reads off, a TTL and a size', () => {
    expect(parseConfig({ GATEWAY_CACHE: 'off', GATEWAY_CACHE_TTL_SECONDS: '60', GATEWAY_CACHE_MAX_MB: '8', GATEWAY_CACHE_DEBUG_HEADER: 'true' }).cache).toEqual({
      enabled: false,
      ttlSeconds: 60,
      maxBytes: 8 * 1024 * 1024,
      debugHeader: true,
    });
    expect(parseConfig({ GATEWAY_CACHE: 'ON' }).cache.enabled).toBe(true);
  });

  it('refuses anything else, naming every problem', () => {
    let error: unknown;
    try {
      parseConfig({ GATEWAY_CACHE: 'maybe', GATEWAY_CACHE_TTL_SECONDS: '0', GATEWAY_CACHE_MAX_MB: 'lots', GATEWAY_CACHE_DEBUG_HEADER: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/GATEWAY_CACHE must be "on" or "off"/);
    expect(problems).toMatch(/GATEWAY_CACHE_TTL_SECONDS must be an integer between 1 and 86400/);
    expect(problems).toMatch(/GATEWAY_CACHE_MAX_MB must be an integer/);
    expect(problems).toMatch(/GATEWAY_CACHE_DEBUG_HEADER must be true or false/);
  });
});
