#!/usr/bin/env python3
"""examples/diagnostics/hostile.py: malformed and oversized HTTP traffic
against the diagnostics server, over 127.0.0.1 only (run by hostile.sh,
ctest `example.diagnostics_hostile`).

Usage: hostile.py <port> <server-pid>

Sends groups of hostile requests (oversized request lines, headers and bodies,
NUL bytes, invalid UTF-8 and control characters, %-escapes that decode to
them, CR/LF soup, HTTP/0.9 and HTTP/9.9, unknown methods, a request written one
byte at a time, 200 idle connections held at once, 500 rapid connect/close).
Every socket has a timeout, every case a bound on the bytes and time it
spends. After each group it requires that the server process is still alive
(kill -0), that GET /debug/registry.json answers 200 with JSON that parses
and lists the registries, and that GET /metrics answers 200. At the end it
requires GET /debug/registry.html to answer 200 with the page (doctype,
registries) and none of the hostile markers in it, and the server's peak
resident memory (Linux /proc) to stay under a bound. Prints one summary line;
exits 1, saying why, at the first failure. Python 3 standard library only.
"""

import json
import os
import socket
import sys
import time

HOST = "127.0.0.1"
REGISTRIES = ("codecs", "drivers", "status_texts")
# A marker put in hostile paths and headers: it must never come back in a page.
MARKER = "<script>hostile</script>"
# What must never come back in a 200 answer: the marker, raw or %-escaped.
HOSTILE_NEEDLES = (MARKER.encode(), b"hostile", b"%3Cscript")
# The server's peak resident set size must stay under this (MiB).
PEAK_RSS_LIMIT_MIB = 256


class Failure(Exception):
    """The server misbehaved; the message says how."""


def log(message):
    print(f"hostile.py: {message}", flush=True)


def connect(port, timeout):
    sock = socket.create_connection((HOST, port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def read_status(sock, deadline):
    """Reads an answer until its status line and body are in, the server
    closes, or the deadline; returns (status, bytes read). The status is the
    code as a string, or 'closed', 'reset', 'timeout' or 'garbage'."""
    data = b""
    outcome = None
    while time.monotonic() < deadline and not answer_complete(data):
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            outcome = "timeout"
            break
        except (ConnectionResetError, BrokenPipeError):
            outcome = "reset"
            break
        if not chunk:
            outcome = "closed"
            break
        data += chunk
    if not data:
        return outcome or "timeout", data
    return status_of(data), data


def answer_complete(data):
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            return len(body) >= int(value.strip())
    return True


def status_of(data):
    parts = data.split(b"\r\n", 1)[0].split(b" ")
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit():
        return parts[1].decode("ascii")
    return "garbage"


def send_all(sock, data):
    """Sends data; False when the server closed or reset the connection first
    (a server may stop reading an oversized request and answer at once)."""
    try:
        sock.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        return False


def raw(port, data, timeout=3.0):
    """Sends data on a fresh connection; returns read_status()'s (status, bytes)."""
    with connect(port, timeout) as sock:
        send_all(sock, data)
        return read_status(sock, time.monotonic() + timeout)


def get(port, path, timeout=5.0):
    """A well-formed GET; returns (status, headers, body) or raises Failure."""
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n\r\n".encode()
    try:
        with connect(port, timeout) as sock:
            sock.sendall(request)
            data = b""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
    except OSError as error:
        raise Failure(f"GET {path}: {error}") from error
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        raise Failure(f"GET {path}: no complete answer within {timeout} s ({len(data)} bytes)")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = headers.get("content-length")
    if length is not None and int(length) != len(body):
        raise Failure(f"GET {path}: {len(body)} body bytes, Content-Length says {length}")
    return status_of(data), headers, body


class Attack:
    def __init__(self, port, pid):
        self.port = port
        self.pid = pid
        self.cases = 0
        self.statuses = {}
        self.idle_held = 0
        self.idle_answered_while_held = None

    def record(self, case, answer):
        """Counts the answer to one hostile request; fails when it is a 200
        that echoes hostile bytes."""
        status, data = answer
        self.cases += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status == "200" and any(needle in data for needle in HOSTILE_NEEDLES):
            raise Failure(f"{case}: answered 200 with the hostile bytes in the answer")
        log(f"  {case}: {status}")

    def alive(self):
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError as error:
            raise Failure(f"the server (pid {self.pid}) is gone") from error

    def healthy(self, group):
        """The server is alive and answers the normal endpoints correctly."""
        self.alive()
        status, headers, body = get(self.port, "/debug/registry.json")
        if status != "200":
            raise Failure(f"after {group}: GET /debug/registry.json answered {status}")
        if not headers.get("content-type", "").startswith("application/json"):
            raise Failure(f"after {group}: /debug/registry.json is not application/json")
        try:
            document = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise Failure(f"after {group}: /debug/registry.json is not valid JSON: {error}") from error
        names = json.dumps(document)
        for registry in REGISTRIES:
            if f'"{registry}"' not in names:
                raise Failure(f"after {group}: /debug/registry.json does not list {registry}")
        status, _, body = get(self.port, "/metrics")
        if status != "200" or b"# TYPE" not in body:
            raise Failure(f"after {group}: GET /metrics answered {status} ({len(body)} bytes)")
        self.alive()
        log(f"after {group}: alive, /debug/registry.json and /metrics answer 200")

    # --- the groups ------------------------------------------------------------

    def oversized_request_line(self):
        for size in (100 * 1024, 10 * 1024 * 1024):
            path = "/" + "a" * size
            self.record(f"{size}-byte path", raw(self.port, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), 5.0))
        self.record("100 KB method", raw(self.port, b"G" * 100 * 1024 + b" / HTTP/1.1\r\n\r\n"))

    def oversized_headers(self):
        self.record("1 MB header", raw(self.port, b"GET /metrics HTTP/1.1\r\nX-Big: " + b"b" * (1 << 20) + b"\r\n\r\n", 5.0))
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(10000))
        self.record("10000 headers", raw(self.port, b"GET /no/such/path HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n", 5.0))

    def oversized_bodies(self):
        announced = 50 * 1024 * 1024
        part = b"p" * (1 << 20)
        for method in ("GET", "POST"):
            with connect(self.port, 2.0) as sock:
                send_all(sock, f"{method} /debug/registry.json HTTP/1.1\r\nHost: x\r\n"
                               f"Content-Length: {announced}\r\n\r\n".encode() + part)
                # The rest never comes; an answer, or none within the timeout, is fine.
                answer = read_status(sock, time.monotonic() + 1.0)
            self.record(f"{method} announcing 50 MB, sending 1 MB", answer)
        # A chunked body that never ends: chunks for 1.5 s (at most 256 MB), then we leave.
        for method in ("GET", "POST"):
            with connect(self.port, 1.0) as sock:
                send_all(sock, f"{method} /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
                chunk = b"10000\r\n" + b"c" * 0x10000 + b"\r\n"
                stop = time.monotonic() + 1.5
                sent = 0
                while time.monotonic() < stop and sent < (256 << 20) and send_all(sock, chunk):
                    sent += len(chunk)
                answer = read_status(sock, time.monotonic() + 0.5)
            self.record(f"endless chunked {method} ({sent >> 20} MB sent)", answer)

    def bad_bytes(self):
        marker = MARKER.encode()
        cases = {
            "NUL in path": b"GET /debug/\x00registry.json HTTP/1.1\r\nHost: x\r\n\r\n",
            "invalid UTF-8 in path": b"GET /debug/\xff\xfe\xc3" + marker + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            "control characters in path": b"GET /debug/\x01\x07\x1b[31m\x7f" + marker + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            "NUL in header": b"GET /nope HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b" + marker + b"\r\n\r\n",
            "invalid UTF-8 header": b"GET /nope HTTP/1.1\r\nHost: \xff\xfe\r\nAccept: \xc0\xaf" + marker + b"\r\n\r\n",
            "control characters in header name": b"GET /nope HTTP/1.1\r\nX\x01\x1b: v\r\n\r\n",
            "%00 in path": b"GET /debug/registry%00.json HTTP/1.1\r\nHost: x\r\n\r\n",
            "%FF%FE in path": b"GET /debug/%FF%FE%C3%28" + MARKER.replace("<", "%3C").replace(">", "%3E").encode() + b" HTTP/1.1\r\n\r\n",
            "bad %-escapes": b"GET /%zz%%%0%g0/%u0000 HTTP/1.1\r\n\r\n",
            "%00 in query": b"GET /metrics.x?a=%00%ff&%00=%C0%80 HTTP/1.1\r\n\r\n",
        }
        for case, data in cases.items():
            self.record(case, raw(self.port, data))

    def line_soup(self):
        cases = {
            "lone CR soup": b"\r" * 4096,
            "lone LF soup": b"\n" * 4096,
            "CR/LF soup": b"\r\n\n\r\r\r\n\n" * 1024,
            "bare CR line ends": b"GET /metrics HTTP/1.1\rHost: x\r\r",
            "garbage": bytes(range(256)) * 16 + b"\r\n\r\n",
            "empty request line": b"\r\n\r\n",
            "missing version": b"GET /nope\r\n\r\n",
        }
        for case, data in cases.items():
            self.record(case, raw(self.port, data, 2.0))

    def versions_and_methods(self):
        cases = {
            "HTTP/0.9 request": b"GET /nope\r\n",
            "HTTP/0.9 style line": b"GET /nope HTTP/0.9\r\n\r\n",
            "HTTP/9.9 request": b"GET /nope HTTP/9.9\r\nHost: x\r\n\r\n",
            "HTTP/1.1000 request": b"GET /nope HTTP/1.1000\r\nHost: x\r\n\r\n",
            "unknown method FOO": b"FOO /debug/registry.json HTTP/1.1\r\nHost: x\r\n\r\n",
            "unknown method BREW": b"BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
            "lower-case get": b"get /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
            "method with NUL": b"G\x00T /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
            "CONNECT": b"CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n\r\n",
            "TRACE": b"TRACE /" + MARKER.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        }
        for case, data in cases.items():
            self.record(case, raw(self.port, data, 2.0))

    def one_byte_writes(self):
        # Slowloris-style: a request for a missing path, one byte every 25 ms, for at most 3 s.
        request = b"GET /no/such/slow/path HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 40 + b"\r\n\r\n"
        with connect(self.port, 2.0) as sock:
            stop = time.monotonic() + 3.0
            for i in range(len(request)):
                if time.monotonic() >= stop or not send_all(sock, request[i:i + 1]):
                    break
                time.sleep(0.025)
            answer = read_status(sock, time.monotonic() + 2.0)
        self.record("request in 1-byte writes", answer)

    def idle_connections(self):
        # 200 connections open at once, sending nothing; then one real request
        # while they are held (informational: cpp-httplib serves a connection
        # per worker thread), then all closed.
        sockets = []
        try:
            for _ in range(200):
                sockets.append(connect(self.port, 2.0))
            self.idle_held = len(sockets)
            time.sleep(0.5)
            self.alive()
            try:
                self.idle_answered_while_held = get(self.port, "/metrics", 1.0)[0] == "200"
            except Failure:
                self.idle_answered_while_held = False
        finally:
            for sock in sockets:
                sock.close()
        self.cases += 1
        log(f"  {self.idle_held} idle connections held; a request meanwhile answered: {self.idle_answered_while_held}")

    def connect_burst(self):
        for _ in range(500):
            sock = connect(self.port, 2.0)
            sock.close()
        self.cases += 1
        log("  500 rapid connect/close")

    def page_unharmed(self):
        status, headers, body = get(self.port, "/debug/registry.html")
        if status != "200":
            raise Failure(f"GET /debug/registry.html answered {status} after the attacks")
        text = body.decode("utf-8", "replace")
        flat = text.replace("\n", "")
        if not flat.startswith('<!DOCTYPE html><html lang="en">') or not text.rstrip().endswith("</html>"):
            raise Failure("/debug/registry.html is no longer an HTML page")
        for registry in REGISTRIES:
            if f">{registry}</a>" not in text:
                raise Failure(f"/debug/registry.html does not list {registry}")
        for needle in (MARKER, "hostile", "\x00"):
            if needle in text:
                raise Failure(f"/debug/registry.html contains the hostile bytes {needle!r}")

    def peak_rss_mib(self):
        try:
            with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) // 1024
        except OSError:
            pass
        return None


def main():
    if len(sys.argv) != 3:
        print("usage: hostile.py <port> <server-pid>", file=sys.stderr)
        return 2
    started = time.monotonic()
    attack = Attack(int(sys.argv[1]), int(sys.argv[2]))
    groups = [
        ("oversized request lines", attack.oversized_request_line),
        ("oversized headers", attack.oversized_headers),
        ("oversized bodies", attack.oversized_bodies),
        ("NUL, invalid UTF-8, control characters, bad %-escapes", attack.bad_bytes),
        ("CR/LF soup", attack.line_soup),
        ("odd versions and methods", attack.versions_and_methods),
        ("1-byte writes", attack.one_byte_writes),
        ("idle connections", attack.idle_connections),
        ("connect/close burst", attack.connect_burst),
    ]
    try:
        attack.healthy("start")
        for name, group in groups:
            log(f"{name}:")
            try:
                group()
            except OSError as error:
                raise Failure(f"{name}: {error}") from error
            attack.healthy(name)
        attack.page_unharmed()
        peak = attack.peak_rss_mib()
        if peak is not None and peak > PEAK_RSS_LIMIT_MIB:
            raise Failure(f"the server's peak resident memory was {peak} MiB, over {PEAK_RSS_LIMIT_MIB} MiB")
    except Failure as failure:
        print(f"hostile.py: FAIL: {failure}", file=sys.stderr, flush=True)
        return 1
    statuses = " ".join(f"{code}x{count}" for code, count in sorted(attack.statuses.items()))
    peak_text = "n/a" if peak is None else f"{peak} MiB"
    print(f"hostile.py: OK: {attack.cases} cases, statuses {statuses}, {attack.idle_held} idle connections held "
          f"(answered meanwhile: {attack.idle_answered_while_held}), peak RSS {peak_text}, "
          f"{time.monotonic() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
