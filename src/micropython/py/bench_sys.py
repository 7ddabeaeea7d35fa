# sys as the board reports it: the VM's own, with the board's port as
# sys.platform ("esp8266", "esp32", "rp2"; the VM's reads "webassembly" and
# cannot be changed). The worker sets it as it loads the VM. The VM's
# sys.implementation says "JS with Emscripten" in _machine; ours names the
# board as os.uname().machine does, built on first use (it asks the host).
# Everything else is the VM's sys: copied, or read through (path, ps1,
# tracebacklimit are attributes the VM's sys computes). Assigning sys.path
# replaces this module's name only; firmware that appends to or inserts into
# it is served.
import sys as _vm_sys
from sys import *
from collections import namedtuple

platform = "webassembly"
del implementation

_FIELDS = tuple(n for n in ("name", "version", "_machine", "_mpy", "_build") if hasattr(_vm_sys.implementation, n))


class _Implementation(namedtuple("implementation", _FIELDS)):
    # Printed as a device prints its sys.implementation: no type name in front.
    def __repr__(self):
        return "(" + ", ".join("%s=%r" % (k, getattr(self, k)) for k in _FIELDS) + ")"

    __str__ = __repr__


def _implementation():
    from _benchcore import call

    machine = call("os.uname").split("\n")[4]
    vm = _vm_sys.implementation
    return _Implementation(*[machine if k == "_machine" else getattr(vm, k) for k in _FIELDS])


class _QuietStdin:
    # sys.stdin on a scenario's board: its serial line, on which nobody sends.
    # It registers with select.poll and is never ready; a read waits for ever,
    # as on a board with nothing attached. serve-board puts its own in place.
    _stdin = True
    _quiet = True

    def read(self, n=-1):
        import time

        while True:
            time.sleep_ms(60000)

    def readline(self):
        return self.read()

    def ready(self):
        return False


stdin = _QuietStdin()


def __getattr__(name):
    if name == "implementation":
        globals()["implementation"] = _implementation()
        return globals()["implementation"]
    return getattr(_vm_sys, name)
