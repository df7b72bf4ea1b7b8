/** Byte helpers that also work across realms (iframes, vm contexts), where `instanceof` fails. */

/** True for a Uint8Array from any realm. */
export function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array || (ArrayBuffer.isView(v) && Object.prototype.toString.call(v) === '[object Uint8Array]');
}
