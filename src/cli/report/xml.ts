// Text made safe for JUnit XML, shared by every report that writes it (run,
// sweep and merge, conformance).

/** Escapes markup characters; XML 1.0 cannot carry most control characters, even escaped, so they become "?". */
export function xmlText(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "?");
}

/** A duration in ms as JUnit's time attribute: seconds with three decimals. */
export const junitSeconds = (ms: number): string => (ms / 1000).toFixed(3);
