// The client's public API: umqtt.simple, umqtt.robust, umqtt.default, the
// wire encoder/decoder, and the real node transport.

export { MQTTClient, CHARGES, CLIENT_OBJECT_BYTES } from "./simple.ts";
export type { ClientOptions, MessageCallback } from "./simple.ts";
export { MQTTClient as RobustMQTTClient, reprError } from "./robust.ts";
export type { RobustOptions } from "./robust.ts";
export { MQTTClient as DefaultMQTTClient } from "./default.ts";
export type { DefaultOptions, Handler } from "./default.ts";
export * as simple from "./simple.ts";
export * as robust from "./robust.ts";
export * as umqttDefault from "./default.ts";
export { topicMatches } from "./topic-match.ts";
export * from "./packet.ts";
export * from "./decoder.ts";
export * from "./errors.ts";
export * from "./alloc.ts";
export type * from "./socket.ts";
export { NodeTransport, NodeSocket, NodeSslContext, CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED, toOSError } from "./node-transport.ts";
export { UMQTT_VERSIONS, DEFAULT_UMQTT_VERSION, isUmqttVersion, umqttFeatures, type UmqttVersion, type UmqttFeatures } from "./versions.ts";
export { bytesOf, toHex, fromHex, concat, type Text } from "./bytes.ts";
