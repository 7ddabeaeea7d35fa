// How a seed failed, with what varies between seeds taken out, so that seeds
// failing the same way fall in one group. Times, durations and sizes vary
// with the network schedule; step numbers, errno values and traceback line
// numbers say where and how it failed, so they stay.

/** The first line of a failure with its varying figures replaced by N. */
export function failureKind(failure: string | undefined): string {
  if (!failure) return "failed with no reason given";
  const firstLine = failure.split("\n").find((line) => line.trim() !== "") ?? failure;
  return firstLine
    .replace(/\b0x[0-9a-f]+\b/gi, "0x…")
    .replace(/\b[0-9a-f]{8,}\b/gi, "…")
    .replace(/@\s*\d+(\.\d+)?\s*s\b/g, "@Ns")
    .replace(/\b\d+(\.\d+)?(\s*)(ms|s|min|h|B|KB|KiB|bytes?)\b/g, "N$2$3")
    .replace(/\b\d+\.\d+\b/g, "N")
    .replace(/\s+/g, " ")
    .trim();
}
