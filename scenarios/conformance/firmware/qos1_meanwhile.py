# Conformance: a QoS 1 publish waits for its PUBACK in wait_msg(), and the
# messages that arrive meanwhile go to the callback before publish() returns.
# The board subscribes to a topic of its own and sends two QoS 0 messages to
# it; they come back and wait, unread, on the socket. Then a QoS 1 publish
# (to a topic nobody subscribes to) has to read both on its way to the PUBACK.
import machine
import time
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
client.subscribe(BASE + b"/a")
client.publish(BASE + b"/a", b"m1")
client.publish(BASE + b"/a", b"m2")
time.sleep_ms(500)  # both copies are back by now, unread
state["in_publish"] = True
client.publish(BASE + b"/b", b"m3", qos=1)
state["in_publish"] = False
# Anything still to come arrives within a second.
for _ in range(10):
    client.check_msg()
    time.sleep_ms(100)
client.disconnect()
during = [m.decode() for m, p in seen if p]
after = [m.decode() for m, p in seen if not p]
print("result during_publish %s" % (",".join(during) or "-"))
print("result after_publish %s" % (",".join(after) or "-"))
print("result packet_id %d" % client.pid)
print("conformance done")
