# Conformance: a QoS 1 publish waits for its PUBACK in wait_msg(), and the
# messages that arrive meanwhile go to the callback before publish() returns.
# The board subscribes to its own topics, sends two QoS 0 messages (they come
# back while nothing reads), then one QoS 1: publish() has to read the two
# earlier messages on its way to the PUBACK.
import machine
import ubinascii
from umqtt.simple import MQTTClient

SERVER = "broker.local"  # the bench points any name at its broker
UID = ubinascii.hexlify(machine.unique_id())
BASE = b"conf/qos1/" + UID

seen = []
state = {"in_publish": False}


def on_message(topic, msg):
    seen.append((msg, state["in_publish"]))


client = MQTTClient(b"conf-qos1-" + UID, SERVER)
client.set_callback(on_message)
client.connect()
client.subscribe(BASE + b"/#", 1)
client.publish(BASE + b"/a", b"m1")
client.publish(BASE + b"/a", b"m2")
state["in_publish"] = True
client.publish(BASE + b"/b", b"m3", qos=1)
state["in_publish"] = False
# The QoS 1 message's own copy may come after its PUBACK: read until it has.
client.sock.settimeout(5)
try:
    for _ in range(5):
        if len(seen) >= 3:
            break
        client.wait_msg()
except OSError as e:
    print("result read_error %r" % (e,))
client.disconnect()
during = [m.decode() for m, p in seen if p]
after = [m.decode() for m, p in seen if not p]
print("result during_publish %s" % (",".join(during) or "-"))
print("result after_publish %s" % (",".join(after) or "-"))
print("result packet_id %d" % client.pid)
print("conformance done")
