/**
 * At most one line per `intervalMs` for each kind of event anyone on the internet can cause (an unsigned POST): a
 * flood writes one line per interval carrying how many were left out since the last, instead of one line each.
 */
export function createLogGate(options: { intervalMs: number; now: () => number }) {
  const kinds = new Map<string, { nextAt: number; suppressed: number }>();
  /** Calls `write` with the count suppressed since the last line of this kind, or counts this one as suppressed. */
  return (kind: string, write: (suppressed: number) => void): void => {
    const at = options.now();
    const state = kinds.get(kind);
    if (state && at < state.nextAt) {
      state.suppressed += 1;
      return;
    }
    kinds.set(kind, { nextAt: at + options.intervalMs, suppressed: 0 });
    write(state?.suppressed ?? 0);
  };
}
