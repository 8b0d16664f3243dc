"""Oracle for tests/json_codec.rs: Python's own `json` module is the reference.

Records are length-prefixed (4-byte little-endian length, then the bytes).

  json_oracle.py check FILE
      FILE holds documents written by jvdb (`to_python_indent2`). For each one, write four
      records: json.dumps(obj, indent=2), json.dumps(obj),
      json.dumps(obj, indent=2, ensure_ascii=False),
      json.dumps(obj, ensure_ascii=False, separators=(",", ":")), all UTF-8 encoded, where
      obj = json.loads(document). If json.loads fails, the four records are b"!ERR <error>".
      The ensure_ascii=False layouts are encoded with 'backslashreplace', so a lone surrogate
      (which UTF-8 cannot hold) becomes its escape (backslash, "udXXX"): what jvdb documents it writes.

  json_oracle.py generate SEED COUNT
      Generate random documents (seeded) as Python would read them: random layouts,
      whitespace, escapes, duplicate keys, several encodings, and mutated (mostly invalid)
      variants. For each: a 1-byte kind, the input record, the expected record:
        V  valid: expected = json.dumps(json.loads(input), indent=2).encode()
        E  JSONDecodeError: expected = "msg\\nlineno\\ncolno"
        U  UnicodeDecodeError, R  RecursionError, X  other ValueError (expected = str(e))
        S  valid, with a lone surrogate in a string value: expected as for V
        K  loads succeeded but an object key holds a lone surrogate (jvdb reports an error)

  json_oracle.py library DIR SEED COUNT
      Save COUNT random records with the real jvspatial JsonDB (base path DIR, collection
      "node") and print how many were written; the Rust side re-encodes every file.
"""

import json
import math
import random
import struct
import sys


def put(out, b):
    out += len(b).to_bytes(4, "little")
    out += b


def check(path):
    data = open(path, "rb").read()
    out = bytearray()
    pos = 0
    while pos < len(data):
        n = int.from_bytes(data[pos : pos + 4], "little")
        pos += 4
        doc = data[pos : pos + n]
        pos += n
        try:
            obj = json.loads(doc)
            blobs = [
                json.dumps(obj, indent=2).encode(),
                json.dumps(obj).encode(),
                json.dumps(obj, indent=2, ensure_ascii=False).encode("utf-8", "backslashreplace"),
                json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode(
                    "utf-8", "backslashreplace"
                ),
            ]
        except Exception as e:  # reported to the Rust side as a disagreement
            blobs = [("!ERR " + repr(e)).encode()] * 4
        for b in blobs:
            put(out, b)
    sys.stdout.buffer.write(out)


# ---------------------------------------------------------------- random documents


def rand_char(r):
    k = r.random()
    if k < 0.40:
        return chr(r.randint(0x20, 0x7E))
    if k < 0.48:
        return chr(r.randint(0, 0x1F))
    if k < 0.55:
        return r.choice('"\\/\x7f\u2028\u2029\ufeff\x85\xa0')
    if k < 0.75:
        return chr(r.randint(0xA0, 0xD7FF))
    if k < 0.85:
        return chr(r.randint(0xE000, 0xFFFD))
    if k < 0.87:
        return chr(r.randint(0xD800, 0xDFFF))  # a lone surrogate (escaped or raw)
    return chr(r.randint(0x10000, 0x10FFFF))


def rand_str(r):
    return "".join(rand_char(r) for _ in range(r.choice([0, 1, 2, 3, 5, 8, 20])))


SPECIAL_FLOATS = [
    0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308,
    1.7976931348623157e308, float("nan"), float("inf"), float("-inf"), 1e16, 1e15,
    1e-5, 1e-4, 9999999999999998.0, 0.1, 100.0, 1e22, 1e23, 123456789012345680.0,
]


def rand_float(r):
    k = r.random()
    if k < 0.2:
        return struct.unpack("<d", r.getrandbits(64).to_bytes(8, "little"))[0]
    if k < 0.35:
        return r.choice(SPECIAL_FLOATS)
    if k < 0.65:
        m = r.randint(1, 10 ** r.randint(1, 17))
        return float(f"{m}e{r.randint(-30, 30)}") * r.choice([1, -1])
    if k < 0.85:
        x = r.choice([1e16, 1e-4, 1e-5, 1e15, 1e17, 5e-324])
        for _ in range(r.randint(0, 3)):
            x = math.nextafter(x, r.choice([0.0, math.inf]))
        return x
    return r.uniform(-1e6, 1e6)


def rand_int(r):
    bits = r.choice([1, 4, 8, 16, 31, 53, 62, 63, 64, 65, 80, 128, 300, 1000])
    v = r.getrandbits(bits)
    if r.random() < 0.1:
        v = r.choice([2**63, 2**63 - 1, 2**64, 2**64 + 1, 0])
    return -v if r.random() < 0.5 else v


def rand_tree(r, depth):
    """('obj', [(key, tree)]) with possible duplicate keys, ('arr', [tree]) or ('leaf', v)."""
    k = r.random()
    if depth > 0 and k < 0.25:
        keys = [rand_str(r) for _ in range(r.choice([0, 1, 2, 3, 5]))]
        if keys and r.random() < 0.3:
            keys.insert(r.randint(0, len(keys)), r.choice(keys))  # duplicate key
        return ("obj", [(key, rand_tree(r, depth - 1)) for key in keys])
    if depth > 0 and k < 0.45:
        return ("arr", [rand_tree(r, depth - 1) for _ in range(r.choice([0, 1, 2, 4]))])
    k = r.random()
    if k < 0.3:
        return ("leaf", rand_str(r))
    if k < 0.55:
        return ("leaf", rand_int(r))
    if k < 0.85:
        return ("leaf", rand_float(r))
    return ("leaf", r.choice([None, True, False]))


def ws(r):
    return "".join(r.choice(" \t\r\n") for _ in range(r.choice([0, 0, 0, 1, 2])))


SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
         "\f": "\\f", "/": "\\/"}


def u_esc(r, u):
    s = "\\u%04x" % u
    return s.upper().replace("\\U", "\\u") if r.random() < 0.3 else s


def emit_str(r, s):
    parts = ['"']
    for c in s:
        o = ord(c)
        if c in '"\\' or o < 0x20 or r.random() < 0.15:
            if c in SHORT and r.random() < 0.6:
                parts.append(SHORT[c])
            elif o >= 0x10000:
                v = o - 0x10000
                parts.append(u_esc(r, 0xD800 | (v >> 10)) + u_esc(r, 0xDC00 | (v & 0x3FF)))
            else:
                parts.append(u_esc(r, o))
        else:
            parts.append(c)
    parts.append('"')
    return "".join(parts)


def emit_float(r, f):
    if f != f or f in (math.inf, -math.inf):
        return json.dumps(f)
    k = r.random()
    if k < 0.6:
        return repr(f)
    if k < 0.8:
        return "%.17e" % f
    if k < 0.9:
        return ("%.6E" % f).replace("E+0", "E")
    return "%.20f" % f


def emit(r, t):
    kind, v = t
    if kind == "obj":
        items = [ws(r) + emit_str(r, k) + ws(r) + ":" + ws(r) + emit(r, x) + ws(r) for k, x in v]
        return "{" + (",".join(items) if items else ws(r)) + "}"
    if kind == "arr":
        items = [ws(r) + emit(r, x) + ws(r) for x in v]
        return "[" + (",".join(items) if items else ws(r)) + "]"
    if isinstance(v, str):
        return emit_str(r, v)
    if isinstance(v, bool) or v is None:
        return json.dumps(v)
    if isinstance(v, int):
        return str(v)
    return emit_float(r, v)


ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
             "utf-32", "utf-32-le", "utf-32-be"]

MUTATION_POOL = list('{}[],:"\\ \n\t0123456789-+.eEnultrfaseINy/') + [
    "\x01", "\x1f", "\xe9", "\u6771", "\U0001f600", "\ud800", "\udc00", "\\u", "\\ud800",
    "\\udc00", "\\ud83d\\ude00", "\\ud83d", "NaN", "-Infinity", "\ufeff", "\x0c", "\xa0",
]


def mutate(r, text):
    for _ in range(r.choice([1, 1, 1, 2, 3])):
        k = r.random()
        i = r.randint(0, len(text))
        if k < 0.35:
            text = text[:i] + text[i + r.randint(1, 3):]
        elif k < 0.8:
            text = text[:i] + r.choice(MUTATION_POOL) + text[i:]
        elif k < 0.9:
            text = text[:i]
        else:
            text = text[:i] + r.choice(MUTATION_POOL) + text[i + 1:]
    return text


def has_surrogate(obj):
    if isinstance(obj, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in obj)
    if isinstance(obj, list):
        return any(has_surrogate(x) for x in obj)
    if isinstance(obj, dict):
        return any(has_surrogate(k) or has_surrogate(v) for k, v in obj.items())
    return False


def key_has_surrogate(obj):
    if isinstance(obj, list):
        return any(key_has_surrogate(x) for x in obj)
    if isinstance(obj, dict):
        return any(has_surrogate(k) or key_has_surrogate(v) for k, v in obj.items())
    return False


def outcome(data):
    try:
        obj = json.loads(data)
    except json.JSONDecodeError as e:
        return b"E", f"{e.msg}\n{e.lineno}\n{e.colno}".encode()
    except UnicodeDecodeError:
        return b"U", b""
    except RecursionError:
        return b"R", b""
    except ValueError as e:
        return b"X", str(e).encode()
    if key_has_surrogate(obj):
        return b"K", b""
    return b"S" if has_surrogate(obj) else b"V", json.dumps(obj, indent=2).encode()


def documents(r):
    """Yield (text or bytes, encoding) pairs for one random tree."""
    tree = rand_tree(r, r.choice([0, 1, 2, 3, 4, 6]))
    text = ws(r) + emit(r, tree) + ws(r)
    yield text, r.choice(ENCODINGS)
    obj = json.loads(text)
    layouts = [
        lambda o: json.dumps(o, indent=2),
        lambda o: json.dumps(o),
        lambda o: json.dumps(o, indent=2, ensure_ascii=False),
        lambda o: json.dumps(o, ensure_ascii=False, separators=(",", ":")),
        lambda o: json.dumps(o, indent="\t", sort_keys=True),
    ]
    yield r.choice(layouts)(obj), r.choice(ENCODINGS)
    for _ in range(2):
        yield mutate(r, text), r.choice(ENCODINGS)


def special_documents():
    deep = 5000
    yield "[" * deep + "]" * deep, "utf-8"
    yield '{"a":' * deep + "1" + "}" * deep, "utf-8"
    yield "[" * 100 + "]" * 100, "utf-8"
    yield "9" * 4300, "utf-8"
    yield "-" + "9" * 4301, "utf-8"
    yield '"\\ud800"', "utf-8"
    yield '"\\ud800\\ud800\\udc00"', "utf-16"
    yield '["\ud800", 1]', "utf-8"
    yield '["\ud800", 1]', "utf-16-le"
    yield '["\udc00", 1]', "utf-32"
    yield '["\ud800", ]', "utf-8"
    yield '"\\ud800', "utf-8"
    yield '{"k\\ud800": 1}', "utf-8"
    yield '{"a": {"\udc00": "\ud800"}}', "utf-16-be"
    yield '"\ud800\udc00"', "utf-8"
    yield "", "utf-8"
    yield "\ufeff1", "utf-8"
    yield "\ufeff1", "utf-16"
    yield "1", "utf-16"
    yield "1", "utf-32"
    yield "12", "utf-16-le"


def generate(seed, count):
    r = random.Random(seed)
    out = bytearray()

    def record(text, enc):
        data = text.encode(enc, "surrogatepass")
        if r.random() < 0.01 and len(data) > 1:  # odd truncations of multi-byte encodings
            data = data[: r.randint(1, len(data) - 1)]
        kind, expected = outcome(data)
        out.extend(kind)
        put(out, data)
        put(out, expected)

    for text, enc in special_documents():
        record(text, enc)
    n = 0
    while n < count:
        for text, enc in documents(r):
            record(text, enc)
            n += 1
    sys.stdout.buffer.write(out)


def library(base, seed, count):
    import asyncio

    from jvspatial.db.jsondb import JsonDB

    r = random.Random(seed)

    async def main():
        db = JsonDB(base_path=base)
        written = 0
        while written < count:
            context = json.loads(emit(r, ("obj", [(rand_str(r), rand_tree(r, 3)) for _ in range(4)])))
            if key_has_surrogate(context):
                continue
            record = {"id": f"n.City.{written:024x}", "entity": "City", "context": context}
            await db.save("node", record)
            written += 1
        print(written)

    asyncio.run(main())


if __name__ == "__main__":
    if sys.argv[1] == "check":
        check(sys.argv[2])
    elif sys.argv[1] == "library":
        library(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == "generate":
        generate(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit(f"unknown mode {sys.argv[1]!r}")
