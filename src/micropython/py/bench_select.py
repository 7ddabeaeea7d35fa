# select on the emulated board: poll() over the board's sockets, waiting on
# the virtual clock (the VM's built-in select would spin on the wall clock).
from _benchcore import wait

POLLIN = 1
POLLOUT = 4
POLLERR = 8
POLLHUP = 16


class poll:
    def __init__(self):
        self._objs = {}

    def register(self, obj, eventmask=POLLIN | POLLOUT):
        if not hasattr(obj, "_h"):
            raise TypeError("poll: only sockets of the socket module are emulated")
        self._objs[obj._h] = [obj, eventmask]

    def modify(self, obj, eventmask):
        e = self._objs.get(getattr(obj, "_h", None))
        if e is None:
            raise OSError(2)
        e[1] = eventmask

    def unregister(self, obj):
        self._objs.pop(getattr(obj, "_h", None), None)

    def _wait(self, timeout):
        if timeout is None:
            timeout = -1
        args = []
        for h, e in self._objs.items():
            args.append(h)
            args.append(e[1])
        got = wait("select.poll", int(timeout), *args).split()
        return [(self._objs[int(got[i])][0], int(got[i + 1])) for i in range(0, len(got), 2)]

    def poll(self, timeout=-1):
        return self._wait(timeout)

    def ipoll(self, timeout=-1, flags=0):
        for obj, ev in self._wait(timeout):
            if flags & 1:
                # One-shot: events for this object stay off until modify().
                self._objs[obj._h][1] = 0
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
