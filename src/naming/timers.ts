// Time as a parameter: naming's schedulers (push merging, fan-out pacing, UDP ack waits) take a
// Timers, so unit tests drive them with a fake clock instead of sleeping.
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export function realTimers(now: () => number = Date.now): Timers {
  return {
    now,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
}
