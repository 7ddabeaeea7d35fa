// Durations in scenario files: a number of milliseconds, or text such as
// "250ms", "2s", "1.5m", "1h".

const UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parse a duration into milliseconds; returns an error message instead of throwing. */
export function parseDuration(value: unknown): number | string {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? value : `expected a non-negative duration, got ${value}`;
  }
  if (typeof value !== "string") return `expected a duration such as "500ms" or "2s"`;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|m|h)?\s*$/.exec(value);
  if (!match) return `expected a duration such as "500ms" or "2s", got "${value}"`;
  return Number(match[1]) * UNITS[match[2] ?? "ms"];
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 1000) / 1000}ms`;
  if (ms < 120_000) return `${Math.round(ms) / 1000}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}
