# Report the size of each message on "blob". umqtt.simple reads a payload
# into one bytes object: a message bigger than the largest free block of the
# heap raises MemoryError.
import gc
import machine
import ubinascii
from umqtt.simple import MQTTClient

try:
    from bench_params import PARAMS  # the scenario's params, written by the bench
except ImportError:
    PARAMS = {}

SERVER = "broker.local"  # the bench resolves any name (or address) to its broker


def on_message(topic, msg):
    print("received %d bytes" % len(msg))


client = MQTTClient(ubinascii.hexlify(machine.unique_id()), SERVER)
client.set_callback(on_message)
client.connect()
client.subscribe(PARAMS.get("topic", "blob").encode())
gc.collect()
print("subscribed, %d bytes free" % gc.mem_free())
while True:
    client.wait_msg()
