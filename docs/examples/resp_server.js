// The RESP server of resp_server.py for Node's `net`: the same parser and
// commands as resp.py, written in JavaScript (strings in latin1 stand for bytes).
//
//   node docs/examples/resp_server.js --port 6380 [--host 127.0.0.1] [--reuse-port]
'use strict';
const net = require('net');

const OK = '+OK\r\n';
const PONG = '+PONG\r\n';
const NIL = '$-1\r\n';
const EMPTY_ARRAY = '*0\r\n';
const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';
const NOT_INTEGER = '-ERR value is not an integer or out of range\r\n';
const CONFIG = new Map([['save', ''], ['appendonly', 'no']]);

class ProtocolError extends Error {}

const integer = (n) => `:${n}\r\n`;
const bulk = (v) => (v === undefined || v === null ? NIL : `$${v.length}\r\n${v}\r\n`);
const array = (values) => `*${values.length}\r\n` + values.map(bulk).join('');
const error = (message) => `-${message}\r\n`;

function toInt(text) {
  if (!/^[+-]?\d+$/.test(text)) throw new ProtocolError(`invalid length '${text}'`);
  return parseInt(text, 10);
}

// Splits a client's byte stream into commands (arrays of latin1 strings).
class RequestParser {
  constructor() { this.buffer = null; }

  feed(data) {
    const buf = this.buffer ? Buffer.concat([this.buffer, data]) : data;
    const commands = [];
    let pos = 0;
    while (pos < buf.length) {
      const parsed = buf[pos] === 42 ? parseMultibulk(buf, pos) : parseInline(buf, pos);
      if (parsed === null) break;
      pos = parsed[1];
      if (parsed[0].length) commands.push(parsed[0]);
    }
    this.buffer = pos < buf.length ? buf.subarray(pos) : null;
    return commands;
  }
}

function parseMultibulk(buf, pos) {
  let lineEnd = buf.indexOf('\r\n', pos);
  if (lineEnd < 0) return null;
  const count = toInt(buf.toString('latin1', pos + 1, lineEnd));
  pos = lineEnd + 2;
  const args = [];
  for (let i = 0; i < count; i++) {
    lineEnd = buf.indexOf('\r\n', pos);
    if (lineEnd < 0) return null;
    if (buf[pos] !== 36) throw new ProtocolError(`expected '$', got '${String.fromCharCode(buf[pos])}'`);
    const start = lineEnd + 2;
    const stop = start + toInt(buf.toString('latin1', pos + 1, lineEnd));
    if (stop + 2 > buf.length) return null;
    args.push(buf.toString('latin1', start, stop));
    pos = stop + 2;
  }
  return [args, pos];
}

function parseInline(buf, pos) {
  const lineEnd = buf.indexOf('\n', pos);
  if (lineEnd < 0) {
    if (buf.length - pos > 65536) throw new ProtocolError('too big inline request');
    return null;
  }
  return [buf.toString('latin1', pos, lineEnd).split(/\s+/).filter(Boolean), lineEnd + 1];
}

class ZSet extends Map {}

function need(args, count) { if (args.length < count) throw new RangeError('arity'); }
function score(value) { return String(value); }

// An in-memory keyspace and the commands on it: execute(args) -> reply string.
class Store {
  constructor() {
    this.data = new Map();
    this.commands = new Map(Object.entries({
      PING: this.ping, ECHO: this.echo, GET: this.get, SET: this.set, DEL: this.del,
      EXISTS: this.exists, INCR: this.incr, DECR: this.decr, INCRBY: this.incrby,
      DECRBY: this.decrby, MGET: this.mget, MSET: this.mset, APPEND: this.append,
      STRLEN: this.strlen, LPUSH: this.lpush, RPUSH: this.rpush, LPOP: this.lpop,
      RPOP: this.rpop, LLEN: this.llen, LRANGE: this.lrange, SADD: this.sadd,
      SPOP: this.spop, SCARD: this.scard, SMEMBERS: this.smembers, HSET: this.hset,
      HGET: this.hget, ZADD: this.zadd, ZPOPMIN: this.zpopmin, ZCARD: this.zcard,
      DBSIZE: this.dbsize, FLUSHALL: this.flushall, FLUSHDB: this.flushall, TYPE: this.type,
      SELECT: this.select, CONFIG: this.config, COMMAND: this.command, CLIENT: this.client,
      INFO: this.info, QUIT: this.quit,
    }).map(([name, fn]) => [name, fn.bind(this)]));
  }

  execute(args) {
    const handler = this.commands.get(args[0].toUpperCase());
    if (handler === undefined) return error(`ERR unknown command '${args[0]}'`);
    try {
      return handler(args);
    } catch (err) {
      if (err instanceof RangeError) {
        return error(`ERR wrong number of arguments for '${args[0].toLowerCase()}' command`);
      }
      throw err;
    }
  }

  ping(args) { return args.length > 1 ? bulk(args[1]) : PONG; }
  echo(args) { need(args, 2); return bulk(args[1]); }
  quit() { return OK; }
  select(args) { need(args, 2); return args[1] === '0' ? OK : error('ERR DB index is out of range'); }
  config(args) {
    need(args, 3);
    if (args[1].toUpperCase() !== 'GET') return error('ERR CONFIG subcommands here: GET');
    const wanted = args[2].toLowerCase();
    const out = [];
    for (const [name, value] of CONFIG) if (wanted === name || wanted === '*') out.push(name, value);
    return array(out);
  }
  command() { return EMPTY_ARRAY; }
  client() { return OK; }
  info() { return bulk('# Server\r\nredis_version:7.0.0\r\nnodenet_example:1\r\n'); }
  dbsize() { return integer(this.data.size); }
  flushall() { this.data.clear(); return OK; }
  type(args) {
    need(args, 2);
    const v = this.data.get(args[1]);
    const name = v === undefined ? 'none' : typeof v === 'string' ? 'string'
      : Array.isArray(v) ? 'list' : v instanceof Set ? 'set' : v instanceof ZSet ? 'zset' : 'hash';
    return `+${name}\r\n`;
  }

  get(args) {
    need(args, 2);
    const v = this.data.get(args[1]);
    return v === undefined || typeof v === 'string' ? bulk(v) : WRONGTYPE;
  }
  set(args) {
    need(args, 3);
    const flags = new Set(args.slice(3).map((a) => a.toUpperCase()));
    if ((flags.has('NX') && this.data.has(args[1])) || (flags.has('XX') && !this.data.has(args[1]))) return NIL;
    this.data.set(args[1], args[2]);
    return OK;
  }
  del(args) {
    need(args, 2);
    let n = 0;
    for (const k of args.slice(1)) if (this.data.delete(k)) n++;
    return integer(n);
  }
  exists(args) {
    need(args, 2);
    return integer(args.slice(1).filter((k) => this.data.has(k)).length);
  }
  incr(args) { need(args, 2); return this.add(args[1], 1); }
  decr(args) { need(args, 2); return this.add(args[1], -1); }
  incrby(args) { need(args, 3); return /^[+-]?\d+$/.test(args[2]) ? this.add(args[1], parseInt(args[2], 10)) : NOT_INTEGER; }
  decrby(args) { need(args, 3); return /^[+-]?\d+$/.test(args[2]) ? this.add(args[1], -parseInt(args[2], 10)) : NOT_INTEGER; }
  add(key, delta) {
    const v = this.data.has(key) ? this.data.get(key) : '0';
    if (typeof v !== 'string') return WRONGTYPE;
    if (!/^[+-]?\d+$/.test(v)) return NOT_INTEGER;
    const n = parseInt(v, 10) + delta;
    this.data.set(key, String(n));
    return integer(n);
  }
  mget(args) {
    need(args, 2);
    return array(args.slice(1).map((k) => { const v = this.data.get(k); return typeof v === 'string' ? v : undefined; }));
  }
  mset(args) {
    if (args.length < 3 || args.length % 2 === 0) throw new RangeError('arity');
    for (let i = 1; i < args.length; i += 2) this.data.set(args[i], args[i + 1]);
    return OK;
  }
  append(args) {
    need(args, 3);
    const v = this.data.has(args[1]) ? this.data.get(args[1]) : '';
    if (typeof v !== 'string') return WRONGTYPE;
    this.data.set(args[1], v + args[2]);
    return integer(v.length + args[2].length);
  }
  strlen(args) {
    need(args, 2);
    const v = this.data.has(args[1]) ? this.data.get(args[1]) : '';
    return typeof v === 'string' ? integer(v.length) : WRONGTYPE;
  }

  list(key, create) {
    let v = this.data.get(key);
    if (v === undefined && create) { v = []; this.data.set(key, v); }
    return v;
  }
  lpush(args) {
    need(args, 3);
    const items = this.list(args[1], true);
    if (!Array.isArray(items)) return WRONGTYPE;
    for (const a of args.slice(2)) items.unshift(a);
    return integer(items.length);
  }
  rpush(args) {
    need(args, 3);
    const items = this.list(args[1], true);
    if (!Array.isArray(items)) return WRONGTYPE;
    items.push(...args.slice(2));
    return integer(items.length);
  }
  lpop(args) { need(args, 2); return this.pop(args[1], true); }
  rpop(args) { need(args, 2); return this.pop(args[1], false); }
  pop(key, left) {
    const items = this.list(key, false);
    if (items === undefined) return NIL;
    if (!Array.isArray(items)) return WRONGTYPE;
    const v = left ? items.shift() : items.pop();
    if (!items.length) this.data.delete(key);
    return bulk(v);
  }
  llen(args) {
    need(args, 2);
    const items = this.list(args[1], false);
    if (items === undefined) return integer(0);
    return Array.isArray(items) ? integer(items.length) : WRONGTYPE;
  }
  lrange(args) {
    need(args, 4);
    const items = this.list(args[1], false);
    if (!/^[+-]?\d+$/.test(args[2]) || !/^[+-]?\d+$/.test(args[3])) return NOT_INTEGER;
    let start = parseInt(args[2], 10);
    let stop = parseInt(args[3], 10);
    if (items === undefined) return EMPTY_ARRAY;
    if (!Array.isArray(items)) return WRONGTYPE;
    const size = items.length;
    start = Math.max(start < 0 ? start + size : start, 0);
    stop = Math.min(stop < 0 ? stop + size : stop, size - 1);
    if (start > stop) return EMPTY_ARRAY;
    return array(items.slice(start, stop + 1));
  }

  sadd(args) {
    need(args, 3);
    let members = this.data.get(args[1]);
    if (members === undefined) { members = new Set(); this.data.set(args[1], members); }
    if (!(members instanceof Set)) return WRONGTYPE;
    const before = members.size;
    for (const m of args.slice(2)) members.add(m);
    return integer(members.size - before);
  }
  spop(args) {
    need(args, 2);
    const members = this.data.get(args[1]);
    if (members === undefined) return NIL;
    if (!(members instanceof Set)) return WRONGTYPE;
    const v = members.values().next().value;
    members.delete(v);
    if (!members.size) this.data.delete(args[1]);
    return bulk(v);
  }
  scard(args) {
    need(args, 2);
    const members = this.data.get(args[1]) || new Set();
    return members instanceof Set ? integer(members.size) : WRONGTYPE;
  }
  smembers(args) {
    need(args, 2);
    const members = this.data.get(args[1]) || new Set();
    return members instanceof Set ? array([...members].sort()) : WRONGTYPE;
  }
  hset(args) {
    if (args.length < 4 || args.length % 2) throw new RangeError('arity');
    let fields = this.data.get(args[1]);
    if (fields === undefined) { fields = new Map(); this.data.set(args[1], fields); }
    if (!(fields instanceof Map) || fields instanceof ZSet) return WRONGTYPE;
    let added = 0;
    for (let i = 2; i < args.length; i += 2) {
      if (!fields.has(args[i])) added++;
      fields.set(args[i], args[i + 1]);
    }
    return integer(added);
  }
  hget(args) {
    need(args, 3);
    const fields = this.data.get(args[1]) || new Map();
    return fields instanceof Map && !(fields instanceof ZSet) ? bulk(fields.get(args[2])) : WRONGTYPE;
  }
  zadd(args) {
    if (args.length < 4 || args.length % 2) throw new RangeError('arity');
    let scores = this.data.get(args[1]);
    if (scores === undefined) { scores = new ZSet(); this.data.set(args[1], scores); }
    if (!(scores instanceof ZSet)) return WRONGTYPE;
    let added = 0;
    for (let i = 2; i < args.length; i += 2) {
      const s = Number(args[i]);
      if (args[i] === '' || Number.isNaN(s)) return error('ERR value is not a valid float');
      if (!scores.has(args[i + 1])) added++;
      scores.set(args[i + 1], s);
    }
    return integer(added);
  }
  zpopmin(args) {
    need(args, 2);
    const scores = this.data.get(args[1]);
    if (scores === undefined) return EMPTY_ARRAY;
    if (!(scores instanceof ZSet)) return WRONGTYPE;
    let best;
    for (const [m, s] of scores) {
      if (best === undefined || s < scores.get(best) || (s === scores.get(best) && m < best)) best = m;
    }
    const s = scores.get(best);
    scores.delete(best);
    if (!scores.size) this.data.delete(args[1]);
    return array([best, score(s)]);
  }
  zcard(args) {
    need(args, 2);
    const scores = this.data.get(args[1]) || new ZSet();
    return scores instanceof ZSet ? integer(scores.size) : WRONGTYPE;
  }
}

const store = new Store();

function onConnection(c) {
  const parser = new RequestParser();
  c.on('data', (data) => {
    if (c.writableEnded) return;              // after QUIT or a protocol error
    let commands;
    try {
      commands = parser.feed(data);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      c.end(error(`ERR Protocol error: ${err.message}`), 'latin1');
      return;
    }
    for (const args of commands) {
      c.write(store.execute(args), 'latin1');
      if (args[0].toUpperCase() === 'QUIT') {
        c.end();
        return;
      }
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
  port: Number(option('--port', '6380')),
  reusePort: process.argv.includes('--reuse-port'),
}, () => {
  const a = server.address();
  console.log(`RESP server listening on ${a.address}:${a.port}`);
});
