# time / utime on the board's virtual clock. Every call goes to the host's
# time module, so sleeps block this VM while the rest of the run goes on.
from _benchcore import call, wait


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
