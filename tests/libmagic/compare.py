#!/usr/bin/env python3
"""Compares roster's sniffing registry with libmagic on real files.

tests/libmagic/classify.cpp registers the magic numbers of common formats in
a roster::sniffing_registry and names the format of each file it is given.
This script builds a corpus, runs it, runs libmagic (`file --mime-type -b`)
on the same files, and compares the two wherever libmagic names one of the
registered formats.

The corpus:
  - files found on this machine under /usr/share and /usr/lib (regular
    files, not empty), in a deterministic sample: every file whose name
    ends like one of the formats (".png", ".gz", ".so", ".mo", ...; at most
    PER_SUFFIX of each), plus an even spread of the others, SAMPLE in all;
  - files this script writes: with gzip, xz, zstd, zip, bzip2 and tar (the
    Debian tools, when installed), and with Python's standard library (PNG,
    GIF, BMP, WAV, TIFF, a tar, an SQLite database). Neither ImageMagick
    nor any network access is needed.

Prints `agreement: N/M (P%)` where M counts the files libmagic names one of
the formats and N those the registry names the same format, then every
disagreement with an explanation, and, for information, the files where
the registry names a format and libmagic names a type outside the set
(a .jar is a zip to the registry and application/java-archive to libmagic).

Exits 1 if agreement is below --threshold (default 95%; see THRESHOLD
below), 2 on a setup problem (classify failed, no `file`), 0 otherwise.

Usage: compare.py PATH/TO/sniff_classify [--threshold 95] [--sample 3000]
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

# libmagic's MIME type -> the registry's format name. libmagic names ELF
# files by their kind; the registry only says "elf".
MIME_TO_FORMAT = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/bmp": "bmp",
    "image/x-ms-bmp": "bmp",
    "image/tiff": "tiff",
    "application/gzip": "gzip",
    "application/x-gzip": "gzip",
    "application/zip": "zip",
    "application/x-bzip2": "bzip2",
    "application/x-xz": "xz",
    "application/zstd": "zstd",
    "application/x-7z-compressed": "7z",
    "application/x-tar": "tar",
    "application/pdf": "pdf",
    "application/x-executable": "elf",
    "application/x-sharedlib": "elf",
    "application/x-pie-executable": "elf",
    "application/x-object": "elf",
    "application/x-coredump": "elf",
    "application/wasm": "wasm",
    "application/vnd.sqlite3": "sqlite",
    "application/x-sqlite3": "sqlite",
    "application/x-gettext-translation": "gettext",
    "audio/ogg": "ogg",
    "video/ogg": "ogg",
    "application/ogg": "ogg",
    "audio/x-wav": "wav",
    "audio/wav": "wav",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "audio/mpeg": "mp3",
}

# Name endings that make a file likely to be one of the formats.
SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".gz", ".tgz", ".zip", ".jar",
            ".bz2", ".xz", ".zst", ".7z", ".tar", ".pdf", ".so", ".o", ".wasm", ".sqlite", ".db", ".mo", ".ogg",
            ".oga", ".wav", ".flac", ".mp3")
PER_SUFFIX = 150
ROOTS = ("/usr/share", "/usr/lib")

# THRESHOLD: the magic numbers registered are the ones each format's
# specification puts at the start of the file, so the two classifiers should
# agree on nearly every file. They may differ where libmagic looks deeper
# than the first bytes: an MPEG audio stream with no ID3 tag (libmagic finds
# the frame sync; the registry has only "ID3"), a zip whose first entry is
# not at offset 0 (libmagic reads the central directory), a PDF whose
# "%PDF-" comes after some junk. Such files are a few in a thousand on a
# Debian system; 95% leaves room for a corpus rich in them while still
# failing on any real regression (one broken pattern loses a whole format,
# which is more than 5% of the corpus for every common format here).
THRESHOLD = 95.0


def walk_corpus(sample):
    """A deterministic sample of regular, non-empty files under ROOTS."""
    by_suffix = {}
    others = []
    for root in ROOTS:
        for directory, subdirs, files in os.walk(root):
            subdirs.sort()
            for name in sorted(files):
                path = os.path.join(directory, name)
                if "\n" in path or not os.path.isfile(path) or os.path.islink(path):
                    continue
                try:
                    if os.path.getsize(path) == 0 or not os.access(path, os.R_OK):
                        continue
                except OSError:
                    continue
                lower = name.lower()
                suffix = next((s for s in SUFFIXES if lower.endswith(s)), None)
                if suffix is not None:
                    bucket = by_suffix.setdefault(suffix, [])
                    if len(bucket) < PER_SUFFIX:
                        bucket.append(path)
                else:
                    others.append(path)
    chosen = [p for bucket in by_suffix.values() for p in bucket]
    room = max(0, sample - len(chosen))
    if others and room:
        step = max(1, len(others) // room)
        chosen += others[::step][:room]
    return chosen


def png_bytes(width=2, height=2):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def gif_bytes():
    return (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
            b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def bmp_bytes(width=2, height=2):
    row = b"\x00\x00\xff" * width
    row += b"\0" * ((4 - len(row) % 4) % 4)
    pixels = row * height
    header = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(header) + len(pixels), 0, 0, 14 + len(header)) + header + pixels


def tiff_bytes():
    # little-endian, one 1x1 8-bit grey strip
    entries = [(256, 3, 1, 1), (257, 3, 1, 1), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 8 + 2 + 12 * 10 + 4), (277, 3, 1, 1), (278, 3, 1, 1), (279, 4, 1, 1), (284, 3, 1, 1)]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack("<HHII", tag, kind, count, value)
    return b"II*\0" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + b"\x80"


# Minimal headers of formats no Debian tool here writes: enough for
# libmagic to name them (checked with file 5.44).
HEADERS = {
    "audio.ogg": b"OggS\x00\x02" + b"\0" * 8 + b"\x01\0\0\0" + b"\0" * 8 + b"\x01\x1e" +
                 b"\x01vorbis\0\0\0\0\x01\x44\xac\0\0" + b"\0" * 15,
    "image.webp": b"RIFF" + struct.pack("<I", 26) + b"WEBPVP8L" + struct.pack("<I", 14) + b"\x2f" + b"\0" * 13,
    "audio.flac": b"fLaC\x80\0\0\x22\x10\0\x10\0" + b"\0" * 6 + b"\x0a\xc4\x40\xf0" + b"\0" * 20,
    "archive.7z": b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\0" * 24,
    "module.wasm": b"\0asm\x01\0\0\0",
    "audio.mp3": b"ID3\x04" + b"\0" * 6 + b"\xff\xfb\x90\x64" + b"\0" * 400,
}


def generate(work):
    """Writes files of the formats with the tools at hand; returns their paths."""
    try:
        import sqlite3
    except ImportError:  # a Python built without it: no database in the corpus
        sqlite3 = None
    import tarfile
    import wave
    made = []
    text = os.path.join(work, "text.txt")
    with open(text, "w") as out:
        out.write("roster sniffing corpus\n" * 200)
    made.append(text)
    for name, data in (("image.png", png_bytes()), ("image.gif", gif_bytes()), ("image.bmp", bmp_bytes()),
                       ("image.tiff", tiff_bytes())) + tuple(HEADERS.items()):
        path = os.path.join(work, name)
        with open(path, "wb") as out:
            out.write(data)
        made.append(path)
    wav = os.path.join(work, "sound.wav")
    with wave.open(wav, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 800)
    made.append(wav)
    for fmt in (tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT):
        path = os.path.join(work, "archive-%d.tar" % fmt)
        with tarfile.open(path, "w", format=fmt) as out:
            out.add(text, arcname="text.txt")
        made.append(path)
    if sqlite3 is not None:
        db = os.path.join(work, "data.sqlite")
        connection = sqlite3.connect(db)
        connection.execute("create table t (x)")
        connection.commit()
        connection.close()
        made.append(db)
    for tool, args, suffix in (("gzip", ["-k", "-f"], ".gz"), ("xz", ["-k", "-f"], ".xz"),
                               ("zstd", ["-q", "-k", "-f"], ".zst"), ("bzip2", ["-k", "-f"], ".bz2")):
        if shutil.which(tool):
            for source in (text, os.path.join(work, "image.bmp")):
                subprocess.run([tool] + args + [source], check=True, stdout=subprocess.DEVNULL)
                made.append(source + suffix)
    if shutil.which("zip"):
        path = os.path.join(work, "archive.zip")
        subprocess.run(["zip", "-q", "-j", path, text], check=True)
        made.append(path)
    return made


def run_file(paths, work):
    """libmagic's MIME type of each path (`file --mime-type -b -f LIST`)."""
    answers = []
    chunk = 2000
    for start in range(0, len(paths), chunk):
        part = paths[start:start + chunk]
        listing = os.path.join(work, "file-list.txt")
        with open(listing, "w") as out:
            out.write("\n".join(part) + "\n")
        result = subprocess.run(["file", "--mime-type", "-b", "-f", listing], check=True, capture_output=True,
                                text=True, errors="replace")
        lines = result.stdout.splitlines()
        if len(lines) != len(part):
            sys.exit("compare.py: file printed %d lines for %d paths" % (len(lines), len(part)))
        answers += [line.strip() for line in lines]
    return answers


def explain(path, ours, theirs):
    """Why the two classifiers may differ on this file."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        head = b""
    shown = head.hex(" ")
    if ours == "-":
        reason = "no registered pattern matches the first bytes; libmagic recognises the file deeper in"
    elif theirs is None:
        reason = "libmagic names a type outside the registered set"
    else:
        reason = "the first bytes match %s's pattern; libmagic's rules for %s look further" % (ours, theirs)
    return "%s: registry %s, libmagic %s (first bytes %s): %s" % (path, ours, theirs, shown, reason)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("classify", help="the sniff_classify program (tests/libmagic/classify.cpp)")
    parser.add_argument("--threshold", type=float, default=THRESHOLD, help="minimum agreement in percent")
    parser.add_argument("--sample", type=int, default=3000, help="files taken from the machine")
    args = parser.parse_args()
    if not shutil.which("file"):
        print("compare.py: file(1) is not installed (Debian package: file)")
        return 2
    with tempfile.TemporaryDirectory(prefix="roster-libmagic-") as work:
        corpus_dir = os.path.join(work, "corpus")
        os.mkdir(corpus_dir)
        written = generate(corpus_dir)
        paths = written + walk_corpus(args.sample)
        listing = os.path.join(work, "classify-list.txt")
        with open(listing, "w") as out:
            out.write("\n".join(paths) + "\n")
        result = subprocess.run([args.classify, listing], capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stderr)
            print("compare.py: %s failed with status %d" % (args.classify, result.returncode))
            return 2
        ours = result.stdout.splitlines()
        if len(ours) != len(paths):
            print("compare.py: classify printed %d lines for %d paths" % (len(ours), len(paths)))
            return 2
        theirs = run_file(paths, work)

        compared = agreed = 0
        disagreements = []
        outside = []
        per_format = {}
        for path, mine, mime in zip(paths, ours, theirs):
            expected = MIME_TO_FORMAT.get(mime)
            if expected is None:
                if mine not in ("-", "!"):
                    outside.append((path, mine, mime))
                continue
            compared += 1
            stats = per_format.setdefault(expected, [0, 0])
            stats[1] += 1
            if mine == expected:
                agreed += 1
                stats[0] += 1
            else:
                disagreements.append(explain(path, mine, expected))
        if compared == 0:
            print("compare.py: libmagic named none of the formats in the corpus")
            return 2
        percent = 100.0 * agreed / compared
        print("corpus: %d files (%d written here, %d from %s); libmagic names a registered format for %d" %
              (len(paths), len(written), len(paths) - len(written), " and ".join(ROOTS), compared))
        print("per format (agreed/compared): " +
              ", ".join("%s %d/%d" % (name, s[0], s[1]) for name, s in sorted(per_format.items())))
        print("agreement: %d/%d (%.1f%%)" % (agreed, compared, percent))
        if disagreements:
            print("disagreements (%d):" % len(disagreements))
            for line in disagreements:
                print("  " + line)
        if outside:
            groups = {}
            for path, mine, mime in outside:
                groups.setdefault((mine, mime), []).append(path)
            print("registry names a format, libmagic a type outside the set (%d files; not counted):" % len(outside))
            for (mine, mime), group in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
                print("  registry %s, libmagic %s: %d file%s, e.g. %s" %
                      (mine, mime, len(group), "" if len(group) == 1 else "s", group[0]))
        if percent < args.threshold:
            print("FAIL: agreement %.1f%% is below the threshold %.1f%%" % (percent, args.threshold))
            return 1
        print("OK: agreement %.1f%% is at least the threshold %.1f%%" % (percent, args.threshold))
        return 0


if __name__ == "__main__":
    sys.exit(main())
