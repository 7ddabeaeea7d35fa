# Conformance: subscribing to long topics. umqtt.simple before 1.8.0 packs
# SUBSCRIBE's remaining length into one byte, so from 123 bytes of topic the
# packet is broken and the broker drops the client; 1.8.0 encodes it as MQTT
# says. For each length: a fresh connection, subscribe, a message of our own
# on that topic, and what came of it.
import machine
import time
import ubinascii
from umqtt.simple import MQTTClient

SERVER = "broker.local"  # the bench points any name at its broker
UID = ubinascii.hexlify(machine.unique_id())
LENGTHS = (100, 122, 123, 127, 200, 300)

got = []
client = MQTTClient(b"conf-topics-" + UID, SERVER)
client.set_callback(lambda topic, msg: got.append(topic))


def topic_of(length):
    base = b"conf/topics/" + UID + b"/"
    return base + b"x" * (length - len(base))


def attempt(topic):
    client.connect()
    client.sock.settimeout(3)  # a broker that waits for the rest of a broken packet
    try:
        client.subscribe(topic)
    except OSError as e:
        return "subscribe OSError(%s)" % e.args[0]
    client.publish(topic, b"hi")
    try:
        for _ in range(10):
            client.sock.settimeout(0.1)
            try:
                client.wait_msg()
            except OSError as e:
                if e.args[0] not in (110, 11):  # timed out: nothing yet
                    raise
            if topic in got:
                return "ok"
        return "no message"
    except OSError as e:
        return "read OSError(%s)" % e.args[0]
    finally:
        client.sock.close()


for length in LENGTHS:
    print("result topic_%d %s" % (length, attempt(topic_of(length))))
print("conformance done")
