// Network profiles: plain data describing the link between a board and the
// broker. Every random choice they imply (jitter, loss, fault times) is
// drawn from the network's seeded PRNG, so a seed fixes the whole pattern.

export interface NetProfile {
  /** Profile name, for reports. */
  name: string;
  /** One-way base latency, ms. */
  latencyMs: number;
  /** Extra one-way delay per segment, uniform in [0, jitterMs), ms. */
  jitterMs: number;
  /** Link rate in bits per second (serialisation delay); 0 = unlimited. */
  bandwidthBps: number;
  /** TCP segment size in bytes (lwIP's TCP_MSS is 536 on ESP8266, 1436-1460 elsewhere). */
  mss: number;
  /** Probability that a segment is lost; a loss stalls that segment and everything behind it for one RTO. */
  loss: number;
  /** First retransmission timeout, ms; doubles for each further loss of the same segment. */
  rtoMs: number;
  /** Upper bound of the doubling RTO, ms. */
  rtoMaxMs: number;
  /** A partition lasting longer than this aborts open connections (ETIMEDOUT), ms. */
  tcpGiveUpMs: number;
  /** Time a DNS lookup takes, ms. */
  dnsMs: number;
  /** Probability that one DNS lookup fails. */
  dnsFailRate: number;
  /** Random connection resets per minute of open connection time. */
  resetRatePerMin: number;
  /** Random partitions per minute (while a connection is open). */
  partitionRatePerMin: number;
  /** Shortest and longest random partition, ms (uniform). */
  partitionMinMs: number;
  partitionMaxMs: number;
  /** Random Wi-Fi drops per minute (while a connection is open). */
  wifiDropRatePerMin: number;
  /** How long a random Wi-Fi drop lasts, ms. */
  wifiDownMs: number;
}

const base: Omit<NetProfile, "name"> = {
  latencyMs: 0,
  jitterMs: 0,
  bandwidthBps: 0,
  mss: 1460,
  loss: 0,
  rtoMs: 1000,
  rtoMaxMs: 60_000,
  tcpGiveUpMs: 120_000,
  dnsMs: 0,
  dnsFailRate: 0,
  resetRatePerMin: 0,
  partitionRatePerMin: 0,
  partitionMinMs: 1000,
  partitionMaxMs: 5000,
  wifiDropRatePerMin: 0,
  wifiDownMs: 5000,
};

const builtin: Record<string, NetProfile> = {
  /** Zero latency, unlimited bandwidth, no faults. */
  ideal: { ...base, name: "ideal" },
  /** A good home Wi-Fi link to a LAN broker. */
  wifi: { ...base, name: "wifi", latencyMs: 3, jitterMs: 2, bandwidthBps: 10_000_000, dnsMs: 5 },
  /** A weak Wi-Fi link: jitter, loss, occasional resets and short partitions. */
  "flaky-wifi": {
    ...base,
    name: "flaky-wifi",
    latencyMs: 15,
    jitterMs: 40,
    bandwidthBps: 2_000_000,
    loss: 0.03,
    rtoMs: 500,
    dnsMs: 20,
    dnsFailRate: 0.05,
    resetRatePerMin: 0.5,
    partitionRatePerMin: 0.5,
    partitionMinMs: 500,
    partitionMaxMs: 4000,
    wifiDropRatePerMin: 0.1,
    wifiDownMs: 3000,
  },
  /** A 2G cellular modem: high latency, low bandwidth, some loss. */
  gprs: {
    ...base,
    name: "gprs",
    latencyMs: 300,
    jitterMs: 200,
    bandwidthBps: 40_000,
    mss: 1400,
    loss: 0.01,
    rtoMs: 3000,
    dnsMs: 600,
    resetRatePerMin: 0.05,
  },
};

/** Names of the built-in profiles. */
export function profileNames(): string[] {
  return Object.keys(builtin);
}

/** The field names a profile has (for help text and error messages). */
export const profileFields = Object.keys(base) as (keyof Omit<NetProfile, "name">)[];

/** A copy of a built-in profile; throws ProfileError for unknown names. */
export function getProfile(name: string): NetProfile {
  const p = builtin[name];
  if (!p) throw new ProfileError(`unknown network profile "${name}" (known: ${profileNames().join(", ")})`);
  return { ...p };
}

/** A bad profile name or override. The message is one line naming the field. */
export class ProfileError extends Error {
  override name = "ProfileError";
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

type Rule = { kind: "ms" | "count" | "prob" | "rate" | "bytes" };
const rules: Record<(typeof profileFields)[number], Rule> = {
  latencyMs: { kind: "ms" },
  jitterMs: { kind: "ms" },
  bandwidthBps: { kind: "count" },
  mss: { kind: "bytes" },
  loss: { kind: "prob" },
  rtoMs: { kind: "ms" },
  rtoMaxMs: { kind: "ms" },
  tcpGiveUpMs: { kind: "ms" },
  dnsMs: { kind: "ms" },
  dnsFailRate: { kind: "prob" },
  resetRatePerMin: { kind: "rate" },
  partitionRatePerMin: { kind: "rate" },
  partitionMinMs: { kind: "ms" },
  partitionMaxMs: { kind: "ms" },
  wifiDropRatePerMin: { kind: "rate" },
  wifiDownMs: { kind: "ms" },
};

/** "latency-ms" and "latency_ms" are accepted for "latencyMs". */
function canonicalField(key: string): string | undefined {
  const flat = key.replace(/[-_]/g, "").toLowerCase();
  return profileFields.find((f) => f.toLowerCase() === flat);
}

/**
 * Apply CLI-style overrides ("latencyMs=50", "loss=0.02", "latency-ms=50") to
 * a profile, returning a new profile. Unknown fields and bad values throw a
 * ProfileError naming the field. Values must be finite, non-negative numbers;
 * probabilities lie in [0, 1]; mss is an integer from 1 to 65535.
 */
export function applyProfileOverrides(profile: NetProfile, overrides: readonly string[] | Record<string, string | number>): NetProfile {
  const pairs: [string, string][] = Array.isArray(overrides)
    ? overrides.map((o) => {
        const eq = o.indexOf("=");
        if (eq <= 0) throw new ProfileError(`network override "${o}": expected key=value, e.g. latencyMs=50`);
        return [o.slice(0, eq).trim(), o.slice(eq + 1).trim()];
      })
    : Object.entries(overrides).map(([k, v]) => [k, String(v)]);
  const out: NetProfile = { ...profile };
  for (const [key, raw] of pairs) {
    const field = canonicalField(key);
    if (field === undefined) {
      throw new ProfileError(`network override "${key}": unknown field (known: ${profileFields.join(", ")})`, key);
    }
    const rule = rules[field as keyof typeof rules];
    const value = raw === "" ? NaN : Number(raw);
    const bad = (what: string) => new ProfileError(`network override ${field}: expected ${what}, got "${raw}"`, field);
    if (!Number.isFinite(value) || value < 0) throw bad(rule.kind === "prob" ? "a probability from 0 to 1" : "a non-negative number");
    if (rule.kind === "prob" && value > 1) throw bad("a probability from 0 to 1");
    if (rule.kind === "bytes" && (!Number.isInteger(value) || value < 1 || value > 65535)) throw bad("an integer from 1 to 65535");
    (out as unknown as Record<string, number>)[field] = value;
  }
  if (out.partitionMaxMs < out.partitionMinMs) {
    throw new ProfileError(`network override partitionMaxMs: must not be below partitionMinMs (${out.partitionMinMs})`, "partitionMaxMs");
  }
  if (out.rtoMaxMs < out.rtoMs) throw new ProfileError(`network override rtoMaxMs: must not be below rtoMs (${out.rtoMs})`, "rtoMaxMs");
  return out;
}

/** A built-in profile by name with overrides applied. */
export function resolveProfile(name: string, overrides: readonly string[] | Record<string, string | number> = []): NetProfile {
  return applyProfileOverrides(getProfile(name), overrides);
}
