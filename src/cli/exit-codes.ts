// Documented exit codes (README, "Exit codes").
export const EXIT = {
  pass: 0,
  fail: 1,
  usage: 2,
  internal: 3,
  timeout: 42,
} as const;
