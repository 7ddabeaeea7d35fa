// Durations in scenario files: a number of milliseconds, or text such as
// "250ms", "2s", "1.5m", "1h".

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Ten years: far beyond any run, and far from where milliseconds lose precision. */
const MAX_DURATION_MS = 10 * 365 * 24 * 3_600_000;

/** Parse a duration into milliseconds; returns an error message instead of throwing. */
export function parseDuration(value: unknown): number | string {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) return `expected a non-negative duration, got ${value}`;
    return value > MAX_DURATION_MS ? `duration ${value} ms is too long (at most ${MAX_DURATION_MS / 3_600_000 / 24 / 365} years)` : value;
  }
  if (typeof value !== "string") return `expected a duration such as "500ms" or "2s"`;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|h)?\s*$/.exec(value);
  if (!match) return `expected a duration such as "500ms" or "2s", got "${value}"`;
  const ms = Number(match[1]) * UNITS[match[2] ?? "ms"];
  if (!Number.isFinite(ms) || ms > MAX_DURATION_MS) return `duration "${value}" is too long (at most ${MAX_DURATION_MS / 3_600_000 / 24 / 365} years)`;
  return ms;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 1000) / 1000}ms`;
  if (ms < 120_000) return `${Math.round(ms) / 1000}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}
