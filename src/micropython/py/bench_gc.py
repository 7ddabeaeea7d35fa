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

# The firmware's threshold as a device reports it: -1 (off) until set, then in
# whole 16-byte blocks. The VM's own threshold also serves the heap budget (a
# collection every 1/8 of the budget, read the first time this is called),
# so it is the lower of the two.
_threshold = [-1]
_budget_threshold = [None]


def threshold(*amount):
    if not amount:
        return _threshold[0]
    n = amount[0]
    if _budget_threshold[0] is None:
        _budget_threshold[0] = _vm_gc.threshold()
    own = _budget_threshold[0]
    if n < 0:
        _threshold[0] = -1
        _vm_gc.threshold(own)
    else:
        _threshold[0] = n // 16 * 16
        _vm_gc.threshold(n if own < 0 or n < own else own)
