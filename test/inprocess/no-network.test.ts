/**
 * The in-process tier opens no socket: while a gateway from `createInProcessGateway` is alive, a connection
 * attempt (net/tls/http/undici all end in `Socket#connect`) or a global `fetch` fails at once, and `close()`
 * reports it, so a code path that bypassed the injected HttpClient would fail its test.
 */
import net from 'node:net';
import { createInProcessGateway } from '../helpers/inprocess';

it('refuses sockets and fetch while a gateway is alive, and close() reports the attempts', async () => {
  const connect = net.Socket.prototype.connect;
  const realFetch = globalThis.fetch;
  const t = await createInProcessGateway();
  expect(() => net.connect(9, '127.0.0.1')).toThrow('in-process tier: no sockets');
  await expect(fetch('http://example.invalid/')).rejects.toThrow('in-process tier: no network');
  await expect(t.close()).rejects.toThrow(/tried to use the network: socket connect .*; fetch http:\/\/example\.invalid\//);
  // Restored once the last gateway is closed.
  expect(net.Socket.prototype.connect).toBe(connect);
  expect(globalThis.fetch).toBe(realFetch);
});
