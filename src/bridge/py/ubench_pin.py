# umqtt-bench's machine.Pin for a scenario's firmware (see ubench_shim):
# reports configuration and writes; a button the bench drives reads the
# bench's level, and its IRQ handler runs on the bench's edges, also while
# the firmware sleeps (time's sleeps wrapped). Written by the umqtt-bench project.

from ubench_frame import report
from ubench_shim import _buttons, _irqs, _maybe_heap, _ms, poll_commands


def _level(v):
    return 1 if v else 0


def wrap(real):
    class Pin:
        def __init__(self, id, *args, **kw):
            self._id = id
            self._pin = real(id, *args, **kw)
            self._out = None
            self._report(args, kw)

        def _report(self, args, kw):
            mode = args[0] if args else kw.get("mode")
            value = args[2] if len(args) > 2 else kw.get("value")
            report({"k": "cfg", "pin": self._id, "mode": mode, "pull": args[1] if len(args) > 1 else kw.get("pull"), "ms": _ms()})
            if value is not None:
                self._write(value)

        def _write(self, v):
            self._out = _level(v)
            report({"k": "pin", "pin": self._id, "v": self._out, "ms": _ms()})
            _maybe_heap()

        def init(self, *args, **kw):
            r = self._pin.init(*args, **kw)
            self._report(args, kw)
            return r

        def value(self, *v):
            if v:
                self._pin.value(v[0])
                self._write(v[0])
                return None
            if self._id in _buttons:
                poll_commands()
                _maybe_heap()
                return _buttons[self._id]
            return self._pin.value()

        def __call__(self, *v):
            return self.value(*v)

        def on(self):
            self.value(1)

        def off(self):
            self.value(0)

        def high(self):
            self.value(1)

        def low(self):
            self.value(0)

        def toggle(self):
            self.value(1 - (self._out if self._out is not None else _level(self._pin.value())))

        def irq(self, handler=None, trigger=3, *args, **kw):
            # A button the bench drives: its edges come from the bench's commands, read at pin reads and sleeps.
            if self._id in _buttons:
                if handler is None:
                    _irqs.pop(self._id, None)
                else:
                    _irqs[self._id] = (handler, trigger, self)
                return None
            return self._pin.irq(handler, trigger, *args, **kw)

        def __getattr__(self, name):
            return getattr(self._pin, name)

    for name in dir(real):
        if name[0].isupper():
            setattr(Pin, name, getattr(real, name))
    return Pin


def signal(pin_cls):
    # machine.Signal takes only the board's own pins: built on a wrapped pin
    # it would fail, so the firmware gets this one, on the wrapped Pin.
    class Signal:
        def __init__(self, pin, *args, **kw):
            self._invert = 1 if kw.pop("invert", False) else 0
            self._pin = pin if isinstance(pin, pin_cls) else pin_cls(pin, *args, **kw)

        def value(self, *v):
            if v:
                self._pin.value(_level(v[0]) ^ self._invert)
                return None
            return _level(self._pin.value()) ^ self._invert

        def __call__(self, *v):
            return self.value(*v)

        def on(self):
            self.value(1)

        def off(self):
            self.value(0)

    return Signal


def sleeps(t):
    # With button IRQs set, a sleeping firmware still sees the bench's presses:
    # it sleeps in slices of 10 ms and reads the bench's commands between them.
    def sleep_ms(ms):
        if not _irqs:
            return t.sleep_ms(ms)
        end = t.ticks_add(t.ticks_ms(), int(ms))
        while True:
            poll_commands()
            left = t.ticks_diff(end, t.ticks_ms())
            if left <= 0:
                return None
            t.sleep_ms(min(left, 10))

    def sleep(s):
        return sleep_ms(s * 1000) if _irqs else t.sleep(s)

    def sleep_us(us):
        return sleep_ms(us // 1000) if _irqs and us >= 10000 else t.sleep_us(us)

    return {"sleep_ms": sleep_ms, "sleep": sleep, "sleep_us": sleep_us}


