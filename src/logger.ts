import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths pino censors if they ever reach a log line. The gateway never logs headers, variables or
 * tokens on purpose; this is the second line of defence.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'sessionToken',
  '*.sessionToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'cookie',
  '*.cookie',
  'customerAccessToken',
  '*.customerAccessToken',
  'clientSecret',
  '*.clientSecret',
  'accessToken',
  '*.accessToken',
  'variables',
  '*.variables',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'storefront-gateway' } };
  return destination ? pino(options, destination) : pino(options);
}
