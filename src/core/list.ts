/** A node of a List: the links live on the object itself, so being listed allocates nothing. */
export interface ListNode<N> {
  prev: N | undefined;
  next: N | undefined;
  listed: boolean;
}

/**
 * A doubly linked list through its nodes (undici's FixedQueue and porsager/postgres's queues keep
 * the same promise): push and unshift at either end, take from either end, remove any node, all
 * O(1) and without allocating. The waiter queue and the idle list are both one.
 */
export class List<N extends ListNode<N>> {
  #head: N | undefined = undefined;
  #tail: N | undefined = undefined;
  length = 0;

  get head(): N | undefined {
    return this.#head;
  }

  get tail(): N | undefined {
    return this.#tail;
  }

  push(node: N): void {
    node.listed = true;
    node.prev = this.#tail;
    node.next = undefined;
    if (this.#tail === undefined) this.#head = node;
    else this.#tail.next = node;
    this.#tail = node;
    this.length++;
  }

  unshift(node: N): void {
    node.listed = true;
    node.next = this.#head;
    node.prev = undefined;
    if (this.#head === undefined) this.#tail = node;
    else this.#head.prev = node;
    this.#head = node;
    this.length++;
  }

  shift(): N | undefined {
    const node = this.#head;
    if (node !== undefined) this.remove(node);
    return node;
  }

  /** Takes a node out; one that is not listed is left alone. */
  remove(node: N): void {
    if (!node.listed) return;
    if (node.prev === undefined) this.#head = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) this.#tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = undefined;
    node.listed = false;
    this.length--;
  }

  /** A snapshot, head first, for walks that may remove nodes as they go. */
  toArray(): N[] {
    const out: N[] = [];
    for (let node = this.#head; node !== undefined; node = node.next) out.push(node);
    return out;
  }
}
