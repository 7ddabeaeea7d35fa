// umqtt.simple releases that boards in the field run, and what each one
// changes that firmware or the wire can see (UMQTT_BEHAVIOR.md, "What changed
// between umqtt.simple versions"; docs/compat.md has a column per version).
// The client reads these flags instead of comparing version strings.

export const UMQTT_VERSIONS = ["1.3.4", "1.4.0", "1.5.0", "1.6.0", "1.7.0", "1.7.1", "1.8.0"] as const;
export type UmqttVersion = (typeof UMQTT_VERSIONS)[number];
export const DEFAULT_UMQTT_VERSION: UmqttVersion = "1.8.0";

export interface UmqttFeatures {
  version: UmqttVersion;
  /**
   * How `ssl` is used: "legacy" (1.3.4: any truthy `ssl` wraps with `ssl_params`),
   * "context" (1.4.0-1.5.0: `ssl` must be an SSL context; no `ssl_params` argument),
   * "both" (1.6.0+: `ssl=True` is the legacy wrap, a context wraps with server_hostname).
   */
  ssl: "legacy" | "context" | "both";
  /** `connect(clean_session, timeout)` (1.5.0+); before, connect takes clean_session only. */
  connectTimeout: boolean;
  /** `unsubscribe(topic)` exists (1.7.0+). */
  unsubscribe: boolean;
  /** `connect()` closes a socket left from an earlier connection first (1.7.1+). */
  closesOldSocket: boolean;
  /**
   * SUBSCRIBE/UNSUBSCRIBE remaining length as a variable-length integer, header and
   * packet id as two writes, and the ack's id compared with the whole counter (1.8.0).
   * Before: one 4-byte write `82 LL PP PP` with LL a single byte, and the ack's two id
   * bytes compared with the two bytes that were sent.
   */
  subUnsubVbi: boolean;
}

const at = (v: UmqttVersion, since: UmqttVersion): boolean => UMQTT_VERSIONS.indexOf(v) >= UMQTT_VERSIONS.indexOf(since);

export function isUmqttVersion(v: unknown): v is UmqttVersion {
  return typeof v === "string" && (UMQTT_VERSIONS as readonly string[]).includes(v);
}

/** The features of `version`; throws a RangeError naming the known versions for anything else. */
export function umqttFeatures(version: string = DEFAULT_UMQTT_VERSION): UmqttFeatures {
  if (!isUmqttVersion(version)) {
    throw new RangeError(`unknown umqtt.simple version "${version}": use one of ${UMQTT_VERSIONS.join(", ")}`);
  }
  return {
    version,
    ssl: version === "1.3.4" ? "legacy" : at(version, "1.6.0") ? "both" : "context",
    connectTimeout: at(version, "1.5.0"),
    unsubscribe: at(version, "1.7.0"),
    closesOldSocket: at(version, "1.7.1"),
    subUnsubVbi: at(version, "1.8.0"),
  };
}
