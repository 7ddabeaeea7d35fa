// select / uselect: poll() over the VM's sockets, waiting on the virtual
// clock until one of them is ready or the timeout passes.

import { int, type HostModule } from "./context.ts";
import { POLLERR, POLLHUP, vmSocket, waitUntil, type VmSocket } from "./socket.ts";

export const selectModule: HostModule = {
  glue: ["bench_select.py"],
  ops: {
    /**
     * args: timeout_ms (negative: forever), then pairs of socket handle and
     * event mask. Returns "handle events ..." for every ready socket
     * (POLLERR and POLLHUP are always reported), "" on timeout.
     */
    "select.poll": async (ctx, [timeout, ...pairs]) => {
      const watched: [number, VmSocket, number][] = [];
      for (let i = 0; i + 1 < pairs.length; i += 2) {
        const h = int(pairs[i], "poll");
        watched.push([h, vmSocket(ctx, h), int(pairs[i + 1], "eventmask") | POLLERR | POLLHUP]);
      }
      const ready = () => watched.filter(([, s, mask]) => (s.events() & mask) !== 0);
      const ms = int(timeout, "timeout");
      await waitUntil(ctx.board, () => ready().length > 0, ms < 0 ? null : ms);
      return ready()
        .map(([h, s, mask]) => `${h} ${s.events() & mask}`)
        .join(" ");
    },
  },
};
