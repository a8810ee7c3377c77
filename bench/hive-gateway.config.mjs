// Hive Gateway (proxy mode) in front of the bench sandbox, configured as a proxy user would: the storefront
// token for its own schema introspection, and the shopper headers propagated from each client request.
// bench/run.ts passes the upstream and the token through the environment.
const endpoint = process.env.HIVE_BENCH_UPSTREAM;
const token = process.env.HIVE_BENCH_TOKEN;
if (!endpoint || !token) throw new Error('HIVE_BENCH_UPSTREAM and HIVE_BENCH_TOKEN must be set');

export const gatewayConfig = {
  proxy: {
    endpoint,
    // Used for introspection (no client request); client headers below take precedence per request.
    headers: { authorization: `Bearer ${token}` },
    // The HTTP executor's default collapses identical in-flight queries with identical headers into one upstream
    // request. Our gateway does not (different shoppers, different headers), and a load generator repeating one
    // query on 10 connections would turn that into less upstream work than the other targets do — not the same
    // work. HIVE_BENCH_DEDUPE=1 restores the default for comparison.
    deduplicateInflightRequests: process.env.HIVE_BENCH_DEDUPE === '1',
  },
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({
      authorization: request.headers.get('authorization'),
      'x-bc-customer-id': request.headers.get('x-bc-customer-id'),
    }),
  },
  logging: 'warn',
};
