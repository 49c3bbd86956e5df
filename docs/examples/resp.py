"""RESP, the Redis protocol (version 2): the parser and the command table
shared by every Python RESP example.

``resp_server.py`` (nodenet), ``resp_server_asyncio.py`` (asyncio Protocol)
and ``resp_client.py`` / ``resp_client_asyncio.py`` import this module, so the
benchmarks compare event loops, not parsers; ``resp_server.js`` is the same
code written in JavaScript for Node's ``net``.

No I/O here: ``RequestParser.feed(bytes)`` returns the complete commands,
``Store.execute(command)`` returns the encoded reply, ``ReplyParser`` is the
client side. Enough of Redis for ``redis-cli`` and ``redis-benchmark``'s
default tests; keys never expire (``SET ... EX`` is accepted and ignored).
"""

from __future__ import annotations

from collections import deque
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, Union

Command = List[bytes]
Reply = Union[bytes, str, int, None, "ReplyError", List[Any]]

OK = b"+OK\r\n"
PONG = b"+PONG\r\n"
NIL = b"$-1\r\n"
EMPTY_ARRAY = b"*0\r\n"
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
SYNTAX = b"-ERR syntax error\r\n"
CONFIG = {b"save": b"", b"appendonly": b"no"}


class ProtocolError(ValueError):
    """The peer sent something that is not RESP: reply with an error and close."""


class ReplyError(Exception):
    """An error reply (``-ERR ...``) received by a client."""


# -- encoding -----------------------------------------------------------------

def integer(value: int) -> bytes:
    return b":%d\r\n" % value


def bulk(value: Optional[bytes]) -> bytes:
    if value is None:
        return NIL
    return b"$%d\r\n%s\r\n" % (len(value), value)


def array(values: Sequence[Optional[bytes]]) -> bytes:
    return b"*%d\r\n" % len(values) + b"".join(bulk(v) for v in values)


def error(message: str) -> bytes:
    return b"-" + message.encode() + b"\r\n"


def command(*args: Union[str, bytes, int]) -> bytes:
    """Encode one command as clients send it: an array of bulk strings."""
    parts = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)


# -- the server side: bytes in, commands out ----------------------------------

class RequestParser:
    """Splits a client's byte stream into commands.

    Feed it every chunk as it arrives; it keeps an incomplete tail for the next
    chunk. Accepts RESP arrays of bulk strings (what clients send) and inline
    commands (``PING\\r\\n``, what ``redis-benchmark``'s PING_INLINE and telnet send).
    """

    def __init__(self) -> None:
        self.buffer = b""

    def feed(self, data: bytes) -> List[Command]:
        buf = self.buffer + data if self.buffer else data
        commands: List[Command] = []
        pos = 0
        end = len(buf)
        while pos < end:
            if buf[pos] == 42:                        # b"*": a multibulk command
                parsed = _parse_multibulk(buf, pos)
            else:
                parsed = _parse_inline(buf, pos)
            if parsed is None:
                break                                 # incomplete: wait for more
            args, pos = parsed
            if args:
                commands.append(args)
        self.buffer = buf[pos:]
        return commands


def _parse_multibulk(buf: bytes, pos: int) -> Optional[Tuple[Command, int]]:
    line_end = buf.find(b"\r\n", pos)
    if line_end < 0:
        return None
    count = _int(buf[pos + 1:line_end])
    pos = line_end + 2
    args: Command = []
    for _ in range(count):
        line_end = buf.find(b"\r\n", pos)
        if line_end < 0:
            return None
        if buf[pos] != 36:                            # b"$"
            raise ProtocolError(f"expected '$', got {buf[pos:pos + 1]!r}")
        start = line_end + 2
        stop = start + _int(buf[pos + 1:line_end])
        if stop + 2 > len(buf):
            return None
        args.append(buf[start:stop])
        pos = stop + 2
    return args, pos


def _parse_inline(buf: bytes, pos: int) -> Optional[Tuple[Command, int]]:
    line_end = buf.find(b"\n", pos)
    if line_end < 0:
        if len(buf) - pos > 65536:
            raise ProtocolError("too big inline request")
        return None
    return buf[pos:line_end].split(), line_end + 1


def _int(digits: bytes) -> int:
    try:
        return int(digits)
    except ValueError:
        raise ProtocolError(f"invalid length {digits!r}") from None


# -- the command table ---------------------------------------------------------

class Store:
    """An in-memory keyspace and the commands on it: ``execute(command)`` -> reply bytes."""

    def __init__(self) -> None:
        self.data: Dict[bytes, Any] = {}
        self.commands: Dict[bytes, Callable[[Command], bytes]] = {
            b"PING": self.ping, b"ECHO": self.echo, b"GET": self.get, b"SET": self.set,
            b"DEL": self.delete, b"EXISTS": self.exists, b"INCR": self.incr,
            b"DECR": self.decr, b"INCRBY": self.incrby, b"DECRBY": self.decrby,
            b"MGET": self.mget, b"MSET": self.mset, b"APPEND": self.append,
            b"STRLEN": self.strlen, b"LPUSH": self.lpush, b"RPUSH": self.rpush,
            b"LPOP": self.lpop, b"RPOP": self.rpop, b"LLEN": self.llen,
            b"LRANGE": self.lrange, b"SADD": self.sadd, b"SPOP": self.spop,
            b"SCARD": self.scard, b"SMEMBERS": self.smembers, b"HSET": self.hset,
            b"HGET": self.hget, b"ZADD": self.zadd, b"ZPOPMIN": self.zpopmin,
            b"ZCARD": self.zcard, b"DBSIZE": self.dbsize, b"FLUSHALL": self.flushall,
            b"FLUSHDB": self.flushall, b"TYPE": self.type, b"SELECT": self.select,
            b"CONFIG": self.config, b"COMMAND": self.command, b"CLIENT": self.client,
            b"INFO": self.info, b"QUIT": self.quit,
        }

    def execute(self, args: Command) -> bytes:
        handler = self.commands.get(args[0].upper())
        if handler is None:
            return error(f"ERR unknown command '{args[0].decode(errors='replace')}'")
        try:
            return handler(args)
        except IndexError:
            name = args[0].decode(errors="replace").lower()
            return error(f"ERR wrong number of arguments for '{name}' command")

    # connection and server
    def ping(self, args: Command) -> bytes:
        return bulk(args[1]) if len(args) > 1 else PONG

    def echo(self, args: Command) -> bytes:
        return bulk(args[1])

    def quit(self, args: Command) -> bytes:
        return OK                                     # the server closes after this reply

    def select(self, args: Command) -> bytes:
        return OK if args[1] == b"0" else error("ERR DB index is out of range")

    def config(self, args: Command) -> bytes:
        # CONFIG GET name: redis-benchmark asks for 'save' and 'appendonly'.
        if args[1].upper() != b"GET":
            return error("ERR CONFIG subcommands here: GET")
        wanted = args[2].lower()
        return array([item for name, value in CONFIG.items()
                      if wanted in (name, b"*") for item in (name, value)])

    def command(self, args: Command) -> bytes:
        return EMPTY_ARRAY                            # redis-cli asks for COMMAND DOCS

    def client(self, args: Command) -> bytes:
        return OK

    def info(self, args: Command) -> bytes:
        return bulk(b"# Server\r\nredis_version:7.0.0\r\nnodenet_example:1\r\n")

    def dbsize(self, args: Command) -> bytes:
        return integer(len(self.data))

    def flushall(self, args: Command) -> bytes:
        self.data.clear()
        return OK

    def type(self, args: Command) -> bytes:
        value = self.data.get(args[1])
        names: Dict[Any, bytes] = {bytes: b"string", deque: b"list", set: b"set",
                                   dict: b"hash", _ZSet: b"zset"}
        name = names.get(type(value), b"none")
        return b"+" + name + b"\r\n"

    # strings
    def get(self, args: Command) -> bytes:
        value = self.data.get(args[1])
        if value is None or type(value) is bytes:
            return bulk(value)
        return WRONGTYPE

    def set(self, args: Command) -> bytes:
        key, value = args[1], args[2]
        flags = {a.upper() for a in args[3:]}
        if b"NX" in flags and key in self.data or b"XX" in flags and key not in self.data:
            return NIL
        self.data[key] = value
        return OK

    def delete(self, args: Command) -> bytes:
        _need(args, 2)
        return integer(sum(self.data.pop(k, None) is not None for k in args[1:]))

    def exists(self, args: Command) -> bytes:
        _need(args, 2)
        return integer(sum(k in self.data for k in args[1:]))

    def incr(self, args: Command) -> bytes:
        return self._add(args[1], 1)

    def decr(self, args: Command) -> bytes:
        return self._add(args[1], -1)

    def incrby(self, args: Command) -> bytes:
        try:
            return self._add(args[1], int(args[2]))
        except ValueError:
            return NOT_INTEGER

    def decrby(self, args: Command) -> bytes:
        try:
            return self._add(args[1], -int(args[2]))
        except ValueError:
            return NOT_INTEGER

    def _add(self, key: bytes, delta: int) -> bytes:
        value = self.data.get(key, b"0")
        if type(value) is not bytes:
            return WRONGTYPE
        try:
            number = int(value) + delta
        except ValueError:
            return NOT_INTEGER
        self.data[key] = b"%d" % number
        return integer(number)

    def mget(self, args: Command) -> bytes:
        _need(args, 2)
        values = [self.data.get(k) for k in args[1:]]
        return array([v if type(v) is bytes else None for v in values])

    def mset(self, args: Command) -> bytes:
        if len(args) < 3 or len(args) % 2 == 0:
            raise IndexError
        for i in range(1, len(args), 2):
            self.data[args[i]] = args[i + 1]
        return OK

    def append(self, args: Command) -> bytes:
        value = self.data.get(args[1], b"")
        if type(value) is not bytes:
            return WRONGTYPE
        self.data[args[1]] = value + args[2]
        return integer(len(value) + len(args[2]))

    def strlen(self, args: Command) -> bytes:
        value = self.data.get(args[1], b"")
        return integer(len(value)) if type(value) is bytes else WRONGTYPE

    # lists
    def _list(self, key: bytes, create: bool) -> Any:
        value = self.data.get(key)
        if value is None and create:
            value = self.data[key] = deque()
        return value

    def lpush(self, args: Command) -> bytes:
        _need(args, 3)
        items = self._list(args[1], True)
        if type(items) is not deque:
            return WRONGTYPE
        items.extendleft(args[2:])
        return integer(len(items))

    def rpush(self, args: Command) -> bytes:
        _need(args, 3)
        items = self._list(args[1], True)
        if type(items) is not deque:
            return WRONGTYPE
        items.extend(args[2:])
        return integer(len(items))

    def lpop(self, args: Command) -> bytes:
        return self._pop(args[1], True)

    def rpop(self, args: Command) -> bytes:
        return self._pop(args[1], False)

    def _pop(self, key: bytes, left: bool) -> bytes:
        items = self._list(key, False)
        if items is None:
            return NIL
        if type(items) is not deque:
            return WRONGTYPE
        value = items.popleft() if left else items.pop()
        if not items:
            del self.data[key]
        return bulk(value)

    def llen(self, args: Command) -> bytes:
        items = self._list(args[1], False)
        if items is None:
            return integer(0)
        return integer(len(items)) if type(items) is deque else WRONGTYPE

    def lrange(self, args: Command) -> bytes:
        items = self._list(args[1], False)
        try:
            start, stop = int(args[2]), int(args[3])
        except ValueError:
            return NOT_INTEGER
        if items is None:
            return EMPTY_ARRAY
        if type(items) is not deque:
            return WRONGTYPE
        size = len(items)
        start = max(start + size if start < 0 else start, 0)
        stop = min(stop + size if stop < 0 else stop, size - 1)
        if start > stop:
            return EMPTY_ARRAY
        return array([items[i] for i in range(start, stop + 1)])

    # sets and hashes
    def sadd(self, args: Command) -> bytes:
        _need(args, 3)
        members = self.data.get(args[1])
        if members is None:
            members = self.data[args[1]] = set()
        if type(members) is not set:
            return WRONGTYPE
        before = len(members)
        members.update(args[2:])
        return integer(len(members) - before)

    def spop(self, args: Command) -> bytes:
        members = self.data.get(args[1])
        if members is None:
            return NIL
        if type(members) is not set:
            return WRONGTYPE
        value = members.pop()
        if not members:
            del self.data[args[1]]
        return bulk(value)

    def scard(self, args: Command) -> bytes:
        members = self.data.get(args[1], set())
        return integer(len(members)) if type(members) is set else WRONGTYPE

    def smembers(self, args: Command) -> bytes:
        members: Set[bytes] = self.data.get(args[1], set())
        return array(sorted(members)) if type(members) is set else WRONGTYPE

    def hset(self, args: Command) -> bytes:
        if len(args) < 4 or len(args) % 2:
            raise IndexError
        fields = self.data.get(args[1])
        if fields is None:
            fields = self.data[args[1]] = {}
        if type(fields) is not dict:
            return WRONGTYPE
        added = 0
        for i in range(2, len(args), 2):
            added += args[i] not in fields
            fields[args[i]] = args[i + 1]
        return integer(added)

    def hget(self, args: Command) -> bytes:
        fields = self.data.get(args[1], {})
        return bulk(fields.get(args[2])) if type(fields) is dict else WRONGTYPE

    # sorted sets (a dict member -> score; fine for an example)
    def zadd(self, args: Command) -> bytes:
        if len(args) < 4 or len(args) % 2:
            raise IndexError
        scores = self.data.get(args[1])
        if scores is None:
            scores = self.data[args[1]] = _ZSet()
        if type(scores) is not _ZSet:
            return WRONGTYPE
        added = 0
        for i in range(2, len(args), 2):
            try:
                score = float(args[i])
            except ValueError:
                return error("ERR value is not a valid float")
            added += args[i + 1] not in scores
            scores[args[i + 1]] = score
        return integer(added)

    def zpopmin(self, args: Command) -> bytes:
        scores = self.data.get(args[1])
        if scores is None:
            return EMPTY_ARRAY
        if type(scores) is not _ZSet:
            return WRONGTYPE
        member = min(scores, key=lambda m: (scores[m], m))
        score = scores.pop(member)
        if not scores:
            del self.data[args[1]]
        return array([member, _score(score)])

    def zcard(self, args: Command) -> bytes:
        scores = self.data.get(args[1], _ZSet())
        return integer(len(scores)) if type(scores) is _ZSet else WRONGTYPE


def _need(args: Command, count: int) -> None:
    """Too few arguments: the IndexError becomes Redis's wrong-number-of-arguments error."""
    if len(args) < count:
        raise IndexError(count)


class _ZSet(Dict[bytes, float]):
    """A sorted set's member -> score table (its own type, so TYPE can tell it from a hash)."""


def _score(value: float) -> bytes:
    return b"%d" % value if value.is_integer() else repr(value).encode()


# -- the client side: bytes in, replies out ----------------------------------

class ReplyParser:
    """Splits a server's byte stream into replies: a simple string (``+OK``) as
    ``str``, a bulk string as ``bytes`` (``None`` for nil), an integer, a list,
    or a ``ReplyError``."""

    def __init__(self) -> None:
        self.buffer = b""

    def feed(self, data: bytes) -> List[Reply]:
        buf = self.buffer + data if self.buffer else data
        replies: List[Reply] = []
        pos = 0
        while pos < len(buf):
            parsed = _parse_reply(buf, pos)
            if parsed is None:
                break
            reply, pos = parsed
            replies.append(reply)
        self.buffer = buf[pos:]
        return replies


def _parse_reply(buf: bytes, pos: int) -> Optional[Tuple[Reply, int]]:
    line_end = buf.find(b"\r\n", pos)
    if line_end < 0:
        return None
    kind, line, after = buf[pos], buf[pos + 1:line_end], line_end + 2
    if kind == 43:                                    # b"+": simple string
        return line.decode(errors="replace"), after
    if kind == 45:                                    # b"-": error
        return ReplyError(line.decode(errors="replace")), after
    if kind == 58:                                    # b":": integer
        return int(line), after
    if kind == 36:                                    # b"$": bulk string
        size = int(line)
        if size < 0:
            return None, after
        if after + size + 2 > len(buf):
            return None
        return buf[after:after + size], after + size + 2
    if kind == 42:                                    # b"*": array
        count = int(line)
        if count < 0:
            return None, after
        items: List[Any] = []
        for _ in range(count):
            parsed = _parse_reply(buf, after)
            if parsed is None:
                return None
            item, after = parsed
            items.append(item)
        return items, after
    raise ProtocolError(f"unknown reply type {buf[pos:pos + 1]!r}")


def show(reply: Reply) -> str:
    """A reply as ``redis-cli`` prints it (for the example client)."""
    if isinstance(reply, ReplyError):
        return f"(error) {reply}"
    if isinstance(reply, int):
        return f"(integer) {reply}"
    if reply is None:
        return "(nil)"
    if isinstance(reply, str):
        return reply
    if isinstance(reply, list):
        if not reply:
            return "(empty array)"
        return "\n".join(f"{i}) {show(item)}" for i, item in enumerate(reply, 1))
    return f'"{reply.decode(errors="backslashreplace")}"'
