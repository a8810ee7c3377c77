import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths pino censors if they ever reach a log line. The gateway never logs headers, variables or
 * tokens on purpose; this is the second line of defence.
 */
const SECRET_KEYS = ['password', 'token', 'sessionToken', 'authorization', 'cookie', 'customerAccessToken', 'clientSecret', 'accessToken', 'variables'];

/** Each secret key at the top level and one or two levels down (e.g. `headers.authorization`, `req.headers.cookie`). */
export const REDACTED_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'storefront-gateway', pid: process.pid } };
  return destination ? pino(options, destination) : pino(options);
}

type YogaLogArgs = unknown[];

interface ErrorLike {
  name?: unknown;
  extensions?: { code?: unknown; http?: { status?: unknown } };
}

/** What yoga's log calls may carry, reduced to names and codes: error messages can quote request bodies. */
function describe(args: YogaLogArgs): unknown[] {
  return args.map((arg) => {
    if (arg instanceof Error) {
      const { extensions } = arg as ErrorLike;
      return { error: arg.name, code: extensions?.code };
    }
    return typeof arg === 'string' ? arg.slice(0, 200) : typeof arg;
  });
}

/** A client's mistake (a status below 500) is not the gateway's error: it is logged at debug level. */
function isClientError(args: YogaLogArgs): boolean {
  return args.some((arg) => {
    const status = (arg as ErrorLike | null)?.extensions?.http?.status;
    return typeof status === 'number' && status < 500;
  });
}

/** Adapter for yoga's `logging` option that never writes request content. */
export function yogaLogging(logger: Logger) {
  return {
    debug: (...args: YogaLogArgs) => logger.debug({ details: describe(args) }, 'yoga'),
    info: (...args: YogaLogArgs) => logger.info({ details: describe(args) }, 'yoga'),
    warn: (...args: YogaLogArgs) => logger.warn({ details: describe(args) }, 'yoga'),
    error: (...args: YogaLogArgs) =>
      isClientError(args) ? logger.debug({ details: describe(args) }, 'yoga') : logger.error({ details: describe(args) }, 'yoga'),
  };
}
