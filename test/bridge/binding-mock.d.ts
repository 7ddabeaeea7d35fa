// @serialport/binding-mock ships types that its package.json "exports" hide
// from NodeNext resolution; these are the parts our tests use.
declare module "@serialport/binding-mock" {
  export interface MockPortBinding {
    isOpen: boolean;
    emitData(data: Buffer | string): void;
    write(buffer: Buffer): Promise<void>;
  }
  export const MockBinding: {
    createPort(path: string, options?: { echo?: boolean; record?: boolean; vendorId?: string; productId?: string; manufacturer?: string }): void;
    reset(): void;
  };
}
