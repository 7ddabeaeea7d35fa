# A common umqtt.robust mistake: a clean session (the default), one
# subscribe, then trusting robust to keep going. robust reconnects with
# clean_session=False and never subscribes again; the broker forgot the
# clean session's subscription, so messages stop arriving.
from umqtt.robust import MQTTClient

SERVER = "broker.local"  # the bench resolves any name (or address) to its broker

client = MQTTClient("umqtt_client", SERVER)
client.DEBUG = True
client.set_callback(lambda topic, msg: print((topic, msg)))
client.connect()
client.subscribe(b"foo_topic")
print("Subscribed to b'foo_topic'")
while True:
    client.wait_msg()
