# umqtt-bench's network side of a scenario's firmware (see ubench_shim):
# getaddrinfo answers every name with the bench's broker, WLAN connects with
# the bench's credentials. Written by the umqtt-bench project.

import sys
from ubench_frame import report
from ubench_shim import cfg, heap, _ms


def getaddrinfo(real):
    def getaddrinfo(host, port, *rest):
        report({"k": "dns", "host": str(host), "port": port, "ms": _ms()})
        heap("connect")
        return real(cfg["host"], cfg["port"], *rest)

    return getaddrinfo


class _Wlan:
    """A WLAN whose connect() uses the bench's credentials."""

    def __init__(self, wlan):
        self._wlan = wlan

    def connect(self, ssid=None, key=None, *rest, **kw):
        return self._wlan.connect(cfg["wifi"][0], cfg["wifi"][1], *rest, **kw)

    def __getattr__(self, name):
        return getattr(self._wlan, name)


def wrap_wlan(real):
    def WLAN(*args):
        w = real(*args)
        return _Wlan(w) if cfg.get("wifi") else w

    return WLAN


def redirect_host_umqtt():
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


