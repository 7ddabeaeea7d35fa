// Documented exit codes (README, "Exit codes").
export const EXIT = {
  pass: 0,
  fail: 1,
  usage: 2,
  internal: 3,
  timeout: 42,
  /** Stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;
