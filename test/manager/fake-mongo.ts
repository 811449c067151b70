// A fake MongoDB server on loopback, just enough of the wire protocol for the official driver to
// connect, pool and run commands: the OP_QUERY handshake (answered with OP_REPLY), then OP_MSG.
// There is no MongoDB server on this machine; this lets the real driver produce its real CMAP
// events. It answers hello, ping, insert and find (empty), and "ok" to anything else; a test can
// hold the answers to one command to keep connections checked out.
import { createServer, type Server, type Socket } from 'node:net';
import { BSON } from 'mongodb';

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

type Doc = Record<string, unknown>;

export class FakeMongo {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #held = new Map<string, (() => void)[]>();
  #holding = new Set<string>();
  #nextConnection = 1;
  /** Every command name received, in order. */
  readonly commands: string[] = [];
  /** Documents received by insert, per collection. */
  readonly inserted = new Map<string, Doc[]>();
  port = 0;

  constructor() {
    this.#server = createServer((socket) => this.#serve(socket));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this;
  }

  get url(): string {
    return `mongodb://127.0.0.1:${this.port}/app?directConnection=true`;
  }

  /** Answers to `command` wait until release(). */
  hold(command: string): void {
    this.#holding.add(command);
  }

  /** How many `command`s are waiting for their answer. */
  waiting(command: string): number {
    return this.#held.get(command)?.length ?? 0;
  }

  release(command: string): void {
    this.#holding.delete(command);
    for (const answer of this.#held.get(command)?.splice(0) ?? []) answer();
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
    const connectionId = this.#nextConnection++;
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4 && buffer.length >= buffer.readInt32LE(0)) {
        const message = buffer.subarray(0, buffer.readInt32LE(0));
        buffer = buffer.subarray(message.length);
        this.#handle(socket, message, connectionId);
      }
    });
  }

  #handle(socket: Socket, message: Buffer, connectionId: number): void {
    const requestId = message.readInt32LE(4);
    const opCode = message.readInt32LE(12);
    if (opCode === OP_QUERY) {
      // flags, then the collection name (a C string), numberToSkip, numberToReturn, the query.
      const nameEnd = message.indexOf(0, 20);
      const query = BSON.deserialize(message.subarray(nameEnd + 9)) as Doc;
      this.#answer(socket, query, connectionId, (doc) => socket.write(reply(OP_REPLY, requestId, doc)));
      return;
    }
    if (opCode !== OP_MSG) return;
    const flags = message.readUInt32LE(16);
    const end = flags & 1 ? message.length - 4 : message.length; // a checksum closes the message
    let command: Doc = {};
    for (let at = 20; at < end; ) {
      const kind = message[at]!;
      if (kind === 0) {
        const size = message.readInt32LE(at + 1);
        command = { ...command, ...(BSON.deserialize(message.subarray(at + 1, at + 1 + size)) as Doc) };
        at += 1 + size;
      } else {
        // kind 1: a sequence of documents named by an identifier (insert's `documents`).
        const size = message.readInt32LE(at + 1);
        const idEnd = message.indexOf(0, at + 5);
        const id = message.toString('utf8', at + 5, idEnd);
        const docs: Doc[] = [];
        for (let d = idEnd + 1; d < at + 1 + size; d += message.readInt32LE(d)) docs.push(BSON.deserialize(message.subarray(d, d + message.readInt32LE(d))) as Doc);
        command[id] = docs;
        at += 1 + size;
      }
    }
    const moreToCome = (flags & 2) !== 0;
    this.#answer(socket, command, connectionId, (doc) => {
      if (!moreToCome) socket.write(reply(OP_MSG, requestId, doc));
    });
  }

  #answer(socket: Socket, command: Doc, connectionId: number, send: (doc: Doc) => void): void {
    const name = Object.keys(command)[0] ?? '';
    this.commands.push(name);
    const doc = answerTo(name, command, connectionId);
    if (name === 'insert') {
      const list = this.inserted.get(String(command.insert)) ?? [];
      list.push(...((command.documents as Doc[] | undefined) ?? []));
      this.inserted.set(String(command.insert), list);
    }
    if (this.#holding.has(name)) {
      const queue = this.#held.get(name) ?? [];
      queue.push(() => socket.writable && send(doc));
      this.#held.set(name, queue);
    } else send(doc);
  }
}

function answerTo(name: string, command: Doc, connectionId: number): Doc {
  switch (name.toLowerCase()) {
    case 'hello':
    case 'ismaster':
      return {
        helloOk: true,
        ismaster: true,
        isWritablePrimary: true,
        maxBsonObjectSize: 16 * 1024 * 1024,
        maxMessageSizeBytes: 48_000_000,
        maxWriteBatchSize: 100_000,
        localTime: new Date(),
        logicalSessionTimeoutMinutes: 30,
        connectionId,
        minWireVersion: 0,
        maxWireVersion: 21,
        readOnly: false,
        ok: 1,
      };
    case 'insert':
      return { n: (command.documents as unknown[] | undefined)?.length ?? 0, ok: 1 };
    case 'find':
      return { cursor: { id: BSON.Long.fromNumber(0), ns: `${String(command.$db)}.${String(command.find)}`, firstBatch: [] }, ok: 1 };
    default:
      return { ok: 1 };
  }
}

function reply(opCode: number, responseTo: number, doc: Doc): Buffer {
  const body = Buffer.from(BSON.serialize(doc));
  const prefix =
    opCode === OP_REPLY
      ? Buffer.alloc(20) // responseFlags, cursorID, startingFrom: 0; numberReturned: 1
      : Buffer.from([0, 0, 0, 0, 0]); // flagBits 0, then a kind-0 section
  if (opCode === OP_REPLY) prefix.writeInt32LE(1, 16);
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + prefix.length + body.length, 0);
  header.writeInt32LE(0, 4);
  header.writeInt32LE(responseTo, 8);
  header.writeInt32LE(opCode, 12);
  return Buffer.concat([header, prefix, body]);
}
