/**
 * Engine internals the drop-in facades (havuz/compat) read, kept off the public surface the way
 * the pool's lease return is: symbol-keyed.
 */

/** `engine[connectConfig]()`: the parsed URL and connectArgs the driver connects with, password included. */
export const connectConfig: unique symbol = Symbol('havuz.connectConfig');
