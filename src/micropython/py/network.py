# network on the emulated board: WLAN bound to the board's simulated Wi-Fi.
from _benchcore import call

STA_IF = 0
AP_IF = 1

from bench_port import WLAN_STATUS as _status

for _k in _status:
    globals()[_k] = _status[_k]
del _k, _status


class WLAN:
    IF_STA = STA_IF
    IF_AP = AP_IF

    def __init__(self, interface_id=STA_IF):
        self._if = interface_id
        self._conf = {}

    def active(self, is_active=None):
        if is_active is None:
            return call("network.active", self._if, None)
        call("network.active", self._if, bool(is_active))

    def connect(self, ssid=None, key=None, *, bssid=None):
        if not call("network.connect", ssid):
            raise OSError("Wifi Not Started")

    def disconnect(self):
        call("network.disconnect")

    def isconnected(self):
        return call("network.isconnected", self._if)

    def status(self, param=None):
        if param is None:
            return call("network.status", self._if)
        if param == "rssi":
            return call("network.rssi")
        raise ValueError("unknown status param")

    def ifconfig(self, config=None):
        if config is None:
            return tuple(call("network.ifconfig", self._if).split(" "))
        call("network.set_ip", config[0])

    def config(self, *args, **kw):
        if kw:
            self._conf.update(kw)
            return None
        if len(args) != 1:
            raise TypeError("can query only one param")
        p = args[0]
        if p == "mac":
            return call("network.mac", self._if)
        if p in ("ssid", "essid"):
            return self._conf.get(p, call("network.ssid"))
        if p in self._conf:
            return self._conf[p]
        if p == "channel":
            return 1
        if p in ("hostname", "dhcp_hostname"):
            return "mpy-bench"
        if p == "txpower":
            return 20
        raise ValueError("unknown config param")

    def scan(self):
        # One access point: the one the bench's network stands for.
        return [(b"bench", call("network.mac", AP_IF), 1, -55, 3, False)]


def hostname(name=None):
    if name is None:
        return "mpy-bench"
