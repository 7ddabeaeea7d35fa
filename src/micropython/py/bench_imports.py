# Imports as a board's stock firmware answers them. The VM is MicroPython's
# WebAssembly build: it has a JavaScript bridge (js, jsffi) and freezes
# micropython-lib packages (logging, functools, datetime...) that the
# ESP8266, ESP32 and Pico W firmware do not carry. A firmware importing one
# of those must fail here as it fails on the device, with ImportError, unless
# the board carries its own copy (lib/logging.py installed with mip, say):
# then that copy loads, as on the device, and not the VM's frozen one.
#
# The hook runs for every import, so its usual path allocates nothing: a
# device's `import time` takes no heap.
import builtins
import sys

# Built into the VM's C code: never found in the board's files.
_VM_BUILTIN = ("js", "jsffi")
_VM_BUILTIN_DOTTED = ("js.", "jsffi.")
# The VM's own asyncio is built on them: its imports of them go through.
_VM_USERS = ("asyncio",)
_VM_USERS_DOTTED = ("asyncio.",)
# Frozen into the VM, absent from the boards' firmware.
_VM_FROZEN = ("abc", "base64", "copy", "datetime", "fnmatch", "functools", "gzip", "hmac", "html", "inspect", "itertools", "locale", "logging", "operator", "pathlib", "stat", "tarfile", "types", "unittest", "uu", "zlib")
_VM_FROZEN_DOTTED = tuple(n + "." for n in _VM_FROZEN)
# Submodules of the VM's frozen os and collections packages; a device's are C modules without them.
_VM_SUBMODULES = ("os.path", "collections.defaultdict")
_FROM = (("os", "path"), ("collections", "defaultdict"))

_vm_import = builtins.__import__
_path = sys.path
_FROZEN = ".frozen"
# While a board's own copy of a frozen-only package loads, the VM's frozen
# modules are out of sys.path; the imports that copy makes get them back.
_hiding = [0]


def _vm_user(globals):
    importer = globals.get("__name__", "") if globals else ""
    if importer in _VM_USERS:
        return True
    for prefix in _VM_USERS_DOTTED:
        if importer.startswith(prefix):
            return True
    return False


def _frozen_only(name):
    if name in _VM_FROZEN:
        return True
    for prefix in _VM_FROZEN_DOTTED:
        if name.startswith(prefix):
            return True
    return False


def _without_frozen(name, globals, locals, fromlist, level):
    at = _path.index(_FROZEN) if _FROZEN in _path else -1
    if at >= 0:
        del _path[at]
    _hiding[0] += 1
    try:
        return _vm_import(name, globals, locals, fromlist, level)
    finally:
        _hiding[0] -= 1
        if at >= 0:
            _path.insert(at, _FROZEN)


def _with_frozen(name, globals, locals, fromlist, level):
    back = _FROZEN not in _path
    if back:
        _path.insert(1, _FROZEN)
    try:
        return _vm_import(name, globals, locals, fromlist, level)
    finally:
        if back:
            _path.remove(_FROZEN)


def _import(name, globals=None, locals=None, fromlist=None, level=0):
    if level == 0:
        if name in _VM_BUILTIN and not _vm_user(globals):
            raise ImportError("no module named '%s'" % name)
        for prefix in _VM_BUILTIN_DOTTED:
            if name.startswith(prefix) and not _vm_user(globals):
                raise ImportError("no module named '%s'" % prefix[:-1])
        for gone in _VM_SUBMODULES:
            if name == gone:
                raise ImportError("no module named '%s'" % gone)
        if fromlist:
            for package, attr in _FROM:
                if name == package and attr in fromlist:
                    raise ImportError("can't import name %s" % attr)
        if _frozen_only(name):
            return _without_frozen(name, globals, locals, fromlist, level)
    if _hiding[0]:
        return _with_frozen(name, globals, locals, fromlist, level)
    return _vm_import(name, globals, locals, fromlist, level)


builtins.__import__ = _import
