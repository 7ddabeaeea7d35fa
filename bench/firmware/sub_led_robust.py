# Bench-only firmware: example_sub_led.py on umqtt.robust, so a long run rides
# out the resets, partitions and Wi-Fi drops of the flaky-wifi profile (the
# MicroPython twin of sub_led_robust.ts):
# - a persistent session (clean_session=False) and a QoS 1 subscription, so
#   commands published while the link is down wait at the broker;
# - the first connect is retried too (flaky-wifi fails some DNS lookups).
import time
import machine
import ubinascii
from machine import Pin
from umqtt.robust import MQTTClient

led = Pin(2, Pin.OUT, value=1)  # active low: dark
CLIENT_ID = ubinascii.hexlify(machine.unique_id())
TOPIC = b"led"
lit = 0


def on_message(topic, msg):
    global lit
    if msg == b"on":
        led.value(0)
        lit = 1
    elif msg == b"off":
        led.value(1)
        lit = 0
    elif msg == b"toggle":
        led.value(lit)
        lit = 1 - lit


client = MQTTClient(CLIENT_ID, "broker.local")
client.DEBUG = True  # reconnects show on the serial console
client.set_callback(on_message)
for attempt in range(50):
    try:
        present = client.connect(clean_session=False)
        break
    except OSError as e:
        print("connect failed: %r; retrying" % (e,))
        time.sleep(2)
else:
    raise OSError("no connection after 50 attempts")
if not present:
    client.subscribe(TOPIC, qos=1)
print("Connected, subscribed to %s topic" % TOPIC)
while True:
    client.wait_msg()
