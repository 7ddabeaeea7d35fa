# umqtt.robust's MQTTClient: reconnects and retries run in the host client;
# DELAY and DEBUG set here (on the class or the instance) are passed on.
from umqtt import simple


class MQTTClient(simple.MQTTClient):
    _kind = "robust"
    DELAY = 2
    DEBUG = False

    _sent = None

    def _run(self, method, args=()):
        if self._sent != (self.DELAY, self.DEBUG):
            simple.call("umqtt.set", self._h, "DELAY", self.DELAY)
            simple.call("umqtt.set", self._h, "DEBUG", self.DEBUG)
            self._sent = (self.DELAY, self.DEBUG)
        return simple.MQTTClient._run(self, method, args)

    def reconnect(self):
        return self._run("reconnect")
