# Reports from instrumented firmware to umqtt-bench, on the serial line
# beside the firmware's own prints. Frame: \x1e 'U' <4 hex: payload length
# in bytes> <JSON payload> <2 hex: payload bytes summed mod 256> \x1f
# (decoded by src/bridge/frames.ts). Written by the umqtt-bench project.

import json
import sys


def frame(obj):
    payload = json.dumps(obj)
    data = payload.encode()
    total = 0
    for b in data:
        total = (total + b) & 0xFF
    return "\x1eU%04x%s%02x\x1f" % (len(data), payload, total)


def report(obj):
    sys.stdout.write(frame(obj))
