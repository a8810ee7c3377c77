import type { Executor } from '@graphql-tools/utils';
import type { GatewayConfig, StoreConfig } from '../config';
import type { LoginThrottle } from '../auth/login-throttle';
import type { SessionService } from '../auth/sessions';
import type { RestClient } from '../remote/rest-client';
import type { StorefrontSubschema } from '../remote/storefront';
import type { GatewayStores } from '../state/types';
import type { CacheFront } from '../cache/cache-front';

/** What every resolver map is built from; created once per gateway, never per schema. */
export interface ResolverDeps {
  config: GatewayConfig;
  store: StoreConfig;
  /** The storefront transport, for the gateway's own storefront operations (remote/storefront-operations.ts). */
  executor: Executor;
  rest: RestClient;
  /** The storefront subschema of the schema in service (it changes when the storefront schema does). */
  subschema: () => StorefrontSubschema;
  sessions: SessionService;
  /** Shared state (single-use token ids): built once per gateway, never per schema; the cache through its front. */
  stores: GatewayStores & { cache: CacheFront };
  loginThrottle: LoginThrottle;
  now: () => number;
  log: (event: string, fields: Record<string, unknown>) => void;
}
