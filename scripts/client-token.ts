/** `npm run client-token`: prints a new value for GATEWAY_STOREFRONT_CLIENT_TOKENS (keep it secret, like an API key). */
import { mintClientToken } from '../src/front-door/client-token';

process.stdout.write(`${mintClientToken()}\n`);
