// umqtt.simple, umqtt.robust and umqtt (M5Stack's default) in the VM are our
// TypeScript client (src/client) on the board's network, so the wire bytes,
// quirks and trace events are the TypeScript firmware path's. Callbacks are
// Python callables run in the VM while the client waits for them, so the
// PUBACK goes out only after the Python callback returned. A socket object
// the firmware puts in `client.sock` is driven through calls into the VM.

import * as simple from "../../client/simple.ts";
import * as robust from "../../client/robust.ts";
import * as umqttDefault from "../../client/default.ts";
import type { Allocator } from "../../client/alloc.ts";
import { AttributeError } from "../../client/errors.ts";
import type { Socket } from "../../client/socket.ts";
import type { Value } from "../protocol.ts";
import { int, type HostModule, type VmContext } from "./context.ts";
import { UnreadSocket, unreadTransport } from "./unread-socket.ts";

type AnyClient = simple.MQTTClient & Partial<robust.MQTTClient>;

const CLASSES = { simple: simple.MQTTClient, robust: robust.MQTTClient, default: umqttDefault.MQTTClient } as const;

/** Methods firmware may call, with how many arguments each takes at most. */
const METHODS = new Set(["connect", "disconnect", "ping", "publish", "subscribe", "unsubscribe", "wait_msg", "check_msg", "set_last_will", "reconnect"]);

const text = (v: Value | undefined, what: string): string | Uint8Array => {
  if (typeof v === "string" || v instanceof Uint8Array) return v;
  throw new TypeError(`${what}: object with buffer protocol required`);
};

const client = (ctx: VmContext, h: Value | undefined): AnyClient => ctx.handles.get<AnyClient>(h ?? null, "MQTTClient");

/** What the TypeScript heap model calls the objects a received PUBLISH allocates (the report's notes read them). */
const RECEIVED: readonly string[] = [simple.CHARGES.topic, simple.CHARGES.payload];

/** Room beyond a topic and payload that surely leaves their allocation in the VM free of MemoryError (the list holding them, rounding). */
const RECEIVE_SLACK = 256;

function recordOom(ctx: VmContext, what: string, bytes: number): void {
  const { board } = ctx;
  const { used, free, largestFree } = ctx.heap();
  board.trace.emit({ t: board.clock.now(), kind: "heap", board: board.name, op: "oom", what, bytes, used, free, largestFree });
}

/**
 * A received topic and payload allocated before they are read, as umqtt's
 * `sock.read(n)` allocates on a device: the client charges each through the
 * allocator just before reading it, and the read first checks that the VM
 * can hold it. When the VM's largest free block (as it last reported it: it
 * has been blocked since) surely holds it, nothing more is done; otherwise
 * `allocate`, a Python callable, makes the bytes object in the VM, and a
 * MemoryError there rejects the read with the bytes still in the socket, as
 * early as on the device (before a long payload has arrived).
 */
function receiveInVm(ctx: VmContext, allocate: number): { allocator: Allocator; beforeRead: (n: number) => Promise<void> | undefined } {
  let expected: { n: number; what: string } | null = null;
  let topicBytes = 0;
  const allocator: Allocator = {
    alloc(bytes, what) {
      if (RECEIVED.includes(what)) expected = { n: bytes, what };
      return 0;
    },
    release() {},
  };
  const beforeRead = (n: number): Promise<void> | undefined => {
    const e = expected;
    expected = null;
    if (!e || e.n !== n || n <= 0) return undefined;
    if (e.what === simple.CHARGES.topic) topicBytes = n;
    const needed = n + 1 + RECEIVE_SLACK + (e.what === simple.CHARGES.payload ? topicBytes : 0);
    if (ctx.heap().largestFree >= needed) return undefined;
    return ctx.invoke(allocate, [n]).then(
      () => undefined,
      (error: unknown) => {
        if ((error as Error).name === "MemoryError") recordOom(ctx, e.what, n);
        throw error;
      },
    );
  };
  return { allocator, beforeRead };
}

/**
 * Runs a Python callback with a received message. When the VM cannot make
 * the topic or the payload (MemoryError before the callback ran), the bytes
 * it could not hold go back into the socket, as on a device, where umqtt's
 * sock.read() fails before reading them (see unread-socket.ts), and the
 * trace records the failed allocation with the heap it found.
 */
function deliver(ctx: VmContext, c: AnyClient, fn: number, args: [Uint8Array, Uint8Array]): Promise<Value> {
  // A callback, not a .catch(): the client must see the outcome in the same turn as before (trace order).
  return ctx.invoke(fn, args, (i) => {
    const data = args[i];
    if (!data) return;
    const sock = c.sock;
    if (sock instanceof UnreadSocket) sock.unread(data);
    recordOom(ctx, RECEIVED[i]!, data.length);
  });
}

/** A Python object with read/write/setblocking/settimeout/close, driven from the host. */
function pythonSocket(ctx: VmContext, fn: number): Socket {
  const run = (method: string, ...args: Value[]) => ctx.invoke(fn, [method, ...args]);
  // The Socket interface's setters are synchronous: queue them; the VM runs them in order before the next read.
  const later = (method: string, ...args: Value[]) => void run(method, ...args).catch(() => {});
  return {
    connect: async () => {},
    settimeout: (s) => later("settimeout", s),
    setblocking: (flag) => later("setblocking", flag),
    read: async (n) => {
      const got = await run("read", n);
      if (got === null) return null;
      if (typeof got === "string") return new TextEncoder().encode(got);
      if (!(got instanceof Uint8Array)) throw new TypeError("sock.read() must return bytes or None");
      return got;
    },
    write: async (data) => {
      const n = await run("write", data);
      return typeof n === "number" ? n : data.length;
    },
    close: () => later("close"),
  };
}

export const umqttModule: HostModule = {
  glue: ["umqtt/__init__.py", "umqtt/simple.py", "umqtt/robust.py"],
  ops: {
    "umqtt.new": (ctx, [kind, clientId, server, port, user, password, keepalive, ssl, allocate]) => {
      const Cls = CLASSES[kind as keyof typeof CLASSES];
      if (!Cls) throw new TypeError(`no umqtt client kind ${String(kind)}`);
      const { board } = ctx;
      const id = clientId instanceof Uint8Array ? new TextDecoder().decode(clientId) : String(clientId);
      const receive = receiveInVm(ctx, int(allocate, "allocate"));
      const c = new Cls(id, String(server), {
        port: int(port ?? 0, "port"),
        user: user === null ? null : String(user),
        password: password === null ? null : String(password),
        keepalive: int(keepalive ?? 0, "keepalive"),
        ssl: ssl === true,
        version: ctx.umqttVersion,
        transport: unreadTransport(board.network, receive.beforeRead),
        // The VM's own heap holds what the firmware allocates; the host charges nothing, it only learns what is about to be received.
        allocator: receive.allocator,
        sleep: (ms: number) => board.clock.sleep(ms),
        print: (line: string) => board.print(line),
      });
      return ctx.handles.add(c);
    },
    "umqtt.call": async (ctx, [h, method, ...args]) => {
      const c = client(ctx, h);
      if (typeof method !== "string" || !METHODS.has(method)) throw new TypeError(`MQTTClient has no method ${String(method)}`);
      switch (method) {
        case "publish":
          return c.publish(text(args[0], "topic"), text(args[1], "msg"), args[2] === true || args[2] === 1, int(args[3] ?? 0, "qos"));
        case "subscribe":
          return c.subscribe(text(args[0], "topic"), int(args[1] ?? 0, "qos"));
        case "unsubscribe":
          return c.unsubscribe(text(args[0], "topic"));
        case "set_last_will":
          return c.set_last_will(text(args[0], "topic"), text(args[1], "msg"), args[2] === true || args[2] === 1, int(args[3] ?? 0, "qos"));
        case "connect": {
          // As many arguments as the firmware passed: the client checks them against its release's signature.
          const clean = args.length > 0 ? args[0] !== false && args[0] !== 0 : true;
          return args.length > 1 ? c.connect(clean, typeof args[1] === "number" ? args[1] : null) : c.connect(clean);
        }
        case "reconnect":
          if (!c.reconnect) throw new TypeError("MQTTClient has no method reconnect");
          return c.reconnect();
        default:
          return (c as unknown as Record<string, () => Promise<Value | void>>)[method]!();
      }
    },
    "umqtt.default_subscribe": (ctx, [h, topic, fn, qos]) => {
      const c = client(ctx, h) as unknown as umqttDefault.MQTTClient;
      const f = int(fn, "handler");
      return c.subscribe(text(topic, "topic"), ([t, m]) => deliver(ctx, c, f, [t, m]), int(qos ?? 0, "qos"));
    },
    "umqtt.set_callback": (ctx, [h, fn]) => {
      const f = int(fn, "callback");
      const c = client(ctx, h);
      c.set_callback(f === 0 ? null : (topic, msg) => deliver(ctx, c, f, [topic, msg]));
    },
    "umqtt.set_sock": (ctx, [h, fn]) => {
      const f = int(fn, "sock");
      client(ctx, h).sock = f === 0 ? null : pythonSocket(ctx, f);
    },
    "umqtt.set": (ctx, [h, name, value]) => {
      const c = client(ctx, h);
      if (name === "DELAY") c.DELAY = Number(value);
      else if (name === "DEBUG") c.DEBUG = value === true || value === 1;
      else if (name === "keepalive") c.keepalive = int(value, "keepalive");
      else throw new TypeError(`can't set MQTTClient.${String(name)}`);
    },
    "umqtt.sock": (ctx, [h, method, arg]) => {
      const sock = client(ctx, h).sock;
      if (!sock) throw new AttributeError("'NoneType' object has no attribute '" + String(method) + "'");
      if (method === "settimeout") sock.settimeout(typeof arg === "number" ? arg : null);
      else if (method === "setblocking") sock.setblocking(arg === true || arg === 1);
      else if (method === "close") sock.close();
      else throw new AttributeError(`socket has no attribute '${String(method)}'`);
    },
    "umqtt.get": (ctx, [h, name]) => {
      const c = client(ctx, h);
      if (name === "pid") return c.pid;
      if (name === "connected") return c.sock !== null;
      throw new TypeError(`MQTTClient has no attribute ${String(name)}`);
    },
  },
  reset(ctx) {
    // A reboot drops the VM's connections, as a device's reset does.
    for (const o of ctx.handles.values()) {
      if (o instanceof simple.MQTTClient) o.sock?.close();
    }
  },
};
