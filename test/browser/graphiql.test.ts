import type { Browser, Page } from 'playwright-core';
import { gql, loginAs, startStack, WHOLESALE, type Stack } from '../helpers/stack';
import { externalAssetUrls, launchChromium, openGraphiQL, runOperation, screenshot, waitForResponse, type PageDiagnostics } from './graphiql-driver';

jest.setTimeout(90_000);

describe('GraphiQL in headless Chromium (Debian /usr/bin/chromium)', () => {
  let stack: Stack;
  let browser: Browser | undefined;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('serves a GraphiQL page whose scripts and styles come from the gateway itself (the network is closed)', async () => {
    const response = await fetch(stack.gateway.graphqlUrl, { headers: { accept: 'text/html' } });
    const html = await response.text();
    const external = externalAssetUrls(html, stack.gateway.graphqlUrl);
    if (external.length > 0) {
      throw new Error(
        `GraphiQL loads assets from outside the gateway, which a closed network (or an offline developer) cannot reach:\n  ${external.join('\n  ')}\n` +
          "Serve them inline: createYoga({ renderGraphiQL }) with renderGraphiQL from '@graphql-yoga/render-graphiql' (same version as graphql-yoga).",
      );
    }
  });

  it('runs "Products", then "Login" and "Products" again: the session cookie gives the wholesale prices', async () => {
    const FIRST_PRODUCT = `{ site { products(first: 1) { edges { node { entityId name prices { price { value } } } } } } }`;
    type FirstProduct = { site: { products: { edges: Array<{ node: { entityId: number; name: string; prices: { price: { value: number } } } }> } } };
    const guest = (await gql<FirstProduct>(stack.gateway.graphqlUrl, FIRST_PRODUCT)).body.data!.site.products.edges[0].node;
    const { token } = await loginAs(stack.gateway.graphqlUrl, WHOLESALE);
    const wholesale = (await gql<FirstProduct>(stack.gateway.graphqlUrl, FIRST_PRODUCT, {}, { authorization: `Bearer ${token}` })).body.data!.site
      .products.edges[0].node;
    // The sandbox seed guarantees this (sandbox/seed.ts); without it the last step would prove nothing.
    expect(wholesale.prices.price.value).not.toBe(guest.prices.price.value);

    browser = await launchChromium();
    let page: Page | undefined;
    let diagnostics: PageDiagnostics | undefined;
    try {
      ({ page, diagnostics } = await openGraphiQL(browser, stack.gateway.graphqlUrl));
      await runOperation(page, 'Products');
      const guestText = await waitForResponse(page, ['"data"', `"entityId": ${guest.entityId}`, `"name": ${JSON.stringify(guest.name)}`]);
      expect(guestText).toContain(`"value": ${guest.prices.price.value}`);
      expect(guestText).not.toContain('"errors"');
      await screenshot(page, 'graphiql.png');

      await runOperation(page, 'Login');
      await waitForResponse(page, ['"login"', WHOLESALE.email]);

      await runOperation(page, 'Products');
      const wholesaleText = await waitForResponse(page, ['"data"', `"value": ${wholesale.prices.price.value}`]);
      expect(wholesaleText).not.toContain('"errors"');
    } catch (err) {
      const shot = page ? await screenshot(page, 'graphiql-failure.png').catch(() => '(no screenshot)') : '(no page)';
      const detail = diagnostics
        ? `\nblocked off-machine requests: ${JSON.stringify(diagnostics.blocked)}\nconsole errors: ${JSON.stringify(diagnostics.consoleErrors.slice(0, 10))}`
        : '';
      throw new Error(`${err instanceof Error ? err.message : String(err)}\nscreenshot: ${shot}${detail}`);
    }
  });
});
