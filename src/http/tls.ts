import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Server } from 'node:https';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export function readTls(files: TlsFiles): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) };
}

/**
 * A renewed certificate (certbot, cert-manager) is taken without a restart: the files are polled, and a pair that
 * loads replaces the old one for new connections. A half-written or mismatched pair is ignored until it loads.
 */
export function reloadTlsOnChange(server: Server, files: TlsFiles, onProblem: (message: string) => void, intervalMs = 2000): () => void {
  const reload = () => {
    try {
      server.setSecureContext(readTls(files));
    } catch (error) {
      onProblem(error instanceof Error ? error.message : String(error));
    }
  };
  watchFile(files.certFile, { interval: intervalMs, persistent: false }, reload);
  watchFile(files.keyFile, { interval: intervalMs, persistent: false }, reload);
  return () => {
    unwatchFile(files.certFile, reload);
    unwatchFile(files.keyFile, reload);
  };
}
