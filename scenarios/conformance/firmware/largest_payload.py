# Conformance: the largest message payload the board can receive.
# umqtt.simple reads a payload into one new bytes object, so the limit is the
# largest block the heap can give at that moment. Found by bisection: for each
# probe a second connection of the board sends it n bytes through the broker,
# written 256 bytes at a time so that sending takes no heap, and umqtt reads
# them. Between a size known to fit and the free heap (which nothing bigger
# can fit), ceil(log2(hi - lo)) probes settle it to the byte.
import gc
import machine
import socket
import struct
import ubinascii
from umqtt.simple import MQTTClient

SERVER = "broker.local"  # the bench points any name at its broker
UID = ubinascii.hexlify(machine.unique_id())
TOPIC = b"conf/payload/" + UID
LOW = 1024  # a size every board receives

sizes = []
client = MQTTClient(b"conf-payload-" + UID, SERVER)
client.set_callback(lambda topic, msg: sizes.append(len(msg)))


def start():
    client.connect()
    client.subscribe(TOPIC)
    client.sock.settimeout(20)


def send(n):
    # A minimal MQTT 3.1.1 publisher of our own: CONNECT, one QoS 0 PUBLISH
    # whose payload is n zero bytes, DISCONNECT.
    s = socket.socket()
    s.connect(socket.getaddrinfo(SERVER, 1883)[0][-1])
    cid = b"conf-payload-tx-" + UID
    s.write(b"\x10" + bytes([12 + len(cid)]) + b"\x00\x04MQTT\x04\x02\x00\x00" + struct.pack("!H", len(cid)) + cid)
    ack = s.read(4)
    if ack != b"\x20\x02\x00\x00":
        s.close()
        raise OSError("CONNACK %r" % ack)
    head = bytearray(b"\x30")
    left = 2 + len(TOPIC) + n
    while True:
        byte = left & 0x7F
        left >>= 7
        head.append(byte | 0x80 if left else byte)
        if not left:
            break
    s.write(head)
    s.write(struct.pack("!H", len(TOPIC)) + TOPIC)
    chunk = bytes(256)
    left = n
    while left >= 256:
        s.write(chunk)
        left -= 256
    if left:
        s.write(chunk[:left])
    s.write(b"\xe0\x00")
    s.close()


def receives(n):
    del sizes[:]
    send(n)
    gc.collect()
    try:
        client.wait_msg()
    except MemoryError:
        # The rest of the message is still on the socket: start a new connection.
        client.sock.close()
        gc.collect()
        start()
        return "MemoryError"
    return "received" if sizes == [n] else "lost"


def steps_for(span):
    k = 0
    while (1 << k) < span:
        k += 1
    return k


start()
gc.collect()
free = gc.mem_free()
print("result mem_free %d" % free)
lo, hi = LOW, free + 1
first = receives(lo)
if first != "received":
    print("result largest_received below %d (%s)" % (lo, first))
else:
    # The free heap bounds what fits; make sure of it (at most 3 doublings).
    for _ in range(3):
        what = receives(hi)
        print("probe upper bound: %d B %s" % (hi, what))
        if what != "received":
            break
        lo, hi = hi, hi * 2
    steps = steps_for(hi - lo)
    print("info bisection %d..%d B in %d probes" % (lo, hi, steps))
    for i in range(steps):
        if hi - lo <= 1:
            break
        mid = (lo + hi) // 2
        what = receives(mid)
        print("probe %d/%d: %d B %s" % (i + 1, steps, mid, what))
        if what == "received":
            lo = mid
        else:
            hi = mid
    print("result largest_received %d" % lo)
client.disconnect()
print("conformance done")
