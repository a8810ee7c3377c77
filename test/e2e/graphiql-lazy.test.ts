import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertBuilt } from '../helpers/gateway-process';

/**
 * GraphiQL's inlined code (@graphql-yoga/render-graphiql, tens of MB of memory once loaded) must stay out of a
 * process that does not serve it. Jest keeps its own module registry, so this looks at a real Node process's
 * `require.cache`: the compiled gateway (dist/, as `npm start` runs it) created in a child process.
 */
const DIST = join(__dirname, '..', '..', 'dist');
const MODULE = '@graphql-yoga/render-graphiql';

const CHILD = `
const { startSandbox } = require(${JSON.stringify(join(DIST, 'sandbox'))});
const { parseConfig, withStore } = require(${JSON.stringify(join(DIST, 'src', 'config'))});
const { sandboxStoreConfig } = require(${JSON.stringify(join(DIST, 'src', 'sandbox-mode'))});
const { createGateway } = require(${JSON.stringify(join(DIST, 'src', 'gateway'))});
const loaded = () => Object.keys(require.cache).some((file) => file.includes(${JSON.stringify(`${MODULE}/`)}));
(async () => {
  const sandbox = await startSandbox({ port: 0 });
  const store = await sandboxStoreConfig(sandbox, { authMode: 'impersonation', timeoutMs: 5000 });
  const env = { LOG_LEVEL: 'silent', GATEWAY_SCHEMA_REFRESH_SECONDS: '0', GATEWAY_GRAPHIQL: process.argv[1] };
  const gateway = await createGateway(withStore(parseConfig(env), store));
  const afterCreate = loaded();
  const page = await gateway.yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
  const html = await page.text();
  const afterPage = loaded();
  await gateway.close();
  await sandbox.close();
  process.stdout.write('\\n' + JSON.stringify({ afterCreate, afterPage, status: page.status, graphiql: html.includes('graphiql') }) + '\\n');
})().catch((error) => { console.error(error); process.exit(1); });
`;

type Report = { afterCreate: boolean; afterPage: boolean; status: number; graphiql: boolean };

async function gatewayIn(graphiql: 'true' | 'false'): Promise<Report> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', CHILD, graphiql], { env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Report;
}

describe('GraphiQL code is loaded only when GraphiQL is served', () => {
  beforeAll(() => assertBuilt());

  it('GATEWAY_GRAPHIQL=false: not loaded after creating the gateway, nor after a browser asks for the page', async () => {
    const report = await gatewayIn('false');
    expect(report.afterCreate).toBe(false);
    expect(report.afterPage).toBe(false);
    expect(report.graphiql).toBe(false);
  }, 60_000);

  it('GATEWAY_GRAPHIQL=true: loaded by the first page request (not before), and the page is GraphiQL', async () => {
    const report = await gatewayIn('true');
    expect(report.afterCreate).toBe(false);
    expect(report.status).toBe(200);
    expect(report.graphiql).toBe(true);
    // The same probe sees the module once it is in use: the "false" answers above are not a blind spot.
    expect(report.afterPage).toBe(true);
  }, 60_000);
});
