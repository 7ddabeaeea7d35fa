# Conformance: the last will. A client that vanishes without DISCONNECT (its
# socket closes under it) gets its will published by the broker; one that
# disconnects cleanly does not. A second client on the same board listens.
import machine
import time
import ubinascii
from umqtt.simple import MQTTClient

SERVER = "broker.local"  # the bench points any name at its broker
UID = ubinascii.hexlify(machine.unique_id())
WILL = b"conf/will/" + UID

heard = []
listener = MQTTClient(b"conf-will-listen-" + UID, SERVER)
listener.set_callback(lambda topic, msg: heard.append(msg))
listener.connect()
listener.subscribe(WILL)


def will_heard(payload, ending):
    speaker = MQTTClient(b"conf-will-speak-" + UID, SERVER)
    speaker.set_last_will(WILL, payload)
    speaker.connect()
    ending(speaker)
    for _ in range(20):
        listener.check_msg()
        if payload in heard:
            return "published"
        time.sleep_ms(100)
    return "none"


print("result abrupt_drop %s" % will_heard(b"gone", lambda c: c.sock.close()))
print("result clean_disconnect %s" % will_heard(b"bye", lambda c: c.disconnect()))
listener.disconnect()
print("conformance done")
