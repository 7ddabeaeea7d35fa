# umqtt.robust with a persistent session: the broker keeps the subscription
# while the board is away, and robust reconnects by itself on network errors.
from umqtt.robust import MQTTClient

try:
    from bench_params import PARAMS  # the scenario's params, written by the bench
except ImportError:
    PARAMS = {}

SERVER = "broker.local"  # the bench resolves any name (or address) to its broker

# QoS 0 as in umqtt.robust's own example; robust_sub_qos1 asks for 1.
QOS = PARAMS.get("qos", 0)

client = MQTTClient("umqtt_client", SERVER)


def on_message(topic, msg):
    print((topic, msg))


def main():
    client.DEBUG = True  # print retries and reconnects
    client.set_callback(on_message)
    # clean_session=False. No session on the broker yet (connect() returns
    # False): subscribe once; the broker remembers it from then on.
    if not client.connect(clean_session=False):
        print("New session being set up")
        client.subscribe(b"foo_topic", qos=QOS)
    while True:
        client.wait_msg()


if __name__ == "__main__":
    main()
