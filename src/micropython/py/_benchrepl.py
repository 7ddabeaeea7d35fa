# The board's REPL, run by the host: the host's REPL front end (line editing,
# raw REPL, raw-paste) hands over one chunk of code at a time and gets back
# how it ended. Chunks share one set of globals, as the REPL and main.py do
# on a device. The first character of a chunk says what it is:
#   "s" a friendly-REPL statement (expressions print their value)
#   "x" code from the raw REPL or paste mode
#   "f" a start-up file to run if present (boot.py, main.py)
#   "r" soft reset: the VM reboots with the board's files
import _benchcore
import _benchboot
from _benchcore import call, wait

# How a chunk ended, as the host reads it.
OK = 0
RAISED = 1
EXITED = 2
BOOTED = 3


def _next(sync, status, tb):
    # The next chunk; None when the board resets while it waits (its watchdog).
    sync()
    while True:
        try:
            return wait("repl.next", status, tb)
        except KeyboardInterrupt:
            # A Ctrl-C that reached the host as the chunk ended: nothing left to interrupt.
            pass
        except _benchcore.SoftReset:
            return None


def _source(kind, text):
    if kind != "f":
        return compile(text, "<stdin>", "single" if kind == "s" else "exec")
    try:
        with open(text) as f:
            src = f.read()
    except OSError:
        return None
    return compile(src, text, "exec")


class _Stdin:
    # sys.stdin on a served board: the bytes the host sends while a program
    # runs (a board's UART), for programs that poll it (select.poll) and read it.
    _stdin = True

    def read(self, n=-1):
        return wait("repl.read", n if n is not None else -1)

    def readline(self):
        out = ""
        while not out.endswith("\n"):
            c = self.read(1)
            if not c:
                break
            out += c
        return out

    def ready(self):
        return call("repl.ready")


def _input(prompt=""):
    # input() reads a line from the serial line, as on a device (the front end echoes it).
    if prompt:
        print(prompt, end="")
    return wait("repl.input")


def loop():
    # Returns when the VM must reboot (soft reset from the host, machine.reset()).
    # Registered by the worker once this VM is up (this module is loaded before, with the glue).
    import _benchfs

    import builtins

    builtins.input = _input
    # The board's sys (bench_sys, a module of ours) takes the served board's stdin.
    import sys

    sys.stdin = _Stdin()
    sync = _benchfs.sync
    g = {"__name__": "__main__"}
    r = _next(sync, BOOTED, "")
    while True:
        if r is None or r[0] == "r":
            return
        kind = r[0]
        status = OK
        tb = ""
        try:
            code = _source(kind, r[1:])
            r = None
            if code is not None:
                exec(code, g)
        except _benchcore.SoftReset:
            return
        except SystemExit:
            status = EXITED
        except BaseException as e:
            status = RAISED
            try:
                tb = "\n".join(_benchboot._traceback(e))
            except MemoryError:
                # No room even for the traceback (a chunk too large filled the heap): a device still says this much.
                tb = "MemoryError"
        code = None
        r = _next(sync, status, tb)
