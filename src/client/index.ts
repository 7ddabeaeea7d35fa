// The client's public API: umqtt.simple, umqtt.robust, umqtt.default, the
// wire encoder/decoder, and the real node transport.

export { MQTTClient, CHARGES, CLIENT_OBJECT_BYTES } from "./simple.js";
export type { ClientOptions, MessageCallback } from "./simple.js";
export { MQTTClient as RobustMQTTClient, reprError } from "./robust.js";
export type { RobustOptions } from "./robust.js";
export { MQTTClient as DefaultMQTTClient } from "./default.js";
export type { DefaultOptions, Handler } from "./default.js";
export * as simple from "./simple.js";
export * as robust from "./robust.js";
export * as umqttDefault from "./default.js";
export { topicMatches } from "./topic-match.js";
export * from "./packet.js";
export * from "./decoder.js";
export * from "./errors.js";
export * from "./alloc.js";
export type * from "./socket.js";
export { NodeTransport, NodeSocket, NodeSslContext, CERT_NONE, CERT_OPTIONAL, CERT_REQUIRED, toOSError } from "./node-transport.js";
export { bytesOf, toHex, fromHex, concat, type Text } from "./bytes.js";
