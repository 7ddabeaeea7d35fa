// The `umqtt-bench watch` view. Importing this module does not load ink; the
// view is loaded when runWatch is called.

export { checkInteractiveTerminal, runWatch } from "./watch.tsx";
export type { WatchOptions } from "./watch.tsx";
