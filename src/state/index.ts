import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import type { GatewayMetrics } from '../plugins/metrics';
import { createMemoryStores } from './memory';
import { createRedisStores } from './redis';
import type { GatewayStores } from './types';

/** Shared state in Redis: every instance on the same REDIS_URL and prefix shares revocations, counters and spent tokens. */
async function redisStores(redis: { url: string; keyPrefix: string }, metrics: GatewayMetrics, logger: Logger, now: () => number): Promise<GatewayStores> {
  let lastLogged = 0;
  return createRedisStores({
    url: redis.url,
    keyPrefix: redis.keyPrefix,
    now,
    observe: (event) => metrics.observeSharedState(event),
    onConnectionEvent: (event) => {
      if (event.state === 'ready') logger.info({}, 'shared state (Redis) connected');
      // Errors repeat on every reconnection attempt: one line per 10 s is enough to say Redis is down.
      else if (Date.now() - lastLogged > 10_000) {
        lastLogged = Date.now();
        logger.warn({ state: event.state }, 'shared state (Redis) unavailable; logins and session checks fail closed until it returns');
      }
    },
  });
}

/** The gateway's shared state: in Redis with REDIS_URL (any number of instances), else in this process's memory. */
export function createGatewayStores(config: GatewayConfig, deps: { metrics: GatewayMetrics; logger: Logger; now: () => number }): Promise<GatewayStores> {
  if (config.redis) return redisStores(config.redis, deps.metrics, deps.logger, deps.now);
  return Promise.resolve(createMemoryStores(deps.now, { cacheMaxBytes: config.cache.maxBytes }));
}
