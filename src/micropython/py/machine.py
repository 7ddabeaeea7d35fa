# machine on the emulated board: Pin state lives in the board's GPIO on the
# host; a Pin here is a handle to it.
from _benchcore import call, wait, ref, SoftReset
from bench_timer import Timer
from bench_wdt import WDT


class Pin:
    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    PULL_UP = 1
    PULL_DOWN = 2
    IRQ_RISING = 1
    IRQ_FALLING = 2

    def __init__(self, id, mode=-1, pull=-1, value=None, **kw):
        self._id = id
        self._h = call("machine.pin_new", id)
        self.init(mode, pull, value, **kw)

    def init(self, mode=-1, pull=-1, value=None, **kw):
        if "mode" in kw:
            mode = kw.pop("mode")
        if "pull" in kw:
            pull = kw.pop("pull")
        if "value" in kw:
            value = kw.pop("value")
        if kw:
            raise TypeError("unexpected keyword argument '%s'" % list(kw)[0])
        call("machine.pin_init", self._h, mode, pull, value)

    def value(self, v=None):
        if v is None:
            return call("machine.pin_value", self._h)
        call("machine.pin_set", self._h, 1 if v else 0)

    def __call__(self, v=None):
        return self.value(v)

    def on(self):
        call("machine.pin_set", self._h, 1)

    def off(self):
        call("machine.pin_set", self._h, 0)

    def toggle(self):
        call("machine.pin_toggle", self._h)

    def irq(self, handler=None, trigger=3, **kw):
        fid = 0
        if handler is not None:
            pin = self
            fid = ref(lambda: handler(pin))
        call("machine.pin_irq", self._h, fid, trigger)

    def __repr__(self):
        return "Pin(%s)" % (self._id,)


def unique_id():
    return call("machine.unique_id")


def freq(hz=None):
    return call("machine.freq")


def idle():
    call("machine.idle")


def reset():
    call("machine.reset")
    raise SoftReset()


def soft_reset():
    call("machine.soft_reset")
    raise SoftReset()
