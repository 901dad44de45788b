// The API's HTTP server. Requests that Node's HTTP parser refuses before Express sees them (a URL or headers
// over `maxHeaderSize`, a malformed request line or header) are answered with a problem+json body too, instead
// of Node's bare status line.
import type { Express } from 'express';
import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** Like `app.listen(port, host)`, with the parser's refusals answered as problems; resolves once listening. */
export function listen(app: Express, port: number, host: string): Promise<Server> {
  const server = createServer(app);
  server.on('clientError', answerClientError);
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok(server);
    });
  });
}

// What the parser's error codes mean for the client, as Node's own default handler maps them.
const REFUSALS: Record<string, { status: number; detail: string; hint: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    detail: 'the URL and headers are too large',
    hint: 'the request line (with the URL) and headers together must fit in 16 kB; send long input in a POST body',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, detail: 'the chunk extensions of the body are too large', hint: 'send the body without chunk extensions' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'the request was not received in time', hint: 'send the whole request promptly' },
};
const MALFORMED = { status: 400, detail: 'the request is not valid HTTP/1.1', hint: 'check the request line and headers: no control characters, one Content-Length' };

export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  // As Node does: nothing to answer on a closed socket, nor once a response has started on it.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const r = REFUSALS[err.code ?? ''] ?? MALFORMED;
  const title = STATUS_CODES[r.status] ?? 'Bad Request';
  const body = JSON.stringify({ type: 'about:blank', title, status: r.status, detail: r.detail, hint: r.hint });
  socket.end(
    `HTTP/1.1 ${r.status} ${title}\r\nContent-Type: application/problem+json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
