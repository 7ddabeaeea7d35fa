# umqtt.simple's MQTTClient: each method runs our host client for this board
# (same bytes on the wire); callbacks run here, in the VM.
from _benchcore import call, wait, waitv, ref, register_exc

# Marks an argument the firmware did not pass.
_ABSENT = object()


class MQTTException(Exception):
    pass


register_exc(MQTTException)


def _allocate(n):
    # The bytes object umqtt's sock.read(n) allocates for a received topic or
    # payload, made before the host reads them: a MemoryError leaves them unread.
    b = bytes(n)
    b = None


class _SockCalls:
    # Lets the host drive a socket object the firmware supplied.
    def __init__(self, sock):
        self.sock = sock

    def __call__(self, method, a=None):
        m = getattr(self.sock, method)
        return m() if method == "close" else m(a)


class _HostSocket:
    # client.sock while the host's own socket is in use.
    def __init__(self, h):
        self._h = h

    def settimeout(self, t):
        call("umqtt.sock", self._h, "settimeout", t)

    def setblocking(self, flag):
        call("umqtt.sock", self._h, "setblocking", flag)

    def close(self):
        call("umqtt.sock", self._h, "close")


class MQTTClient:
    _kind = "simple"

    def __init__(self, client_id, server, port=0, user=None, password=None, keepalive=0, ssl=None, ssl_params={}):
        if port == 0:
            port = 8883 if ssl else 1883
        self.client_id = client_id
        self.server = server
        self.port = port
        self.user = user
        self.pswd = password
        self.keepalive = keepalive
        self.ssl = ssl
        self.ssl_params = ssl_params
        self.cb = None
        self._sock = None
        self._h = call("umqtt.new", self._kind, client_id, server, port, user, password, keepalive, bool(ssl), ref(_allocate))

    @property
    def sock(self):
        if self._sock is not None:
            return self._sock
        return _HostSocket(self._h) if call("umqtt.get", self._h, "connected") else None

    @sock.setter
    def sock(self, s):
        self._sock = s
        call("umqtt.set_sock", self._h, 0 if s is None else ref(_SockCalls(s)))

    @property
    def pid(self):
        return call("umqtt.get", self._h, "pid")

    def _run(self, method, args=()):
        return waitv("umqtt.call", (self._h, method) + args)

    def set_callback(self, f):
        self.cb = f
        call("umqtt.set_callback", self._h, 0 if f is None else ref(f))

    def set_last_will(self, topic, msg, retain=False, qos=0):
        call("umqtt.call", self._h, "set_last_will", topic, msg, retain, qos)

    def connect(self, clean_session=_ABSENT, timeout=_ABSENT):
        # The host opens its own socket; a firmware-supplied one is kept only until then.
        self._sock = None
        # Only the arguments the firmware gave travel: before 1.5.0 connect()
        # takes no timeout, and the host raises the device's TypeError for one.
        if timeout is not _ABSENT:
            args = (True if clean_session is _ABSENT else clean_session, timeout)
        elif clean_session is not _ABSENT:
            args = (clean_session,)
        else:
            args = ()
        return self._run("connect", args)

    def disconnect(self):
        self._run("disconnect")

    def ping(self):
        self._run("ping")

    def publish(self, topic, msg, retain=False, qos=0):
        self._run("publish", (topic, msg, retain, qos))

    def subscribe(self, topic, qos=0):
        self._run("subscribe", (topic, qos))

    def unsubscribe(self, topic):
        self._run("unsubscribe", (topic,))

    def wait_msg(self):
        return self._run("wait_msg")

    def check_msg(self):
        return self._run("check_msg")
