# Connect, publish "hello" to "foo_topic", disconnect.
from umqtt.simple import MQTTClient

SERVER = "broker.local"  # the bench resolves any name (or address) to its broker


def main(server=SERVER):
    client = MQTTClient("umqtt_client", server)
    client.connect()
    client.publish(b"foo_topic", b"hello")
    client.disconnect()


if __name__ == "__main__":
    main()
