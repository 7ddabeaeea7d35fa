# select on the emulated board: poll() over the board's sockets, waiting on
# the virtual clock (the VM's built-in select would spin on the wall clock).
from _benchcore import wait

POLLIN = 1
POLLOUT = 4
POLLERR = 8
POLLHUP = 16


def _key(obj):
    return -1 if getattr(obj, "_stdin", False) else getattr(obj, "_h", None)


class poll:
    def __init__(self):
        self._objs = {}

    def register(self, obj, eventmask=POLLIN | POLLOUT):
        if getattr(obj, "_stdin", False):
            # A served board's sys.stdin (serve-board): ready when the host has sent bytes.
            self._objs[-1] = [obj, eventmask]
            return
        if not hasattr(obj, "_h"):
            raise TypeError("poll: only sockets of the socket module are emulated")
        self._objs[obj._h] = [obj, eventmask]

    def modify(self, obj, eventmask):
        e = self._objs.get(_key(obj))
        if e is None:
            raise OSError(2)
        e[1] = eventmask

    def unregister(self, obj):
        self._objs.pop(_key(obj), None)

    def _wait(self, timeout):
        if timeout is None:
            timeout = -1
        stdin = self._objs.get(-1)
        if stdin is not None and not getattr(stdin[0], "_quiet", False):
            return self._wait_with_stdin(stdin, timeout)
        args = []
        for h, e in self._objs.items():
            if h != -1:
                args.append(h)
                args.append(e[1])
        got = wait("select.poll", int(timeout), *args).split()
        return [(self._objs[int(got[i])][0], int(got[i + 1])) for i in range(0, len(got), 2)]

    def _wait_with_stdin(self, stdin, timeout):
        # stdin and sockets together: look at stdin, then wait on the sockets a little, until the timeout.
        import time

        start = time.ticks_ms()
        while True:
            ready = []
            if stdin[1] & POLLIN and stdin[0].ready():
                ready.append((stdin[0], POLLIN))
            left = -1 if timeout < 0 else max(0, timeout - time.ticks_diff(time.ticks_ms(), start))
            slice_ms = 0 if ready or left == 0 else (10 if left < 0 else min(10, left))
            args = []
            for h, e in self._objs.items():
                if h != -1:
                    args.append(h)
                    args.append(e[1])
            if args:
                got = wait("select.poll", slice_ms, *args).split()
                ready += [(self._objs[int(got[i])][0], int(got[i + 1])) for i in range(0, len(got), 2)]
            elif slice_ms:
                time.sleep_ms(slice_ms)
            if ready or left == 0:
                return ready

    def poll(self, timeout=-1):
        return self._wait(timeout)

    def ipoll(self, timeout=-1, flags=0):
        for obj, ev in self._wait(timeout):
            if flags & 1:
                # One-shot: events for this object stay off until modify().
                self._objs[_key(obj)][1] = 0
            yield (obj, ev)


def select(rlist, wlist, xlist, timeout=None):
    p = poll()
    for o in rlist:
        p.register(o, POLLIN)
    for o in wlist:
        e = p._objs.get(getattr(o, "_h", None))
        if e is None:
            p.register(o, POLLOUT)
        else:
            e[1] |= POLLOUT
    ready = p.poll(-1 if timeout is None else int(timeout * 1000))
    r = [o for o, ev in ready if ev & (POLLIN | POLLERR | POLLHUP) and o in rlist]
    w = [o for o, ev in ready if ev & (POLLOUT | POLLERR | POLLHUP) and o in wlist]
    return r, w, []
