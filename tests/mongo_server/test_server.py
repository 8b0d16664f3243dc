#!/usr/bin/env python3
"""Tests for tests/mongo_server/server.py (the mongomock-backed MongoDB wire-protocol server).

Run with the test Python (it needs pymongo, motor, mongomock and jvspatial from
tests/py/requirements.txt):

    $JVDB_TEST_PYTHON tests/mongo_server/test_server.py

Starts the server as a subprocess on a free 127.0.0.1 port, drives it with raw sockets,
pymongo, motor and jvspatial's own MongoDB backend, prints `N passed, M failed` last and
exits non-zero when anything failed.
"""

import asyncio
import datetime
import math
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

try:
    import bson
    import pymongo
    from bson import CodecOptions
    from bson.int64 import Int64
    from bson.objectid import ObjectId
    from pymongo import ReturnDocument, monitoring
    from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure, WriteError
except ImportError as _exc:
    print("%s lacks the test packages (%s); use $JVDB_TEST_PYTHON with tests/py/requirements.txt installed" % (sys.executable, _exc))
    print("0 passed, 1 failed")
    sys.exit(1)

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "server.py")

PORT = None
PROC = None
TMPDIR = None


def start_server():
    """Start server.py; returns (process, port). Fails loudly if it does not come up."""
    port_file = os.path.join(TMPDIR, "port-%d" % time.monotonic_ns())
    proc = subprocess.Popen(
        [sys.executable, SERVER, "--port", "0", "--port-file", port_file],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if os.path.exists(port_file):
            with open(port_file, encoding="utf-8") as fh:
                text = fh.read().strip()
            if text:
                return proc, int(text)
        if proc.poll() is not None:
            raise RuntimeError("server exited early: %s" % proc.stderr.read().decode(errors="replace"))
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not write its port file within 30 s")


def stop_server(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
    return proc.returncode


def setUpModule():
    global PORT, PROC, TMPDIR
    TMPDIR = tempfile.mkdtemp(prefix="mongo_server_test_")
    PROC, PORT = start_server()


def tearDownModule():
    stop_server(PROC)


def uri():
    return "mongodb://127.0.0.1:%d/?serverSelectionTimeoutMS=5000" % PORT


class Recorder(monitoring.CommandListener):
    def __init__(self):
        self.names = []

    def started(self, event):
        self.names.append(event.command_name)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


# ---------------------------------------------------------------------------------------------
# raw wire protocol
# ---------------------------------------------------------------------------------------------

CODEC = CodecOptions(document_class=dict)


def op_msg(request_id, command, flags=0, sequences=(), checksum=False):
    body = struct.pack("<I", flags | (1 if checksum else 0)) + b"\x00" + bson.encode(command)
    for ident, docs in sequences:
        payload = ident.encode() + b"\x00" + b"".join(bson.encode(d) for d in docs)
        body += b"\x01" + struct.pack("<i", 4 + len(payload)) + payload
    if checksum:
        body += b"\x00\x00\x00\x00"  # the server does not verify CRC-32C; it must strip it
    return struct.pack("<iiii", 16 + len(body), request_id, 0, 2013) + body


def op_query(request_id, ns, query):
    body = struct.pack("<i", 0) + ns.encode() + b"\x00" + struct.pack("<ii", 0, -1) + bson.encode(query)
    return struct.pack("<iiii", 16 + len(body), request_id, 0, 2004) + body


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def read_reply(sock):
    """Returns (response_to, opcode, document)."""
    header = recv_exact(sock, 16)
    length, _rid, response_to, opcode = struct.unpack("<iiii", header)
    body = recv_exact(sock, length - 16)
    if opcode == 2013:
        assert body[4] == 0
        return response_to, opcode, bson.decode(body[5:], codec_options=CODEC)
    if opcode == 1:
        flags, cursor_id, start, nret = struct.unpack_from("<iqii", body, 0)
        assert nret == 1 and cursor_id == 0
        return response_to, opcode, bson.decode(body[20:], codec_options=CODEC)
    raise AssertionError("unexpected opcode %d" % opcode)


def connect():
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    return sock


class WireTests(unittest.TestCase):
    def test_op_query_handshake(self):
        with connect() as s:
            s.sendall(op_query(7, "admin.$cmd", {"isMaster": 1, "helloOk": True, "client": {"driver": {"name": "t"}}}))
            rto, opcode, doc = read_reply(s)
            self.assertEqual((rto, opcode), (7, 1))
            self.assertIs(doc["ismaster"], True)
            self.assertIs(doc["helloOk"], True)
            self.assertEqual(doc["ok"], 1.0)
            self.assertEqual(doc["maxBsonObjectSize"], 16777216)
            self.assertEqual(doc["maxMessageSizeBytes"], 48000000)
            self.assertEqual(doc["maxWriteBatchSize"], 100000)
            self.assertEqual(doc["logicalSessionTimeoutMinutes"], 30)
            self.assertEqual(doc["minWireVersion"], 0)
            self.assertGreaterEqual(doc["maxWireVersion"], 17)
            self.assertIn("connectionId", doc)
            self.assertNotIn("setName", doc)
            # $query-wrapped form, as old drivers send it
            s.sendall(op_query(8, "admin.$cmd", {"$query": {"ismaster": 1}, "$readPreference": {"mode": "primary"}}))
            rto, _, doc = read_reply(s)
            self.assertEqual(rto, 8)
            self.assertIs(doc["ismaster"], True)
            # then OP_MSG on the same connection
            s.sendall(op_msg(9, {"hello": 1, "$db": "admin"}))
            rto, opcode, doc = read_reply(s)
            self.assertEqual((rto, opcode), (9, 2013))
            self.assertIs(doc["isWritablePrimary"], True)

    def test_op_query_other_commands_refused(self):
        with connect() as s:
            s.sendall(op_query(1, "admin.$cmd", {"ping": 1}))
            _, opcode, doc = read_reply(s)
            self.assertEqual(opcode, 1)
            self.assertEqual((doc["ok"], doc["code"], doc["codeName"]), (0.0, 352, "UnsupportedOpQueryCommand"))

    def test_rust_driver_style_handshake(self):
        # What the Rust driver 3.x sends first: OP_MSG isMaster + helloOk + backpressure + client
        with connect() as s:
            cmd = {
                "isMaster": 1,
                "helloOk": True,
                "backpressure": "2",
                "client": {"driver": {"name": "mongo-rust-driver", "version": "3.9.1"}, "os": {"type": "linux"}},
                "$db": "admin",
            }
            s.sendall(op_msg(1, cmd))
            _, opcode, doc = read_reply(s)
            self.assertEqual(opcode, 2013)
            self.assertIs(doc["ismaster"], True)
            self.assertIs(doc["helloOk"], True)
            self.assertNotIn("topologyVersion", doc)  # keeps drivers on polling monitoring
            self.assertNotIn("saslSupportedMechs", doc)
            self.assertIsInstance(doc["localTime"], datetime.datetime)

    def test_document_sequence_and_checksum(self):
        with connect() as s:
            docs = [{"_id": i, "v": i} for i in range(5)]
            s.sendall(op_msg(1, {"insert": "seq", "ordered": True, "$db": "wire"}, sequences=[("documents", docs)], checksum=True))
            _, _, doc = read_reply(s)
            self.assertEqual(doc, {"n": 5, "ok": 1.0})
            updates = [{"q": {"_id": 1}, "u": {"$set": {"v": 10}}}, {"q": {"_id": 2}, "u": {"$set": {"v": 20}}}]
            s.sendall(op_msg(2, {"update": "seq", "$db": "wire"}, sequences=[("updates", updates)]))
            _, _, doc = read_reply(s)
            self.assertEqual((doc["n"], doc["nModified"]), (2, 2))
            s.sendall(op_msg(3, {"find": "seq", "filter": {"v": {"$gte": 10}}, "sort": {"_id": 1}, "$db": "wire"}))
            _, _, doc = read_reply(s)
            self.assertEqual(doc["cursor"]["firstBatch"], [{"_id": 1, "v": 10}, {"_id": 2, "v": 20}])
            self.assertEqual(doc["cursor"]["id"], 0)
            self.assertEqual(doc["cursor"]["ns"], "wire.seq")

    def test_more_to_come_sends_no_reply(self):
        with connect() as s:
            s.sendall(op_msg(1, {"insert": "mtc", "documents": [{"_id": "a"}], "writeConcern": {"w": 0}, "$db": "wire"}, flags=2))
            s.sendall(op_msg(2, {"count": "mtc", "$db": "wire"}))
            rto, _, doc = read_reply(s)
            self.assertEqual(rto, 2)  # the first message got no reply
            self.assertEqual(doc["n"], 1)

    def test_malformed_message_closes_only_that_connection(self):
        bad_messages = [
            struct.pack("<iiii", 16 + 9, 1, 0, 2013) + struct.pack("<I", 0) + b"\x00" + b"\xff\xff\xff\x7f",  # doc length lies
            struct.pack("<iiii", 16 + 5, 1, 0, 2013) + struct.pack("<I", 0) + b"\x07",  # unknown section kind
            struct.pack("<iiii", 16, 1, 0, 9999),  # unknown opcode
            struct.pack("<iiii", 3, 1, 0, 2013),  # impossible length
            struct.pack("<iiii", 16 + 9, 1, 0, 2013) + struct.pack("<I", 1 << 5) + b"\x00\x05\x00\x00\x00\x00",  # unknown required flag
            op_msg(1, {"ping": 1}),  # no $db
        ]
        for bad in bad_messages:
            with connect() as s:
                s.sendall(bad)
                s.settimeout(5)
                self.assertEqual(s.recv(1), b"", "server should close after %r" % bad[:24])
        with connect() as s:  # the server is still alive
            s.sendall(op_msg(5, {"ping": 1, "$db": "admin"}))
            self.assertEqual(read_reply(s)[2], {"ok": 1.0})

    def test_half_sent_message_does_not_block_others(self):
        with connect() as stuck:
            stuck.sendall(op_msg(1, {"ping": 1, "$db": "admin"})[:10])
            with connect() as s:
                s.sendall(op_msg(2, {"ping": 1, "$db": "admin"}))
                self.assertEqual(read_reply(s)[2]["ok"], 1.0)

    def test_unknown_command(self):
        with connect() as s:
            s.sendall(op_msg(1, {"frobnicate": 1, "$db": "admin"}))
            doc = read_reply(s)[2]
            self.assertEqual(doc, {"ok": 0.0, "errmsg": "no such command: 'frobnicate'", "code": 59, "codeName": "CommandNotFound"})

    def test_ignored_session_fields_and_transactions(self):
        with connect() as s:
            cmd = {
                "ping": 1,
                "lsid": {"id": bson.Binary(b"0" * 16, 4)},
                "$clusterTime": {"clusterTime": bson.Timestamp(1, 1)},
                "readConcern": {"level": "local"},
                "$readPreference": {"mode": "primaryPreferred"},
                "$db": "admin",
            }
            s.sendall(op_msg(1, cmd))
            self.assertEqual(read_reply(s)[2]["ok"], 1.0)
            s.sendall(op_msg(2, {"insert": "t", "documents": [{}], "txnNumber": Int64(1), "startTransaction": True, "autocommit": False, "$db": "wire"}))
            doc = read_reply(s)[2]
            self.assertEqual((doc["ok"], doc["code"], doc["codeName"]), (0.0, 20, "IllegalOperation"))


# ---------------------------------------------------------------------------------------------
# pymongo (sync)
# ---------------------------------------------------------------------------------------------


class PymongoTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.recorder = Recorder()
        cls.client = pymongo.MongoClient(uri(), event_listeners=[cls.recorder])
        cls.db = cls.client["pm"]

    @classmethod
    def tearDownClass(cls):
        cls.client.drop_database("pm")
        cls.client.close()

    def coll(self, name):
        c = self.db[name]
        c.drop()
        return c

    def test_server_info(self):
        info = self.client.server_info()
        self.assertEqual(info["version"], "7.0.0")
        self.assertEqual(info["versionArray"][:2], [7, 0])
        self.assertEqual(self.client.admin.command("ping"), {"ok": 1.0})
        with self.assertRaises(OperationFailure) as cm:
            self.client.admin.command("noSuchThing")
        self.assertEqual(cm.exception.code, 59)

    def test_types_round_trip_with_key_order(self):
        c = self.coll("types")
        now = datetime.datetime(2024, 5, 6, 7, 8, 9, 123000)
        oid = ObjectId()
        doc = {
            "_id": "t1",
            "z_int32": 7,
            "int32_neg": -(2**31),
            "int64_small": Int64(5),
            "int64_big": 2**40,
            "double": 1.5,
            "double_int": 2.0,
            "neg_zero": -0.0,
            "str": "Zürich 東京 😀",
            "bool": True,
            "none": None,
            "date": now,
            "oid": oid,
            "bin": bson.Binary(b"\x00\x01", 0),
            "nested": {"b": 1, "a": {"y": Int64(2), "x": [1, 2.5, "s"]}},
            "arr": [Int64(1), 2, 3.0, {"k": "v"}, [1]],
            "empty_obj": {},
            "empty_arr": [],
            "nan": float("nan"),
            "inf": float("inf"),
            "ninf": float("-inf"),
        }
        c.insert_one(dict(doc))
        got = c.find_one({"_id": "t1"})
        self.assertEqual(list(got.keys()), list(doc.keys()))
        self.assertIs(type(got["z_int32"]), int)
        self.assertIs(type(got["int64_small"]), Int64)
        self.assertIs(type(got["int64_big"]), Int64)
        self.assertIs(type(got["double_int"]), float)
        self.assertIs(type(got["nested"]["a"]["y"]), Int64)
        self.assertEqual([type(v) for v in got["arr"]], [Int64, int, float, dict, list])
        self.assertEqual(list(got["nested"].keys()), ["b", "a"])
        self.assertTrue(math.isnan(got["nan"]))
        self.assertEqual((got["inf"], got["ninf"]), (float("inf"), float("-inf")))
        self.assertEqual(math.copysign(1, got["neg_zero"]), -1.0)
        self.assertEqual(got["date"], now)
        for k in ("str", "bool", "none", "oid", "nested", "empty_obj", "empty_arr", "int32_neg"):
            self.assertEqual(got[k], doc[k], k)
        self.assertEqual(bytes(got["bin"]), b"\x00\x01")
        # raw bytes: the server sends back exactly the BSON element types it got
        raw = self.db.get_collection("types", codec_options=CodecOptions(document_class=bson.raw_bson.RawBSONDocument)).find_one({"_id": "t1"})
        self.assertEqual(raw.raw, bson.encode(doc))

    def test_id_placed_first(self):
        c = self.coll("idfirst")
        c.insert_one({"a": 1})  # pymongo adds _id
        self.assertEqual(list(c.find_one().keys())[0], "_id")
        c.update_one({"k": "up"}, {"$set": {"v": 1}}, upsert=True)
        self.assertEqual(list(c.find_one({"k": "up"}).keys()), ["_id", "k", "v"])

    def test_insert_many_ordered_duplicates(self):
        c = self.coll("ins_ordered")
        c.insert_one({"_id": "x"})
        with self.assertRaises(BulkWriteError) as cm:
            c.insert_many([{"_id": "a"}, {"_id": "x"}, {"_id": "b"}], ordered=True)
        details = cm.exception.details
        self.assertEqual(details["nInserted"], 1)
        self.assertEqual(len(details["writeErrors"]), 1)
        err = details["writeErrors"][0]
        self.assertEqual(err["index"], 1)
        self.assertEqual(err["code"], 11000)
        self.assertEqual(err["errmsg"], 'E11000 duplicate key error collection: pm.ins_ordered index: _id_ dup key: { _id: "x" }')
        self.assertEqual(err["keyPattern"], {"_id": 1})
        self.assertEqual(err["keyValue"], {"_id": "x"})
        self.assertEqual(sorted(d["_id"] for d in c.find()), ["a", "x"])

    def test_insert_many_unordered_duplicates(self):
        c = self.coll("ins_unordered")
        c.insert_one({"_id": 2})
        with self.assertRaises(BulkWriteError) as cm:
            c.insert_many([{"_id": 1}, {"_id": 2}, {"_id": 3}, {"_id": 1}, {"_id": 4}], ordered=False)
        details = cm.exception.details
        self.assertEqual(details["nInserted"], 3)
        self.assertEqual([e["index"] for e in details["writeErrors"]], [1, 3])
        self.assertTrue(all(e["code"] == 11000 for e in details["writeErrors"]))
        self.assertEqual(details["writeErrors"][0]["errmsg"], "E11000 duplicate key error collection: pm.ins_unordered index: _id_ dup key: { _id: 2 }")
        self.assertEqual(sorted(d["_id"] for d in c.find()), [1, 2, 3, 4])
        with self.assertRaises(DuplicateKeyError) as cm2:
            c.insert_one({"_id": 4})
        self.assertEqual(cm2.exception.code, 11000)

    def test_find_filter_sort_skip_limit_projection(self):
        c = self.coll("find")
        c.insert_many([{"_id": i, "g": i % 3, "v": i * 10, "s": "n%02d" % i, "tags": ["t%d" % (i % 2)]} for i in range(30)])
        got = list(c.find({"g": 1}, {"v": 1, "_id": 0}).sort("v", -1).skip(2).limit(3))
        expected_vs = sorted((i * 10 for i in range(30) if i % 3 == 1), reverse=True)[2:5]
        self.assertEqual(got, [{"v": v} for v in expected_vs])
        # implicit array matching and operators come from mongomock
        self.assertEqual(c.count_documents({"tags": "t1"}), 15)
        self.assertEqual([d["_id"] for d in c.find({"$or": [{"_id": {"$lt": 2}}, {"s": {"$regex": "^n2[89]"}}]}).sort("_id", 1)], [0, 1, 28, 29])
        multi = list(c.find({}, {"g": 1}).sort([("g", 1), ("_id", -1)]).limit(4))
        self.assertEqual(multi, [{"_id": 27, "g": 0}, {"_id": 24, "g": 0}, {"_id": 21, "g": 0}, {"_id": 18, "g": 0}])
        self.assertEqual(c.find_one({"_id": 999}), None)
        # single-batch negative limit
        self.assertEqual(len(list(c.find().limit(-5))), 5)

    def test_large_result_uses_getmore(self):
        c = self.coll("large")
        blob = "x" * 200_000
        n = 200  # ~40 MB in total: more than 101 docs and more than 16 MB per batch
        c.insert_many([{"_id": i, "blob": blob, "i": Int64(i)} for i in range(n)])
        self.recorder.names.clear()
        seen = []
        for d in c.find({}, sort=[("_id", 1)]):
            seen.append(d["_id"])
            self.assertEqual(len(d["blob"]), 200_000)
        self.assertEqual(seen, list(range(n)))
        self.assertGreaterEqual(self.recorder.names.count("getMore"), 2)
        # small docs: 101 in the first batch then getMore
        s = self.coll("many_small")
        s.insert_many([{"_id": i} for i in range(500)])
        self.recorder.names.clear()
        self.assertEqual(len(list(s.find())), 500)
        self.assertEqual(self.recorder.names.count("getMore"), 1)
        # explicit batch size
        self.recorder.names.clear()
        self.assertEqual(len(list(s.find(batch_size=100))), 500)
        self.assertEqual(self.recorder.names.count("getMore"), 4)

    def test_cursor_kill_and_cursor_not_found(self):
        c = self.coll("cursors")
        c.insert_many([{"_id": i} for i in range(50)])
        reply = self.db.command("find", "cursors", batchSize=5)
        cid = reply["cursor"]["id"]
        self.assertNotEqual(cid, 0)
        self.assertIs(type(cid), Int64)
        more = self.db.command("getMore", cid, collection="cursors", batchSize=10)
        self.assertEqual([d["_id"] for d in more["cursor"]["nextBatch"]], list(range(5, 15)))
        self.assertEqual(more["cursor"]["id"], cid)
        killed = self.db.command("killCursors", "cursors", cursors=[cid])
        self.assertEqual(killed["cursorsKilled"], [cid])
        with self.assertRaises(OperationFailure) as cm:
            self.db.command("getMore", cid, collection="cursors")
        self.assertEqual(cm.exception.code, 43)
        # a cursor that ends is closed by the server (id 0)
        reply = self.db.command("find", "cursors", batchSize=45)
        last = self.db.command("getMore", reply["cursor"]["id"], collection="cursors")
        self.assertEqual((len(last["cursor"]["nextBatch"]), last["cursor"]["id"]), (5, 0))

    def test_replace_update_delete(self):
        c = self.coll("rud")
        r = c.replace_one({"_id": "r1"}, {"name": "first", "n": 1}, upsert=True)
        self.assertEqual((r.matched_count, r.modified_count, r.upserted_id), (0, 0, "r1"))
        self.assertEqual(c.find_one({"_id": "r1"}), {"_id": "r1", "name": "first", "n": 1})
        r = c.replace_one({"_id": "r1"}, {"_id": "r1", "name": "second"}, upsert=True)
        self.assertEqual((r.matched_count, r.modified_count, r.upserted_id), (1, 1, None))
        self.assertEqual(c.find_one({"_id": "r1"}), {"_id": "r1", "name": "second"})
        r = c.replace_one({"_id": "r1"}, {"_id": "r1", "name": "second"})
        self.assertEqual((r.matched_count, r.modified_count), (1, 0))
        with self.assertRaises(WriteError) as cm:
            c.replace_one({"_id": "r1"}, {"_id": "other"})
        self.assertEqual(cm.exception.code, 66)
        c.insert_many([{"_id": i, "k": i % 2, "c": 0} for i in range(10)])
        r = c.update_many({"k": 1}, {"$inc": {"c": 5}, "$set": {"touched": True}})
        self.assertEqual((r.matched_count, r.modified_count), (5, 5))
        self.assertEqual(sorted(d["_id"] for d in c.find({"touched": True, "c": 5})), [1, 3, 5, 7, 9])
        r = c.update_one({"_id": "new"}, {"$set": {"a": 1}, "$setOnInsert": {"b": 2}}, upsert=True)
        self.assertEqual(r.upserted_id, "new")
        self.assertEqual(c.find_one({"_id": "new"}), {"_id": "new", "a": 1, "b": 2})
        r = c.update_many({"nothing": 1}, {"$set": {"a": 1}})
        self.assertEqual((r.matched_count, r.modified_count, r.upserted_id), (0, 0, None))
        with self.assertRaises(WriteError):
            c.update_one({"_id": 1}, {"$inc": {"k": "not a number"}})
        # $inc keeps int64 when either side is int64 (mongomock alone would return int32)
        c.insert_one({"_id": "w", "i32": 1, "i64": Int64(1), "f": 1.0, "arr": [Int64(1)]})
        c.update_one({"_id": "w"}, {"$inc": {"i32": Int64(1), "i64": 1, "f": 1, "arr.0": 1, "new64": Int64(5), "new32": 5}})
        w = c.find_one({"_id": "w"})
        self.assertEqual(
            [(type(w[k]), w[k]) for k in ("i32", "i64", "f", "new64", "new32")],
            [(Int64, 2), (Int64, 2), (float, 2.0), (Int64, 5), (int, 5)],
        )
        self.assertEqual((type(w["arr"][0]), w["arr"][0]), (Int64, 2))
        c.delete_one({"_id": "w"})
        self.assertEqual(c.delete_one({"k": 0}).deleted_count, 1)
        self.assertEqual(c.delete_many({"k": 0}).deleted_count, 4)
        self.assertEqual(c.delete_many({"k": 0}).deleted_count, 0)
        self.assertEqual(c.count_documents({}), 7)

    def test_bulk_write_mixed(self):
        c = self.coll("bulk")
        c.insert_one({"_id": "keep", "v": 0})
        res = c.bulk_write(
            [
                pymongo.InsertOne({"_id": "i1", "v": 1}),
                pymongo.ReplaceOne({"_id": "keep"}, {"_id": "keep", "v": 9}, upsert=True),
                pymongo.ReplaceOne({"_id": "up"}, {"_id": "up", "v": 2}, upsert=True),
                pymongo.UpdateMany({"v": {"$gte": 1}}, {"$inc": {"v": 100}}),
                pymongo.DeleteOne({"_id": "i1"}),
            ]
        )
        self.assertEqual((res.inserted_count, res.matched_count, res.modified_count, res.upserted_count, res.deleted_count), (1, 4, 4, 1, 1))
        self.assertEqual(res.upserted_ids, {2: "up"})
        self.assertEqual(sorted((d["_id"], d["v"]) for d in c.find()), [("keep", 109), ("up", 102)])

    def test_counts_and_distinct(self):
        c = self.coll("counts")
        c.insert_many([{"_id": i, "g": "abc"[i % 3], "n": i} for i in range(20)])
        self.assertEqual(c.count_documents({}), 20)
        self.assertEqual(c.count_documents({"g": "a"}), 7)
        self.assertEqual(c.count_documents({"n": {"$gt": 3}}, skip=2, limit=5), 5)
        self.assertEqual(c.count_documents({"n": {"$gt": 15}}, skip=2), 2)
        self.assertEqual(c.estimated_document_count(), 20)
        self.assertEqual(sorted(c.distinct("g")), ["a", "b", "c"])
        self.assertEqual(sorted(c.distinct("n", {"g": "b"})), [1, 4, 7, 10, 13, 16, 19])
        self.assertEqual(self.db["missing_coll"].count_documents({}), 0)
        self.assertEqual(self.db["missing_coll"].estimated_document_count(), 0)
        agg = list(c.aggregate([{"$match": {"n": {"$lt": 10}}}, {"$group": {"_id": "$g", "total": {"$sum": "$n"}}}, {"$sort": {"_id": 1}}]))
        self.assertEqual(agg, [{"_id": "a", "total": 0 + 3 + 6 + 9}, {"_id": "b", "total": 1 + 4 + 7}, {"_id": "c", "total": 2 + 5 + 8}])
        self.assertEqual(len(list(c.aggregate([{"$skip": 3}, {"$limit": 200}], batchSize=4))), 17)

    def test_find_one_and_modify(self):
        c = self.coll("fam")
        c.insert_many([{"_id": i, "state": "todo", "p": i} for i in range(5)])
        doc = c.find_one_and_update({"state": "todo"}, {"$set": {"state": "doing"}}, sort=[("p", -1)], return_document=ReturnDocument.AFTER)
        self.assertEqual(doc, {"_id": 4, "state": "doing", "p": 4})
        doc = c.find_one_and_update({"state": "todo"}, {"$set": {"state": "doing"}}, sort=[("p", 1)], projection={"p": 1})
        self.assertEqual(doc, {"_id": 0, "p": 0})
        self.assertEqual(c.find_one({"_id": 0})["state"], "doing")
        doc = c.find_one_and_update({"_id": "u"}, {"$set": {"state": "new"}}, upsert=True, return_document=ReturnDocument.AFTER)
        self.assertEqual(doc, {"_id": "u", "state": "new"})
        self.assertIsNone(c.find_one_and_update({"_id": "u2"}, {"$set": {"x": 1}}, upsert=True))
        self.assertEqual(c.find_one({"_id": "u2"}), {"_id": "u2", "x": 1})
        doc = c.find_one_and_replace({"_id": 1}, {"replaced": True}, return_document=ReturnDocument.AFTER)
        self.assertEqual(doc, {"_id": 1, "replaced": True})
        doc = c.find_one_and_delete({"state": "doing"}, sort=[("p", 1)])
        self.assertEqual(doc["_id"], 0)
        self.assertIsNone(c.find_one({"_id": 0}))
        self.assertIsNone(c.find_one_and_delete({"_id": "nope"}))

    def test_unique_index_enforced(self):
        c = self.coll("uniq")
        c.insert_many([{"_id": 1, "email": "a@x"}, {"_id": 2, "email": "b@x"}])
        name = c.create_index("email", unique=True)
        self.assertEqual(name, "email_1")
        with self.assertRaises(DuplicateKeyError) as cm:
            c.insert_one({"_id": 3, "email": "a@x"})
        self.assertEqual(cm.exception.details["errmsg"], 'E11000 duplicate key error collection: pm.uniq index: email_1 dup key: { email: "a@x" }')
        self.assertEqual(cm.exception.details["keyPattern"], {"email": 1})
        with self.assertRaises(DuplicateKeyError):
            c.replace_one({"_id": 9}, {"email": "b@x"}, upsert=True)
        with self.assertRaises(DuplicateKeyError):
            c.update_one({"_id": 2}, {"$set": {"email": "a@x"}})
        self.assertEqual(c.find_one({"_id": 2})["email"], "b@x")
        self.assertEqual(c.count_documents({}), 2)
        # compound unique index, jvspatial's edge index shape
        e = self.coll("edge_like")
        e.create_index([("source", 1), ("target", 1), ("entity", 1)], unique=True, name="idx_source_target_entity_unique", background=True)
        e.insert_one({"_id": "e1", "source": "a", "target": "b", "entity": "R"})
        e.insert_one({"_id": "e2", "source": "a", "target": "b", "entity": "S"})
        with self.assertRaises(DuplicateKeyError) as cm:
            e.insert_one({"_id": "e3", "source": "a", "target": "b", "entity": "R"})
        self.assertIn('dup key: { source: "a", target: "b", entity: "R" }', str(cm.exception))
        # building a unique index over existing duplicates fails
        d = self.coll("uniq_dups")
        d.insert_many([{"k": 1}, {"k": 1}])
        with self.assertRaises(OperationFailure) as cm:
            d.create_index("k", unique=True)
        self.assertEqual(cm.exception.code, 11000)

    def test_index_management(self):
        c = self.coll("idx")
        c.insert_one({"a": 1})
        self.assertEqual(c.create_index([("a", 1), ("b", -1)]), "a_1_b_-1")
        self.assertEqual(c.create_index("a", name="by_a", expireAfterSeconds=60), "by_a")
        self.assertEqual(c.create_index("a", name="by_a", expireAfterSeconds=60), "by_a")  # idempotent
        idx = list(c.list_indexes())
        self.assertEqual([i["name"] for i in idx], ["_id_", "a_1_b_-1", "by_a"])
        self.assertEqual(dict(idx[1]["key"]), {"a": 1, "b": -1})
        self.assertEqual(idx[2]["expireAfterSeconds"], 60)
        with self.assertRaises(OperationFailure) as cm:
            c.create_index("a", name="by_a", expireAfterSeconds=30)
        self.assertEqual(cm.exception.code, 85)
        with self.assertRaises(OperationFailure) as cm:
            c.create_index("b", name="by_a")
        self.assertEqual(cm.exception.code, 86)
        with self.assertRaises(OperationFailure) as cm:
            c.create_index("a", name="other_name", expireAfterSeconds=60)
        self.assertEqual(cm.exception.code, 85)
        c.drop_index("by_a")
        with self.assertRaises(OperationFailure) as cm:
            c.drop_index("by_a")
        self.assertEqual(cm.exception.code, 27)
        c.drop_indexes()
        self.assertEqual(list(c.index_information()), ["_id_"])
        self.assertEqual(list(self.db["never_created"].list_indexes()), [])  # pymongo hides code 26
        with self.assertRaises(OperationFailure) as cm:
            self.db.command("listIndexes", "never_created")
        self.assertEqual(cm.exception.code, 26)

    def test_collections_and_databases(self):
        other = self.client["pm_other"]
        self.client.drop_database("pm_other")
        other["c1"].insert_one({})
        other.create_collection("c2")
        with self.assertRaises(OperationFailure) as cm:
            other.command("create", "c2")
        self.assertEqual(cm.exception.code, 48)
        self.assertEqual(sorted(other.list_collection_names()), ["c1", "c2"])
        self.assertEqual(other.list_collection_names(filter={"name": "c2"}), ["c2"])
        full = list(other.list_collections())
        self.assertEqual(full[0]["type"], "collection")
        self.assertIn("pm_other", self.client.list_database_names())
        other.drop_collection("c1")
        other.drop_collection("c1")  # dropping a missing collection is fine
        self.assertEqual(other.list_collection_names(), ["c2"])
        self.client.admin.command("renameCollection", "pm_other.c2", to="pm_other.c3")
        self.assertEqual(other.list_collection_names(), ["c3"])
        stats = other.command("collStats", "c3")
        self.assertEqual((stats["ns"], stats["count"]), ("pm_other.c3", 0))
        self.assertEqual(other.command("dbStats")["collections"], 1)
        self.client.drop_database("pm_other")
        self.assertNotIn("pm_other", self.client.list_database_names())

    def test_concurrent_pool(self):
        client = pymongo.MongoClient(uri(), maxPoolSize=16)
        try:
            c = client["pm"]["conc"]
            c.drop()

            def work(t):
                for i in range(25):
                    c.insert_one({"_id": "%d-%d" % (t, i), "t": t})
                    c.count_documents({"t": t})
                return c.count_documents({"t": t})

            with ThreadPoolExecutor(16) as pool:
                counts = list(pool.map(work, range(16)))
            self.assertEqual(counts, [25] * 16)
            self.assertEqual(c.count_documents({}), 400)
        finally:
            client.close()


# ---------------------------------------------------------------------------------------------
# motor (async)
# ---------------------------------------------------------------------------------------------


class MotorTests(unittest.TestCase):
    def test_motor_roundtrip(self):
        from motor.motor_asyncio import AsyncIOMotorClient

        async def main():
            client = AsyncIOMotorClient(uri(), maxPoolSize=12)
            try:
                c = client["mt"]["items"]
                await c.drop()
                res = await c.insert_many([{"_id": i, "v": Int64(i), "f": i / 2} for i in range(300)])
                self.assertEqual(len(res.inserted_ids), 300)
                docs = await c.find({"v": {"$gte": 50}}).sort("v", -1).to_list(None)
                self.assertEqual([d["_id"] for d in docs], list(range(299, 49, -1)))
                self.assertIs(type(docs[0]["v"]), Int64)
                self.assertEqual(await c.count_documents({"f": {"$lt": 10}}), 20)
                await c.create_index("v", unique=True)
                with self.assertRaises(DuplicateKeyError):
                    await c.insert_one({"_id": "dup", "v": Int64(3)})

                async def worker(k):
                    await c.update_one({"_id": k}, {"$set": {"w": k}})
                    return (await c.find_one({"_id": k}))["w"]

                results = await asyncio.gather(*(worker(k) for k in range(40)))
                self.assertEqual(results, list(range(40)))
                r = await c.delete_many({"_id": {"$lt": 100}})
                self.assertEqual(r.deleted_count, 100)
                self.assertEqual(await c.estimated_document_count(), 200)
                await client.drop_database("mt")
            finally:
                client.close()

        asyncio.run(main())


# ---------------------------------------------------------------------------------------------
# jvspatial's own MongoDB backend
# ---------------------------------------------------------------------------------------------


class JvspatialTests(unittest.TestCase):
    def test_database_api(self):
        from jvspatial.db.factory import create_database

        async def main():
            db = create_database("mongodb", uri="mongodb://127.0.0.1:%d" % PORT, db_name="jv_api")
            try:
                rec = {"id": "n.City.a", "entity": "City", "context": {"name": "a", "pop": 5, "big": 2**40, "f": 0.5, "tags": ["x", "y"]}}
                saved = await db.save("node", dict(rec))
                self.assertEqual(saved["id"], "n.City.a")
                got = await db.get("node", "n.City.a")
                self.assertEqual(got, dict(rec, _id="n.City.a") | {"_id": "n.City.a"})
                self.assertEqual(list(got.keys())[0], "_id")
                self.assertIsNone(await db.get("node", "missing"))
                await db.save("node", {"id": "n.City.b", "entity": "City", "context": {"name": "b", "pop": 7}})
                await db.save("node", {"id": "n.Town.c", "entity": "Town", "context": {"name": "c", "pop": 1}})
                found = await db.find("node", {"entity": "City"})
                self.assertEqual(sorted(r["id"] for r in found), ["n.City.a", "n.City.b"])
                found = await db.find("node", {"context.pop": {"$gte": 5}}, sort=[("context.pop", -1)])
                self.assertEqual([r["id"] for r in found], ["n.City.b", "n.City.a"])
                self.assertEqual(await db.count("node", {}), 3)
                self.assertEqual(await db.count("node", {"entity": "City"}), 2)
                saved_n = await db.bulk_save("node", [{"id": "n.B.%d" % i, "entity": "B", "context": {"i": i}} for i in range(20)])
                self.assertEqual(saved_n, 20)
                again = await db.bulk_save("node", [{"id": "n.B.1", "entity": "B", "context": {"i": 100}}, {"id": "n.B.1", "entity": "B", "context": {"i": 101}}])
                self.assertEqual(again, 2)
                self.assertEqual((await db.get("node", "n.B.1"))["context"]["i"], 101)
                self.assertEqual(await db.count("node", {"entity": "B"}), 20)
                upd = await db.find_one_and_update("node", {"id": "n.City.b"}, {"$set": {"context.pop": 8}})
                self.assertIsNotNone(upd)
                self.assertEqual((await db.get("node", "n.City.b"))["context"]["pop"], 8)
                await db.create_index("node", "entity")
                await db.create_index("edge", [("source", 1), ("target", 1), ("entity", 1)], unique=True, name="idx_source_target_entity_unique")
                await db.delete("node", "n.Town.c")
                self.assertIsNone(await db.get("node", "n.Town.c"))
                self.assertEqual(await db.count("node", {}), 22)
            finally:
                await db.close()

        asyncio.run(main())
        client = pymongo.MongoClient(uri())
        try:
            idx = client["jv_api"]["edge"].index_information()
            self.assertTrue(idx["idx_source_target_entity_unique"]["unique"])
            self.assertIn("entity_1", client["jv_api"]["node"].index_information())
        finally:
            client.drop_database("jv_api")
            client.close()

    def test_graph(self):
        from jvspatial.core import Edge, GraphContext, Node
        from jvspatial.core.context import reset_default_context, set_default_context
        from jvspatial.db.factory import create_database

        class MsCity(Node):
            name: str = ""
            population: int = 0

        class MsRoad(Edge):
            lanes: int = 1

        async def main():
            db = create_database("mongodb", uri="mongodb://127.0.0.1:%d" % PORT, db_name="jv_graph")
            ctx = GraphContext(database=db)
            token = set_default_context(ctx)
            try:
                a = await MsCity.create(id="n.MsCity.a", name="Alpha", population=10)
                b = await MsCity.create(id="n.MsCity.b", name="Beta", population=20)
                c = await MsCity.create(id="n.MsCity.c", name="Gamma", population=30)
                e1 = await a.connect(b, MsRoad, lanes=2)
                e2 = await a.connect(c, MsRoad, lanes=4)
                await b.connect(c, MsRoad)
                fresh = GraphContext(database=db)
                got = await fresh.get(MsCity, "n.MsCity.b")
                self.assertIsNotNone(got)
                self.assertEqual((got.name, got.population), ("Beta", 20))
                self.assertEqual((await MsCity.get("n.MsCity.c")).name, "Gamma")
                by_source = await db.find("edge", {"source": "n.MsCity.a"})
                self.assertEqual(sorted(r["id"] for r in by_source), sorted([e1.id, e2.id]))
                self.assertEqual(sorted(r["context"]["lanes"] for r in by_source), [2, 4])
                neighbours = await a.nodes()
                self.assertEqual(sorted(n.id for n in neighbours), ["n.MsCity.b", "n.MsCity.c"])
                big = await MsCity.find({"context.population": {"$gte": 20}})
                self.assertEqual(sorted(n.id for n in big), ["n.MsCity.b", "n.MsCity.c"])
                self.assertEqual(await MsCity.count(), 3)
                raw = await db.get("node", "n.MsCity.a")
                self.assertEqual((raw["_id"], raw["id"], raw["entity"]), ("n.MsCity.a", "n.MsCity.a", "MsCity"))
                await ctx.delete(c, cascade=True)
                self.assertIsNone(await db.get("node", "n.MsCity.c"))
            finally:
                reset_default_context(token)
                await db.close()

        asyncio.run(main())
        client = pymongo.MongoClient(uri())
        try:
            idx = client["jv_graph"]["edge"].index_information()
            self.assertIn("idx_source_target_entity_unique", idx)
            self.assertTrue(idx["idx_source_target_entity_unique"]["unique"])
            self.assertIn("idx_node_entity", client["jv_graph"]["node"].index_information())
        finally:
            client.drop_database("jv_graph")
            client.close()


# ---------------------------------------------------------------------------------------------
# process behaviour
# ---------------------------------------------------------------------------------------------


class ProcessTests(unittest.TestCase):
    def test_restart_loses_data_and_sigterm_is_clean(self):
        proc, port = start_server()
        try:
            client = pymongo.MongoClient("mongodb://127.0.0.1:%d/?serverSelectionTimeoutMS=5000" % port)
            client["p"]["c"].insert_one({"_id": 1})
            self.assertEqual(client["p"]["c"].count_documents({}), 1)
        finally:
            rc = stop_server(proc)  # with the client's connections still open
        client.close()
        self.assertEqual(rc, 0)
        proc2, port2 = start_server()
        try:
            client = pymongo.MongoClient("mongodb://127.0.0.1:%d/?serverSelectionTimeoutMS=5000" % port2)
            self.assertEqual(client.list_database_names(), [])  # in-memory only
            client.close()
        finally:
            self.assertEqual(stop_server(proc2), 0)

    def test_binds_loopback_only(self):
        # /proc/net/tcp lists listening sockets (state 0A) with hex little-endian IPv4 addresses
        listening = []
        for path in ("/proc/net/tcp", "/proc/net/tcp6"):
            if not os.path.exists(path):
                continue
            with open(path, encoding="ascii") as fh:
                for line in fh.readlines()[1:]:
                    fields = line.split()
                    addr, port_hex = fields[1].rsplit(":", 1)
                    if fields[3] == "0A" and int(port_hex, 16) == PORT:
                        listening.append(addr)
        self.assertEqual(listening, ["0100007F"])  # 127.0.0.1 only, no IPv6/any-address socket


def main():
    loader = unittest.TestLoader()
    suite = loader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stderr).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or result.testsRun == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
