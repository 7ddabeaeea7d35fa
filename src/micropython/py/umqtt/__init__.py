# `from umqtt import MQTTClient`: M5Stack UiFlow2's default client, with one
# handler per subscribed topic, called with [topic, msg].
from umqtt import robust
from umqtt.simple import MQTTException


class MQTTClient(robust.MQTTClient):
    _kind = "default"

    def subscribe(self, topic, handler=None, qos=0):
        if not callable(handler):
            raise TypeError("subscribe(topic, handler, qos=0): handler must be callable")
        simple = robust.simple
        simple.wait("umqtt.default_subscribe", self._h, topic, simple.ref(lambda t, m: handler([t, m])), qos)
