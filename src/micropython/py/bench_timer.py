# machine.Timer on the board's virtual clock; callbacks run in this VM
# between bridged calls. An exception in a callback is printed as a device
# prints one from an IRQ handler, and the firmware goes on.
from _benchcore import call, ref


class Timer:
    ONE_SHOT = 0
    PERIODIC = 1

    def __init__(self, id=-1, *args, **kw):
        self._id = id
        self._h = call("timer.new")
        self._cb = None
        if args or kw:
            self.init(*args, **kw)

    def init(self, mode=PERIODIC, period=-1, callback=None, freq=-1, tick_hz=1000, hard=False):
        if freq > 0:
            period = max(1, int(1000 / freq))
        elif tick_hz != 1000 and period >= 0:
            period = max(1, period * 1000 // tick_hz)
        if period < 0:
            period = 0xFFFFFFFF
        self._cb = callback
        call("timer.init", self._h, period, mode == Timer.PERIODIC, ref(self._run))

    def _run(self):
        cb = self._cb
        if cb is None:
            return
        try:
            cb(self)
        except Exception as e:
            print("Uncaught exception in IRQ callback handler")
            # The traceback without this glue's own frame, as the boot runner prints them.
            from _benchboot import _traceback

            for line in _traceback(e):
                print(line)

    def deinit(self):
        call("timer.deinit", self._h)

    def __repr__(self):
        return "Timer(%s)" % (self._id,)
