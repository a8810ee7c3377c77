import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';

/**
 * Yoga's parse caches, bounded by bytes rather than entries. Yoga's default keeps 1,024 documents and 1,024
 * parse errors keyed by their full text: with request bodies of up to 256 KB, anonymous junk could pin
 * hundreds of megabytes. A parsed document takes roughly ten times its text; documents larger than
 * `maxDocumentBytes` are parsed every time (no real storefront operation comes near it).
 */
export function boundedParseCaches(options: { maxBytes: number; maxDocumentBytes: number }) {
  const AST_BYTES_PER_CHAR = 10;
  const documentCache = new LRUCache<string, DocumentNode>({
    maxSize: options.maxBytes,
    maxEntrySize: options.maxDocumentBytes * AST_BYTES_PER_CHAR,
    sizeCalculation: (_document, source) => Math.max(1, source.length * AST_BYTES_PER_CHAR),
  });
  // A parse error remembers its source text too: small ones only, in a small cache.
  const errorCache = new LRUCache<string, object>({
    maxSize: Math.max(1, Math.floor(options.maxBytes / 16)),
    maxEntrySize: options.maxDocumentBytes,
    sizeCalculation: (_error, source) => Math.max(1, source.length + 256),
  });
  return { documentCache, errorCache, validationCache: true };
}
