#!/usr/bin/env python3
"""A small MongoDB wire-protocol server for jvdb's tests, backed by mongomock.

No real MongoDB server can be installed where jvdb's tests run, so the test suite starts this
process and points the drivers (the Rust ``mongodb`` crate, pymongo, motor, jvspatial's MongoDB
backend) at it.

* Wire protocol: OP_MSG (2013; section kinds 0 and 1, flag bits checksumPresent, moreToCome,
  exhaustAllowed) and the legacy OP_QUERY (2004) -> OP_REPLY (1), which real 6.0+ servers accept
  only for the ``hello``/``isMaster`` handshake; this server does the same. OP_COMPRESSED is not
  supported (no compressors are advertised, so drivers never send it).
* Semantics: every query, update, sort, projection and aggregation is delegated to mongomock
  (one ``mongomock.MongoClient`` per process; databases and collections map 1:1). This file
  only translates commands into mongomock calls and results back into server replies.
* State is in memory only: killing and restarting the process loses every database. With
  ``--state-file PATH`` a graceful stop (SIGTERM/SIGINT) writes every database there (BSON,
  atomically) and a start loads it, so a restart keeps acknowledged data like a real server
  (a SIGKILL still loses everything since the last start).
* Command execution is synchronous on the event-loop thread, so mongomock (not thread-safe) is
  never entered concurrently; each connection is its own asyncio task.

Usage: python server.py --port 0 --port-file PATH [--state-file PATH] [--verbose]
It binds 127.0.0.1 only, writes the chosen port to PATH once listening, and runs until
SIGTERM/SIGINT.
"""

import argparse
import asyncio
import datetime
import itertools
import logging
import math
import os
import random
import signal
import struct
import sys
import time
import uuid

import bson
import mongomock
import mongomock.collection
from bson.codec_options import CodecOptions, DatetimeConversion
from bson.errors import BSONError
from bson.int64 import Int64
from bson.objectid import ObjectId
from bson.raw_bson import RawBSONDocument
from mongomock import filtering
from mongomock import helpers as mm_helpers
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure, PyMongoError

LOG = logging.getLogger("mongo_server")

OP_REPLY = 1
OP_QUERY = 2004
OP_COMPRESSED = 2012
OP_MSG = 2013

MSG_CHECKSUM_PRESENT = 1 << 0
MSG_MORE_TO_COME = 1 << 1
MSG_EXHAUST_ALLOWED = 1 << 16
MSG_KNOWN_FLAGS = MSG_CHECKSUM_PRESENT | MSG_MORE_TO_COME | MSG_EXHAUST_ALLOWED

MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024
MAX_MESSAGE_SIZE = 48_000_000
MAX_WRITE_BATCH_SIZE = 100_000
# A reply batch stops growing once its documents reach this many bytes (a real server caps a
# batch at 16 MiB; the reply document may exceed maxBsonObjectSize by a little, as there).
BATCH_BYTES = MAX_BSON_OBJECT_SIZE - 16 * 1024
DEFAULT_FIRST_BATCH = 101
CURSOR_IDLE_SECONDS = 600

SERVER_VERSION = "7.0.0"
MAX_WIRE_VERSION = 21  # MongoDB 7.0
MIN_WIRE_VERSION = 0

CODEC = CodecOptions(
    document_class=dict,
    tz_aware=False,
    datetime_conversion=DatetimeConversion.DATETIME_AUTO,
)

CODE_NAMES = {
    1: "InternalError",
    2: "BadValue",
    8: "UnknownError",
    9: "FailedToParse",
    13: "Unauthorized",
    14: "TypeMismatch",
    18: "AuthenticationFailed",
    20: "IllegalOperation",
    26: "NamespaceNotFound",
    27: "IndexNotFound",
    40: "ConflictingUpdateOperators",
    43: "CursorNotFound",
    48: "NamespaceExists",
    52: "DollarPrefixedFieldName",
    59: "CommandNotFound",
    66: "ImmutableField",
    67: "CannotCreateIndex",
    72: "InvalidOptions",
    73: "InvalidNamespace",
    85: "IndexOptionsConflict",
    86: "IndexKeySpecsConflict",
    115: "CommandNotSupported",
    352: "UnsupportedOpQueryCommand",
    11000: "DuplicateKey",
}


class CommandError(Exception):
    """A command failure reported to the client as {ok: 0, errmsg, code, codeName}."""

    def __init__(self, code, message, extra=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra or {}

    def reply(self):
        doc = {"ok": 0.0, "errmsg": self.message, "code": self.code}
        doc["codeName"] = CODE_NAMES.get(self.code, "UnknownError")
        doc.update(self.extra)
        return doc


class ProtocolError(Exception):
    """A malformed message: the connection is closed."""


# ---------------------------------------------------------------------------------------------
# mongomock adjustments (no query semantics here: only _id placement and duplicate-key details)
# ---------------------------------------------------------------------------------------------


def _format_key_value(value):
    """Render a value the way the server prints it in an E11000 message."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, ObjectId):
        return "ObjectId('%s')" % value
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join("%s: %s" % (k, _format_key_value(v)) for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[ " + ", ".join(_format_key_value(v) for v in value) + " ]"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan.0"
        if math.isinf(value):
            return "inf.0" if value > 0 else "-inf.0"
        return repr(value)
    return str(value)


def _dup_key_error(collection, index_name, key_pattern, key_value):
    ns = "%s.%s" % (collection.database.name, collection.name)
    message = "E11000 duplicate key error collection: %s index: %s dup key: %s" % (
        ns,
        index_name,
        _format_key_value(key_value) if key_value else "{}",
    )
    details = {
        "errmsg": message,
        "code": 11000,
        "keyPattern": key_pattern,
        "keyValue": key_value,
        "index_name": index_name,
    }
    return DuplicateKeyError(message, 11000, details)


_original_insert = mongomock.collection.Collection._insert


def _insert_id_first(self, data, session=None, ordered=True):
    """mongomock appends a generated _id; a real server always stores _id as the first field.

    Also turns mongomock's bare "E11000 Duplicate Key Error" for the _id index into the
    server's message with keyPattern/keyValue.
    """
    if isinstance(data, dict):
        if "_id" not in data:
            data["_id"] = ObjectId()
        if next(iter(data)) != "_id":
            id_value = data.pop("_id")
            rest = dict(data)
            data.clear()
            data["_id"] = id_value
            data.update(rest)
    try:
        return _original_insert(self, data, session=session, ordered=ordered)
    except DuplicateKeyError as exc:
        if exc.details or not isinstance(data, dict):
            raise
        raise _dup_key_error(self, "_id_", {"_id": 1}, {"_id": data.get("_id")}) from None


def _unique_matches_fast(store, fields, values):
    """How many stored documents hold exactly these string `values` in the top-level `fields`,
    or None when the answer needs mongomock's query semantics (a stored array or document in
    one of the fields, which a multikey index would compare element-wise).

    mongomock answers the unique check with a full query per write, which made a 12,000-edge
    insert take minutes; a plain scan gives the same answer for string keys in milliseconds."""
    n = 0
    for doc in store._documents.values():
        hit = True
        for f, v in zip(fields, values):
            got = doc.get(f)
            if type(got) is str:
                if got != v:
                    hit = False
                    break
            elif isinstance(got, (list, dict)):
                return None
            else:
                hit = False
                break
        if hit:
            n += 1
    return n


# During one `insert` command: (id(collection store), index name) -> the set of string key
# tuples the stored documents hold, built once per command instead of one scan per document
# (see unique_key_cache). Commands run one at a time on the event-loop thread.
_UNIQUE_CACHE = {}


def unique_key_cache(coll):
    """Fill _UNIQUE_CACHE for the simple unique indexes of `coll` (unique, not sparse, no
    partial filter, top-level fields, every stored value a string or missing). An index whose
    stored values include an array or document is left to mongomock's own check."""
    store = coll._store
    for name, index in store.indexes.items():
        if not index.get("unique") or index.get("sparse") or index.get("partialFilterExpression") is not None:
            continue
        fields = [k for k, _ in index.get("key")]
        if any("." in f for f in fields):
            continue
        keys = set()
        ok = True
        for doc in store._documents.values():
            values = tuple(doc.get(f) for f in fields)
            if any(isinstance(v, (list, dict)) for v in values):
                ok = False
                break
            if all(type(v) is str for v in values):
                keys.add(values)
        if ok:
            _UNIQUE_CACHE[(id(store), name)] = keys


def _ensure_uniques_with_details(self, new_data):
    """mongomock's own unique-index check, reporting which index was violated."""
    pending = []
    for name, index in self._store.indexes.items():
        if not index.get("unique"):
            continue
        unique = index.get("key")
        is_sparse = index.get("sparse")
        partial_filter_expression = index.get("partialFilterExpression")
        find_kwargs = {}
        for key, _ in unique:
            try:
                find_kwargs[key] = mm_helpers.get_value_by_dot(new_data, key)
            except KeyError:
                find_kwargs[key] = None
        if is_sparse and set(map(repr, find_kwargs.values())) == {"None"}:
            continue
        fields = list(find_kwargs)
        if (
            partial_filter_expression is None
            and not any("." in f for f in fields)
            and all(type(v) is str for v in find_kwargs.values())
        ):
            cache = _UNIQUE_CACHE.get((id(self._store), name))
            if cache is not None:
                key = tuple(find_kwargs.values())
                if key in cache or key in pending:
                    raise _dup_key_error(self, name, dict(unique), dict(find_kwargs))
                pending.append((cache, key))
                continue
            n = _unique_matches_fast(self._store, fields, list(find_kwargs.values()))
            if n is not None:
                if n > 1:
                    raise _dup_key_error(self, name, dict(unique), dict(find_kwargs))
                continue
        query = find_kwargs
        if partial_filter_expression is not None:
            query = {"$and": [partial_filter_expression, find_kwargs]}
        if len(list(self._iter_documents(query))) > 1:
            raise _dup_key_error(self, name, dict(unique), dict(find_kwargs))
    for cache, key in pending:
        cache.add(key)


_original_inc = mongomock.collection._updaters["$inc"]


def _inc_keeping_int64(doc, field_name, value):
    """mongomock's $inc, keeping the BSON width: Python's int + Int64 is a plain int, which
    would go back on the wire as int32; the server keeps int64 when either operand is int64."""
    old = None
    if isinstance(doc, dict):
        old = doc.get(field_name)
    elif isinstance(doc, list) and field_name.lstrip("-").isdigit() and 0 <= int(field_name) < len(doc):
        old = doc[int(field_name)]
    _original_inc(doc, field_name, value)
    if not (isinstance(value, Int64) or isinstance(old, Int64)):
        return
    if isinstance(doc, dict):
        if type(doc.get(field_name)) is int:
            doc[field_name] = Int64(doc[field_name])
    elif isinstance(doc, list) and field_name.isdigit() and int(field_name) < len(doc):
        if type(doc[int(field_name)]) is int:
            doc[int(field_name)] = Int64(doc[int(field_name)])


_original_iter_documents = mongomock.collection.Collection._iter_documents


def _iter_documents_by_id(self, filter):
    """mongomock scans every document for every filter; a filter that is exactly one string
    `_id` (every update, replace and delete by id) is a dictionary lookup instead, with the
    same result (`_id` is unique, and a string equals only that string)."""
    if isinstance(filter, dict) and len(filter) == 1 and type(filter.get("_id")) is str:
        key = filter["_id"]
        return iter([self._store[key]] if key in self._store else [])
    return _original_iter_documents(self, filter)


mongomock.collection._updaters["$inc"] = _inc_keeping_int64
mongomock.collection.Collection._iter_documents = _iter_documents_by_id
mongomock.collection.Collection._insert = _insert_id_first
mongomock.collection.Collection._ensure_uniques = _ensure_uniques_with_details


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _as_int(value, field, default=0):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CommandError(14, "Field '%s' should be a number, not %s" % (field, type(value).__name__))
    if isinstance(value, float) and not value.is_integer():
        raise CommandError(2, "Field '%s' must be an integer, got %r" % (field, value))
    return int(value)


def _as_doc(value, field, default=None):
    if value is None:
        return default
    if not isinstance(value, dict):
        raise CommandError(14, "BSON field '%s' is the wrong type '%s', expected type 'object'" % (field, type(value).__name__))
    return value


def _coll_name(cmd, name):
    value = cmd.get(name)
    if not isinstance(value, str) or not value:
        raise CommandError(73, "collection name has invalid type %s" % type(value).__name__)
    if "\x00" in value or value.startswith("$"):
        raise CommandError(73, "Invalid collection name: %s" % value)
    return value


def _check_db_name(db_name):
    if not isinstance(db_name, str) or not db_name or any(c in db_name for c in '/\\. "$\x00'):
        raise CommandError(73, "Invalid database name: '%s'" % (db_name,))
    return db_name


def _translate_exception(exc):
    """Map a mongomock/pymongo exception to (code, message)."""
    if isinstance(exc, CommandError):
        return exc.code, exc.message
    if isinstance(exc, OperationFailure):
        code = exc.code
        message = str(exc.details.get("errmsg")) if exc.details and exc.details.get("errmsg") else str(exc)
        if not isinstance(code, int) or code == 0:
            code = 2
        return code, message
    if isinstance(exc, NotImplementedError):
        return 115, "not supported by the mongomock-backed test server: %s" % exc
    if isinstance(exc, (PyMongoError, ValueError, TypeError, KeyError, BSONError)):
        return 2, "%s: %s" % (type(exc).__name__, exc)
    return 1, "%s: %s" % (type(exc).__name__, exc)


def _write_error(index, exc):
    if isinstance(exc, DuplicateKeyError) and exc.details:
        details = exc.details
        err = {"index": index, "code": 11000, "errmsg": details.get("errmsg", str(exc))}
        if "keyPattern" in details:
            err["keyPattern"] = details["keyPattern"]
            err["keyValue"] = details["keyValue"]
        return err
    code, message = _translate_exception(exc)
    if isinstance(exc, DuplicateKeyError):
        code = 11000
    elif "_id" in message and ("immutable" in message or "cannot be changed" in message):
        code = 66
    return {"index": index, "code": code, "errmsg": message}


class Cursor:
    __slots__ = ("ns", "docs", "pos", "last_used")

    def __init__(self, ns, docs, pos):
        self.ns = ns
        self.docs = docs
        self.pos = pos
        self.last_used = time.monotonic()


class Server:
    def __init__(self, verbose=False):
        self.client = mongomock.MongoClient()
        self.cursors = {}
        self.connection_ids = itertools.count(1)
        self.request_ids = itertools.count(1)
        self.started = time.monotonic()
        self.verbose = verbose
        self.writers = set()
        self._scratch = mongomock.MongoClient().scratch.scratch
        # serverStatus().opcounters as a real mongod counts them (query = find commands,
        # getmore = getMore commands, command = everything else but writes), and finds per
        # namespace (test-server only: "jvdbTest"), so tests can count a command's round trips.
        self.opcounters = {k: 0 for k in ("insert", "query", "update", "delete", "getmore", "command")}
        self.finds_by_ns = {}

    # -- cursors -------------------------------------------------------------------------------

    def _new_cursor_id(self):
        while True:
            cid = random.randint(1, 2**62)
            if cid not in self.cursors:
                return cid

    def _expire_cursors(self):
        now = time.monotonic()
        for cid in [c for c, cur in self.cursors.items() if now - cur.last_used > CURSOR_IDLE_SECONDS]:
            del self.cursors[cid]

    @staticmethod
    def _take_batch(docs, pos, batch_size):
        """Encode documents from docs[pos:] into one batch; returns (batch, new_pos)."""
        batch = []
        size = 0
        while pos < len(docs) and (batch_size <= 0 or len(batch) < batch_size):
            raw = bson.encode(docs[pos], codec_options=CODEC)
            if batch and size + len(raw) > BATCH_BYTES:
                break
            batch.append(RawBSONDocument(raw))
            size += len(raw)
            pos += 1
        return batch, pos

    def _cursor_reply(self, ns, docs, batch_size, single_batch=False):
        """Reply for find/aggregate/listX: first batch plus a server-side cursor if needed."""
        self._expire_cursors()
        if batch_size == 0 and not single_batch:
            batch, pos = [], 0
        else:
            batch, pos = self._take_batch(docs, 0, batch_size if batch_size > 0 else DEFAULT_FIRST_BATCH)
        cid = 0
        if pos < len(docs) and not single_batch:
            cid = self._new_cursor_id()
            self.cursors[cid] = Cursor(ns, docs, pos)
        return {"cursor": {"firstBatch": batch, "id": Int64(cid), "ns": ns}, "ok": 1.0}

    # -- dispatch ------------------------------------------------------------------------------

    def run_command(self, db_name, cmd, conn):
        """Execute one command document; always returns a reply document."""
        try:
            if not isinstance(cmd, dict) or not cmd:
                raise CommandError(9, "no command specified")
            name = next(iter(cmd))
            handler = COMMANDS.get(name) or COMMANDS.get(name.lower() if name.lower() in CASE_INSENSITIVE else "")
            if handler is None:
                raise CommandError(59, "no such command: '%s'" % name)
            if (cmd.get("startTransaction") or "txnNumber" in cmd or "autocommit" in cmd) and name not in ("hello", "isMaster", "ismaster"):
                raise CommandError(
                    20, "Transaction numbers are only allowed on a replica set member or mongos"
                )
            db_name = _check_db_name(db_name)
            self._count_op(db_name, name, cmd)
            reply = handler(self, db_name, cmd, conn)
            if "ok" not in reply:
                reply["ok"] = 1.0
            return reply
        except CommandError as exc:
            return exc.reply()
        except Exception as exc:  # noqa: BLE001 - every failure becomes an error reply
            code, message = _translate_exception(exc)
            if code == 1:
                LOG.exception("internal error in %r", cmd if isinstance(cmd, dict) else None)
            return CommandError(code, message).reply()

    def _count_op(self, db_name, name, cmd):
        op = {"find": "query", "getMore": "getmore", "insert": "insert", "update": "update",
              "delete": "delete"}.get(name, "command")
        self.opcounters[op] += 1
        if name == "find":
            ns = "%s.%s" % (db_name, cmd.get("find"))
            self.finds_by_ns[ns] = self.finds_by_ns.get(ns, 0) + 1

    def _db(self, name):
        return self.client[name]

    def _coll(self, db_name, name):
        return self.client[db_name][name]

    def _exists(self, db_name, name):
        return name in self.client[db_name].list_collection_names()

    def _project(self, doc, projection):
        """Apply a projection to one document through mongomock."""
        if doc is None or not projection:
            return doc
        self._scratch.delete_many({})
        self._scratch.insert_one(dict(doc))
        return self._scratch.find_one({}, projection)

    # -- handshake and admin --------------------------------------------------------------------

    def cmd_hello(self, db, cmd, conn):
        name = next(iter(cmd))
        reply = {}
        if cmd.get("helloOk"):
            reply["helloOk"] = True
        if name == "hello":
            reply["isWritablePrimary"] = True
        else:
            reply["ismaster"] = True
        # No topologyVersion on purpose: without it drivers poll with plain hello at their
        # heartbeat frequency instead of the streaming (awaitable/exhaust) monitoring protocol.
        reply.update(
            {
                "maxBsonObjectSize": MAX_BSON_OBJECT_SIZE,
                "maxMessageSizeBytes": MAX_MESSAGE_SIZE,
                "maxWriteBatchSize": MAX_WRITE_BATCH_SIZE,
                "localTime": datetime.datetime.now(datetime.timezone.utc),
                "logicalSessionTimeoutMinutes": 30,
                "connectionId": conn.conn_id,
                "minWireVersion": MIN_WIRE_VERSION,
                "maxWireVersion": MAX_WIRE_VERSION,
                "readOnly": False,
                "ok": 1.0,
            }
        )
        return reply

    def cmd_ping(self, db, cmd, conn):
        return {"ok": 1.0}

    def cmd_build_info(self, db, cmd, conn):
        return {
            "version": SERVER_VERSION,
            "gitVersion": "mongomock-test-server",
            "versionArray": [7, 0, 0, 0],
            "bits": 64,
            "debug": False,
            "maxBsonObjectSize": MAX_BSON_OBJECT_SIZE,
            "storageEngines": ["mongomock"],
            "modules": [],
            "ok": 1.0,
        }

    def cmd_get_parameter(self, db, cmd, conn):
        reply = {}
        want_all = cmd.get("getParameter") in ("*", {"allParameters": True})
        if want_all or "featureCompatibilityVersion" in cmd:
            reply["featureCompatibilityVersion"] = {"version": "7.0"}
        if want_all or "authenticationMechanisms" in cmd:
            reply["authenticationMechanisms"] = []
        if not reply and not want_all:
            raise CommandError(72, "no option found to get")
        return reply

    def cmd_get_cmd_line_opts(self, db, cmd, conn):
        return {"argv": ["mongod"], "parsed": {}, "ok": 1.0}

    def cmd_server_status(self, db, cmd, conn):
        return {
            "host": "127.0.0.1",
            "version": SERVER_VERSION,
            "process": "mongod",
            "pid": Int64(os.getpid()),
            "uptime": float(time.monotonic() - self.started),
            "localTime": datetime.datetime.now(datetime.timezone.utc),
            "opcounters": {k: Int64(v) for k, v in self.opcounters.items()},
            "jvdbTest": {"findsByNamespace": {k: Int64(v) for k, v in self.finds_by_ns.items()}},
            "ok": 1.0,
        }

    def cmd_connection_status(self, db, cmd, conn):
        return {"authInfo": {"authenticatedUsers": [], "authenticatedUserRoles": []}, "ok": 1.0}

    def cmd_whatsmyuri(self, db, cmd, conn):
        return {"you": conn.peer, "ok": 1.0}

    def cmd_no_op(self, db, cmd, conn):
        return {"ok": 1.0}

    def cmd_auth(self, db, cmd, conn):
        raise CommandError(18, "Authentication failed: the mongomock test server has no users")

    def cmd_transaction(self, db, cmd, conn):
        raise CommandError(20, "Transaction numbers are only allowed on a replica set member or mongos")

    # -- writes ----------------------------------------------------------------------------------

    def _statements(self, cmd, field):
        value = cmd.get(field)
        if not isinstance(value, list):
            raise CommandError(9, "BSON field '%s' is missing or not an array" % field)
        if len(value) > MAX_WRITE_BATCH_SIZE:
            raise CommandError(2, "Write batch sizes must be between 1 and %d. Got %d operations." % (MAX_WRITE_BATCH_SIZE, len(value)))
        return value

    def cmd_insert(self, db, cmd, conn):
        coll = self._coll(db, _coll_name(cmd, "insert"))
        docs = self._statements(cmd, "documents")
        ordered = cmd.get("ordered", True) is not False
        n = 0
        errors = []
        if len(docs) > 1:
            unique_key_cache(coll)
        try:
            for i, doc in enumerate(docs):
                try:
                    if not isinstance(doc, dict):
                        raise CommandError(14, "insert document must be an object")
                    coll.insert_one(doc)
                    n += 1
                except Exception as exc:  # noqa: BLE001
                    errors.append(_write_error(i, exc))
                    if ordered:
                        break
        finally:
            _UNIQUE_CACHE.clear()
        reply = {"n": n}
        if errors:
            reply["writeErrors"] = errors
        return reply

    def cmd_update(self, db, cmd, conn):
        coll = self._coll(db, _coll_name(cmd, "update"))
        statements = self._statements(cmd, "updates")
        ordered = cmd.get("ordered", True) is not False
        n = 0
        n_modified = 0
        upserted = []
        errors = []
        for i, st in enumerate(statements):
            try:
                if not isinstance(st, dict):
                    raise CommandError(14, "update statement must be an object")
                q = _as_doc(st.get("q"), "q", {})
                u = st.get("u")
                upsert = bool(st.get("upsert", False))
                multi = bool(st.get("multi", False))
                kwargs = {}
                if st.get("arrayFilters"):
                    kwargs["array_filters"] = st["arrayFilters"]
                if isinstance(u, list):
                    if multi:
                        result = coll.update_many(q, u, upsert=upsert, **kwargs)
                    else:
                        result = coll.update_one(q, u, upsert=upsert, **kwargs)
                elif isinstance(u, dict):
                    is_replacement = not u or not next(iter(u)).startswith("$")
                    if is_replacement:
                        if multi:
                            raise CommandError(9, "multi update is not supported for replacement-style update")
                        result = coll.replace_one(q, u, upsert=upsert)
                    elif multi:
                        result = coll.update_many(q, u, upsert=upsert, **kwargs)
                    else:
                        result = coll.update_one(q, u, upsert=upsert, **kwargs)
                else:
                    raise CommandError(14, "BSON field 'update.updates.u' is the wrong type")
                n += result.matched_count
                n_modified += result.modified_count
                if result.upserted_id is not None:
                    n += 1
                    upserted.append({"index": i, "_id": result.upserted_id})
            except Exception as exc:  # noqa: BLE001
                errors.append(_write_error(i, exc))
                if ordered:
                    break
        reply = {"n": n, "nModified": n_modified}
        if upserted:
            reply["upserted"] = upserted
        if errors:
            reply["writeErrors"] = errors
        return reply

    def cmd_delete(self, db, cmd, conn):
        coll = self._coll(db, _coll_name(cmd, "delete"))
        statements = self._statements(cmd, "deletes")
        ordered = cmd.get("ordered", True) is not False
        n = 0
        errors = []
        for i, st in enumerate(statements):
            try:
                if not isinstance(st, dict):
                    raise CommandError(14, "delete statement must be an object")
                q = _as_doc(st.get("q"), "q", {})
                limit = _as_int(st.get("limit"), "limit", 0)
                if limit not in (0, 1):
                    raise CommandError(9, "The limit field in delete objects must be 0 or 1. Got %d" % limit)
                result = coll.delete_one(q) if limit == 1 else coll.delete_many(q)
                n += result.deleted_count
            except Exception as exc:  # noqa: BLE001
                errors.append(_write_error(i, exc))
                if ordered:
                    break
        reply = {"n": n}
        if errors:
            reply["writeErrors"] = errors
        return reply

    def cmd_find_and_modify(self, db, cmd, conn):
        name = _coll_name(cmd, next(iter(cmd)))
        coll = self._coll(db, name)
        query = _as_doc(cmd.get("query"), "query", {})
        sort = _as_doc(cmd.get("sort"), "sort")
        sort_list = list(sort.items()) if sort else None
        fields = _as_doc(cmd.get("fields"), "fields")
        remove = bool(cmd.get("remove", False))
        update = cmd.get("update")
        new = bool(cmd.get("new", False))
        upsert = bool(cmd.get("upsert", False))
        if remove and (update is not None or new or upsert):
            raise CommandError(9, "Cannot specify both an update and remove=true" if update is not None else "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document")
        if not remove and update is None:
            raise CommandError(9, "Either an update or remove=true must be specified")
        pre = coll.find_one(query, sort=sort_list)
        if remove:
            if pre is not None:
                coll.delete_one({"_id": pre["_id"]})
            return {"lastErrorObject": {"n": 1 if pre else 0}, "value": self._project(pre, fields)}
        try:
            if isinstance(update, dict) and (not update or not next(iter(update)).startswith("$")):
                post = coll.find_one_and_replace(query, update, sort=sort_list, upsert=upsert, return_document=ReturnDocument.AFTER)
            elif isinstance(update, (dict, list)):
                post = coll.find_one_and_update(query, update, sort=sort_list, upsert=upsert, return_document=ReturnDocument.AFTER)
            else:
                raise CommandError(14, "BSON field 'findAndModify.update' is the wrong type")
        except DuplicateKeyError as exc:
            err = _write_error(0, exc)
            raise CommandError(11000, err["errmsg"], {k: err[k] for k in ("keyPattern", "keyValue") if k in err})
        last = {"n": 0, "updatedExisting": False}
        if pre is not None:
            last = {"n": 1, "updatedExisting": True}
        elif upsert and post is not None:
            last = {"n": 1, "updatedExisting": False, "upserted": post["_id"]}
        value = post if new else pre
        return {"lastErrorObject": last, "value": self._project(value, fields)}

    # -- reads ---------------------------------------------------------------------------------

    def cmd_find(self, db, cmd, conn):
        name = _coll_name(cmd, "find")
        coll = self._coll(db, name)
        if cmd.get("tailable") or cmd.get("awaitData"):
            raise CommandError(115, "tailable cursors are not supported by the test server")
        filt = _as_doc(cmd.get("filter"), "filter", {})
        sort = _as_doc(cmd.get("sort"), "sort")
        projection = _as_doc(cmd.get("projection"), "projection") or None
        skip = _as_int(cmd.get("skip"), "skip", 0)
        limit = _as_int(cmd.get("limit"), "limit", 0)
        batch_size = _as_int(cmd.get("batchSize"), "batchSize", -1)
        single_batch = bool(cmd.get("singleBatch", False))
        if skip < 0:
            raise CommandError(2, "skip value must be non-negative, but received: %d" % skip)
        if batch_size < -1:
            raise CommandError(2, "batchSize value must be non-negative, but received: %d" % batch_size)
        if limit < 0:
            limit = -limit
            single_batch = True
        cursor = coll.find(filt, projection, skip=skip, limit=limit, sort=list(sort.items()) if sort else None)
        docs = list(cursor)
        if single_batch and limit and batch_size < 0:
            batch_size = limit
        return self._cursor_reply("%s.%s" % (db, name), docs, batch_size, single_batch)

    def cmd_get_more(self, db, cmd, conn):
        cid = cmd.get("getMore")
        if not isinstance(cid, int) or isinstance(cid, bool):
            raise CommandError(14, "Field 'getMore' must be of type long")
        name = _coll_name(cmd, "collection")
        batch_size = _as_int(cmd.get("batchSize"), "batchSize", 0)
        self._expire_cursors()
        cur = self.cursors.get(int(cid))
        if cur is None:
            raise CommandError(43, "cursor id %d not found" % cid)
        ns = "%s.%s" % (db, name)
        if cur.ns != ns:
            raise CommandError(13, "Requested getMore on namespace '%s', but cursor belongs to a different namespace %s" % (ns, cur.ns))
        batch, cur.pos = self._take_batch(cur.docs, cur.pos, batch_size)
        cur.last_used = time.monotonic()
        out_id = cid
        if cur.pos >= len(cur.docs):
            del self.cursors[int(cid)]
            out_id = 0
        return {"cursor": {"nextBatch": batch, "id": Int64(out_id), "ns": ns}, "ok": 1.0}

    def cmd_kill_cursors(self, db, cmd, conn):
        _coll_name(cmd, "killCursors")
        ids = cmd.get("cursors")
        if not isinstance(ids, list):
            raise CommandError(9, "BSON field 'killCursors.cursors' is missing")
        killed, not_found = [], []
        for cid in ids:
            if isinstance(cid, int) and self.cursors.pop(int(cid), None) is not None:
                killed.append(Int64(cid))
            else:
                not_found.append(cid)
        return {"cursorsKilled": killed, "cursorsNotFound": not_found, "cursorsAlive": [], "cursorsUnknown": [], "ok": 1.0}

    def cmd_aggregate(self, db, cmd, conn):
        target = cmd.get("aggregate")
        if not isinstance(target, str):
            raise CommandError(115, "collection-less aggregate is not supported by the test server")
        name = _coll_name(cmd, "aggregate")
        pipeline = cmd.get("pipeline")
        if not isinstance(pipeline, list):
            raise CommandError(14, "'pipeline' option must be specified as an array")
        if cmd.get("explain"):
            raise CommandError(115, "explain is not supported by the test server")
        cursor_opts = cmd.get("cursor")
        if not isinstance(cursor_opts, dict):
            raise CommandError(9, "The 'cursor' option is required, except for aggregate with the explain argument")
        batch_size = _as_int(cursor_opts.get("batchSize"), "batchSize", -1)
        docs = list(self._coll(db, name).aggregate(pipeline))
        return self._cursor_reply("%s.%s" % (db, name), docs, batch_size)

    def cmd_count(self, db, cmd, conn):
        coll = self._coll(db, _coll_name(cmd, "count"))
        query = _as_doc(cmd.get("query"), "query", {})
        skip = _as_int(cmd.get("skip"), "skip", 0)
        limit = abs(_as_int(cmd.get("limit"), "limit", 0))
        kwargs = {}
        if skip > 0:
            kwargs["skip"] = skip
        if limit > 0:
            kwargs["limit"] = limit
        return {"n": coll.count_documents(query, **kwargs), "ok": 1.0}

    def cmd_distinct(self, db, cmd, conn):
        coll = self._coll(db, _coll_name(cmd, "distinct"))
        key = cmd.get("key")
        if not isinstance(key, str):
            raise CommandError(14, "BSON field 'distinct.key' is the wrong type, expected type 'string'")
        query = _as_doc(cmd.get("query"), "query", {})
        return {"values": list(coll.distinct(key, query)), "ok": 1.0}

    # -- indexes -------------------------------------------------------------------------------

    @staticmethod
    def _index_options(spec):
        ignored = {"key", "name", "v", "background", "ns"}
        return {k: v for k, v in spec.items() if k not in ignored}

    def cmd_create_indexes(self, db, cmd, conn):
        name = _coll_name(cmd, "createIndexes")
        indexes = cmd.get("indexes")
        if not isinstance(indexes, list) or not indexes:
            raise CommandError(2, "Must specify at least one index to create")
        coll = self._coll(db, name)
        created_automatically = not self._exists(db, name)
        if created_automatically:
            self._db(db).create_collection(name)
        before = len(coll.index_information())
        for spec in indexes:
            if not isinstance(spec, dict):
                raise CommandError(14, "index specification must be an object")
            key = spec.get("key")
            idx_name = spec.get("name")
            if not isinstance(key, dict) or not key:
                raise CommandError(67, "The index specification must contain a 'key' field")
            if not isinstance(idx_name, str) or not idx_name:
                raise CommandError(9, "The 'name' field is a required property of an index specification")
            existing = coll.index_information()
            requested = self._index_options(spec)
            key_list = list(key.items())
            same_name = existing.get(idx_name)
            if same_name is not None:
                if list(same_name["key"]) != key_list:
                    raise CommandError(86, "An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: %s, existing index: %s" % (spec, same_name))
                if self._index_options(same_name) != requested:
                    raise CommandError(85, "An equivalent index already exists with the same name but different options. Requested index: %s, existing index: %s" % (spec, same_name))
                continue
            for other_name, other in existing.items():
                if list(other["key"]) == key_list:
                    if self._index_options(other) == requested:
                        raise CommandError(85, "Index already exists with a different name: %s" % other_name)
                    raise CommandError(85, "An equivalent index already exists with a different name and options. Requested index: %s, existing index: %s" % (spec, dict(other, name=other_name)))
            options = {k: v for k, v in requested.items() if k in ("unique", "sparse", "expireAfterSeconds", "partialFilterExpression")}
            try:
                coll.create_index(key_list, name=idx_name, **options)
            except DuplicateKeyError:
                raise CommandError(11000, "Index build failed: E11000 duplicate key error collection: %s.%s index: %s" % (db, name, idx_name)) from None
        after = len(coll.index_information())
        reply = {"numIndexesBefore": before, "numIndexesAfter": after, "createdCollectionAutomatically": created_automatically, "ok": 1.0}
        if before == after:
            reply["note"] = "all indexes already exist"
        return reply

    def cmd_list_indexes(self, db, cmd, conn):
        name = _coll_name(cmd, "listIndexes")
        if not self._exists(db, name):
            raise CommandError(26, "ns does not exist: %s.%s" % (db, name))
        docs = []
        for idx_name, info in self._coll(db, name).index_information().items():
            doc = {"v": 2, "key": dict(info["key"]), "name": idx_name}
            doc.update({k: v for k, v in info.items() if k not in ("v", "key", "name")})
            docs.append(doc)
        batch_size = _as_int(_as_doc(cmd.get("cursor"), "cursor", {}).get("batchSize"), "batchSize", -1)
        return self._cursor_reply("%s.$cmd.listIndexes.%s" % (db, name), docs, batch_size)

    def cmd_drop_indexes(self, db, cmd, conn):
        name = _coll_name(cmd, next(iter(cmd)))
        if not self._exists(db, name):
            raise CommandError(26, "ns not found %s.%s" % (db, name))
        coll = self._coll(db, name)
        target = cmd.get("index")
        existing = coll.index_information()
        before = len(existing)
        if target == "*":
            for idx_name in list(existing):
                if idx_name != "_id_":
                    coll.drop_index(idx_name)
        else:
            targets = target if isinstance(target, list) else [target]
            names = []
            for t in targets:
                if isinstance(t, dict):
                    found = [n for n, info in existing.items() if list(info["key"]) == list(t.items())]
                    if not found:
                        raise CommandError(27, "can't find index with key: %s" % (t,))
                    names.append(found[0])
                elif isinstance(t, str):
                    if t not in existing:
                        raise CommandError(27, "index not found with name [%s]" % t)
                    names.append(t)
                else:
                    raise CommandError(14, "BSON field 'dropIndexes.index' is the wrong type")
            if "_id_" in names:
                raise CommandError(72, "cannot drop _id index")
            for idx_name in names:
                coll.drop_index(idx_name)
        return {"nIndexesWas": before, "ok": 1.0}

    # -- collections and databases ---------------------------------------------------------------

    def cmd_list_collections(self, db, cmd, conn):
        filt = _as_doc(cmd.get("filter"), "filter", {})
        name_only = bool(cmd.get("nameOnly", False))
        docs = []
        for name in sorted(self._db(db).list_collection_names()):
            if name_only:
                doc = {"name": name, "type": "collection"}
            else:
                doc = {
                    "name": name,
                    "type": "collection",
                    "options": {},
                    "info": {"readOnly": False, "uuid": bson.Binary.from_uuid(uuid.uuid5(uuid.NAMESPACE_URL, "%s.%s" % (db, name)))},
                    "idIndex": {"v": 2, "key": {"_id": 1}, "name": "_id_"},
                }
            if not filt or filtering.filter_applies(filt, doc):
                docs.append(doc)
        batch_size = _as_int(_as_doc(cmd.get("cursor"), "cursor", {}).get("batchSize"), "batchSize", -1)
        return self._cursor_reply("%s.$cmd.listCollections" % db, docs, batch_size)

    def _data_size(self, db, name):
        return sum(len(bson.encode(d, codec_options=CODEC)) for d in self._coll(db, name).find({}))

    def cmd_list_databases(self, db, cmd, conn):
        filt = _as_doc(cmd.get("filter"), "filter", {})
        name_only = bool(cmd.get("nameOnly", False))
        dbs = []
        total = 0
        for name in sorted(self.client.list_database_names()):
            if name_only:
                doc = {"name": name}
            else:
                size = sum(self._data_size(name, c) for c in self._db(name).list_collection_names())
                total += size
                doc = {"name": name, "sizeOnDisk": Int64(size), "empty": size == 0}
            if not filt or filtering.filter_applies(filt, doc):
                dbs.append(doc)
        reply = {"databases": dbs}
        if not name_only:
            reply["totalSize"] = Int64(total)
            reply["totalSizeMb"] = Int64(total // (1024 * 1024))
        return reply

    def _kill_ns_cursors(self, ns_prefix):
        for cid in [c for c, cur in self.cursors.items() if cur.ns == ns_prefix or cur.ns.startswith(ns_prefix + ".")]:
            del self.cursors[cid]

    def cmd_drop(self, db, cmd, conn):
        name = _coll_name(cmd, "drop")
        ns = "%s.%s" % (db, name)
        if not self._exists(db, name):
            return {"ok": 1.0}
        was = len(self._coll(db, name).index_information())
        self._db(db).drop_collection(name)
        self._kill_ns_cursors(ns)
        return {"nIndexesWas": was, "ns": ns, "ok": 1.0}

    def cmd_drop_database(self, db, cmd, conn):
        self.client.drop_database(db)
        for cid in [c for c, cur in self.cursors.items() if cur.ns.startswith(db + ".")]:
            del self.cursors[cid]
        return {"dropped": db, "ok": 1.0}

    def cmd_create(self, db, cmd, conn):
        name = _coll_name(cmd, "create")
        if self._exists(db, name):
            raise CommandError(48, "Collection %s.%s already exists." % (db, name))
        self._db(db).create_collection(name)
        return {"ok": 1.0}

    def cmd_rename_collection(self, db, cmd, conn):
        source = cmd.get("renameCollection")
        target = cmd.get("to")
        if not isinstance(source, str) or not isinstance(target, str) or "." not in source or "." not in target:
            raise CommandError(73, "Invalid namespace specified")
        sdb, sname = source.split(".", 1)
        tdb, tname = target.split(".", 1)
        if sdb != tdb:
            raise CommandError(115, "renameCollection across databases is not supported by the test server")
        if not self._exists(sdb, sname):
            raise CommandError(26, "Source collection %s does not exist" % source)
        if self._exists(tdb, tname):
            if not cmd.get("dropTarget"):
                raise CommandError(48, "target namespace exists")
            self._db(tdb).drop_collection(tname)
        self._coll(sdb, sname).rename(tname)
        self._kill_ns_cursors(source)
        return {"ok": 1.0}

    def cmd_coll_stats(self, db, cmd, conn):
        name = _coll_name(cmd, next(iter(cmd)))
        ns = "%s.%s" % (db, name)
        if not self._exists(db, name):
            raise CommandError(26, "Collection [%s] not found." % ns)
        coll = self._coll(db, name)
        count = coll.count_documents({})
        size = self._data_size(db, name)
        indexes = coll.index_information()
        return {
            "ns": ns,
            "count": count,
            "size": size,
            "avgObjSize": size // count if count else 0,
            "storageSize": size,
            "nindexes": len(indexes),
            "totalIndexSize": 0,
            "indexSizes": {n: 0 for n in indexes},
            "ok": 1.0,
        }

    def cmd_db_stats(self, db, cmd, conn):
        names = self._db(db).list_collection_names()
        objects = sum(self._coll(db, n).count_documents({}) for n in names)
        size = sum(self._data_size(db, n) for n in names)
        indexes = sum(len(self._coll(db, n).index_information()) for n in names)
        return {
            "db": db,
            "collections": len(names),
            "views": 0,
            "objects": objects,
            "avgObjSize": float(size) / objects if objects else 0.0,
            "dataSize": float(size),
            "storageSize": float(size),
            "indexes": indexes,
            "indexSize": 0.0,
            "ok": 1.0,
        }


COMMANDS = {
    "hello": Server.cmd_hello,
    "isMaster": Server.cmd_hello,
    "ismaster": Server.cmd_hello,
    "ping": Server.cmd_ping,
    "buildInfo": Server.cmd_build_info,
    "buildinfo": Server.cmd_build_info,
    "getParameter": Server.cmd_get_parameter,
    "getCmdLineOpts": Server.cmd_get_cmd_line_opts,
    "serverStatus": Server.cmd_server_status,
    "connectionStatus": Server.cmd_connection_status,
    "whatsmyuri": Server.cmd_whatsmyuri,
    "endSessions": Server.cmd_no_op,
    "killSessions": Server.cmd_no_op,
    "refreshSessions": Server.cmd_no_op,
    "killAllSessions": Server.cmd_no_op,
    "getLastError": Server.cmd_no_op,
    "saslStart": Server.cmd_auth,
    "saslContinue": Server.cmd_auth,
    "authenticate": Server.cmd_auth,
    "startTransaction": Server.cmd_transaction,
    "commitTransaction": Server.cmd_transaction,
    "abortTransaction": Server.cmd_transaction,
    "insert": Server.cmd_insert,
    "update": Server.cmd_update,
    "delete": Server.cmd_delete,
    "findAndModify": Server.cmd_find_and_modify,
    "findandmodify": Server.cmd_find_and_modify,
    "find": Server.cmd_find,
    "getMore": Server.cmd_get_more,
    "killCursors": Server.cmd_kill_cursors,
    "aggregate": Server.cmd_aggregate,
    "count": Server.cmd_count,
    "distinct": Server.cmd_distinct,
    "createIndexes": Server.cmd_create_indexes,
    "listIndexes": Server.cmd_list_indexes,
    "dropIndexes": Server.cmd_drop_indexes,
    "deleteIndexes": Server.cmd_drop_indexes,
    "listCollections": Server.cmd_list_collections,
    "listDatabases": Server.cmd_list_databases,
    "drop": Server.cmd_drop,
    "dropDatabase": Server.cmd_drop_database,
    "create": Server.cmd_create,
    "renameCollection": Server.cmd_rename_collection,
    "collStats": Server.cmd_coll_stats,
    "collstats": Server.cmd_coll_stats,
    "dbStats": Server.cmd_db_stats,
    "dbstats": Server.cmd_db_stats,
}
# Names the real server also accepts in lower case.
CASE_INSENSITIVE = {"ismaster", "findandmodify", "buildinfo", "collstats", "dbstats"}


# ---------------------------------------------------------------------------------------------
# wire protocol
# ---------------------------------------------------------------------------------------------


def _read_cstring(buf, pos):
    end = buf.find(b"\x00", pos)
    if end < 0:
        raise ProtocolError("unterminated cstring")
    try:
        return buf[pos:end].decode("utf-8"), end + 1
    except UnicodeDecodeError as exc:
        raise ProtocolError("invalid cstring") from exc


def _read_doc(buf, pos, end):
    if pos + 4 > end:
        raise ProtocolError("truncated document")
    (size,) = struct.unpack_from("<i", buf, pos)
    if size < 5 or pos + size > end:
        raise ProtocolError("bad document length")
    try:
        return bson.decode(bytes(buf[pos : pos + size]), codec_options=CODEC), pos + size
    except Exception as exc:  # noqa: BLE001 - any decoding failure is a protocol error
        raise ProtocolError("invalid BSON: %s" % exc) from exc


def parse_op_msg(body):
    """Returns (flags, command document) of an OP_MSG body (the bytes after the header)."""
    if len(body) < 5:
        raise ProtocolError("OP_MSG too short")
    (flags,) = struct.unpack_from("<I", body, 0)
    if flags & 0xFFFF & ~MSG_KNOWN_FLAGS:
        raise ProtocolError("unknown required OP_MSG flag bits 0x%x" % flags)
    end = len(body)
    if flags & MSG_CHECKSUM_PRESENT:
        end -= 4
    pos = 4
    command = None
    sequences = []
    while pos < end:
        kind = body[pos]
        pos += 1
        if kind == 0:
            if command is not None:
                raise ProtocolError("more than one body section")
            command, pos = _read_doc(body, pos, end)
        elif kind == 1:
            if pos + 4 > end:
                raise ProtocolError("truncated document sequence")
            (size,) = struct.unpack_from("<i", body, pos)
            seq_end = pos + size
            if size < 5 or seq_end > end:
                raise ProtocolError("bad document sequence length")
            ident, p = _read_cstring(body, pos + 4)
            docs = []
            while p < seq_end:
                doc, p = _read_doc(body, p, seq_end)
                docs.append(doc)
            sequences.append((ident, docs))
            pos = seq_end
        else:
            raise ProtocolError("unknown OP_MSG section kind %d" % kind)
    if command is None:
        raise ProtocolError("OP_MSG without a body section")
    for ident, docs in sequences:
        if ident in command:
            raise ProtocolError("document sequence %r duplicates a body field" % ident)
        command[ident] = docs
    return flags, command


def build_op_msg(request_id, response_to, reply):
    payload = bson.encode(reply, codec_options=CODEC)
    body = struct.pack("<I", 0) + b"\x00" + payload
    return struct.pack("<iiii", 16 + len(body), request_id, response_to, OP_MSG) + body


def build_op_reply(request_id, response_to, reply, flags=0):
    payload = bson.encode(reply, codec_options=CODEC)
    body = struct.pack("<iqii", flags, 0, 0, 1) + payload
    return struct.pack("<iiii", 16 + len(body), request_id, response_to, OP_REPLY) + body


class Connection:
    def __init__(self, conn_id, peer):
        self.conn_id = conn_id
        self.peer = peer


def _encode_reply(builder, request_id, response_to, reply):
    try:
        return builder(request_id, response_to, reply)
    except Exception as exc:  # noqa: BLE001 - an unencodable result becomes an error reply
        code, message = _translate_exception(exc)
        return builder(request_id, response_to, CommandError(code, "cannot encode reply: " + message).reply())


async def handle_connection(server, reader, writer):
    peer = writer.get_extra_info("peername")
    conn = Connection(next(server.connection_ids), "%s:%s" % tuple(peer[:2]) if peer else "unknown")
    server.writers.add(writer)
    LOG.debug("connection %d from %s", conn.conn_id, conn.peer)
    try:
        while True:
            try:
                header = await reader.readexactly(16)
            except asyncio.IncompleteReadError:
                return
            length, request_id, _response_to, opcode = struct.unpack("<iiii", header)
            if length < 16 or length > MAX_MESSAGE_SIZE:
                raise ProtocolError("bad message length %d" % length)
            body = await reader.readexactly(length - 16)
            if opcode == OP_MSG:
                flags, cmd = parse_op_msg(body)
                db_name = cmd.pop("$db", None)
                if db_name is None:
                    raise ProtocolError("OP_MSG command without $db")
                LOG.debug("conn %d OP_MSG %s.%s", conn.conn_id, db_name, next(iter(cmd), "?"))
                if next(iter(cmd), "") in ("hello", "isMaster", "ismaster"):
                    LOG.debug("conn %d handshake flags=0x%x %r", conn.conn_id, flags, cmd)
                reply = server.run_command(db_name, cmd, conn)
                if flags & MSG_MORE_TO_COME:
                    continue
                out = _encode_reply(build_op_msg, next(server.request_ids), request_id, reply)
            elif opcode == OP_QUERY:
                if len(body) < 4:
                    raise ProtocolError("OP_QUERY too short")
                ns, pos = _read_cstring(body, 4)
                if pos + 8 > len(body):
                    raise ProtocolError("OP_QUERY too short")
                query, _ = _read_doc(body, pos + 8, len(body))
                if not ns.endswith(".$cmd"):
                    reply = {"$err": "OP_QUERY is no longer supported for queries", "code": 352, "ok": 0.0}
                    out = _encode_reply(lambda a, b, r: build_op_reply(a, b, r, flags=2), next(server.request_ids), request_id, reply)
                else:
                    cmd = query["$query"] if isinstance(query.get("$query"), dict) else query
                    name = next(iter(cmd), "") if isinstance(cmd, dict) else ""
                    LOG.debug("conn %d OP_QUERY %s %s", conn.conn_id, ns, name)
                    if name in ("hello", "isMaster", "ismaster"):
                        reply = server.run_command(ns[: -len(".$cmd")], cmd, conn)
                    else:
                        reply = CommandError(
                            352,
                            "Unsupported OP_QUERY command: %s. The client driver may require an upgrade. "
                            "For more details see https://dochub.mongodb.org/core/legacy-opcode-removal" % name,
                        ).reply()
                    out = _encode_reply(build_op_reply, next(server.request_ids), request_id, reply)
            else:
                raise ProtocolError("unsupported opcode %d" % opcode)
            writer.write(out)
            await writer.drain()
    except (ProtocolError, asyncio.IncompleteReadError, ConnectionError, struct.error) as exc:
        LOG.debug("closing connection %d: %s", conn.conn_id, exc)
    except Exception:  # noqa: BLE001 - never let one connection take the server down
        LOG.exception("closing connection %d after an internal error", conn.conn_id)
    finally:
        server.writers.discard(writer)
        try:
            writer.close()
        except Exception:  # noqa: BLE001
            pass


# ---------------------------------------------------------------------------------------------
# persistence (--state-file)
# ---------------------------------------------------------------------------------------------

# The state file is a sequence of BSON documents: per collection one header
# {"db": NAME, "coll": NAME, "indexes": [{"name", "key": [[field, direction], ...], options...}]}
# followed by one {"d": document} per stored document, in storage order.


def save_state(client, path):
    """Write every database of `client` to `path` atomically (temp file, fsync, rename)."""
    tmp = "%s.tmp%d" % (path, os.getpid())
    n = 0
    with open(tmp, "wb") as fh:
        for db_name in client.list_database_names():
            db = client[db_name]
            for coll_name in db.list_collection_names():
                coll = db[coll_name]
                indexes = []
                for idx_name, info in coll.index_information().items():
                    if idx_name == "_id_":
                        continue
                    spec = {k: v for k, v in info.items() if k not in ("key", "v", "ns")}
                    spec["name"] = idx_name
                    spec["key"] = [[k, d] for k, d in info["key"]]
                    indexes.append(spec)
                fh.write(bson.encode({"db": db_name, "coll": coll_name, "indexes": indexes}, codec_options=CODEC))
                for doc in coll.find({}):
                    fh.write(bson.encode({"d": doc}, codec_options=CODEC))
                    n += 1
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    LOG.info("state saved to %s: %d documents", path, n)
    return n


def load_state(client, path):
    """Load a file written by save_state into `client`; returns the number of documents."""
    n = 0
    current = None  # (collection, indexes, docs)

    def finish():
        if current is None:
            return
        coll, indexes, docs = current
        if docs:
            coll.insert_many(docs)
        for spec in indexes:
            options = {k: v for k, v in spec.items() if k in ("unique", "sparse", "expireAfterSeconds", "partialFilterExpression")}
            coll.create_index([tuple(kd) for kd in spec["key"]], name=spec["name"], **options)

    with open(path, "rb") as fh:
        for item in bson.decode_file_iter(fh, codec_options=CODEC):
            if "d" in item:
                current[2].append(item["d"])
                n += 1
                continue
            finish()
            db = client[item["db"]]
            if item["coll"] not in db.list_collection_names():
                db.create_collection(item["coll"])
            current = (db[item["coll"]], item.get("indexes") or [], [])
    finish()
    LOG.info("state loaded from %s: %d documents", path, n)
    return n


async def serve(args):
    server = Server(verbose=args.verbose)
    if args.state_file and os.path.exists(args.state_file):
        load_state(server.client, args.state_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    listener = await asyncio.start_server(
        lambda r, w: handle_connection(server, r, w), host="127.0.0.1", port=args.port, limit=2**20
    )
    port = listener.sockets[0].getsockname()[1]
    if args.port_file:
        tmp = args.port_file + ".tmp%d" % os.getpid()
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    LOG.info("listening on 127.0.0.1:%d", port)
    await stop.wait()
    LOG.info("shutting down")
    listener.close()
    for writer in list(server.writers):
        writer.close()
    await listener.wait_closed()
    if args.state_file:
        save_state(server.client, args.state_file)


def main(argv=None):
    parser = argparse.ArgumentParser(description="MongoDB wire-protocol test server backed by mongomock (in memory).")
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = pick a free one)")
    parser.add_argument("--port-file", help="write the listening port to this file once ready")
    parser.add_argument("--state-file", help="load the databases from this file at start (if it exists) and write them there on SIGTERM/SIGINT")
    parser.add_argument("--verbose", action="store_true", help="log to stderr")
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if args.verbose else logging.CRITICAL + 1,
        format="%(asctime)s mongo_server %(levelname)s %(message)s",
    )
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
