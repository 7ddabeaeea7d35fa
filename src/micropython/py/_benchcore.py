# The VM side of the bridge to the emulated board. `call(op, *args)` asks the
# host to run a board operation and blocks until it answers; while it waits
# the host may ask us to run a Python callable (an umqtt callback, a pin IRQ,
# a method of a socket object the firmware supplied), which we do here, so
# the callable runs on this VM's stack as it would on a device.
import _bench
import uctypes

try:
    import builtins
except ImportError:
    builtins = None

_callables = {}
_next_id = [1]
_kept = {}
_exc_types = {}


class SoftReset(BaseException):
    # Unwinds the firmware on machine.soft_reset(); the boot runner reboots the VM.
    pass


def ref(f):
    # An id the host can name `f` by. The same object keeps its id.
    for k in _callables:
        if _callables[k] is f:
            return k
    k = _next_id[0]
    _next_id[0] = k + 1
    _callables[k] = f
    return k


def where_in(lines):
    # "main.py line 3", or "/lib/spin.py line 4 in spin()": the innermost frame of traceback lines.
    for l in reversed(lines):
        if l.startswith('  File "'):
            parts = l[8:].split('", line ')
            if len(parts) == 2:
                rest = parts[1].split(", in ", 1)
                fn = rest[1] if len(rest) == 2 else "<module>"
                return parts[0] + " line " + rest[0] + ("" if fn == "<module>" else " in %s()" % fn)
    return ""


def _interrupted_where(e):
    # Where a KeyboardInterrupt stopped a callable the host invoked (see vm-interrupt.ts).
    import io, sys

    buf = io.StringIO()
    sys.print_exception(e, buf)
    return where_in([l for l in buf.getvalue().split("\n") if l and '"/.bench/' not in l])


def register_exc(cls):
    _exc_types[cls.__name__] = cls


def _push(args):
    for a in args:
        if isinstance(a, (bytes, bytearray, memoryview)):
            _bench.argb(uctypes.addressof(a), len(a))
        else:
            _bench.arg(a)


# The index of the value _values() is making (a MemoryError names it to the host).
_making = [0]


def _values():
    out = []
    for i in range(_bench.n()):
        _making[0] = i
        if _bench.kind(i):
            n = _bench.blen(i)
            if n:
                # Allocated here, in this VM's heap, as the device's socket read would.
                b = bytes(n)
                _bench.fill(i, id(b), uctypes.addressof(b))
            else:
                b = b""
            out.append(b)
        else:
            out.append(_bench.get(i))
    return out


def _error(v):
    name, key = v[0], v[1]
    if key:
        return _kept.pop(key)
    cls = _exc_types.get(name)
    if cls is None:
        cls = getattr(builtins, name, None)
        if cls is None or not isinstance(cls, type) or not issubclass(cls, BaseException):
            cls = RuntimeError
    return cls(*v[2:])


def _keep(e):
    # An id the host can name exception `e` by, to have it raised again here.
    k = _next_id[0]
    _next_id[0] = k + 1
    _kept[k] = e
    return k


def _answer(r):
    # Serve invocations until the host answers our own call.
    while r == 2:
        try:
            v = _values()
        except MemoryError as e:
            # An argument (a received topic or payload) did not fit, before the
            # callable ran: where a device's socket read would have failed.
            _bench.arg("MemoryError")
            _bench.arg(_keep(e))
            _bench.arg(str(e))
            _bench.arg("")
            _bench.arg(_making[0])
            r = _bench.ret(1)
            continue
        try:
            f = _callables[v[0]]
            # Plain calls, not f(*args): a star-call puts a C function on the
            # stack, where the VM heap cannot collect safely.
            n = len(v)
            if n == 1:
                res = f()
            elif n == 2:
                res = f(v[1])
            elif n == 3:
                res = f(v[1], v[2])
            elif n == 4:
                res = f(v[1], v[2], v[3])
            else:
                res = f(*v[1:])
        except BaseException as e:
            _bench.arg(type(e).__name__)
            _bench.arg(_keep(e))
            _bench.arg(str(e))
            if isinstance(e, KeyboardInterrupt):
                _bench.arg(_interrupted_where(e))
            r = _bench.ret(1)
            continue
        _push((res,))
        r = _bench.ret(0)
    v = _values()
    if r == 0:
        return v[0] if v else None
    raise _error(v)


# What _bench.call returns when the answer is not a plain value: ask _bench.code().
_MORE = "\x00bench"


def callv(op, args):
    # call() with the arguments as a tuple: callers building them avoid a star-call.
    _push(args)
    r = _bench.call(op, False)
    if r != _MORE:
        return r
    return _answer(_bench.code())


def waitv(op, args):
    _push(args)
    r = _bench.call(op, True)
    if r != _MORE:
        return r
    return _answer(_bench.code())


def call(op, *args):
    _push(args)
    r = _bench.call(op, False)
    if r != _MORE:
        return r
    return _answer(_bench.code())


def wait(op, *args):
    # A blocking call (sleep, socket wait): a point where the VM's heap may be collected.
    _push(args)
    r = _bench.call(op, True)
    if r != _MORE:
        return r
    return _answer(_bench.code())
