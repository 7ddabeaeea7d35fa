# umqtt-bench's instrumentation of a scenario's firmware on a board. install()
# puts wrappers into sys.modules before the firmware imports anything:
#   machine.Pin   reports configuration and every write; reads of the pins the
#                 scenario wires to buttons return the level the bench set
#   socket        getaddrinfo() of any name (the firmware's hard-coded server)
#                 answers with the bench's broker address
#   network.WLAN  connect() uses the bench's Wi-Fi credentials when it has some
# and heap figures (gc.mem_free) go out at checkpoints. Reports
# are frames on the serial line (ubench_frame). Commands from the bench arrive
# on stdin as JSON lines: {"pin": 0, "level": 0}.
# Written by the umqtt-bench project.

import sys
import gc
import time
from ubench_frame import report

cfg = {}
_buttons = {}  # pin id -> level the bench holds it at
_inbuf = []
_poll = None
_last_heap = 0
HEAP_EVERY_MS = 1000


def _ms():
    return time.ticks_ms()


def heap(what):
    global _last_heap
    _last_heap = _ms()
    report({"k": "heap", "what": what, "free": gc.mem_free(), "ms": _last_heap})


def _maybe_heap():
    if time.ticks_diff(_ms(), _last_heap) >= HEAP_EVERY_MS:
        heap("tick")


def _open_input():
    global _poll
    try:
        import select
        p = select.poll()
        p.register(sys.stdin, select.POLLIN)
        p.poll(0)
        _poll = p
    except Exception as e:
        _poll = False
        report({"k": "note", "text": "bench input unavailable: %r" % (e,)})


def poll_commands():
    """Reads the bench's pending commands from stdin without blocking."""
    if _poll is None:
        _open_input()
    if not _poll:
        return
    while _poll.poll(0):
        c = sys.stdin.read(1)
        if not c:
            return
        if c != "\n":
            _inbuf.append(c)
            continue
        line = "".join(_inbuf)
        del _inbuf[:]
        _command(line)


def _command(line):
    import json
    try:
        cmd = json.loads(line)
    except ValueError:
        return
    pin = cmd.get("pin")
    if pin in _buttons:
        _buttons[pin] = cmd["level"]
        report({"k": "input", "pin": pin, "level": cmd["level"], "ms": _ms()})


def _level(v):
    return 1 if v else 0


def _wrap_pin(real):
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

        def irq(self, *args, **kw):
            return self._pin.irq(*args, **kw)

        def __getattr__(self, name):
            return getattr(self._pin, name)

    for name in dir(real):
        if name[0].isupper():
            setattr(Pin, name, getattr(real, name))
    return Pin


class _Module:
    """A stand-in module: the real module's names, some replaced."""

    def __init__(self, real, **replaced):
        for name in dir(real):
            if not name.startswith("__"):
                setattr(self, name, getattr(real, name))
        for name in replaced:
            setattr(self, name, replaced[name])


def _getaddrinfo(real):
    def getaddrinfo(host, port, *rest):
        report({"k": "dns", "host": str(host), "port": port, "ms": _ms()})
        heap("connect")
        return real(cfg["host"], cfg["port"], *rest)

    return getaddrinfo


def _wrap_wlan(real):
    def WLAN(*args):
        w = real(*args)
        if not cfg.get("wifi"):
            return w
        connect = w.connect

        class Wlan:
            def connect(self, ssid=None, key=None, *rest, **kw):
                return connect(cfg["wifi"][0], cfg["wifi"][1], *rest, **kw)

            def __getattr__(self, name):
                return getattr(w, name)

        return Wlan()

    return WLAN


def _redirect_host_umqtt():
    # On umqtt-bench's VM board (serve-board) umqtt is the bench's own client
    # on the host, which does not look the server up through this socket
    # module as umqtt.simple does on a board: hand it the address
    # getaddrinfo gives. A board has no _benchcore and is left as it is.
    try:
        import _benchcore  # noqa: F401
    except ImportError:
        return
    from umqtt import simple

    init = simple.MQTTClient.__init__

    def __init__(self, client_id, server, port=0, *args, **kw):
        addr = sys.modules["socket"].getaddrinfo(server, port or 1883)[0][-1]
        init(self, client_id, addr[0], addr[1], *args, **kw)
        self.server = server
        self.port = port or 1883

    simple.MQTTClient.__init__ = __init__


def _install_module(names, module):
    for name in names:
        sys.modules[name] = module


def install(config):
    """Wraps machine, socket and network for the firmware; call before it imports them."""
    cfg.update(config)
    for b in cfg.get("buttons", ()):
        _buttons[b["pin"]] = b["released"]
    import machine
    _install_module(("machine", "umachine"), _Module(machine, Pin=_wrap_pin(machine.Pin)))
    try:
        import socket
    except ImportError:
        import usocket as socket
    _install_module(("socket", "usocket"), _Module(socket, getaddrinfo=_getaddrinfo(socket.getaddrinfo)))
    try:
        import network
    except ImportError:
        network = None
    if network is not None:
        _install_module(("network",), _Module(network, WLAN=_wrap_wlan(network.WLAN)))
    _redirect_host_umqtt()
    if _buttons:
        _open_input()
    return network


def join_wifi(network, timeout_ms=20000):
    """With credentials from the bench, joins before the firmware starts (as a board with saved credentials has)."""
    if not cfg.get("wifi") or network is None:
        return
    w = network.WLAN(network.STA_IF)
    w.active(True)
    if not w.isconnected():
        w.connect()
        start = _ms()
        while not w.isconnected() and time.ticks_diff(_ms(), start) < timeout_ms:
            time.sleep_ms(100)
    report({"k": "wifi", "connected": bool(w.isconnected()), "ms": _ms()})
