// Runs the bad-input table's rows in Node and prints one JSON outcome per line.
//
// Usage: node runner.js ROWS.json
//
// Driven by tools/record_bad_input.py, which builds the rows, runs this script
// (again from the next row if a row kills Node, as some of Node's own checks
// abort the process), and stores the outcomes as the fixture that
// tests/badinput/test_bad_input_table.py replays against nodenet (the rows are
// tests/badinput/badinput_table.py). The value
// encoding and the operations are mirrored, one for one, by
// tests/badinput/badinput_ops.py: keep the two in step.
'use strict';

const fs = require('fs');
const net = require('net');
const dns = require('dns');
const events = require('events');
const stream = require('stream');
const { EventEmitter } = events;

const rows = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const SETTLE_MS = 15;      // how long a row keeps listening for events after its call
const ROW_TIMEOUT_MS = 3000;

class Thing {}             // a plain object that is no options object: Python's object()

// ---------------------------------------------------------------- values

let ctx = { port: 0, bounds: [] };
const ABSTRACT_NAME = '\0nodenet-bad-input-' + process.pid;   // unique to the process

function decode(v) {
  if (v === null || typeof v !== 'object') return v;      // bool or string
  switch (v.$) {
    case 'undef': return undefined;
    case 'null': return null;
    case 'int': return Number(BigInt(v.v));                // 10**400 -> Infinity
    case 'float':
      return ({ nan: NaN, inf: Infinity, '-inf': -Infinity, '-0': -0 })[v.v] ?? Number(v.v);
    case 'bytes': return Buffer.from(v.hex, 'hex');
    case 'list': return v.v.map(decode);
    case 'dict': {
      const o = {};
      for (const [k, x] of Object.entries(v.v)) o[k] = decode(x);
      return o;
    }
    case 'object': return new Thing();
    case 'fn': return function noop() {};
    case 'port': return ctx.port;
    case 'signal': return v.aborted ? AbortSignal.abort() : new AbortController().signal;
    case 'blocklist': return new net.BlockList();
    case 'sockaddr': return new net.SocketAddress({ address: '1.2.3.4' });
    case 'ee': return new EventEmitter();
    case 'abstract': return ABSTRACT_NAME;
    case 'bound': {
      const b = new net.BoundSocket({ host: '127.0.0.1' });
      if (v.closed) b.close();
      else ctx.bounds.push(b);          // closed after the row unless adopted
      return b;
    }
    default: throw new Error('unknown value tag ' + v.$);
  }
}

// ---------------------------------------------------------------- outcomes

function errKind(e) {
  if (e instanceof RangeError) return 'RangeError';
  if (e instanceof TypeError) return 'TypeError';
  if (e instanceof Error) return 'Error';
  return 'value';
}

const DNS_FAILURES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);

function code(e) {
  if (e === null || e === undefined) return 'null';
  if (!(e instanceof Error) && !(typeof e === 'object' && 'code' in e)) return 'value';
  const c = e.code;
  if (c === undefined || c === null) return 'nocode';
  if (DNS_FAILURES.has(c)) return 'EDNS';
  return String(c);
}

function plain(x) {
  // a return value as JSON: numbers, strings, booleans, null; objects by kind
  if (x === undefined || x === null) return null;
  if (typeof x === 'number') {
    if (Number.isNaN(x)) return 'NaN';
    if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
    return x;
  }
  if (typeof x === 'string' || typeof x === 'boolean') return x;
  if (Array.isArray(x)) return x.map(plain);
  if (x instanceof net.SocketAddress) return x.toJSON();
  return 'object';
}

// A BoundSocket's address() as JSON: a path ('abstract' for the abstract name),
// or [address, family, port > 0]
function boundAddress(a) {
  if (typeof a === 'string') return a === ABSTRACT_NAME ? 'abstract' : a;
  return [a.address, a.family, a.port > 0];
}

class Rec {
  constructor() {
    this.events = [];
    this.done = null;
    this.finished = false;
    this.cleanups = [];
  }
  ev(name) { if (!this.finished) this.events.push(name); }
  // Run the call under test: true if it returned, false if it threw.
  call(fn, keepReturn) {
    try {
      const r = fn();
      if (keepReturn) this.ret = plain(r);
      return true;
    } catch (e) {
      this.throws = { kind: errKind(e), code: code(e) };
      return false;
    }
  }
  finish() {
    if (this.finished) return;
    this.finished = true;
    for (const f of this.cleanups) { try { f(); } catch { /* cleanup only */ } }
    setImmediate(this.done);
  }
  settle(ms = SETTLE_MS) { setTimeout(() => this.finish(), ms); }
  outcome() {
    if (this.throws) return { t: 'throws', ...this.throws, events: this.events };
    const o = { t: 'ok', events: this.events };
    if ('ret' in this) o.ret = this.ret;
    return o;
  }
}

let current = null;
process.on('uncaughtException', (e) => {
  if (current) current.ev('uncaught:' + code(e));
});
process.on('warning', (w) => {
  if (current) current.ev('warning:' + w.name);
});

// ---------------------------------------------------------------- helpers

function watchEnd(r, sock) {
  sock.on('error', (e) => r.ev('error:' + code(e)));
}

// A client connected to the harness server, for the socket method rows.
function connected(cb) {
  const c = net.connect(ctx.port, '127.0.0.1');
  c.once('connect', () => cb(c));
}

function methodCall(r, sock, method, args, row) {
  // listeners for what the call may cause; callbacks in the args report as cb:
  const wrapped = args.map((a) => (typeof a === 'function' ?
    function(err) { r.ev('cb:' + code(err)); } : a));
  for (const e of ['error', 'timeout', 'finish', 'drain']) {
    sock.on(e, (x) => r.ev(e === 'error' ? 'error:' + code(x) : e));
  }
  if (r.call(() => sock[method](...wrapped), !!row.ret) && row.after) {
    // what another method reads back afterwards (getTypeOfService after a set)
    try {
      r.ev('after:' + JSON.stringify(plain(sock[row.after]())));
    } catch (e) {
      r.ev('after-throws:' + code(e));
    }
  }
  if (r.ret === 'object') r.ret = 'this';
  r.settle();
}

// ---------------------------------------------------------------- operations

const OPS = {
  // net.createServer(...args)
  'net.createServer'(r, a) {
    let s = null;
    if (r.call(() => { s = net.createServer(...a); })) r.cleanups.push(() => s.close());
    r.finish();
  },

  // createServer(options) then one connection served: what the options do to it
  'server.serve'(r, a) {
    let s = null;
    let client = null;
    r.cleanups.push(() => { if (s) s.close(); if (client) client.destroy(); });
    const ok = r.call(() => {
      s = net.createServer(a[0], (c) => {
        r.ev('connection');
        c.on('error', (e) => r.ev('server-error:' + code(e)));
        c.end('x');
      });
    });
    if (!ok) return r.finish();
    s.listen(0, '127.0.0.1', () => {
      client = net.connect(s.address().port, '127.0.0.1');
      client.on('data', () => r.ev('data'));
      client.on('error', (e) => r.ev('client-error:' + code(e)));
      client.on('close', () => r.finish());
    });
    setTimeout(() => { r.ev('timeout'); r.finish(); }, 1000);
  },

  // server.listen(...args)
  'server.listen'(r, a) {
    const s = net.createServer();
    r.cleanups.push(() => s.close());
    s.on('listening', () => { r.ev('listening'); r.finish(); });
    s.on('error', (e) => { r.ev('error:' + code(e)); r.finish(); });
    if (!r.call(() => s.listen(...a))) return r.finish();
    setTimeout(() => { r.ev('timeout'); r.finish(); }, ROW_TIMEOUT_MS);
  },

  // methods of a server that is not listening: close(cb), getConnections(cb)
  'server.method'(r, a, row) {
    const s = net.createServer();
    const args = a.map((x) => (typeof x === 'function' ?
      function(err) { r.ev('cb:' + code(err)); } : x));
    r.call(() => s[row.method](...args));
    r.settle();
  },

  // server.maxConnections = value, then one connection: accepted or dropped
  'server.maxConnections'(r, a) {
    const s = net.createServer((c) => { r.ev('connection'); c.destroy(); });
    let client = null;
    r.cleanups.push(() => { s.close(); if (client) client.destroy(); });
    s.maxConnections = a[0];
    s.on('drop', () => r.ev('drop'));
    s.listen(0, '127.0.0.1', () => {
      client = net.connect(s.address().port, '127.0.0.1');
      client.on('error', () => {});
      client.on('close', () => r.settle());
    });
  },

  // new net.Socket(...args)
  'net.Socket'(r, a) {
    let s = null;
    if (!r.call(() => { s = new net.Socket(...a); })) return r.finish();
    s.on('error', (e) => r.ev('error:' + code(e)));
    r.cleanups.push(() => s.destroy());
    r.settle();
  },

  // net.connect(...args) / net.createConnection / new Socket().connect
  'net.connect'(r, a, row) {
    let s = null;
    const fn = {
      'net.connect': () => net.connect(...a),
      'net.createConnection': () => net.createConnection(...a),
      'socket.connect': () => new net.Socket().connect(...a),
      'bound.connect': () => new net.Socket({
        handle: new net.BoundSocket({ host: '127.0.0.1' }),
      }).connect(...a),
    }[row.form || 'net.connect'];
    if (!r.call(() => { s = fn(); })) return r.finish();
    r.cleanups.push(() => s.destroy());
    s.on('connect', () => { r.ev('connect'); s.destroy(); });
    s.on('error', (e) => r.ev('error:' + code(e)));
    s.on('close', () => r.finish());
    setTimeout(() => { r.ev('timeout'); r.finish(); }, ROW_TIMEOUT_MS);
  },

  // a method of a connected socket
  'socket.method'(r, a, row) {
    connected((c) => {
      r.cleanups.push(() => c.destroy());
      methodCall(r, c, row.method, a, row);
    });
  },

  // a method of a socket that never connected
  'fresh.method'(r, a, row) {
    const c = new net.Socket();
    r.cleanups.push(() => c.destroy());
    methodCall(r, c, row.method, a, row);
  },

  // dns.lookup(...args): the callback's error code, or ok
  'dns.lookup'(r, a) {
    const args = a.map((x) => (typeof x === 'function' ?
      function(err) { r.ev('cb:' + code(err)); r.finish(); } : x));
    if (!r.call(() => dns.lookup(...args))) return r.finish();
    setTimeout(() => { r.ev('timeout'); r.finish(); }, ROW_TIMEOUT_MS);
  },

  // a synchronous function or method and what it returns
  'call'(r, a, row) {
    const target = {
      'net.isIP': () => net.isIP(...a),
      'net.isIPv4': () => net.isIPv4(...a),
      'net.isIPv6': () => net.isIPv6(...a),
      'net.SocketAddress': () => new net.SocketAddress(...a),
      'SocketAddress.parse': () => net.SocketAddress.parse(...a),
      'BlockList.addAddress': () => new net.BlockList().addAddress(...a),
      'BlockList.addRange': () => new net.BlockList().addRange(...a),
      'BlockList.addSubnet': () => new net.BlockList().addSubnet(...a),
      'BlockList.check': () => new net.BlockList().check(...a),
      'BlockList.fromJSON': () => new net.BlockList().fromJSON(...a),
      'net.setDefaultAutoSelectFamily': () => net.setDefaultAutoSelectFamily(...a),
      'net.setDefaultAutoSelectFamilyAttemptTimeout':
        () => net.setDefaultAutoSelectFamilyAttemptTimeout(...a),
      'dns.setDefaultResultOrder': () => dns.setDefaultResultOrder(...a),
      'AbortController.abort': () => new AbortController().abort(...a),
      'AbortSignal.abort': () => AbortSignal.abort(...a).aborted,
      'AbortSignal.timeout': () => AbortSignal.timeout(...a).aborted,
      'AbortSignal.any': () => AbortSignal.any(...a).aborted,
      'events.setMaxListeners': () => events.setMaxListeners(...a),
      'events.getEventListeners': () => events.getEventListeners(...a),
      'events.getMaxListeners': () => events.getMaxListeners(...a),
      'new EventEmitter': () => new EventEmitter(...a),
      'signal.addEventListener':
        () => new AbortController().signal.addEventListener(...a),
      'clearTimeout': () => clearTimeout(...a),
      'clearInterval': () => clearInterval(...a),
      'clearImmediate': () => clearImmediate(...a),
    }[row.fn];
    const autoSelect = net.getDefaultAutoSelectFamily();
    const attempt = net.getDefaultAutoSelectFamilyAttemptTimeout();
    const order = dns.getDefaultResultOrder();
    const maxListeners = EventEmitter.defaultMaxListeners;
    r.call(target, true);
    if (r.ret !== null && typeof r.ret === 'object' && !Array.isArray(r.ret)) r.ret = 'object';
    if (row.fn === 'net.SocketAddress' && !r.throws) r.ret = 'object';
    net.setDefaultAutoSelectFamily(autoSelect);
    net.setDefaultAutoSelectFamilyAttemptTimeout(attempt);
    dns.setDefaultResultOrder(order);
    EventEmitter.defaultMaxListeners = maxListeners;
    r.settle(1);
  },

  // setTimeout / setInterval / setImmediate / process.nextTick: does it run?
  'timer'(r, a, row) {
    // an interval is cleared when it first fires, so 'fired' is recorded once
    const fired = () => { r.ev('fired'); clearInterval(t); };
    const args = a.map((x) => (typeof x === 'function' ? fired : x));
    let t = null;
    const fn = {
      setTimeout: () => { t = setTimeout(...args); },
      setInterval: () => { t = setInterval(...args); },
      setImmediate: () => { t = setImmediate(...args); },
      nextTick: () => process.nextTick(...args),
    }[row.fn];
    r.cleanups.push(() => { clearTimeout(t); clearImmediate(t); });
    if (!r.call(fn)) return r.finish();
    r.settle(30);
  },

  // an EventEmitter method; listeners given in the args record their calls
  'ee.method'(r, a, row) {
    const ee = new EventEmitter();
    const args = a.map((x) => (typeof x === 'function' ? () => r.ev('listener') : x));
    r.call(() => ee[row.method](...args), row.ret);
    if (r.ret === 'object') r.ret = 'this';
    r.settle(1);
  },

  // new net.BoundSocket(...args): what address() and isPipe give, then closed
  'BoundSocket'(r, a) {
    let b = null;
    if (r.call(() => { b = new net.BoundSocket(...a); })) {
      r.ret = [boundAddress(b.address()), b.isPipe];
      b.close();
    }
    r.finish();
  },

  // a member of a BoundSocket (127.0.0.1, port 0; or the path 'b.sock') that is
  // fresh, closed, or adopted by a server or a socket
  'BoundSocket.method'(r, a, row) {
    const b = new net.BoundSocket(row.state === 'pipe' ? { path: 'b.sock' } :
      { host: '127.0.0.1' });
    const srv = net.createServer();
    let sock = null;
    r.cleanups.push(() => { srv.close(); if (sock) sock.destroy(); b[Symbol.dispose](); });
    switch (row.state) {
      case 'closed': b.close(); break;
      case 'listened': srv.listen(b); break;
      case 'listened-handle': srv.listen({ handle: b }); break;
      case 'socket': sock = new net.Socket({ handle: b }); break;
      case 'connected':
        sock = net.connect({ handle: b, port: ctx.port, host: '127.0.0.1' });
        sock.on('error', (e) => r.ev('error:' + code(e)));
        break;
    }
    r.call(() => ({
      'address()': () => boundAddress(b.address()),
      'fd()': () => (b.fd() >= 0 ? 'fd' : b.fd()),
      'close()': () => b.close(),
      'isPipe': () => b.isPipe,
    })[row.member](), true);
    r.settle();
  },

  // a BlockList method on a list holding 9.9.9.9 and 9.0.0.0/8; its size and rules after
  'blocklist'(r, a, row) {
    const bl = new net.BlockList();
    bl.addAddress('9.9.9.9');
    bl.addSubnet('9.0.0.0', 8);
    r.call(() => bl[row.method](...a), true);
    r.ev('size:' + bl.size);
    r.ev('rules:' + JSON.stringify(bl.rules));
    r.settle(1);
  },

  // stream.setDefaultHighWaterMark / getDefaultHighWaterMark; both defaults after
  'stream.hwm'(r, a, row) {
    const bytes = stream.getDefaultHighWaterMark(false);
    const objects = stream.getDefaultHighWaterMark(true);
    r.call(() => stream[row.fn](...a), true);
    r.ev('defaults:' + stream.getDefaultHighWaterMark(false) + ',' +
         stream.getDefaultHighWaterMark(true));
    stream.setDefaultHighWaterMark(false, bytes);
    stream.setDefaultHighWaterMark(true, objects);
    r.settle(1);
  },

  // events.addAbortListener(...args): a listener given in the args records its call
  'events.abort'(r, a) {
    const args = a.map((x) => (typeof x === 'function' ? () => r.ev('listener') : x));
    r.call(() => events.addAbortListener(...args), true);
    r.settle(5);
  },

  // events.once(...args): Node rejects the promise where nodenet raises
  'events.once'(r, a) {
    let p = null;
    if (!r.call(() => { p = events.once(...a); })) return r.finish();
    p.then(() => r.ev('resolved'), (e) => {
      r.throws = { kind: errKind(e), code: code(e) };
    });
    r.settle(5);
  },
};

// ---------------------------------------------------------------- main

function startHarness(cb) {
  const server = net.createServer((c) => {
    c.on('error', () => {});
    c.resume();
    c.unref();
  });
  server.listen(0, () => {
    ctx.port = server.address().port;
    server.unref();
    cb();
  });
}

function runRow(i) {
  if (i >= rows.length) {
    fs.writeSync(1, JSON.stringify({ end: true }) + '\n');
    process.exit(0);
  }
  const row = rows[i];
  const r = new Rec();
  current = r;
  // a row that never ends (a Node that behaves differently) is cut short
  const watchdog = setTimeout(() => { r.ev('hang'); r.finish(); }, 2 * ROW_TIMEOUT_MS);
  r.done = () => {
    clearTimeout(watchdog);
    fs.writeSync(1, JSON.stringify({ i, outcome: r.outcome() }) + '\n');
    current = null;
    setImmediate(runRow, i + 1);
  };
  let args;
  try {
    args = row.args.map(decode);
  } catch (e) {
    r.throws = { kind: 'decode', code: String(e) };
    return r.finish();
  }
  const bounds = ctx.bounds.splice(0);       // BoundSockets the row did not adopt
  r.cleanups.push(() => { for (const b of bounds) b[Symbol.dispose](); });
  OPS[row.op](r, args, row);
}

fs.writeSync(1, JSON.stringify({ node: process.version }) + '\n');
startHarness(() => runRow(0));
