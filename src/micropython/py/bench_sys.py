# sys as the board reports it: the VM's own, with the board's port as
# sys.platform ("esp8266", "esp32", "rp2"; the VM's reads "webassembly" and
# cannot be changed). The worker sets it as it loads the VM. Everything else
# is the VM's sys: copied, or read through (path, ps1, tracebacklimit are
# attributes the VM's sys computes). Assigning sys.path replaces this
# module's name only; firmware that appends to or inserts into it is served.
import sys as _vm_sys
from sys import *

platform = "webassembly"


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
    return getattr(_vm_sys, name)
