import { createLogger } from '../../src/logger';

describe('createLogger', () => {
  it('censors secret keys at the top level and nested, whatever logs them', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    logger.info({ password: 'p1', req: { headers: { authorization: 'Bearer t1', cookie: 'c1' } }, input: { token: 't2' }, variables: { x: 1 } }, 'event');
    const text = lines.join('');
    for (const secret of ['p1', 'Bearer t1', 'c1', 't2', '"x":1']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
    expect(text).toContain('event');
  });
});
