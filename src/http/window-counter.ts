import { LRUCache } from 'lru-cache';

export interface Window {
  count: number;
  /** Unix ms at which the count starts again from zero. */
  resetAt: number;
}

export interface WindowCounter {
  /** Counts one event for `key` and answers its window after it. */
  hit(key: string): Window;
  /** The live window of `key`, without counting. */
  peek(key: string): Window | undefined;
}

/**
 * Fixed-window counts of events per key, synchronous so that hooks which cannot wait (parse, validate, a socket's
 * `connection` event) count exactly. For limits that protect this process's own CPU: kept in memory, at most
 * `maxKeys` (least recently counted forgotten first; a forgotten count only ever favours that key's client).
 */
export function createWindowCounter(options: { windowMs: number; maxKeys: number; now: () => number }): WindowCounter {
  const windows = new LRUCache<string, Window>({ max: options.maxKeys });
  const live = (key: string): Window | undefined => {
    const window = windows.get(key);
    return window && window.resetAt > options.now() ? window : undefined;
  };
  return {
    hit(key) {
      const window = live(key) ?? { count: 0, resetAt: options.now() + options.windowMs };
      window.count += 1;
      windows.set(key, window);
      return window;
    },
    peek: live,
  };
}
