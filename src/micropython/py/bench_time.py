# time / utime on the board's virtual clock. Every call goes to the host's
# time module, so sleeps block this VM while the rest of the run goes on.
import time as _vm_time
from _benchcore import call, wait

# The boards' epoch is 2000-01-01; the VM's own time functions count from 1970.
_EPOCH_2000 = 946684800


def sleep(s):
    wait("time.sleep", s)


def sleep_ms(ms):
    wait("time.sleep_ms", ms)


def sleep_us(us):
    wait("time.sleep_us", us)


def ticks_ms():
    return call("time.ticks_ms")


def ticks_us():
    return call("time.ticks_us")


def ticks_cpu():
    return call("time.ticks_cpu")


def ticks_diff(a, b):
    return call("time.ticks_diff", a, b)


def ticks_add(t, d):
    return call("time.ticks_add", t, d)


def time():
    return call("time.time")


def gmtime(secs=None):
    if secs is None:
        secs = time()
    return _vm_time.gmtime(secs + _EPOCH_2000)


# The emulated boards keep UTC, as a device whose RTC was never set to a zone.
localtime = gmtime


def mktime(t):
    return _vm_time.mktime(t) - _EPOCH_2000
