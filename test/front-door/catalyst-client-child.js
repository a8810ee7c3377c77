// A storefront server's process: BigCommerce's published client, unmodified, driven over stdin/stdout by a test.
// Run with NODE_EXTRA_CA_CERTS (the test's certificate), BIGCOMMERCE_GRAPHQL_API_DOMAIN (the gateway's domain and
// port) and `--require ./loopback-resolver.js`, exactly as a Catalyst deployment would set them.
'use strict';
const readline = require('node:readline');
const { createClient } = require('@bigcommerce/catalyst-client');

const { STORE_HASH, STOREFRONT_TOKEN, CHANNEL_ID } = process.env;
const client = createClient({ storeHash: STORE_HASH, storefrontToken: STOREFRONT_TOKEN, channelId: CHANNEL_ID ?? '1' });

const describe = (error) => ({
  name: error && error.name,
  message: error && error.message,
  status: error && error.status,
  errors: error && (error.errors || error.graphqlErrors),
});

readline.createInterface({ input: process.stdin }).on('line', async (line) => {
  const { id, method, args } = JSON.parse(line);
  try {
    const value = method === 'sitemap' ? await client.fetchSitemapIndex(args.channelId) : await client.fetch(args);
    process.stdout.write(JSON.stringify({ id, ok: true, value }) + '\n');
  } catch (error) {
    process.stdout.write(JSON.stringify({ id, ok: false, error: describe(error) }) + '\n');
  }
});
