// How the client tells its host what it allocates, so an emulated board can
// charge its MicroPython-like heap. The client knows nothing of the heap
// model: it calls `alloc` where umqtt.simple creates an object and `release`
// when that object becomes unreachable.

export interface Allocator {
  /**
   * Charge a new object of `bytes` bytes of payload (the heap adds its own
   * object overhead and block rounding). `what` names it for traces, e.g.
   * "publish.topic". Throws MemoryError when it cannot fit even after a
   * collection. Returns a handle for `release`.
   */
  alloc(bytes: number, what: string): number;
  /** The object became garbage; its blocks are reclaimed at the next collection. */
  release(handle: number): void;
}

/** The default: no heap to charge (a client running on the host). */
export const unlimitedAllocator: Allocator = {
  alloc: () => 0,
  release: () => {},
};
