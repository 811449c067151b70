/**
 * Engine internals the drop-in facades (havuz/compat) read, kept off the public surface the way
 * the pool's lease return is: symbol-keyed.
 */

/** `engine[connectConfig]()`: the parsed URL and connectArgs the driver connects with, password included. */
export const connectConfig: unique symbol = Symbol('havuz.connectConfig');

/** An object literal or Object.create(null): what an options bag is, as opposed to a class instance or array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
