// The VM side of firmware line coverage: a sys.settrace tracer (Python) that
// reports each line of the board's own files to a JavaScript recorder, which
// keeps the lines already seen and hands the new ones to the next message to
// the host. Runs in the VM's worker thread.
//
// The tracer keeps nothing in the VM's heap: the lines live in JavaScript.
// What it does allocate there is what MicroPython's settrace itself makes:
// a frame object (and its code object) per traced function call, garbage
// once the call returns (docs/architecture.md, "Firmware coverage").

/** Where the recorder is registered in the VM (a JavaScript module). */
export const RECORDER_MODULE = "_benchcov";

/** The tracer's Python module, a glue file imported before the heap budget is installed (like the device's frozen code). */
export const TRACER_MODULE = "_benchtrace";

/**
 * The module's text. `call` is the global trace function: only frames of the
 * board's own files get the line tracer. `executable(paths)` tells the
 * recorder each file's executable lines, from the compiler's own line table
 * (every code object, nested functions and classes included), as "1,2,5";
 * a file that does not compile has none (the syntax check reports it).
 */
export const TRACER_PY = `import ${RECORDER_MODULE}
def _line(frame, event, arg):
    if event == "line":
        ${RECORDER_MODULE}.line(frame.f_code.co_filename, frame.f_lineno)
    return _line
def call(frame, event, arg):
    if ${RECORDER_MODULE}.want(frame.f_code.co_filename):
        return _line
    return None
def _lines(path):
    try:
        with open(path) as f:
            todo = [compile(f.read(), path, "exec")]
    except SyntaxError:
        return ""
    seen = set()
    while todo:
        code = todo.pop()
        for start, end, line in code.co_lines():
            if line is not None and end > start:
                seen.add(line)
        for c in code.co_consts:
            if type(c) is type(code):
                todo.append(c)
    return ",".join(str(n) for n in sorted(seen))
def executable(paths):
    for path in paths:
        ${RECORDER_MODULE}.lines(path, _lines(path))
`;

/** Python that turns the tracer on for frames entered from now on (the caller's own frame is not traced). */
export const TRACE_ON_PY = `import sys, ${TRACER_MODULE}\nsys.settrace(${TRACER_MODULE}.call)\ndel sys`;

/** Board paths as the VM names them ("/lib/x.py", "main.py") -> the board file ("lib/x.py"). */
function boardPath(filename: string): string {
  return filename.startsWith("/") ? filename.slice(1) : filename;
}

/** Lines hit, by file, in the VM's thread; new hits travel to the host as [file index, line, ...]. */
export class LineRecorder {
  private readonly index = new Map<string, number>();
  private readonly seen: Set<number>[];
  /** Each file's executable lines, once the tracer module has reported them. */
  readonly executable: number[][];
  private fresh: number[] = [];

  /** `files`: the board's .py files, in the order the host was told (ready message). */
  constructor(readonly files: readonly string[]) {
    files.forEach((f, i) => this.index.set(f, i));
    this.seen = files.map(() => new Set());
    this.executable = files.map(() => []);
  }

  /** The module the tracer calls; both functions run once per traced event, so they stay small. */
  module() {
    return {
      want: (filename: string): boolean => this.index.has(boardPath(filename)),
      lines: (filename: string, lines: string): void => {
        const i = this.index.get(boardPath(filename));
        if (i !== undefined && lines) this.executable[i] = lines.split(",").map(Number);
      },
      line: (filename: string, line: number): void => {
        const i = this.index.get(boardPath(filename));
        if (i === undefined || this.seen[i]!.has(line)) return;
        this.seen[i]!.add(line);
        this.fresh.push(i, line);
      },
    };
  }

  /** Lines first hit since the last call, as flat [file index, line] pairs; undefined when none. */
  take(): number[] | undefined {
    if (this.fresh.length === 0) return undefined;
    const hits = this.fresh;
    this.fresh = [];
    return hits;
  }
}
