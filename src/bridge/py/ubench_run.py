# Runs a scenario's firmware on the board for umqtt-bench, as the board would
# run it after a reset: the firmware's boot.py then main.py (as __main__), from
# the bench's folder, after ubench_shim has wrapped machine, socket and network.
# Reports the boot, the firmware's end (or its exception) and heap figures as
# frames on the serial line. Written by the umqtt-bench project.

import sys
import os
import gc
import json
import time
from ubench_frame import report
import ubench_shim

HOME = "/umqtt_bench"
FIRMWARE = HOME + "/fw"


def _run_file(name):
    with open(name) as f:
        source = f.read()
    scope = {"__name__": "__main__" if name == "main.py" else name[:-3], "__file__": name}
    try:
        code = compile(source, name, "exec")
    except NameError:  # a port built without compile(): tracebacks then say <string>
        code = source
    del source
    exec(code, scope)


def _exists(name):
    try:
        os.stat(name)
        return True
    except OSError:
        return False


def main():
    report({"k": "boot", "ms": time.ticks_ms()})
    try:
        with open(HOME + "/cfg.json") as f:
            cfg = json.load(f)
        network = ubench_shim.install(cfg)
        sys.path.insert(0, FIRMWARE + "/lib")
        sys.path.insert(0, FIRMWARE)
        os.chdir(FIRMWARE)
        gc.collect()
        ubench_shim.heap("boot")
        ubench_shim.join_wifi(network)
        for name in ("boot.py", "main.py"):
            if _exists(name):
                _run_file(name)
    except KeyboardInterrupt:
        report({"k": "stopped", "ms": time.ticks_ms()})
        raise
    except BaseException as e:
        sys.print_exception(e)
        text = str(e)
        report({"k": "crash", "exc": type(e).__name__ + (": " + text if text else ""), "ms": time.ticks_ms()})
        ubench_shim.heap("crash")
        return
    report({"k": "exit", "ms": time.ticks_ms()})
    ubench_shim.heap("exit")


main()
