# A keepalive of 10 s and no ping(): umqtt never pings on its own, so the
# broker drops this idle client after 15 s and the next read raises OSError.
import machine
import ubinascii
from umqtt.simple import MQTTClient

try:
    from bench_params import PARAMS  # the scenario's params, written by the bench
except ImportError:
    PARAMS = {}

SERVER = "broker.local"  # the bench resolves any name (or address) to its broker
KEEPALIVE = PARAMS.get("keepalive", 10)

client = MQTTClient(ubinascii.hexlify(machine.unique_id()), SERVER, keepalive=KEEPALIVE)
client.set_callback(lambda topic, msg: print((topic, msg)))
client.connect()
client.subscribe(b"quiet")
print("Connected with keepalive %d" % KEEPALIVE)
while True:
    client.wait_msg()
