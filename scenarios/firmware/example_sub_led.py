# Switch an ESP8266's LED from MQTT: "on", "off" or "toggle" sent to topic
# "led". The LED on GPIO2 of ESP-12 modules is lit when the pin is low.
import machine
import ubinascii
from machine import Pin
from umqtt.simple import MQTTClient

try:
    from bench_params import PARAMS  # the scenario's params, written by the bench
except ImportError:
    PARAMS = {}

led = Pin(PARAMS.get("led_pin", 2), Pin.OUT, value=1)  # high: dark

SERVER = "broker.local"  # the bench resolves any name (or address) to its broker
CLIENT_ID = ubinascii.hexlify(machine.unique_id())
TOPIC = PARAMS.get("topic", "led").encode()
lit = 0


def on_message(topic, msg):
    global lit
    print((topic, msg))
    if msg == b"on":
        led.value(0)
        lit = 1
    elif msg == b"off":
        led.value(1)
        lit = 0
    elif msg == b"toggle":
        # Active-low: writing the old "lit" flag to the pin inverts the LED.
        led.value(lit)
        lit = 1 - lit


def main(server=SERVER):
    client = MQTTClient(CLIENT_ID, server)
    client.set_callback(on_message)
    client.connect()
    client.subscribe(TOPIC)
    print("Connected to %s, subscribed to %s topic" % (server, TOPIC))
    try:
        while True:
            client.wait_msg()
    finally:
        client.disconnect()


main()
