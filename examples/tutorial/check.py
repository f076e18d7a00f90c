#!/usr/bin/env python3
"""examples/tutorial/check.py: ctest `example.tutorial`.

Checks docs/tutorial.md against the projects it walks through
(examples/tutorial/step1 ... step4, each a standalone CMake project), then
configures, builds and runs each of them as an external project that finds
roster with find_package(roster CONFIG REQUIRED) in roster's build tree:

  the page   every block after `<!-- doctest: file PATH -->` (C++ blocks,
             which the doc-snippet test checks too) or
             `<!-- tutorial: file PATH -->` (CMake, output and JSON blocks,
             which the doc-snippet test does not read) is in PATH verbatim,
             as contiguous lines; every file of step N that is new or
             differs from step N-1 is shown on the page (what the reader is
             not shown is really unchanged);
  step 1     codec_tool prints expected/step1.txt;
  step 2     codec_tool lists the three codecs, encodes with rot13, and
             reports a miss on stderr with exit status 1, as expected/step2-*.txt;
             linked without roster_link_whole_archive(), its census fails
             naming the three codecs (expected/step2-dropped.txt);
  step 3     its ctest passes; codec_tests prints expected/step3-tests.txt;
  step 4     its ctest passes; `codec_tool --serve 0` serves
             /debug/registry (fetched with curl): the JSON lists the frozen
             registry "codecs" with its three keys and contains the lines of
             expected/step4-registry.txt ("..." lines skip any lines);
             SIGTERM stops it with exit status 0.

Outputs are compared after removing the step's source directory from paths;
with a compiler other than GCC, also without the " (in FUNCTION)" parts,
whose text differs between compilers. Exits 1, saying what differs, when
any check fails; 2 on a usage error.
"""
import argparse
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PAGE = ROOT / "docs" / "tutorial.md"
STEPS = ["step1", "step2", "step3", "step4"]
WARNINGS = ("-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion "
            "-Wold-style-cast -Werror")

failures = []


def fail(message):
    failures.append(message)
    print(f"check.py: FAIL: {message}", file=sys.stderr, flush=True)


def say(message):
    print(f"check.py: {message}", flush=True)


# --- the page -----------------------------------------------------------------

# `doctest: file` before C++ blocks (the doc-snippet test checks them too),
# `tutorial: file` before the others (CMake, output), which it does not read.
MARKER = re.compile(r"^<!--\s*(doctest|tutorial):\s*file\s+(\S+)\s*-->\s*$")


def shown_blocks(page_text):
    """(path, block lines, page line) for every `doctest: file` marker."""
    lines = page_text.splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        match = MARKER.match(lines[i].strip())
        if not match:
            i += 1
            continue
        marker_line = i + 1
        i += 1
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i >= len(lines) or not lines[i].lstrip().startswith("```"):
            fail(f"docs/tutorial.md:{marker_line}: no code block right after the marker")
            continue
        fence = lines[i].lstrip()
        language = fence.lstrip("`").strip()
        fence = fence[:len(fence) - len(fence.lstrip("`"))]
        if (match.group(1) == "doctest") != (language in ("cpp", "c++")):
            fail(f"docs/tutorial.md:{marker_line}: a ```{language} block takes "
                 f"'{'doctest' if language in ('cpp', 'c++') else 'tutorial'}: file', not '{match.group(1)}: file'")
        body = []
        i += 1
        while i < len(lines) and not lines[i].lstrip().startswith(fence):
            body.append(lines[i])
            i += 1
        i += 1
        blocks.append((match.group(2), body, marker_line))
    return blocks


def contains_lines(haystack, needle):
    """Whether `needle` is a contiguous run of lines of `haystack` (trailing
    whitespace ignored)."""
    hay = [line.rstrip() for line in haystack]
    want = [line.rstrip() for line in needle]
    if not want:
        return False
    return any(hay[k:k + len(want)] == want for k in range(len(hay) - len(want) + 1))


def check_page():
    if not PAGE.is_file():
        fail(f"{PAGE} is missing")
        return
    failed_before = len(failures)
    blocks = shown_blocks(PAGE.read_text(encoding="utf-8"))
    shown = set()
    for path, body, line in blocks:
        file = ROOT / path
        if not file.is_file():
            fail(f"docs/tutorial.md:{line}: {path} does not exist")
            continue
        if not contains_lines(file.read_text(encoding="utf-8").splitlines(), body):
            fail(f"docs/tutorial.md:{line}: the block is not in {path} verbatim")
        shown.add(path)

    # Every file of a step that is new or changed must be shown.
    previous = None
    for step in STEPS:
        for file in sorted((HERE / step).rglob("*")):
            if not file.is_file():
                continue
            rel = file.relative_to(HERE / step)
            before = HERE / previous / rel if previous else None
            if before is not None and before.is_file() and before.read_bytes() == file.read_bytes():
                continue
            path = f"examples/tutorial/{step}/{rel.as_posix()}"
            if path not in shown:
                what = "new" if before is None or not before.is_file() else f"changed since {previous}"
                fail(f"{path} is {what} but docs/tutorial.md does not show it")
        previous = step
    if len(failures) == failed_before:
        say(f"docs/tutorial.md: its {len(blocks)} shown blocks match their files, and it shows every new "
            "or changed file")


# --- running the steps ----------------------------------------------------------


def normalise(text, source_dir, compiler_id):
    if source_dir is not None:
        text = text.replace(str(source_dir) + "/", "")
    if compiler_id != "GNU":
        text = re.sub(r" \(in [^()]*(\([^()]*\))?\)", "", text)
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def expected(name, compiler_id):
    return normalise((HERE / "expected" / name).read_text(encoding="utf-8"), None, compiler_id)


def run(command, cwd=None, timeout=600):
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def build(step, work, args, source=None):
    source = source or HERE / step
    binary = work / step
    shutil.rmtree(binary, ignore_errors=True)
    configure = ["cmake", "-S", str(source), "-B", str(binary), f"-Droster_DIR={args.roster_dir}",
                 f"-DCMAKE_CXX_COMPILER={args.cxx}", f"-DCMAKE_CXX_FLAGS={WARNINGS}"]
    if args.generator:
        configure += ["-G", args.generator]
    if args.make_program:
        configure += [f"-DCMAKE_MAKE_PROGRAM={args.make_program}"]
    for command in (configure, ["cmake", "--build", str(binary)]):
        result = run(command)
        if result.returncode != 0:
            fail(f"{step}: `{' '.join(command)}` failed with status {result.returncode}:\n"
                 f"{result.stdout}{result.stderr}")
            return None
    say(f"{step}: configured and built")
    return binary


def expect_run(step, binary, command, status, out_file, stream, compiler_id, source=None):
    """Runs `command` (relative to the build directory) and compares its
    status and its `stream` output with the file expected/`out_file`."""
    result = run([str(binary / command[0])] + command[1:], cwd=binary, timeout=60)
    shown = " ".join(command)
    if result.returncode != status:
        fail(f"{step}: `{shown}` exited with status {result.returncode}, expected {status}:\n"
             f"{result.stdout}{result.stderr}")
        return
    got = normalise(result.stdout if stream == "stdout" else result.stderr, source or HERE / step, compiler_id)
    want = expected(out_file, compiler_id)
    if got != want:
        fail(f"{step}: `{shown}` printed on {stream}:\n{got}\n--- but expected/{out_file} says:\n{want}")
        return
    say(f"{step}: `{shown}` printed expected/{out_file}")


def run_ctest(step, binary):
    result = run(["ctest", "--test-dir", str(binary), "--output-on-failure"], timeout=120)
    if result.returncode != 0:
        fail(f"{step}: ctest failed:\n{result.stdout}{result.stderr}")
        return
    say(f"{step}: ctest passed")


def chunks_in_order(actual, abridged):
    """Whether the runs of lines of `abridged` between "..." lines appear in
    `actual`, each as contiguous lines, in order. Returns the first missing
    run or None."""
    runs, current = [], []
    for line in abridged:
        if line.strip() == "...":
            if current:
                runs.append(current)
            current = []
        else:
            current.append(line)
    if current:
        runs.append(current)
    start = 0
    for run_lines in runs:
        for k in range(start, len(actual) - len(run_lines) + 1):
            if actual[k:k + len(run_lines)] == run_lines:
                start = k + len(run_lines)
                break
        else:
            return run_lines
    return None


def check_server(step, binary, work, compiler_id):
    log_path = work / "server.log"
    with open(log_path, "w", encoding="utf-8") as log:
        server = subprocess.Popen([str(binary / "codec_tool"), "--serve", "0"], cwd=binary, stdout=log,
                                  stderr=subprocess.STDOUT)
    try:
        port = None
        deadline = time.monotonic() + 10
        while port is None and time.monotonic() < deadline and server.poll() is None:
            match = re.search(r"serving http://127\.0\.0\.1:(\d+)/debug/registry", log_path.read_text())
            if match:
                port = match.group(1)
            else:
                time.sleep(0.05)
        if port is None:
            fail(f"{step}: the server printed no address within 10 s:\n{log_path.read_text()}")
            return
        url = f"http://127.0.0.1:{port}/debug/registry"
        result = run(["curl", "-fsS", "--max-time", "10", url], timeout=20)
        if result.returncode != 0:
            fail(f"{step}: `curl {url}` failed: {result.stderr}")
            return
        body = result.stdout
        try:
            doc = json.loads(body)
            registries = {r["name"]: r for r in doc["registries"]}
            codecs = registries["codecs"]
            keys = [e["key"] for e in codecs["entries"]]
            if keys != ['"hex"', '"reverse"', '"rot13"']:
                fail(f"{step}: /debug/registry: codecs has the keys {keys}, expected hex, reverse, rot13")
            if codecs["state"] != "frozen":
                fail(f"{step}: /debug/registry: codecs is {codecs['state']}, expected frozen")
        except (ValueError, KeyError, TypeError) as e:
            fail(f"{step}: /debug/registry is not the expected JSON ({e!r}):\n{body}")
            return
        got = normalise(body, HERE / step, compiler_id).splitlines()
        missing = chunks_in_order(got, expected("step4-registry.txt", compiler_id).splitlines())
        if missing is not None:
            fail(f"{step}: /debug/registry lacks these lines (in this order):\n" + "\n".join(missing) +
                 "\n--- it served:\n" + "\n".join(got))
            return
        say(f"{step}: curl {url} served the codecs registry, as expected/step4-registry.txt")

        server.send_signal(signal.SIGTERM)
        try:
            status = server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            fail(f"{step}: the server did not stop within 10 s of SIGTERM")
            return
        if status != 0:
            fail(f"{step}: the server exited with status {status} after SIGTERM, expected 0:\n"
                 f"{log_path.read_text()}")
            return
        say(f"{step}: SIGTERM stopped the server, exit status 0")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def main():
    parser = argparse.ArgumentParser(description="Checks docs/tutorial.md and builds and runs its steps.")
    parser.add_argument("--roster-dir", required=True, help="a directory with roster-config.cmake")
    parser.add_argument("--work", required=True, help="where to build the steps")
    parser.add_argument("--cxx", required=True, help="the C++ compiler")
    parser.add_argument("--compiler-id", required=True, help="CMAKE_CXX_COMPILER_ID")
    parser.add_argument("--generator", default="")
    parser.add_argument("--make-program", default="")
    parser.add_argument("--skip-step4", default="", metavar="REASON",
                        help="do not build step 4 (its libraries are missing), saying why")
    args = parser.parse_args()
    if not (Path(args.roster_dir) / "roster-config.cmake").is_file():
        print(f"check.py: no roster-config.cmake in {args.roster_dir}", file=sys.stderr)
        return 2
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    cid = args.compiler_id

    check_page()

    binary = build("step1", work, args)
    if binary:
        expect_run("step1", binary, ["codec_tool"], 0, "step1.txt", "stdout", cid)

    binary = build("step2", work, args)
    if binary:
        expect_run("step2", binary, ["codec_tool"], 0, "step2-list.txt", "stdout", cid)
        expect_run("step2", binary, ["codec_tool", "rot13", "Hello, roster"], 0, "step2-encode.txt",
                   "stdout", cid)
        expect_run("step2", binary, ["codec_tool", "rot31", "Hello, roster"], 1, "step2-miss.txt",
                   "stderr", cid)

    # The linker caveat, shown on the page: step 2 linked plainly loses every
    # codec, and the census says so.
    plain = work / "step2-plain-link-source"
    shutil.rmtree(plain, ignore_errors=True)
    shutil.copytree(HERE / "step2", plain)
    lists = (plain / "CMakeLists.txt").read_text(encoding="utf-8")
    whole = "roster_link_whole_archive(codec_tool codecs)"
    if lists.count(whole) != 1:
        fail(f"step2/CMakeLists.txt does not say `{whole}` once")
    else:
        (plain / "CMakeLists.txt").write_text(
            lists.replace(whole, "target_link_libraries(codec_tool PRIVATE codecs)"), encoding="utf-8")
        binary = build("step2-plain-link", work, args, source=plain)
        if binary:
            expect_run("step2-plain-link", binary, ["codec_tool"], 1, "step2-dropped.txt", "stderr", cid,
                       source=plain)

    binary = build("step3", work, args)
    if binary:
        run_ctest("step3", binary)
        expect_run("step3", binary, ["codec_tests"], 0, "step3-tests.txt", "stdout", cid)

    if args.skip_step4:
        say(f"step4: SKIPPED: {args.skip_step4}")
    else:
        binary = build("step4", work, args)
        if binary:
            run_ctest("step4", binary)
            check_server("step4", binary, work, cid)

    if failures:
        print(f"check.py: {len(failures)} check(s) failed", file=sys.stderr)
        return 1
    say("OK: the tutorial's page and its four steps agree and work")
    return 0


if __name__ == "__main__":
    sys.exit(main())
