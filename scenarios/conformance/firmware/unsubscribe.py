# Conformance: unsubscribe(topic), which umqtt.simple has since 1.7.0: it
# waits for the UNSUBACK, and messages stop arriving. Older releases have no
# such method (AttributeError).
import machine
import time
import ubinascii
from umqtt.simple import MQTTClient

SERVER = "broker.local"  # the bench points any name at its broker
UID = ubinascii.hexlify(machine.unique_id())
TOPIC = b"conf/unsub/" + UID

got = []
client = MQTTClient(b"conf-unsub-" + UID, SERVER)
client.set_callback(lambda topic, msg: got.append(msg))


def arrives(payload):
    # Publish to our own topic, then read for up to a second.
    client.publish(TOPIC, payload)
    for _ in range(10):
        client.check_msg()
        if payload in got:
            return "yes"
        time.sleep_ms(100)
    return "no"


client.connect()
client.subscribe(TOPIC)
print("result subscribed %s" % arrives(b"before"))
try:
    client.unsubscribe(TOPIC)
    print("result unsubscribe ok")
    print("result after_unsubscribe %s" % arrives(b"after"))
except AttributeError:
    print("result unsubscribe AttributeError")
client.disconnect()
print("conformance done")
