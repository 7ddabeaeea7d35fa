# Print every message published to "foo_topic".
import time
from umqtt.simple import MQTTClient

try:
    from bench_params import PARAMS  # the scenario's params, written by the bench
except ImportError:
    PARAMS = {}

SERVER = "broker.local"  # the bench resolves any name (or address) to its broker
POLL = PARAMS.get("poll", False)  # True: check_msg() once a second instead of blocking in wait_msg()


def on_message(topic, msg):
    print((topic, msg))


def main(server=SERVER):
    client = MQTTClient("umqtt_client", server)
    client.set_callback(on_message)
    client.connect()
    client.subscribe(b"foo_topic")
    while True:
        if POLL:
            client.check_msg()
            time.sleep(1)  # other work would go here
        else:
            client.wait_msg()


if __name__ == "__main__":
    main()
