# os / uos on the board's filesystem: the board's files live in the VM's own
# filesystem; this wraps the VM's os so errors carry the device's errno
# values (not the WebAssembly C library's), stat() has a device's shape, the
# VM's own folders do not show, and uname() names the board.
import builtins
import os as _vm_os
from _benchcore import call

sep = "/"

# The WebAssembly C library's errno -> MicroPython's on the device.
_ERRNO = {44: 2, 20: 17, 55: 39, 54: 20, 31: 21, 28: 22, 2: 13, 8: 9, 63: 1, 10: 16, 51: 28}
# Folders of the VM itself at the root, not the board's.
_HIDDEN = ("tmp", "home", "dev", "proc", ".bench")

_vm_open = builtins.open


def _fix(e):
    if e.args and type(e.args[0]) is int:
        return OSError(_ERRNO.get(e.args[0], e.args[0]))
    return e


def _run(f, *a):
    try:
        return f(*a)
    except OSError as e:
        raise _fix(e)


def open(file, mode="r", *args, **kw):
    return _run(_vm_open, file, mode, *args, **kw)


builtins.open = open


def _at_root(path):
    return path == "/" or (path in ("", ".") and _vm_os.getcwd() == "/")


def ilistdir(path=""):
    # (name, type, inode, size) as LittleFS and FAT give them (mpremote's ls shows the size).
    root = _at_root(path)
    for e in _run(_vm_os.ilistdir, path or "."):
        if not (root and e[0] in _HIDDEN):
            size = 0 if e[1] == 0x4000 else _vm_os.stat((path or ".") + "/" + e[0])[6]
            yield (e[0], e[1], 0, size)


def listdir(path=""):
    return [e[0] for e in ilistdir(path)]


def stat(path):
    s = _run(_vm_os.stat, path)
    # As LittleFS/FAT report it: the type bits, size, and times the bench does not keep.
    mode = 0x4000 if s[0] & 0x4000 else 0x8000
    return (mode, 0, 0, 0, 0, 0, 0 if mode == 0x4000 else s[6], 0, 0, 0)


def statvfs(path):
    return _run(_vm_os.statvfs, path)


def remove(path):
    _run(_vm_os.remove, path)


unlink = remove


def rename(old, new):
    _run(_vm_os.rename, old, new)


def mkdir(path):
    _run(_vm_os.mkdir, path)


def rmdir(path):
    _run(_vm_os.rmdir, path)


def chdir(path):
    _run(_vm_os.chdir, path)


def getcwd():
    return _vm_os.getcwd()


def sync():
    pass


class _Uname(tuple):
    sysname = property(lambda s: s[0])
    nodename = property(lambda s: s[1])
    release = property(lambda s: s[2])
    version = property(lambda s: s[3])
    machine = property(lambda s: s[4])


def uname():
    return _Uname(call("os.uname").split("\n"))


_seed = [0]


def urandom(n):
    # Deterministic per board and run (a device's is hardware noise): the same seed, the same bytes.
    if not _seed[0]:
        _seed[0] = call("os.seed") or 1
    out = bytearray(n)
    x = _seed[0]
    for i in range(n):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out[i] = x >> 16 & 0xFF
    _seed[0] = x or 1
    return bytes(out)


def dupterm(stream=None, index=0):
    return None
