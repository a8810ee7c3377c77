/**
 * BigCommerce webhooks → cache invalidation: the `POST /webhooks/bigcommerce` endpoint (endpoint.ts), the event →
 * scope mapping (event-scopes.ts), signature checks (verify.ts), and registration of the gateway's hooks
 * (register.ts; sandbox-registration.ts for `npm start` in sandbox mode, scripts/register-webhooks.ts for a real store).
 */
export { createAdminRestClient } from '../remote/admin-rest';
export { WEBHOOK_DEDUPE_SECONDS, WEBHOOK_PATH, webhookEndpointPlugin, type WebhookEndpointDeps, type WebhookEndpointPlugin, type WebhookLogger } from './endpoint';
export { planForEvent, resolvePlan, uniqueScopes, type EventPlan, type PriceListGroupResolver } from './event-scopes';
export { webhookMetrics, type WebhookDeliveryOutcome, type WebhookInvalidationOutcome, type WebhookObserver } from './metrics';
export { parseWebhookPayload, type WebhookPayload } from './payload';
export { createPriceListGroupResolver } from './price-list-groups';
export { createCustomerChanges, createCustomerLookup, type CustomerChanges, type CustomerLookup, type CustomerRecord } from './customer-changes';
export { channelsToWatch, describeRegistrations, gatewayWebhookScopes, registerWebhooks, type RegisterWebhooksOptions, type RegistrationAction, type WebhookRegistration } from './register';
export { localWebhookDestination, registerSandboxWebhooks } from './sandbox-registration';
export { WEBHOOK_SECRET_HEADER, createWebhookVerifier, type CustomHeaderSecret, type Verification, type WebhookVerifier } from './verify';
