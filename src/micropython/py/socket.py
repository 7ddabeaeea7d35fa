# socket on the emulated board: TCP sockets on the board's simulated network
# (its latency, faults and errnos). Blocking calls block this VM on the
# virtual clock; received bytes are allocated in the VM's own heap.
from _benchcore import call, callv, wait

AF_INET = 2
AF_INET6 = 10
SOCK_STREAM = 1
SOCK_DGRAM = 2
SOCK_RAW = 3
IPPROTO_IP = 0
IPPROTO_TCP = 6
IPPROTO_UDP = 17
SOL_SOCKET = 1
SO_REUSEADDR = 4
SO_KEEPALIVE = 8
TCP_NODELAY = 1


def getaddrinfo(host, port, af=0, type=0, proto=0, flags=0):
    port, ip = wait("socket.getaddrinfo", host, port).split(" ", 1)
    return [(AF_INET, SOCK_STREAM, IPPROTO_TCP, "", (ip, int(port)))]


def _buffer(n):
    # A device's read(n) and recv(n) allocate their n-byte buffer before
    # reading, whatever arrives: a MemoryError then leaves every byte in the
    # socket. The same allocation here, dropped at once (the bytes the host
    # returns are allocated next, in its place after a collection if need be).
    if n > 0:
        b = bytes(n)
        b = None


def _buf(b):
    if isinstance(b, str):
        return b.encode()
    return b


class socket:
    def __init__(self, af=AF_INET, type=SOCK_STREAM, proto=0):
        self._h = call("socket.new", type)

    def connect(self, addr):
        wait("socket.connect", self._h, addr[0], addr[1])

    def settimeout(self, t):
        call("socket.settimeout", self._h, t)

    def setblocking(self, flag):
        call("socket.setblocking", self._h, bool(flag))

    def setsockopt(self, level, opt, value):
        pass

    def read(self, n=-1):
        _buffer(n)
        try:
            return wait("socket.read", self._h, n)
        except MemoryError:
            self._unread(n)
            raise

    def _unread(self, n):
        # The received bytes did not fit the heap after all (the buffer did):
        # as on a device, they are still in the socket.
        if n >= 0:
            callv("socket.unread", (self._h,))

    def readinto(self, buf, n=-1):
        if n < 0 or n > len(buf):
            n = len(buf)
        data = wait("socket.read", self._h, n)
        if data is None:
            return None
        buf[: len(data)] = data
        return len(data)

    def readline(self):
        # As a device's stream readline: one byte at a time up to b"\n".
        line = b""
        while True:
            c = wait("socket.read", self._h, 1)
            if not c:
                return line if c is not None or line else None
            line += c
            if c == b"\n":
                return line

    def recv(self, n):
        _buffer(n)
        try:
            return wait("socket.recv", self._h, n)
        except MemoryError:
            self._unread(n)
            raise

    def write(self, buf):
        return wait("socket.write", self._h, _buf(buf))

    def send(self, buf):
        return wait("socket.write", self._h, _buf(buf))

    def sendall(self, buf):
        wait("socket.write", self._h, _buf(buf))

    def close(self):
        call("socket.close", self._h)

    def makefile(self, mode="rb", buffering=0):
        return self

    def fileno(self):
        return self._h

    def bind(self, addr):
        raise OSError(95)

    def listen(self, backlog=0):
        raise OSError(95)

    def accept(self):
        raise OSError(95)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

