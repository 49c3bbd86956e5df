// The HTTP server of http_server.py for Node's `net`: the same parser and
// application as http1.py, written in JavaScript.
//
//   node docs/examples/http_server.js --port 8080 [--host 127.0.0.1] [--reuse-port]
'use strict';
const net = require('net');

const MAX_HEAD = 65536;
const REASONS = { 200: 'OK', 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed',
  431: 'Request Header Fields Too Large', 501: 'Not Implemented' };
const HELLO = Buffer.from('Hello, World!\n');

class BadRequest extends Error {
  constructor(message, status = 400) { super(message); this.status = status; }
}

class Request {
  constructor(method, target, version, headers, body) {
    this.method = method;
    this.target = target;
    this.version = version;
    this.headers = headers;
    this.body = body;
    const connection = (headers.get('connection') || '').toLowerCase();
    this.keepAlive = version === 'HTTP/1.0' ? connection.includes('keep-alive')
      : !connection.includes('close');
  }
}

function parseHead(text) {
  const lines = text.split('\r\n');
  const parts = lines[0].split(' ');
  if (parts.length !== 3 || (parts[2] !== 'HTTP/1.1' && parts[2] !== 'HTTP/1.0')) {
    throw new BadRequest(`bad request line '${lines[0].slice(0, 80)}'`);
  }
  const headers = new Map();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon);
    if (!name || name !== name.trim()) throw new BadRequest(`bad header line '${line.slice(0, 80)}'`);
    headers.set(name.toLowerCase(), line.slice(colon + 1).trim());
  }
  return [parts[0], parts[1], parts[2], headers];
}

function bodyLength(headers) {
  if (headers.has('transfer-encoding')) throw new BadRequest('chunked request bodies are not supported', 501);
  const length = headers.has('content-length') ? headers.get('content-length') : '0';
  if (!/^\d+$/.test(length)) throw new BadRequest(`bad Content-Length '${length}'`);
  return parseInt(length, 10);
}

// Splits a byte stream into requests; keeps an incomplete tail for the next chunk.
class RequestParser {
  constructor() { this.buffer = null; }

  feed(data) {
    const buf = this.buffer ? Buffer.concat([this.buffer, data]) : data;
    const requests = [];
    let pos = 0;
    for (;;) {
      const headEnd = buf.indexOf('\r\n\r\n', pos);
      if (headEnd < 0) {
        if (buf.length - pos > MAX_HEAD) throw new BadRequest('request head too large', 431);
        break;
      }
      const [method, target, version, headers] = parseHead(buf.toString('latin1', pos, headEnd));
      const length = bodyLength(headers);
      const bodyStart = headEnd + 4;
      if (buf.length < bodyStart + length) break;
      requests.push(new Request(method, target, version, headers,
        buf.subarray(bodyStart, bodyStart + length)));
      pos = bodyStart + length;
    }
    this.buffer = pos < buf.length ? buf.subarray(pos) : null;
    return requests;
  }
}

function response(status, body, keepAlive, headOnly = false, contentType = 'text/plain') {
  const head = Buffer.from(`HTTP/1.1 ${status} ${REASONS[status]}\r\n`
    + `Content-Type: ${contentType}\r\n`
    + `Content-Length: ${body.length}\r\n`
    + `Connection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`, 'latin1');
  return headOnly ? head : Buffer.concat([head, body]);
}

// The application: GET / says hello, POST /echo returns the body.
function respond(request) {
  if (request.target === '/' && (request.method === 'GET' || request.method === 'HEAD')) {
    return response(200, HELLO, request.keepAlive, request.method === 'HEAD');
  }
  if (request.target === '/echo') {
    if (request.method !== 'POST') return response(405, Buffer.from('POST only\n'), request.keepAlive);
    return response(200, request.body, request.keepAlive, false, 'application/octet-stream');
  }
  return response(404, Buffer.from('Not Found\n'), request.keepAlive, request.method === 'HEAD');
}

function badRequest(err) {
  return response(err.status, Buffer.from(`${err.message}\n`, 'latin1'), false);
}

function onConnection(c) {
  const parser = new RequestParser();
  c.on('data', (data) => {
    if (c.writableEnded) return;              // the response that closes was sent
    let requests;
    try {
      requests = parser.feed(data);
    } catch (err) {
      if (!(err instanceof BadRequest)) throw err;
      c.end(badRequest(err));
      return;
    }
    for (const request of requests) {
      if (!request.keepAlive) {
        c.end(respond(request));
        return;
      }
      c.write(respond(request));
    }
  });
  c.on('error', () => {});                      // a client that resets: 'close' follows
}

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

// noDelay: replies written one by one go out at once, not held by Nagle's
// algorithm for the peer's delayed ACK (Redis and Node's http do the same).
const server = net.createServer({ noDelay: true }, onConnection);
server.listen({
  host: option('--host', '127.0.0.1'),
  port: Number(option('--port', '8080')),
  reusePort: process.argv.includes('--reuse-port'),
}, () => {
  const a = server.address();
  console.log(`HTTP server listening on ${a.address}:${a.port}`);
});
