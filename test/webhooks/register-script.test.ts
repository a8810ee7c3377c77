// `npm run webhooks:register` (scripts/register-webhooks.ts): the destination it derives from GATEWAY_PUBLIC_URL, which
// BigCommerce requires to be https on port 443 (developer.bigcommerce.com/docs/integrations/webhooks, "Creating a
// webhook"), and the lines it prints.
import { webhookDestination } from '../../scripts/register-webhooks';
import { createLogger } from '../../src/logger';
import type { WebhookLogger } from '../../src/webhooks/endpoint';
import { describeRegistrations } from '../../src/webhooks/register';
import { localWebhookDestination } from '../../src/webhooks/sandbox-registration';

describe('GATEWAY_PUBLIC_URL → destination', () => {
  it.each([
    ['https://gateway.example.com', 'https://gateway.example.com/webhooks/bigcommerce'],
    ['https://gateway.example.com/', 'https://gateway.example.com/webhooks/bigcommerce'],
    ['https://example.com/shop-gateway/', 'https://example.com/shop-gateway/webhooks/bigcommerce'],
    ['https://gateway.example.com:443', 'https://gateway.example.com/webhooks/bigcommerce'],
  ])('%s → %s', (base, expected) => {
    expect(webhookDestination(base)).toEqual({ ok: true, destination: expected });
  });

  it.each([undefined, '', 'gateway.example.com', 'http://gateway.example.com', 'https://gateway.example.com:8443', 'https://gateway.example.com/?x=1', 'https://user:pw@gateway.example.com'])(
    'refuses %p',
    (base) => {
      expect(webhookDestination(base).ok).toBe(false);
    },
  );
});

it('sandbox mode: the local destination of the listening gateway', () => {
  expect(localWebhookDestination('0.0.0.0', 4000)).toBe('http://127.0.0.1:4000/webhooks/bigcommerce');
  expect(localWebhookDestination('::', 4000)).toBe('http://127.0.0.1:4000/webhooks/bigcommerce');
  expect(localWebhookDestination('::1', 4000)).toBe('http://[::1]:4000/webhooks/bigcommerce');
  expect(localWebhookDestination('127.0.0.1', 5)).toBe('http://127.0.0.1:5/webhooks/bigcommerce');
});

it('prints one line per scope, never header values', () => {
  expect(
    describeRegistrations([
      { scope: 'store/product/*', action: 'created', hookId: 7 },
      { scope: 'store/channel/1/product/assigned', action: 'failed', error: 'HTTP 422; scope: invalid' },
    ]),
  ).toEqual(['created     store/product/* (hook 7)', 'failed      store/channel/1/product/assigned: HTTP 422; scope: invalid']);
});

it("the gateway's pino logger is a WebhookLogger", () => {
  const logger: WebhookLogger = createLogger('silent');
  expect(() => logger.info({ scope: 'store/product/updated' }, 'webhook: accepted')).not.toThrow();
});
