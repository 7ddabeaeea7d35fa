// The one-buffer encoders give exactly the bytes of umqtt's writes joined,
// for str and bytes values, non-ASCII text (umqtt's len() counts code
// points), every QoS/retain pair, packet ids past 65535 and remaining
// lengths of 1 to 3 bytes; and the decoder's views read those bytes back.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { encodePublish, publishWrites } from "../../src/client/packet.ts";
import { concat } from "../../src/client/bytes.ts";
import { StreamDecoder } from "../../src/client/decoder.ts";
import { AssertionError } from "../../src/client/errors.ts";

const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.uint8Array({ maxLength: 300 }),
);

describe("encodePublish", () => {
  it("equals umqtt's publish writes joined", () => {
    fc.assert(
      fc.property(text, text, fc.boolean(), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 70_000 }), (topic, msg, retain, qos, pid) => {
        expect(Buffer.from(encodePublish(topic, msg, retain, qos, pid)).toString("hex")).toBe(
          Buffer.from(concat(publishWrites(topic, msg, retain, qos, pid))).toString("hex"),
        );
      }),
      { numRuns: 500 },
    );
  });

  it.each([0, 120, 130, 5000, 16_380, 20_000, 2_000_000])("payload %i: same bytes, and the decoder reads them back", (size) => {
    const payload = new Uint8Array(size).map((_, i) => i & 0xff);
    const one = encodePublish("t/u", payload, true, 1, 65_537);
    expect(Buffer.from(one).equals(Buffer.from(concat(publishWrites("t/u", payload, true, 1, 65_537))))).toBe(true);
    const [ev] = new StreamDecoder().push(one);
    expect(ev.packet?.messageId).toBe(1);
    expect(Buffer.from(ev.packet!.payload!).equals(Buffer.from(payload))).toBe(true);
  });

  it("asserts the remaining length below 2,097,152 as umqtt does", () => {
    expect(() => encodePublish("t", new Uint8Array(2_097_152), false, 0)).toThrow(AssertionError);
  });
});
