# Boots the board's firmware as a device does: boot.py, then main.py, each
# compiled under its own name so tracebacks read `File "main.py", line N`.
# Our own modules live in a folder at the end of sys.path, so a module the
# firmware carries (e.g. lib/umqtt/simple.py) wins over ours.
import sys
import io
import _benchcore

sys.path.append("/.bench")
import binascii

sys.modules["ubinascii"] = binascii
import bench_time

sys.modules["time"] = bench_time
sys.modules["utime"] = bench_time
import bench_gc

sys.modules["gc"] = bench_gc
import bench_micropython

sys.modules["micropython"] = bench_micropython
import bench_sys

sys.modules["sys"] = bench_sys
# The VM has its own select (it spins on the wall clock) and os (its own
# folders and errno values): the board's replace them, under both names.
import bench_select, bench_os

for _name, _mod in (("select", bench_select), ("os", bench_os)):
    sys.modules[_name] = sys.modules["u" + _name] = _mod

_GLUE = '"/.bench/'
last_error = ["", ""]  # the last line of the last traceback, and where it was raised


def error():
    return last_error[0]


def where():
    return last_error[1]


def _traceback(e):
    buf = io.StringIO()
    sys.print_exception(e, buf)
    return [l for l in buf.getvalue().split("\n") if l and _GLUE not in l]


def check(path):
    # "" when `path` compiles, else "path:line: SyntaxError: message".
    try:
        with open(path) as f:
            compile(f.read(), path, "exec")
    except SyntaxError as e:
        lines = _traceback(e)
        where = path
        for l in lines:
            if ('File "%s", line ' % path) in l:
                where = path + ":" + l.split(", line ")[1].split(",")[0]
        return "%s: %s" % (where, lines[-1] if lines else "SyntaxError")
    return ""


def run(path):
    # 0: ran to its end (or no such file); 1: raised (traceback printed); 2: soft reset.
    try:
        with open(path) as f:
            src = f.read()
    except OSError:
        return 0
    try:
        # Only the bytecode stays while the file runs: a device's compiler
        # reads the file as it goes and keeps no copy of its text.
        code = compile(src, path, "exec")
        src = None
        exec(code, {"__name__": "__main__", "__file__": path})
    except SystemExit:
        return 0
    except _benchcore.SoftReset:
        return 2
    except BaseException as e:
        lines = _traceback(e)
        for l in lines:
            print(l)
        last_error[0] = lines[-1] if lines else type(e).__name__
        last_error[1] = _benchcore.where_in(lines)
        return 1
    return 0
