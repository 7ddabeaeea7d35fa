# Conformance: umqtt.robust reconnects with connect(False) and never
# subscribes again. After a clean first session the broker has forgotten the
# subscription, so messages stop arriving once the connection has dropped.
# The board drops its own connection (the socket closes under the client)
# and checks, with its own messages, what arrives before and after.
import machine
import time
import ubinascii
from umqtt.robust import MQTTClient

SERVER = "broker.local"  # the bench points any name at its broker
UID = ubinascii.hexlify(machine.unique_id())
TOPIC = b"conf/robust/" + UID

got = []
client = MQTTClient(b"conf-robust-" + UID, SERVER)
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


client.connect()  # clean session
client.subscribe(TOPIC)
print("result before_drop %s" % arrives(b"before"))
client.sock.close()  # the connection is gone; robust finds out on its next use
print("result after_reconnect %s" % arrives(b"after"))
client.disconnect()
print("conformance done")
