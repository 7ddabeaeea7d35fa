// How many setImmediate callbacks are queued, so the virtual clock can tell
// "the host is done" from "work is handed on to the next turn" without
// spending turns to find out. Node lists pending (ref'ed) immediates last in
// process.getActiveResourcesInfo(), one "Immediate" entry each; the callback
// running now is not among them. The call costs about half a microsecond
// with the few handles an emulated run has.

export function immediatesQueued(): number {
  const resources = process.getActiveResourcesInfo();
  let count = 0;
  for (let i = resources.length - 1; i >= 0 && resources[i] === "Immediate"; i--) count++;
  return count;
}
