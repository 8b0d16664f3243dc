"""Craft damaged or hostile variants of a jvdb archive (tests/archive_damage.rs).

usage: archive_craft.py SRC.tar OUT.tar CASE [ESCAPE_DIR]

SRC.tar is an uncompressed archive written by `jvdb dump --compress none`. OUT.tar gets a
copy of it with one thing wrong, made with Python's tarfile (not jvdb), so the damage is
exactly the one named:

  same         nothing changed (the control: tarfile's rewrite alone is accepted)
  changed      one record's bytes altered (same length, still valid JSON)
  removed      one record entry left out
  extra        one record entry added to an existing collection
  extra_coll   one record in a collection the manifest does not name
  count        the manifest's count for a collection edited
  no_manifest  the manifest left out
  after        a record entry after the manifest
  dotdot       an entry ../x.json
  nested_dotdot an entry node/../../x.json
  absolute     an entry ESCAPE_DIR/abs/x.json (an absolute path)
  symlink      a directory symlink evil -> ESCAPE_DIR/sym, then evil/x.json
  symlink_file a file symlink node/link.json -> ESCAPE_DIR/sym_target.json
  hardlink     a hard link node/hard.json -> ESCAPE_DIR/victim.json
  fifo         a fifo node/fifo.json
  chardev      a character device node/dev.json (1, 3: /dev/null)
  huge_size    one record's header says 2^62 bytes (base-256 size, checksum recomputed); its
               real bytes and the rest of the archive follow as they were

Every crafted entry sits before the manifest (so it is not refused for its position alone),
except in `after`.
"""

import io
import json
import sys
import tarfile

MANIFEST = "jvdb-manifest.json"


def main() -> None:
    src, out, case = sys.argv[1], sys.argv[2], sys.argv[3]
    esc = sys.argv[4] if len(sys.argv) > 4 else "/nonexistent"
    with tarfile.open(src, "r:") as t:
        members = [(m, t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()]
    names = [m.name for m, _ in members]
    assert names[-1] == MANIFEST, names[-5:]
    records = [i for i, (m, _) in enumerate(members) if m.isfile() and m.name.startswith("node/")]
    assert records, "no node records"
    target = records[len(records) // 2]

    def reg(name: str, data: bytes) -> tuple:
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        ti.mode = 0o644
        return (ti, data)

    def special(name: str, kind: bytes, link: str = "") -> tuple:
        ti = tarfile.TarInfo(name)
        ti.type = kind
        ti.linkname = link
        ti.mode = 0o644
        if kind == tarfile.CHRTYPE:
            ti.devmajor, ti.devminor = 1, 3
        return (ti, None)

    rec = json.dumps({"id": "n.Extra.1", "entity": "Extra", "context": {}}, indent=2).encode()
    before_manifest = []
    after_manifest = []
    if case == "same":
        pass
    elif case == "changed":
        m, data = members[target]
        i = data.index(b'"id"')
        # flip the case of one letter of the key: same length, still JSON, other bytes
        data = data[:i + 1] + b"I" + data[i + 2:]
        members[target] = (m, data)
    elif case == "removed":
        del members[target]
    elif case == "extra":
        before_manifest.append(reg("node/n.Extra.1.json", rec))
    elif case == "extra_coll":
        before_manifest.append(reg("stowaway/", b""))
        before_manifest[-1][0].type = tarfile.DIRTYPE
        before_manifest[-1][0].size = 0
        before_manifest.append(reg("stowaway/n.Extra.1.json", rec))
    elif case == "count":
        m, data = members[-1]
        man = json.loads(data)
        man["collections"]["node"]["count"] += 1
        members[-1] = (m, json.dumps(man, indent=2).encode())
        members[-1][0].size = len(members[-1][1])
    elif case == "no_manifest":
        members.pop()
    elif case == "after":
        after_manifest.append(reg("node/n.Extra.1.json", rec))
    elif case == "dotdot":
        before_manifest.append(reg("../x.json", rec))
    elif case == "nested_dotdot":
        before_manifest.append(reg("node/../../x.json", rec))
    elif case == "absolute":
        before_manifest.append(reg(f"{esc}/abs/x.json", rec))
    elif case == "symlink":
        before_manifest.append(special("evil", tarfile.SYMTYPE, f"{esc}/sym"))
        before_manifest.append(reg("evil/x.json", rec))
    elif case == "symlink_file":
        before_manifest.append(special("node/link.json", tarfile.SYMTYPE, f"{esc}/sym_target.json"))
    elif case == "hardlink":
        before_manifest.append(special("node/hard.json", tarfile.LNKTYPE, f"{esc}/victim.json"))
    elif case == "fifo":
        before_manifest.append(special("node/fifo.json", tarfile.FIFOTYPE))
    elif case == "chardev":
        before_manifest.append(special("node/dev.json", tarfile.CHRTYPE))
    elif case == "huge_size":
        pass  # patched into the written bytes below
    else:
        raise SystemExit(f"unknown case {case}")
    members = members[:-1] + before_manifest + members[-1:] + after_manifest
    if case == "no_manifest":
        assert all(m.name != MANIFEST for m, _ in members)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:", format=tarfile.GNU_FORMAT) as t:
        for m, data in members:
            if data is not None:
                m.size = len(data)
                t.addfile(m, io.BytesIO(data))
            else:
                t.addfile(m)
    data = buf.getvalue()
    if case == "huge_size":
        name = members[target][0].name
        off = 0
        while True:
            h = tarfile.TarInfo.frombuf(data[off:off + 512], "utf-8", "surrogateescape")
            if h.name == name:
                break
            off += 512 + (h.size + 511) // 512 * 512
        h.size = 2**62
        head = h.tobuf(format=tarfile.GNU_FORMAT)
        assert len(head) == 512, len(head)
        data = data[:off] + head + data[off + 512:]
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
