/**
 * The few Web APIs the core uses, available in every supported runtime (Node >= 20 and
 * browsers). Declared here so the core compiles without the DOM or Node type libraries,
 * which keeps Node-only APIs out of it.
 */
declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
