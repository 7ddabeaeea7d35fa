# gc with figures from the board's heap budget; collect() collects for real.
import _bench
import gc as _vm_gc


def collect():
    _bench.gc_collect()


def mem_free():
    return _bench.heap(0)


def mem_alloc():
    return _bench.heap(1)


enable = _vm_gc.enable
disable = _vm_gc.disable
isenabled = _vm_gc.isenabled
threshold = _vm_gc.threshold
