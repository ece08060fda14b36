#!/usr/bin/env python3
"""Check schemas/directives.json.

1. Validate it against schemas/directives.schema.json (with the `jsonschema`
   package when it is importable, otherwise a structural check), plus semantic
   checks the schema cannot express (known lines, ordered ranges, unique names).
2. For every official config in the shared corpus, check that each active
   directive (first token, lower-cased) is accepted by the file's release line,
   under its canonical name or an alias, and that its argument count fits.
3. With --port N: read `CONFIG GET *` from a server on 127.0.0.1:N and compare
   its names with the catalog names that server's line accepts; --defaults
   also compares the values with the catalog's compiled-in defaults.

Usage: scripts/check_catalog.py [--corpus DIR] [--port N [--line X.Y] [--defaults]]
Exit status 1 when a check fails (CONFIG GET-only names count as failures,
catalog-only names are only listed).
"""
import argparse
import json
import os
import re
import socket
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATALOG = os.path.join(ROOT, "schemas", "directives.json")
SCHEMA = os.path.join(ROOT, "schemas", "directives.schema.json")
DEFAULT_CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "official"))

TYPES = {"bool", "int", "memory", "enum", "string", "path", "special"}
SPECIALS = {"save", "bind", "client-output-buffer-limit", "oom-score-adj-values",
            "notify-keyspace-events", "replicaof", "rename-command", "user", "include",
            "loadmodule", "sentinel", "latency-tracking-info-percentiles", "dir",
            "unixsocketperm", "ignored"}


# --------------------------------------------------------------------------- helpers

def line_key(line):
    return tuple(int(x) for x in line.split("."))


def in_range(rng, line, order):
    if not rng:
        return False
    first, last = rng
    i = order.index(line)
    return order.index(first) <= i and (last is None or i <= order.index(last))


def split_args(text):
    """Split a config line like the server does: blanks separate words,
    "double quotes" understand backslash escapes, 'single quotes' only \\'.
    Returns None on unbalanced quotes."""
    words, i, n = [], 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return words
        cur, quote = [], None
        while True:
            if i >= n:
                if quote:
                    return None
                break
            c = text[i]
            if quote == '"':
                if c == "\\" and i + 1 < n:
                    nxt = text[i + 1]
                    if nxt == "x" and i + 3 < n and all(h in "0123456789abcdefABCDEF" for h in text[i + 2:i + 4]):
                        cur.append(chr(int(text[i + 2:i + 4], 16)))
                        i += 4
                        continue
                    cur.append({"n": "\n", "r": "\r", "t": "\t", "b": "\b", "a": "\a"}.get(nxt, nxt))
                    i += 2
                    continue
                if c == '"':
                    if i + 1 < n and not text[i + 1].isspace():
                        return None
                    i += 1
                    break
                cur.append(c)
            elif quote == "'":
                if c == "\\" and i + 1 < n and text[i + 1] == "'":
                    cur.append("'")
                    i += 2
                    continue
                if c == "'":
                    if i + 1 < n and not text[i + 1].isspace():
                        return None
                    i += 1
                    break
                cur.append(c)
            else:
                if c.isspace():
                    break
                if c in "\"'" and not cur:
                    quote = c
                    i += 1
                    continue
                cur.append(c)
            i += 1
        words.append("".join(cur))


# --------------------------------------------------------------------------- (a) schema

def structural_check(doc):
    errs = []
    if doc.get("version") != 1:
        errs.append("version must be 1")
    lines = doc.get("lines") or {}
    for p in ("redis", "valkey"):
        if not isinstance(lines.get(p), list):
            errs.append(f"lines.{p} must be a list")
    allowed = {"name", "type", "min", "max", "percent", "values", "multi_flag", "special",
               "default", "default_by_line", "repeatable", "secret", "redis", "valkey",
               "aliases", "args", "ignored", "hidden", "note"}
    for d in doc.get("directives", []):
        n = d.get("name", "?")
        extra = set(d) - allowed
        if extra:
            errs.append(f"{n}: unknown fields {sorted(extra)}")
        for f in ("name", "type", "default", "args"):
            if f not in d:
                errs.append(f"{n}: missing {f}")
        if d.get("type") not in TYPES:
            errs.append(f"{n}: bad type {d.get('type')}")
        if d.get("type") == "special" and d.get("special") not in SPECIALS:
            errs.append(f"{n}: bad special {d.get('special')}")
        if d.get("type") == "enum" and not d.get("values"):
            errs.append(f"{n}: enum without values")
        if d.get("type") in ("int", "memory") and ("min" not in d or "max" not in d):
            errs.append(f"{n}: numeric without min/max")
        if "redis" not in d and "valkey" not in d:
            errs.append(f"{n}: accepted by no product")
        a = d.get("args", {})
        if not isinstance(a.get("min"), int) or not (a.get("max") is None or isinstance(a.get("max"), int)):
            errs.append(f"{n}: bad args")
    return errs


def schema_check(doc):
    schema = json.load(open(SCHEMA))
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        print("(a) jsonschema not importable: structural check only")
        return structural_check(doc)
    from jsonschema import Draft202012Validator
    Draft202012Validator.check_schema(schema)
    v = Draft202012Validator(schema)
    errs = []
    for e in sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        path = "/".join(str(p) for p in e.absolute_path)
        errs.append(f"{path}: {e.message}")
    return errs


def semantic_check(doc):
    errs = []
    order = doc["lines"]
    seen = {}
    names = [d["name"] for d in doc["directives"]]
    if names != sorted(names):
        errs.append("directives are not sorted by name")
    for d in doc["directives"]:
        entries = [(d["name"], d, "directive")] + [(a["name"], a, "alias of " + d["name"]) for a in d.get("aliases", [])]
        for name, obj, what in entries:
            if name in seen:
                errs.append(f"{name}: defined twice ({seen[name]} and {what})")
            seen[name] = what
            for p in ("redis", "valkey"):
                rng = obj.get(p)
                if rng is None:
                    continue
                first, last = rng
                if first not in order[p] or (last is not None and last not in order[p]):
                    errs.append(f"{name}: {p} range {rng} uses an unknown line")
                elif last is not None and order[p].index(last) < order[p].index(first):
                    errs.append(f"{name}: {p} range {rng} is reversed")
        ign = d.get("ignored", {})
        for p, rng in ign.items():
            if not d.get(p):
                errs.append(f"{d['name']}: ignored for {p} but never accepted by it")
            elif not all(in_range(d[p], l, order[p]) for l in ([rng[0]] + ([rng[1]] if rng[1] else []))):
                errs.append(f"{d['name']}: ignored range {p} {rng} outside accepted range {d[p]}")
        for key, val in d.get("default_by_line", {}).items():
            p, line = key.split("-", 1)
            if line not in order[p]:
                errs.append(f"{d['name']}: default_by_line {key}: unknown line")
            elif not in_range(d.get(p), line, order[p]):
                errs.append(f"{d['name']}: default_by_line {key}: line does not accept the directive")
            if val == d.get("default"):
                errs.append(f"{d['name']}: default_by_line {key} repeats the default")
        if d["type"] == "enum" and d.get("default") is not None:
            parts = d["default"].split() if d.get("multi_flag") else [d["default"]]
            if any(v not in d["values"] for v in parts):
                errs.append(f"{d['name']}: default {d['default']!r} not among values")
        if d["type"] == "bool" and d.get("default") not in ("yes", "no"):
            errs.append(f"{d['name']}: bool default {d.get('default')!r}")
        if d["type"] in ("int", "memory") and d.get("default") is not None:
            try:
                v = int(d["default"])
                if (d["min"] is not None and v < d["min"]) or (d["max"] is not None and v > d["max"]):
                    errs.append(f"{d['name']}: default {v} outside [{d['min']}, {d['max']}]")
            except ValueError:
                errs.append(f"{d['name']}: numeric default {d['default']!r} is not an integer")
        a = d["args"]
        if a["max"] is not None and a["max"] < a["min"]:
            errs.append(f"{d['name']}: args max < min")
    return errs


# --------------------------------------------------------------------------- (b) corpus

def build_index(doc):
    """name -> list of (directive, accepting object) to resolve a spelling."""
    idx = {}
    for d in doc["directives"]:
        idx.setdefault(d["name"], []).append((d, d))
        for a in d.get("aliases", []):
            idx.setdefault(a["name"], []).append((d, a))
    return idx


def accepts(idx, doc, product, line, name):
    for d, obj in idx.get(name, []):
        if in_range(obj.get(product), line, doc["lines"][product]):
            return d
    return None


def line_of(path):
    """(product, line) for a corpus file, or None to skip it."""
    base = os.path.basename(path)
    parent = os.path.basename(os.path.dirname(path))
    if parent == "tests-assets-7.2":
        return ("redis", "7.2") if base.endswith(".conf") else None
    m = re.fullmatch(r"redis-(\d+\.\d+)(?:-m\d+)?\.conf", base) \
        or re.fullmatch(r"redis-full-(\d+\.\d+)\.conf", base) \
        or re.fullmatch(r"sentinel-(\d+\.\d+)(?:-m\d+)?\.conf", base)
    if m:
        return ("redis", m.group(1))
    m = re.fullmatch(r"valkey-(?:sentinel-)?(\d+\.\d+)\.conf", base) \
        or re.fullmatch(r"valkey-unstable-(\d+\.\d+)(?:-dev)?\.conf", base)
    if m:
        return ("valkey", m.group(1))
    return None


def corpus_check(doc, corpus):
    idx = build_index(doc)
    problems, files, checked = [], 0, 0
    paths = []
    for dirpath, _dirs, fnames in os.walk(corpus):
        for f in fnames:
            if f.endswith(".conf"):
                paths.append(os.path.join(dirpath, f))
    for path in sorted(paths):
        pl = line_of(path)
        rel = os.path.relpath(path, corpus)
        if pl is None:
            print(f"(b) skipped {rel}: release line unknown")
            continue
        product, line = pl
        if line not in doc["lines"][product]:
            problems.append(f"{rel}: line {product}-{line} is not in the catalog's lines")
            continue
        files += 1
        with open(path, encoding="utf-8", errors="replace") as fh:
            for no, raw in enumerate(fh, 1):
                text = raw.strip()
                if not text or text.startswith("#"):
                    continue
                checked += 1
                name = text.split()[0].lower()
                d = accepts(idx, doc, product, line, name)
                if d is None:
                    problems.append(f"{rel}:{no}: '{name}' not accepted by {product}-{line}")
                    continue
                words = split_args(text)
                if words is None:
                    problems.append(f"{rel}:{no}: unbalanced quotes")
                    continue
                args = words[1:]
                a = d["args"]
                # Since 7.0 a single quoted argument of a multi-argument
                # directive is split on spaces (save "3600 1 300 100").
                if (a["max"] != 1 and len(args) == 1 and args[0] and line_key(line) >= (7, 0)
                        and d.get("special") not in ("user", "loadmodule", "sentinel")):
                    args = [w for w in args[0].split(" ") if w]
                argc = len(args)
                if argc < a["min"] or (a["max"] is not None and argc > a["max"]):
                    problems.append(f"{rel}:{no}: '{name}' has {argc} argument(s), catalog allows "
                                    f"{a['min']}..{a['max'] if a['max'] is not None else 'n'}")
    return problems, files, checked


# --------------------------------------------------------------------------- (c) live server

def resp_command(port, *args, timeout=3.0):
    payload = "*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(a.encode()), a) for a in args)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(payload.encode())
        buf = b""

        def need(n):
            nonlocal buf
            while len(buf) < n:
                chunk = s.recv(65536)
                if not chunk:
                    raise ConnectionError("connection closed")
                buf += chunk

        def read_line():
            nonlocal buf
            while b"\r\n" not in buf:
                need(len(buf) + 1)
            line, buf = buf.split(b"\r\n", 1)
            return line

        def parse():
            nonlocal buf
            line = read_line()
            t, rest = line[:1], line[1:]
            if t in (b"+", b"-"):
                if t == b"-":
                    raise RuntimeError(rest.decode())
                return rest.decode()
            if t == b":":
                return int(rest)
            if t == b"$":
                n = int(rest)
                if n < 0:
                    return None
                need(n + 2)
                data, buf = buf[:n], buf[n + 2:]
                return data.decode(errors="replace")
            if t in (b"*", b"%"):
                n = int(rest)
                if n < 0:
                    return None
                count = n * 2 if t == b"%" else n
                return [parse() for _ in range(count)]
            raise RuntimeError("unexpected reply type %r" % t)

        return parse()


def live_check(doc, port, line, compare_defaults):
    info = resp_command(port, "INFO", "server")
    version = re.search(r"redis_version:(\S+)", info)
    server_line = None
    if version:
        server_line = ".".join(version.group(1).split(".")[:2])
    line = line or server_line
    print(f"(c) server on 127.0.0.1:{port}: redis_version {version.group(1) if version else '?'}; comparing with catalog line redis-{line}")
    if line not in doc["lines"]["redis"]:
        return [f"line {line} not in catalog"]
    reply = resp_command(port, "CONFIG", "GET", "*")
    live = dict(zip(reply[0::2], reply[1::2]))
    idx = build_index(doc)
    order = doc["lines"]["redis"]
    catalog_names = {}
    for d in doc["directives"]:
        if in_range(d.get("redis"), line, order):
            catalog_names[d["name"]] = d
        for a in d.get("aliases", []):
            if in_range(a.get("redis"), line, order):
                catalog_names[a["name"]] = d
    problems = []
    missing = sorted(n for n in live if n not in catalog_names)
    for n in missing:
        problems.append(f"CONFIG GET lists '{n}' but the catalog does not accept it on redis-{line}")
    extra = sorted(n for n in catalog_names if n not in live)
    print(f"(c) {len(live)} names from CONFIG GET, {len(catalog_names)} catalog names for redis-{line}")
    if extra:
        print("(c) catalog names not listed by CONFIG GET * (file-only directives, hidden or ignored configs):")
        for n in extra:
            d = catalog_names[n]
            why = []
            if d["type"] == "special" and d["special"] in ("include", "rename-command", "user", "loadmodule", "sentinel"):
                why.append("file-only directive")
            if d.get("hidden"):
                why.append("hidden")
            ign = d.get("ignored", {}).get("redis")
            if ign and in_range(ign, line, order):
                why.append("accepted and ignored")
            print(f"      {n}" + (f"  ({', '.join(why)})" if why else "  (UNEXPLAINED)"))
            if not why:
                problems.append(f"catalog name '{n}' is neither listed by CONFIG GET nor marked file-only/hidden/ignored")
    if compare_defaults:
        print("(c) values differing from the catalog's compiled-in default for this line "
              "(expected for options given on the server's command line):")
        for n in sorted(live):
            d = catalog_names.get(n)
            if not d:
                continue
            want = d.get("default_by_line", {}).get(f"redis-{line}", d.get("default"))
            if want is None:
                continue
            if live[n] != want:
                print(f"      {n}: server {live[n]!r}, catalog {want!r}")
    return problems


# --------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--catalog", default=CATALOG)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--port", type=int, help="port of a server on 127.0.0.1 to compare with")
    ap.add_argument("--line", help="catalog line of that server (default: from INFO)")
    ap.add_argument("--defaults", action="store_true", help="also compare CONFIG GET values with defaults")
    opts = ap.parse_args()

    doc = json.load(open(opts.catalog))
    failed = False

    errs = schema_check(doc) + semantic_check(doc)
    print(f"(a) {len(doc['directives'])} directives, "
          f"{sum(len(d.get('aliases', [])) for d in doc['directives'])} aliases: "
          + ("OK" if not errs else f"{len(errs)} problem(s)"))
    for e in errs:
        print("    " + e)
    failed |= bool(errs)

    if os.path.isdir(opts.corpus):
        problems, files, checked = corpus_check(doc, opts.corpus)
        print(f"(b) {files} corpus files, {checked} active directive lines: "
              + ("OK" if not problems else f"{len(problems)} miss(es)"))
        for p in problems:
            print("    " + p)
        failed |= bool(problems)
    else:
        print(f"(b) corpus {opts.corpus} not found: skipped")

    if opts.port:
        try:
            problems = live_check(doc, opts.port, opts.line, opts.defaults)
        except (OSError, RuntimeError) as e:
            print(f"(c) could not query 127.0.0.1:{opts.port}: {e}")
            problems = []
        print("(c) " + ("OK: no CONFIG GET name missing from the catalog" if not problems
                        else f"{len(problems)} problem(s)"))
        for p in problems:
            print("    " + p)
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
