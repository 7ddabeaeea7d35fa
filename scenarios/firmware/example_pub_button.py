# Publish "toggle" to "led" each time the active-low button on GPIO0 is
# pressed, checking it every 20 ms.
import time
import ubinascii
import machine
from machine import Pin
from umqtt.simple import MQTTClient

try:
    from bench_params import PARAMS  # the scenario's params, written by the bench
except ImportError:
    PARAMS = {}

button = Pin(PARAMS.get("button_pin", 0), Pin.IN)

SERVER = "broker.local"  # the bench resolves any name (or address) to its broker
CLIENT_ID = ubinascii.hexlify(machine.unique_id())
TOPIC = PARAMS.get("topic", "led").encode()


def main(server=SERVER):
    client = MQTTClient(CLIENT_ID, server)
    client.connect()
    print("Connected to %s, waiting for button presses" % server)
    while True:
        while button.value():  # released: the pin is pulled high
            time.sleep_ms(20)
        print("Button pressed")
        client.publish(TOPIC, b"toggle")
        time.sleep_ms(200)  # ride out contact bounce


if __name__ == "__main__":
    main()
