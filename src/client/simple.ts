// umqtt.simple's MQTTClient, step for step: the same socket reads and writes
// in the same order, the same asserts, the same quirks (see docs/compat.md).
// Network-touching methods return Promises; everything else is synchronous.

import { unlimitedAllocator, type Allocator } from "./alloc.ts";
import { AttributeError, IndexError, MQTTException, OSError, pyAssert } from "./errors.ts";
import type { Socket, SslContext, SslParams, Transport } from "./socket.ts";
import { bytesOf, type Text } from "./bytes.ts";
import {
  DISCONNECT,
  PINGREQ,
  connectHead,
  pack16,
  publishHeader,
  puback,
  strWrites,
  legacySubscribeHead,
  legacyUnsubscribeHead,
  subUnsubHead,
} from "./packet.ts";
import { umqttFeatures, type UmqttFeatures, type UmqttVersion } from "./versions.ts";
import { NodeTransport } from "./node-transport.ts";

/** `f(topic, msg)`; may be async: the client awaits it before sending a PUBACK. */
export type MessageCallback = (topic: Uint8Array, msg: Uint8Array) => unknown;

/** The Python keyword arguments, plus the host's injections. */
export interface ClientOptions {
  port?: number;
  user?: string | null;
  password?: string | null;
  keepalive?: number;
  /** `true`: legacy wrap with `ssl_params`; an SslContext: wrap with `server_hostname=server`. */
  ssl?: boolean | SslContext | null;
  ssl_params?: SslParams;
  /** Sockets and name resolution. Default: real TCP/TLS (node-transport.ts). */
  transport?: Transport;
  /** Heap charges. Default: none. */
  allocator?: Allocator;
  /** The umqtt.simple release to behave as (versions.ts). Default: 1.8.0. */
  version?: UmqttVersion;
}

// ---------------------------------------------------------------------------
// Heap charges: every object umqtt.simple allocates on MicroPython, by name.
// Sizes are payload bytes; the heap adds object headers and block rounding.
// `CLIENT_OBJECT_BYTES` estimates the instance's attribute table: 16
// attributes, each a key and a value pointer (4 bytes each on 32-bit ports).
export const CLIENT_OBJECT_BYTES = 16 * 2 * 4;
export const CHARGES = {
  client: "client", // the MQTTClient instance, once, never released
  connectPremsg: "connect.premsg", // bytearray(6): fixed header buffer
  connectMsg: "connect.msg", // bytearray(9): protocol name, level, flags, keepalive
  strLen: "send_str.len", // struct.pack("!H", len(s)) before each string
  connack: "connect.connack", // sock.read(4)
  publishHeader: "publish.header", // bytearray(4): fixed header, then the packet id
  subscribePkt: "subscribe.packet", // bytearray(4)
  subscribeQos: "subscribe.qos", // qos.to_bytes(1)
  unsubscribePkt: "unsubscribe.packet", // bytearray(4)
  read: "wait_msg.read", // each small sock.read(n) in wait_msg and the ack loops
  topic: "publish.topic", // received topic bytes, released after the callback
  payload: "publish.payload", // received payload bytes, released after the callback
  puback: "puback", // bytearray(4) for the PUBACK
} as const;
// ---------------------------------------------------------------------------

/** Python `b[i]` on the result of a read: IndexError when the read came back short. */
function at(b: Uint8Array | null, i: number): number {
  if (b === null) throw new TypeError("'NoneType' object isn't subscriptable");
  if (i >= b.length) throw new IndexError("index out of range");
  return b[i];
}

/** The arguments after (client_id, server): Python's positional ones, or one options object (its keywords). */
export type PositionalArgs = [port?: number, user?: string | null, password?: string | null, keepalive?: number, ssl?: boolean | SslContext | null, ssl_params?: SslParams];
export type ConstructorRest<O extends ClientOptions> = PositionalArgs | [options?: O];

/** Both call forms as one options object. */
export function clientOptions<O extends ClientOptions>(rest: ConstructorRest<O>): O {
  const first = rest[0];
  if (typeof first === "object" && first !== null) return first as O;
  const [port, user, password, keepalive, ssl, ssl_params] = rest as PositionalArgs;
  return { port, user, password, keepalive, ssl, ssl_params } as O;
}

export class MQTTClient {
  client_id: string;
  sock: Socket | null = null;
  server: string;
  port: number;
  ssl: boolean | SslContext | null;
  ssl_params: SslParams;
  /** The one packet-id counter for QoS>0 PUBLISH, SUBSCRIBE and UNSUBSCRIBE; never wraps. */
  pid = 0;
  cb: MessageCallback | null = null;
  user: string | null;
  pswd: string | null;
  keepalive: number;
  lw_topic: Text | null = null;
  lw_msg: Text | null = null;
  lw_qos = 0;
  lw_retain = false;

  protected readonly transport: Transport;
  protected readonly allocator: Allocator;
  /** What the chosen umqtt.simple release does differently (versions.ts). */
  readonly umqtt: UmqttFeatures;

  /**
   * Python's positional form `(client_id, server, port=0, user=None,
   * password=None, keepalive=0, ssl=None, ssl_params={})`, or the keyword
   * form `(client_id, server, { port, user, ..., transport, allocator })`.
   */
  constructor(client_id: string, server: string, ...positional: PositionalArgs);
  constructor(client_id: string, server: string, options?: ClientOptions);
  constructor(client_id: string, server: string, ...rest: ConstructorRest<ClientOptions>) {
    const o = clientOptions(rest);
    this.umqtt = umqttFeatures(o.version);
    // 1.4.0 and 1.5.0 dropped the ssl_params argument.
    if (this.umqtt.ssl === "context" && o.ssl_params !== undefined) {
      throw new TypeError("unexpected keyword argument 'ssl_params'");
    }
    this.transport = o.transport ?? new NodeTransport();
    this.allocator = o.allocator ?? unlimitedAllocator;
    this.allocator.alloc(CLIENT_OBJECT_BYTES, CHARGES.client);
    const sslArg = o.ssl ?? null;
    let p = o.port ?? 0;
    if (p === 0) p = sslArg ? 8883 : 1883;
    this.client_id = client_id;
    this.server = server;
    this.port = p;
    this.ssl = sslArg;
    this.ssl_params = o.ssl_params ?? {};
    this.user = o.user ?? null;
    this.pswd = o.password ?? null;
    this.keepalive = o.keepalive ?? 0;
  }

  // --- heap-charged socket access ------------------------------------------

  protected requireSock(): Socket {
    if (!this.sock) throw new AttributeError("'NoneType' object has no attribute 'read'");
    return this.sock;
  }

  /** sock.write(buf) of a buffer umqtt built for this write (`what` charged), or of a constant (`what` null). */
  protected async send(buf: Uint8Array, what: string | null): Promise<void> {
    const sock = this.requireSock();
    const h = what === null ? null : this.allocator.alloc(buf.length, what);
    try {
      await sock.write(buf);
    } finally {
      if (h !== null) this.allocator.release(h);
    }
  }

  /** sock.write(s) of caller-owned data: nothing new is allocated. */
  protected async sendData(data: Text): Promise<void> {
    await this.requireSock().write(bytesOf(data));
  }

  /** umqtt's `_send_str`: a fresh 2-byte length, then the caller's string. */
  protected async _send_str(s: Text): Promise<void> {
    const [len, body] = strWrites(s);
    await this.send(len, CHARGES.strLen);
    await this.sendData(body);
  }

  /** sock.read(n) whose result becomes garbage right after use. */
  protected async readTemp(n: number): Promise<Uint8Array | null> {
    const sock = this.requireSock();
    const h = this.allocator.alloc(n, CHARGES.read);
    try {
      return await sock.read(n);
    } finally {
      this.allocator.release(h);
    }
  }

  protected async _recv_len(): Promise<number> {
    let n = 0;
    let sh = 0;
    for (;;) {
      const b = at(await this.readTemp(1), 0);
      n |= (b & 0x7f) << sh;
      if (!(b & 0x80)) return n;
      sh += 7;
    }
  }

  // --- API ----------------------------------------------------------------

  set_callback(f: MessageCallback | null): void {
    this.cb = f;
  }

  set_last_will(topic: Text, msg: Text, retain = false, qos = 0): void {
    pyAssert(0 <= qos && qos <= 2);
    pyAssert(topic.length > 0);
    this.lw_topic = topic;
    this.lw_msg = msg;
    this.lw_qos = qos;
    this.lw_retain = retain;
  }

  /** Hook run before a TLS wrap; umqtt.default loads certificate files here. */
  protected async prepareSsl(): Promise<void> {}

  /**
   * Returns the CONNACK session-present bit as a number, 0 or 1 (Python's
   * `resp[2] & 1`), so `if (!(await c.connect(false)))` reads as on the device.
   */
  async connect(clean_session = true, timeout: number | null = null): Promise<number> {
    // Before 1.5.0 the signature is connect(self, clean_session=True).
    if (!this.umqtt.connectTimeout && arguments.length > 1) {
      throw new TypeError(`function takes 2 positional arguments but ${arguments.length + 1} were given`);
    }
    if (this.sock && this.umqtt.closesOldSocket) this.sock.close();
    this.sock = this.transport.socket();
    if (this.umqtt.connectTimeout) this.sock.settimeout(timeout);
    const addr = await this.transport.getaddrinfo(this.server, this.port);
    await this.sock.connect(addr);
    await this.wrapSsl();
    const will = this.lw_topic ? { topic: this.lw_topic, msg: this.lw_msg ?? "", retain: this.lw_retain, qos: this.lw_qos } : null;
    const { premsg, msg } = connectHead({
      clientId: this.client_id,
      cleanSession: clean_session,
      keepalive: this.keepalive,
      will,
      user: this.user,
      password: this.pswd,
    });
    await this.send(premsg, CHARGES.connectPremsg);
    await this.send(msg, CHARGES.connectMsg);
    await this._send_str(this.client_id);
    if (will) {
      await this._send_str(will.topic);
      await this._send_str(will.msg);
    }
    if (this.user) {
      await this._send_str(this.user);
      await this._send_str(this.pswd as string);
    }
    const h = this.allocator.alloc(4, CHARGES.connack);
    try {
      const resp = await this.requireSock().read(4);
      pyAssert(at(resp, 0) === 0x20 && at(resp, 1) === 0x02);
      if (at(resp, 3) !== 0) throw new MQTTException(at(resp, 3));
      return at(resp, 2) & 1;
    } finally {
      this.allocator.release(h);
    }
  }

  /** The TLS wrap, in the form the chosen release uses (versions.ts `ssl`). */
  private async wrapSsl(): Promise<void> {
    const ssl = this.ssl;
    if (!ssl || !this.sock) return;
    const legacy = this.umqtt.ssl === "legacy" || (this.umqtt.ssl === "both" && ssl === true);
    await this.prepareSsl();
    if (legacy) {
      this.sock = await this.transport.wrapSocket(this.sock, this.ssl_params);
    } else if (ssl === true) {
      // 1.4.0/1.5.0 call self.ssl.wrap_socket on whatever ssl is.
      throw new AttributeError("'bool' object has no attribute 'wrap_socket'");
    } else {
      this.sock = await ssl.wrap_socket(this.sock, { server_hostname: this.server });
    }
  }

  async disconnect(): Promise<void> {
    await this.send(DISCONNECT, null);
    this.requireSock().close();
  }

  /** Sends PINGREQ and returns; the PINGRESP is consumed by a later wait_msg(). */
  async ping(): Promise<void> {
    await this.send(PINGREQ, null);
  }

  async publish(topic: Text, msg: Text, retain = false, qos = 0): Promise<void> {
    // One bytearray(4) serves as the header and then as the packet id buffer.
    const h = this.allocator.alloc(4, CHARGES.publishHeader);
    let pid = 0;
    try {
      const pkt = publishHeader(topic, msg, retain, qos);
      await this.requireSock().write(pkt);
      await this._send_str(topic);
      if (qos > 0) {
        this.pid += 1;
        pid = this.pid;
        await this.requireSock().write(pack16(pid));
      }
    } finally {
      this.allocator.release(h);
    }
    await this.sendData(msg);
    if (qos === 1) {
      for (;;) {
        const op = await this.wait_msg();
        if (op === 0x40) {
          const sz = await this.readTemp(1);
          pyAssert(sz !== null && sz.length === 1 && sz[0] === 0x02);
          const rcv = await this.readTemp(2);
          // umqtt compares its untruncated counter: after 65535 the broker
          // acks id 0 and this never matches (publish waits forever).
          if (pid === ((at(rcv, 0) << 8) | at(rcv, 1))) return;
        }
      }
    } else if (qos === 2) {
      pyAssert(false);
    }
  }

  async subscribe(topic: Text, qos = 0): Promise<void> {
    pyAssert(this.cb !== null, "Subscribe callback is not set");
    this.pid += 1;
    const pid = this.pid;
    const head = this.umqtt.subUnsubVbi ? subUnsubHead(0x82, topic, pid) : [legacySubscribeHead(topic, pid)];
    await this.sendHead(head, CHARGES.subscribePkt);
    await this._send_str(topic);
    await this.send(Uint8Array.of(qos & 0xff), CHARGES.subscribeQos);
    await this.waitSubUnsubAck(0x90, 4, pid);
  }

  async unsubscribe(topic: Text): Promise<void> {
    if (!this.umqtt.unsubscribe) throw new AttributeError("'MQTTClient' object has no attribute 'unsubscribe'");
    this.pid += 1;
    const pid = this.pid;
    const head = this.umqtt.subUnsubVbi ? subUnsubHead(0xa2, topic, pid) : [legacyUnsubscribeHead(topic, pid)];
    await this.sendHead(head, CHARGES.unsubscribePkt);
    await this._send_str(topic);
    await this.waitSubUnsubAck(0xb0, 3, pid);
  }

  /** The head writes of a SUBSCRIBE/UNSUBSCRIBE, all made from one bytearray(4). */
  private async sendHead(writes: Uint8Array[], what: string): Promise<void> {
    const sock = this.requireSock();
    const h = this.allocator.alloc(4, what);
    try {
      for (const w of writes) await sock.write(w);
    } finally {
      this.allocator.release(h);
    }
  }

  /**
   * Loops on wait_msg() until the ack op arrives, then reads `n` bytes of it.
   * 1.8.0 compares the ack's id with the whole counter (so after 65535 an
   * ack for id 0 fails); before, with the two id bytes that were sent.
   */
  private async waitSubUnsubAck(ackOp: number, n: number, pid: number): Promise<void> {
    for (;;) {
      const op = await this.wait_msg();
      if (op !== ackOp) continue;
      const resp = await this.readTemp(n);
      const id = (at(resp, 1) << 8) | at(resp, 2);
      pyAssert(this.umqtt.subUnsubVbi ? id === pid : id === (pid & 0xffff));
      if (n > 3 && at(resp, 3) === 0x80) throw new MQTTException(at(resp, 3));
      return;
    }
  }

  /**
   * One main-loop step. Returns null (nothing pending in non-blocking mode,
   * or a PINGRESP), else the packet's first byte. For anything but PUBLISH
   * the rest of the packet is left unread, as umqtt does.
   */
  async wait_msg(): Promise<number | null> {
    const sock = this.requireSock();
    const res = await this.readTemp(1);
    sock.setblocking(true);
    if (res === null) return null;
    if (res.length === 0) throw new OSError(-1);
    if (res[0] === 0xd0) {
      const sz = at(await this.readTemp(1), 0);
      pyAssert(sz === 0);
      return null;
    }
    const op = res[0];
    if ((op & 0xf0) !== 0x30) return op;
    let sz = await this._recv_len();
    const tl = await this.readTemp(2);
    const topicLen = (at(tl, 0) << 8) | at(tl, 1);
    const topicHandle = this.allocator.alloc(topicLen, CHARGES.topic);
    try {
      const topic = (await sock.read(topicLen)) ?? new Uint8Array(0);
      sz -= topicLen + 2;
      let pid = 0;
      if (op & 6) {
        const p = await this.readTemp(2);
        pid = (at(p, 0) << 8) | at(p, 1);
        sz -= 2;
      }
      // A MemoryError here propagates with the payload still unread in the socket.
      const payloadHandle = this.allocator.alloc(Math.max(sz, 0), CHARGES.payload);
      try {
        const msg = (await sock.read(sz)) ?? new Uint8Array(0);
        if (!this.cb) throw new TypeError("'NoneType' object isn't callable");
        await this.cb(topic, msg);
      } finally {
        this.allocator.release(payloadHandle);
      }
      if ((op & 6) === 2) {
        await this.send(puback(pid), CHARGES.puback);
      } else if ((op & 6) === 4) {
        pyAssert(false);
      }
    } finally {
      this.allocator.release(topicHandle);
    }
    return op;
  }

  /** Non-blocking wait_msg(): null at once when nothing is pending. */
  async check_msg(): Promise<number | null> {
    this.requireSock().setblocking(false);
    return this.wait_msg();
  }
}

