// Client ids replaced inside raw MQTT packets, lengths recomputed, the rest
// byte for byte. Packets are built by hand from the MQTT 3.1.1 layout.

import { describe, expect, it } from "vitest";
import { rewritePacket } from "../../src/compare/packet-rewrite.ts";

const enc = new TextEncoder();
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, "hex"));
const id = (from: string, to: string) => ({ from: enc.encode(from), to: enc.encode(to) });

/** MQTT 3.1.1 CONNECT with clean session and no will, as umqtt writes it. */
function connect(clientId: string): Uint8Array {
  const body = [...bytes("00044d5154540402003c"), 0, clientId.length, ...enc.encode(clientId)];
  return Uint8Array.from([0x10, body.length, ...body]);
}

describe("rewritePacket", () => {
  it("puts one placeholder in CONNECT for client ids of different lengths, so both packets become equal", () => {
    const short = rewritePacket(connect("a4a91009"), [id("a4a91009", "<id>")]);
    const long = rewritePacket(connect("30aea4c8e1f0"), [id("30aea4c8e1f0", "<id>")]);
    expect(hex(short)).toBe(hex(long));
    expect(hex(short)).toBe(hex(connect("<id>")));
  });

  it("rewrites a topic and a payload that carry the id, and recomputes a two-byte remaining length", () => {
    const topic = `devices/a4a91009/${"x".repeat(100)}`;
    const payload = "from a4a91009";
    const body = [0, topic.length, ...enc.encode(topic), ...enc.encode(payload)];
    const packet = Uint8Array.from([0x30, (body.length & 0x7f) | 0x80, body.length >> 7, ...body]);
    const out = rewritePacket(packet, [id("a4a91009", "ID")]);
    const newTopic = topic.replace("a4a91009", "ID");
    const newBody = [0, newTopic.length, ...enc.encode(newTopic), ...enc.encode("from ID")];
    expect(body.length).toBeGreaterThanOrEqual(128); // two length bytes before
    expect(newBody.length).toBeLessThan(128); // one after
    expect(hex(out)).toBe(hex(Uint8Array.from([0x30, newBody.length, ...newBody])));
  });

  it("keeps a QoS 1 PUBLISH's packet id and a SUBSCRIBE's QoS bytes", () => {
    const sub = bytes("820a00070005612f69642f01"); // id 7, topic "a/id/" QoS 1
    expect(hex(rewritePacket(sub, [id("id", "XYZ")]))).toBe("820b00070006612f58595a2f01");
    const pub = bytes("320900036f2f6900056869"); // QoS 1, topic "o/i", id 5, payload "hi"
    expect(hex(rewritePacket(pub, [id("hi", "yo!")]))).toBe("320a00036f2f690005796f21");
  });

  it("leaves a packet that does not parse as it is (a broken SUBSCRIBE is a finding, not noise)", () => {
    const broken = bytes("82870001008273656e73");
    expect(rewritePacket(broken, [id("sens", "X")])).toBe(broken);
  });
});
