// DNS: getaddrinfo on the simulated network. IP literals resolve at once;
// names take the profile's dnsMs and fail with the board's DNS errno when
// Wi-Fi or DNS is down, or at the profile's random dnsFailRate.

import { OSError } from "../../client/errors.ts";
import type { SocketAddress } from "../../client/socket.ts";
import type { Rng } from "../prng.ts";
import type { Faults } from "./faults.ts";
import type { Network } from "./network.ts";

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export class Dns {
  constructor(
    private readonly net: Network,
    private readonly faults: Faults,
    private readonly rng: Rng,
    /** Errno a failed lookup raises (the board file's dns_errno). */
    private readonly errnoOnFailure: number,
    /** Name resolution: null for unknown hosts; undefined resolves every host to itself. */
    private readonly lookup: ((host: string, port: number) => SocketAddress | null) | undefined,
  ) {}

  async getaddrinfo(host: string, port: number): Promise<SocketAddress> {
    if (IPV4.test(host)) return { host, port };
    const fail = (why: string): never => {
      this.net.counters.dnsFailures++;
      this.net.emit("dns-fail", `${host}: ${why}`);
      throw new OSError(this.errnoOnFailure, String(this.errnoOnFailure));
    };
    if (!this.faults.wifi) return fail("Wi-Fi is down");
    const random = this.net.profile.dnsFailRate > 0 && this.rng() < this.net.profile.dnsFailRate;
    if (this.net.profile.dnsMs > 0) await this.net.clk.sleep(this.net.profile.dnsMs);
    if (!this.faults.wifi) return fail("Wi-Fi is down");
    if (!this.faults.dns) return fail("DNS unavailable");
    if (random) return fail("lookup failed (random)");
    if (this.lookup) {
      const addr = this.lookup(host, port);
      if (addr === null) return fail("unknown host");
      return addr;
    }
    return { host, port };
  }
}
