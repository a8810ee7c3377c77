// The storefront operation corpus (test/compat/corpus) sent by Catalyst's own client through the front door, over
// TLS, answered exactly as the full-schema storefront answers it directly.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createGateway } from '../../src/gateway';
import { mintClientToken } from '../../src/front-door/client-token';
import { serve, type Served } from '../../src/http/serve';
import { createLogger } from '../../src/logger';
import { gatewayConfig, storefrontOnlyStore } from '../../scripts/harness';
import { startMockStorefront, type MockStorefront } from '../../scripts/mock-storefront';
import { loadCorpus } from '../compat/corpus-loader';
import { FRONT_DOOR_DOMAIN, makeCertificate, startCatalystProcess, type CatalystProcess, type Certificate } from './catalyst-helpers';

const FULL_SCHEMA_FILE = resolve(__dirname, '../../../shared/bigcommerce/storefront-schema/bigcommerce.graphql');
const corpus = loadCorpus();

describe('storefront operation corpus through the front door (Catalyst client, TLS)', () => {
  let mock: MockStorefront;
  let served: Served;
  let close: () => Promise<void>;
  let cert: Certificate;
  let catalyst: CatalystProcess;
  const clientToken = mintClientToken();

  beforeAll(async () => {
    mock = await startMockStorefront(readFileSync(FULL_SCHEMA_FILE, 'utf8'));
    cert = makeCertificate(FRONT_DOOR_DOMAIN);
    const store = { ...storefrontOnlyStore(mock.url), authMode: 'customer-access-token' as const };
    // The documented defaults (limits included), with the front door on.
    const config = gatewayConfig(store, { frontDoor: { domain: FRONT_DOOR_DOMAIN, channels: [1], clientTokens: [clientToken], identitySeconds: 60 } });
    const gateway = await createGateway(config, { logger: createLogger('silent') });
    served = await serve(gateway, { port: 0, host: '127.0.0.1', tls: { certFile: cert.certFile, keyFile: cert.keyFile } });
    close = async () => {
      await served.close();
      await gateway.close();
    };
    catalyst = startCatalystProcess({ port: Number(new URL(served.url).port), cert, storeHash: store.storeHash, storefrontToken: clientToken });
  }, 60_000);

  afterAll(async () => {
    await catalyst?.close();
    await close?.();
    await mock?.close();
    cert?.remove();
  });

  it.each(corpus.map((op) => [op.file, op] as const))('%s', async (_file, operation) => {
    const viaFrontDoor = await catalyst.fetch<{ data: unknown }>({ document: operation.query, variables: operation.variables, fetchOptions: { cache: 'no-store' } });
    const direct = await fetch(mock.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: operation.query, variables: operation.variables }),
    });
    const directBody = (await direct.json()) as { data: unknown; errors?: unknown };
    expect({ operation: operation.name, error: viaFrontDoor.ok ? undefined : viaFrontDoor.error }).toEqual({ operation: operation.name, error: undefined });
    expect(directBody.errors).toBeUndefined();
    if (viaFrontDoor.ok) expect(viaFrontDoor.value.data).toEqual(directBody.data);
  });
});
