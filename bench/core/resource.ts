/**
 * What every pool in the benchmark hands out: a plain object from an async factory. It does no
 * I/O, so the figures are the pools' own cost and nothing else.
 */
export interface Resource {
  readonly id: number;
}

let nextId = 1;

export async function createResource(): Promise<Resource> {
  return { id: nextId++ };
}

export async function destroyResource(_resource: Resource): Promise<void> {}
