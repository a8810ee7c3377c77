// HTTPS served directly: the certificate files are watched, and a renewed pair is used for new connections
// without a restart (certbot and cert-manager replace the files in place).
import { copyFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { startStack, type Stack } from '../helpers/stack';
import { makeCertificate, type Certificate } from './catalyst-helpers';

function peerFingerprint(port: number, ca: Buffer[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'store-x-1.gw.test', ca }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

describe('TLS', () => {
  let stack: Stack;
  let first: Certificate;
  let renewed: Certificate;

  beforeAll(async () => {
    first = makeCertificate('gw.test');
    renewed = makeCertificate('gw.test');
    stack = await startStack({ tls: { certFile: first.certFile, keyFile: first.keyFile } });
  });
  afterAll(async () => {
    await stack?.close();
    first?.remove();
    renewed?.remove();
  });

  it('serves the configured certificate and picks up renewed files without a restart', async () => {
    const port = Number(new URL(stack.gateway.url).port);
    const ca = [first.cert, renewed.cert];
    const before = await peerFingerprint(port, ca);
    // The test's own certificate is not in Node's store: an untrusting client is refused, as it should be.
    await expect(fetch(`${stack.gateway.url}/health`)).rejects.toThrow();

    copyFileSync(renewed.keyFile, first.keyFile);
    copyFileSync(renewed.certFile, first.certFile);
    let after = before;
    for (let attempt = 0; attempt < 60 && after === before; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      after = await peerFingerprint(port, ca);
    }
    expect(after).not.toBe(before);
  });
});
