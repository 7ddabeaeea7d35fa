# Conformance: the session-present bit of CONNACK, as connect() returns it.
# A clean connect first clears whatever the broker kept for this client id;
# a persistent connect then finds no session (0) and subscribes, so the
# broker keeps one; the next persistent connect finds it (1). A last clean
# connect finds none (0) and leaves nothing behind.
import machine
import ubinascii
from umqtt.simple import MQTTClient

SERVER = "broker.local"  # the bench points any name at its broker
CLIENT_ID = b"conf-session-" + ubinascii.hexlify(machine.unique_id())
TOPIC = b"conf/session/" + ubinascii.hexlify(machine.unique_id())

client = MQTTClient(CLIENT_ID, SERVER)
client.set_callback(lambda topic, msg: None)
bits = []
for clean in (True, False, False, True):
    bits.append(client.connect(clean_session=clean))
    if not clean:
        client.subscribe(TOPIC, 1)
    client.disconnect()
print("result session_present %s" % ",".join(str(int(b)) for b in bits))
print("conformance done")
