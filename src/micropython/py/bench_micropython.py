# The VM's micropython module, with mem_info() reporting the board's heap (the
# figures gc.mem_free() and gc.mem_alloc() give) in the shape a device prints.
import _bench
from micropython import *
import micropython as _vm

# The VM's C stack limit, as its own mem_info() prints it (a device's is its port's).
_STACK_LIMIT = 32768


def mem_info(*verbose):
    # A device's verbose form also draws its heap block by block; the board's heap has no such map here.
    free = _bench.heap(0)
    used = _bench.heap(1)
    print("stack: %d out of %d" % (_vm.stack_use(), _STACK_LIMIT))
    print("GC: total: %d, used: %d, free: %d" % (free + used, used, free))
    print(
        " No. of 1-blocks: %d, 2-blocks: %d, max blk sz: %d, max free sz: %d"
        % (_bench.heap(3), _bench.heap(4), _bench.heap(5), _bench.heap(2) // 16)
    )
