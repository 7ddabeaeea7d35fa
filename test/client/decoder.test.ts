// The packet decoder: hand-derived packets, every error code, streaming in
// chunks, and property-based round trips and fuzzing with fast-check.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import mqttPacket from "mqtt-packet";
import {
  PacketError,
  StreamDecoder,
  decodePackets,
  summaryFields,
  type DecodeEvent,
} from "../../src/client/decoder.ts";
import {
  encodeConnect,
  encodePublish,
  encodeSubscribe,
  encodeUnsubscribe,
  puback,
} from "../../src/client/packet.ts";
import { fromHex, toHex } from "../../src/client/bytes.ts";

const text = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString() : undefined);

function errorOf(f: () => unknown): PacketError {
  try {
    f();
  } catch (e) {
    if (e instanceof PacketError) return e;
    throw e;
  }
  throw new Error("no error");
}

describe("decodePackets on hand-derived bytes", () => {
  it("CONNACK with session present and return code", () => {
    const [p] = decodePackets(fromHex("20020105"));
    expect(p).toMatchObject({ type: "connack", sessionPresent: true, returnCode: 5, length: 2 });
  });

  it("PUBLISH QoS 1 retain dup: topic, id, payload bytes", () => {
    // 0x3b = publish | dup 0x08 | qos1 0x02 | retain 0x01; RL 2+3+2+2 = 9
    const [p] = decodePackets(fromHex("3b090003612f62002a6869"));
    expect(p.type).toBe("publish");
    expect([text(p.topic), p.messageId, text(p.payload), p.qos, p.retain, p.dup]).toEqual(["a/b", 42, "hi", 1, true, true]);
    expect(toHex(p.raw)).toBe("3b090003612f62002a6869");
  });

  it("keeps non-UTF-8 topic bytes exactly", () => {
    const [p] = decodePackets(fromHex("30050002ff0001"));
    expect(Array.from(p.topic!)).toEqual([0xff, 0x00]);
    expect(summaryFields(p).topic).toBe("0xff00");
  });

  it("CONNECT with will and credentials", () => {
    const hex = "101a00044d51545404d600000002633100017700016d0001750001" + "70";
    const [p] = decodePackets(fromHex(hex));
    expect(p).toMatchObject({ type: "connect", protocolLevel: 4, cleanSession: true, keepalive: 0 });
    expect([text(p.clientId), text(p.will?.topic), text(p.will?.payload), p.will?.qos, p.will?.retain]).toEqual(["c1", "w", "m", 2, false]);
    expect([text(p.username), text(p.password)]).toEqual(["u", "p"]);
  });

  it("SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PUBACK, PINGREQ, PINGRESP, DISCONNECT", () => {
    const ps = decodePackets(fromHex("82080001" + "00036c656400" + "9004000100" + "80" + "a2070003" + "00036c6564" + "b0020003" + "40020007" + "c000" + "d000" + "e000"));
    expect(ps.map((p) => p.type)).toEqual(["subscribe", "suback", "unsubscribe", "unsuback", "puback", "pingreq", "pingresp", "disconnect"]);
    expect(ps[0].subscriptions!.map((s) => [text(s.topic), s.qos])).toEqual([["led", 0]]);
    expect(ps[1].returnCodes).toEqual([0, 0x80]);
    expect(ps[2].unsubscriptions!.map(text)).toEqual(["led"]);
    expect(ps[4].messageId).toBe(7);
  });
});

describe("errors", () => {
  it("remaining length longer than 4 bytes: fatal, reported at the 4th byte", () => {
    const d = new StreamDecoder();
    const evs = d.push(fromHex("30ffffffff"));
    expect(evs).toHaveLength(1);
    expect(evs[0].error).toMatchObject({ code: "bad-remaining-length", fatal: true, offset: 0 });
    expect(d.push(fromHex("c000"))).toEqual([]);
  });

  it("truncated packet at end of input", () => {
    expect(errorOf(() => decodePackets(fromHex("3005000161"))).code).toBe("truncated");
    expect(errorOf(() => decodePackets(fromHex("30"))).code).toBe("truncated");
  });

  it("reserved packet types 0 and 15 are skipped with an error, decoding goes on", () => {
    const d = new StreamDecoder();
    const evs = d.push(fromHex("0000" + "f0021234" + "c000"));
    expect(evs.map((e) => e.error?.code ?? e.packet?.type)).toEqual(["reserved-type", "reserved-type", "pingreq"]);
    expect(evs[1].error!.offset).toBe(2);
  });

  it("oversize beyond the configured maximum", () => {
    const d = new StreamDecoder({ maxLength: 100 });
    const evs = d.push(fromHex("306500"));
    expect(evs[0].error).toMatchObject({ code: "oversize", fatal: true });
  });

  it.each([
    ["publish QoS 3", "3603000174"],
    ["pingresp with a body", "d00100"],
    ["subscribe without the 0x02 flags", "800600010001" + "7400"],
    ["suback with a bad return code", "9003000103"],
    ["topic length past the end", "30030005aa"],
    ["connack with 3 bytes", "2003000000"],
  ])("malformed: %s", (_name, hex) => {
    expect(errorOf(() => decodePackets(fromHex(hex))).code).toBe("malformed");
  });

  it("decodes the same packets whatever the chunking", () => {
    const all = fromHex("3b090003612f62002a6869" + "20020000" + "c000" + "82080001" + "00036c656400");
    const whole = decodePackets(all).map((p) => toHex(p.raw));
    for (let size = 1; size <= all.length; size++) {
      const d = new StreamDecoder();
      const got: string[] = [];
      for (let i = 0; i < all.length; i += size) for (const ev of d.push(all.subarray(i, i + size))) got.push(toHex(ev.packet!.raw));
      expect(got).toEqual(whole);
      expect(d.pending).toBe(0);
    }
  });

  it("a 1 MiB packet in 1,460-byte chunks keeps every byte, and later offsets stay right", () => {
    const payload = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) & 0xff);
    // RL = 2 + 3 + 1,048,576 = 1,048,581: 7-bit groups 5, 0, 64 -> 85 80 40
    const big = encodePublish("big", payload, false, 0);
    // then a reserved-type packet, to read its stream offset after the buffer moved
    const stream = Buffer.concat([big, fromHex("0000"), fromHex("c000")]);
    const d = new StreamDecoder();
    const events: DecodeEvent[] = [];
    for (let at = 0; at < stream.length; at += 1460) events.push(...d.push(stream.subarray(at, at + 1460)));
    expect(events).toHaveLength(3);
    expect(Buffer.from(events[0].packet!.payload!).equals(Buffer.from(payload))).toBe(true);
    expect(toHex(events[0].packet!.raw.subarray(0, 9))).toBe("308580400003626967");
    expect(events[1].error?.code).toBe("reserved-type");
    expect(events[1].error?.offset).toBe(big.length);
    expect(events[2].packet?.type).toBe("pingreq");
    expect(d.pending).toBe(0);
  });
});

// --- properties -----------------------------------------------------------

const topicArb = fc.uint8Array({ minLength: 1, maxLength: 300 });
const payloadArb = fc.uint8Array({ maxLength: 3000 });
const asciiTopic = fc.string({ minLength: 1, maxLength: 100, unit: fc.constantFrom(..."abcxyz/0189_-") });

describe("properties", () => {
  it("PUBLISH round trip: topic, payload, qos, retain, id", () => {
    fc.assert(
      fc.property(topicArb, payloadArb, fc.constantFrom(0, 1), fc.boolean(), fc.integer({ min: 1, max: 65535 }), (topic, payload, qos, retain, id) => {
        const [p] = decodePackets(encodePublish(topic, payload, retain, qos, id));
        expect(p.type).toBe("publish");
        expect(Buffer.from(p.topic!).equals(Buffer.from(topic))).toBe(true);
        expect(Buffer.from(p.payload!).equals(Buffer.from(payload))).toBe(true);
        expect([p.qos, p.retain, p.dup]).toEqual([qos, retain, false]);
        expect(p.messageId).toBe(qos ? id : undefined);
      }),
      { numRuns: 300 },
    );
  });

  it("SUBSCRIBE / UNSUBSCRIBE / PUBACK / CONNECT round trip", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 122 }),
        fc.constantFrom(0, 1, 2),
        fc.integer({ min: 0, max: 65535 }),
        asciiTopic,
        fc.boolean(),
        fc.integer({ min: 0, max: 65535 }),
        fc.option(fc.record({ topic: asciiTopic, msg: fc.uint8Array({ maxLength: 50 }), qos: fc.constantFrom(0, 1, 2), retain: fc.boolean() }), { nil: null }),
        fc.option(fc.tuple(asciiTopic, fc.string({ maxLength: 20 })), { nil: null }),
        (topic, qos, id, clientId, clean, keepalive, will, creds) => {
          const bytes = Buffer.concat([
            encodeSubscribe(topic, qos, id),
            encodeUnsubscribe(topic, id),
            puback(id),
            encodeConnect({ clientId, cleanSession: clean, keepalive, will, user: creds?.[0], password: creds?.[1] }),
          ]);
          const [s, u, a, c] = decodePackets(bytes);
          expect(Buffer.from(s.subscriptions![0].topic).equals(Buffer.from(topic))).toBe(true);
          expect([s.messageId, s.subscriptions![0].qos, u.messageId, a.messageId]).toEqual([id, qos, id, id]);
          expect(Buffer.from(u.unsubscriptions![0]).equals(Buffer.from(topic))).toBe(true);
          expect([text(c.clientId), c.cleanSession, c.keepalive]).toEqual([clientId, clean, keepalive]);
          expect(c.will ? [text(c.will.topic), toHex(c.will.payload), c.will.qos, c.will.retain] : null).toEqual(
            will ? [will.topic, toHex(will.msg), will.qos, will.retain] : null,
          );
          expect([text(c.username), text(c.password)]).toEqual(creds ? [creds[0], creds[1]] : [undefined, undefined]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("our encoder matches mqtt-packet's generator wherever both are valid MQTT", () => {
    fc.assert(
      fc.property(asciiTopic, fc.uint8Array({ maxLength: 400 }), fc.constantFrom(0, 1), fc.boolean(), fc.integer({ min: 1, max: 65535 }), (topic, payload, qos, retain, id) => {
        const theirs = mqttPacket.generate({ cmd: "publish", topic, payload: Buffer.from(payload), qos, retain, dup: false, messageId: id });
        expect(toHex(encodePublish(topic, payload, retain, qos, id))).toBe(theirs.toString("hex"));
        const sub = mqttPacket.generate({ cmd: "subscribe", messageId: id, subscriptions: [{ topic, qos }] });
        expect(toHex(encodeSubscribe(topic, qos, id))).toBe(sub.toString("hex"));
      }),
      { numRuns: 200 },
    );
  });

  it("random byte streams in random chunks give only packets or PacketError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 300 }), (bytes, cuts, max) => {
        feedAndCheck(bytes, cuts, max);
      }),
      { numRuns: 1000 },
    );
  });

  it("mutated valid streams give only packets or PacketError", () => {
    const valid = fc
      .array(
        fc.oneof(
          fc.tuple(topicArb, fc.uint8Array({ maxLength: 200 }), fc.constantFrom(0, 1), fc.boolean()).map(([t, p, q, r]) => encodePublish(t, p, r, q, 7)),
          fc.constantFrom(fromHex("20020000"), fromHex("c000"), fromHex("d000"), fromHex("40020001"), fromHex("9003000100")),
          asciiTopic.map((t) => encodeConnect({ clientId: t, cleanSession: true, keepalive: 60, user: "u", password: "p" })),
        ),
        { minLength: 1, maxLength: 6 },
      )
      .map((ps) => Buffer.concat(ps));
    const mutation = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom("flip", "insert", "delete", "truncate") });
    fc.assert(
      fc.property(valid, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 1, max: 32 }), { minLength: 1, maxLength: 10 }), (buf, muts, cuts) => {
        let b = Array.from(buf);
        for (const m of muts) {
          const i = b.length ? m.at % b.length : 0;
          if (m.kind === "flip") b[i] = m.byte;
          else if (m.kind === "insert") b.splice(i, 0, m.byte);
          else if (m.kind === "delete") b.splice(i, 1);
          else b = b.slice(0, i);
        }
        feedAndCheck(Uint8Array.from(b), cuts, 268_435_455);
      }),
      { numRuns: 1000 },
    );
  });
});

/** Feed `bytes` in chunks cycling through `cuts`; every event must be a packet or a PacketError, and all input is accounted for. */
function feedAndCheck(bytes: Uint8Array, cuts: number[], maxLength: number): void {
  const d = new StreamDecoder({ maxLength });
  const evs: DecodeEvent[] = [];
  let i = 0;
  let k = 0;
  while (i < bytes.length) {
    const n = cuts[k++ % cuts.length];
    evs.push(...d.push(bytes.subarray(i, i + n)));
    i += n;
  }
  evs.push(...d.end());
  let consumed = 0;
  for (const ev of evs) {
    if (ev.error) {
      expect(ev.error).toBeInstanceOf(PacketError);
      if (ev.error.fatal) {
        expect(ev).toBe(evs[evs.length - 1]);
        return;
      }
    } else {
      expect(ev.packet.raw.length).toBeGreaterThanOrEqual(2);
      consumed += ev.packet.raw.length;
    }
  }
  // No fatal error: every byte ended up in a packet or a skipped packet.
  expect(d.pending).toBe(0);
  expect(consumed).toBeLessThanOrEqual(bytes.length);
}

