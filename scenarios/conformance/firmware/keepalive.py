# Conformance: umqtt.simple never pings on its own. With keepalive 2 s a
# client that only sleeps is dropped by the broker after 1.5 x 2 s, and its
# next read fails; a client that calls ping() every second stays connected.
import machine
import time
import ubinascii
from umqtt.simple import MQTTClient

SERVER = "broker.local"  # the bench points any name at its broker
UID = ubinascii.hexlify(machine.unique_id())
KEEPALIVE = 2


def outcome(client):
    # A read after the idle time: None (nothing pending) means still connected.
    try:
        client.check_msg()
        return "alive"
    except OSError as e:
        return "OSError(%s)" % e.args[0]


idle = MQTTClient(b"conf-ka-idle-" + UID, SERVER, keepalive=KEEPALIVE)
idle.set_callback(lambda topic, msg: None)
idle.connect()
time.sleep(4)
print("result idle %s" % outcome(idle))
idle.sock.close()

pinger = MQTTClient(b"conf-ka-ping-" + UID, SERVER, keepalive=KEEPALIVE)
pinger.set_callback(lambda topic, msg: None)
pinger.connect()
for _ in range(4):
    time.sleep(1)
    pinger.ping()
    pinger.check_msg()  # consumes the PINGRESP
print("result pinging %s" % outcome(pinger))
pinger.disconnect()
print("conformance done")
