import type { Server, Socket } from 'node:net';
import { canonicalAddress, limitKeyOf } from './client-address';

export interface ConnectionGuardOptions {
  /** Open connections one client address (an IPv6 client by its /64) may hold. */
  maxPerAddress: number;
  /** Peers never capped: trusted proxies, whose connections carry many clients. */
  isExempt: (address: string) => boolean;
}

export interface ConnectionGuard {
  /** Connections currently open from the client of `address`. */
  openFrom(address: string): number;
}

/**
 * Caps the connections one client address holds open, so that one client cannot take the listener's whole
 * connection budget (slow-header connections each hold a slot until the headers timeout). A connection over the cap
 * is closed as it is accepted, before any byte of it is read. Works on any `net.Server` (HTTP or HTTPS: `connection`
 * is the TCP socket, before a TLS handshake).
 */
export function guardConnections(server: Server, options: ConnectionGuardOptions): ConnectionGuard {
  const open = new Map<string, number>();
  const keyOf = (address: string | undefined): string | undefined => {
    const canonical = address === undefined ? undefined : canonicalAddress(address);
    return canonical === undefined || options.isExempt(canonical) ? undefined : limitKeyOf(canonical);
  };
  server.on('connection', (socket: Socket) => {
    const key = keyOf(socket.remoteAddress);
    if (key === undefined) return;
    const count = (open.get(key) ?? 0) + 1;
    if (count > options.maxPerAddress) {
      socket.destroy();
      return;
    }
    open.set(key, count);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
  });
  return {
    openFrom: (address) => {
      const key = keyOf(address);
      return key === undefined ? 0 : (open.get(key) ?? 0);
    },
  };
}
