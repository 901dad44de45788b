// A source connection's socket that reads into one buffer, used again for every read (net's `onread`), so that a
// COPY attached to it (copy-rows.ts) takes its bytes straight from there and reading allocates nothing per read.
// While no COPY is attached, each read goes to pg as a 'data' event of its own copy (pg's parser keeps what it is
// given). Only for connections without TLS: pg wraps a TLS connection's socket in a TLS socket and reads from that.
import { Socket } from 'node:net';

const READ_BYTES = 64 * 1024;

/** Takes the bytes of one read (valid only during the call); false stops reading until the socket is resumed. */
export type SocketReader = (bytes: Buffer) => boolean;

const slots = new WeakMap<Socket, { reader: SocketReader | null }>();

export function reusedReadSocket(): Socket {
  const slot: { reader: SocketReader | null } = { reader: null };
  const buffer = Buffer.allocUnsafeSlow(READ_BYTES);
  const socket = new Socket({
    onread: {
      buffer,
      callback: (n) => {
        const bytes = buffer.subarray(0, n);
        if (slot.reader) return slot.reader(bytes);
        socket.emit('data', Buffer.from(bytes));
        return true;
      },
    },
  });
  slots.set(socket, slot);
  return socket;
}

/** pg's `stream` option for source pools: the socket above, or a plain one where pg will add TLS. */
export const sourceSocket = (config?: { ssl?: unknown }): Socket => (config?.ssl ? new Socket() : reusedReadSocket());

/** Sends the socket's reads to `reader` instead of pg; false when the socket is not one of these. */
export function attachReader(socket: unknown, reader: SocketReader): boolean {
  const slot = slots.get(socket as Socket);
  if (!slot) return false;
  slot.reader = reader;
  return true;
}

/** Sends the socket's reads to pg again. */
export function detachReader(socket: unknown): void {
  const slot = slots.get(socket as Socket);
  if (slot) slot.reader = null;
}
