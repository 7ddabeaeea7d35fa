# umqtt-bench's instrumentation of a scenario's firmware on a board. install()
# puts wrappers into sys.modules before the firmware imports anything:
#   machine.Pin   reports configuration and every write; reads of the pins the
#                 scenario wires to buttons return the level the bench set
#   socket        getaddrinfo() of any name (the firmware's hard-coded server)
#                 answers with the bench's broker address
#   network.WLAN  connect() uses the bench's Wi-Fi credentials when it has some
#   time          with button IRQs set, sleeps read the bench's commands, so a
#                 press reaches the firmware's handler
# and heap figures (gc.mem_free) go out at checkpoints. Reports
# are frames on the serial line (ubench_frame). Commands from the bench arrive
# on stdin as JSON lines: {"pin": 0, "level": 0}; a level change calls the
# pin's IRQ handler when its trigger matches.
# The wrappers live in ubench_pin and ubench_net. Written by the umqtt-bench project.

import sys
import gc
import time
from ubench_frame import report

cfg = {}
_buttons = {}  # pin id -> level the bench holds it at
_irqs = {}  # button pin id -> (handler, trigger, pin) the firmware set with Pin.irq
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
        old, new = _buttons[pin], cmd["level"]
        _buttons[pin] = new
        report({"k": "input", "pin": pin, "level": new, "ms": _ms()})
        if pin in _irqs and old != new:
            handler, trigger, p = _irqs[pin]
            if trigger & (p.IRQ_FALLING if new == 0 else p.IRQ_RISING):
                try:
                    handler(p)
                except Exception as e:  # as a board does with an IRQ handler that raises: print it, go on
                    print("Unhandled exception in IRQ callback handler")
                    sys.print_exception(e)


class _Module:
    """A stand-in module: the real module's names, some replaced."""

    def __init__(self, real, **replaced):
        for name in dir(real):
            if not name.startswith("__"):
                setattr(self, name, getattr(real, name))
        for name in replaced:
            setattr(self, name, replaced[name])


def _install_module(names, module):
    for name in names:
        sys.modules[name] = module


def install(config):
    """Wraps machine, time, socket and network for the firmware; call before it imports them."""
    import ubench_pin  # split in modules: a small board compiles each on its own
    import ubench_net

    cfg.update(config)
    for b in cfg.get("buttons", ()):
        _buttons[b["pin"]] = b["released"]
    import machine
    pin = ubench_pin.wrap(machine.Pin)
    replaced = {"Pin": pin}
    if hasattr(machine, "Signal"):
        replaced["Signal"] = ubench_pin.signal(pin)
    _install_module(("machine", "umachine"), _Module(machine, **replaced))
    _install_module(("time", "utime"), _Module(time, **ubench_pin.sleeps(time)))
    try:
        import socket
    except ImportError:
        import usocket as socket
    _install_module(("socket", "usocket"), _Module(socket, getaddrinfo=ubench_net.getaddrinfo(socket.getaddrinfo)))
    try:
        import network
    except ImportError:
        network = None
    if network is not None:
        _install_module(("network",), _Module(network, WLAN=ubench_net.wrap_wlan(network.WLAN)))
    ubench_net.redirect_host_umqtt()
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
        w.connect(cfg["wifi"][0], cfg["wifi"][1])
        start = _ms()
        while not w.isconnected() and time.ticks_diff(_ms(), start) < timeout_ms:
            time.sleep_ms(100)
    report({"k": "wifi", "connected": bool(w.isconnected()), "ms": _ms()})
