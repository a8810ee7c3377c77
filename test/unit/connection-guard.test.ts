import { EventEmitter } from 'node:events';
import type { Server, Socket } from 'node:net';
import { createTrustedPeerTest } from '../../src/http/client-address';
import { guardConnections } from '../../src/http/connection-guard';

/** A socket as the guard sees it: an address, `destroy`, and a `close` event. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(readonly remoteAddress: string | undefined) {
    super();
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

function setUp(trustProxy: Parameters<typeof createTrustedPeerTest>[0] = false, maxPerAddress = 3) {
  const server = new EventEmitter();
  const guard = guardConnections(server as unknown as Server, { maxPerAddress, isExempt: createTrustedPeerTest(trustProxy) });
  const open = (address: string | undefined): FakeSocket => {
    const socket = new FakeSocket(address);
    server.emit('connection', socket as unknown as Socket);
    return socket;
  };
  return { guard, open };
}

describe('per-address connection cap', () => {
  it.each<[string, string[]]>([
    ['one IPv4 address', ['192.0.2.7', '192.0.2.7', '192.0.2.7', '192.0.2.7']],
    ['IPv4 and its IPv4-mapped IPv6 spelling', ['192.0.2.7', '::ffff:192.0.2.7', '::ffff:c000:207', '192.0.2.7']],
    ['addresses of one IPv6 /64', ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff::9', '2001:DB8:1:2::abcd']],
  ])('closes the connection past the cap from %s', (_name, addresses) => {
    const { open } = setUp();
    const sockets = addresses.map(open);
    expect(sockets.map((socket) => socket.destroyed)).toEqual([false, false, false, true]);
  });

  it('counts each client on its own and frees a slot when a connection closes', () => {
    const { guard, open } = setUp();
    const first = [open('192.0.2.7'), open('192.0.2.7'), open('192.0.2.7')];
    expect([open('192.0.2.8'), open('2001:db8:1:3::1'), open('2001:db8:1:2::1')].some((socket) => socket.destroyed)).toBe(false);
    expect(open('192.0.2.7').destroyed).toBe(true);
    first[0].destroy();
    expect(guard.openFrom('192.0.2.7')).toBe(2);
    expect(open('192.0.2.7').destroyed).toBe(false);
    expect(guard.openFrom('192.0.2.7')).toBe(3);
  });

  it.each<[string, Parameters<typeof createTrustedPeerTest>[0], string, boolean]>([
    ['a listed proxy', ['10.0.0.0/8'], '10.1.2.3', true],
    ['an address outside the list', ['10.0.0.0/8'], '192.0.2.7', false],
    ['a hop-count proxy (every peer is one)', true, '192.0.2.7', true],
    ['any peer when no proxy is trusted', false, '10.1.2.3', false],
  ])('exempts %s', (_name, trustProxy, address, exempt) => {
    const { open } = setUp(trustProxy, 2);
    const sockets = Array.from({ length: 5 }, () => open(address));
    expect(sockets.some((socket) => socket.destroyed)).toBe(!exempt);
  });
});
