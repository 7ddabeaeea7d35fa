# machine.WDT on the board's virtual clock: not fed within its timeout, the
# board resets and boot.py runs again.
from _benchcore import call, register_exc, SoftReset

# The host raises SoftReset by name when the watchdog bites.
register_exc(SoftReset)


class WDT:
    def __init__(self, id=0, timeout=5000):
        call("wdt.start", timeout)

    def feed(self):
        call("wdt.feed")
