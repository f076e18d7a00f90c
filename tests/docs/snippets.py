#!/usr/bin/env python3
"""Compile, run and check the C++ blocks of README.md and docs/*.md.

Every ```cpp / ```c++ block of the pages is one of (tests/docs/README.md):

  program    contains `int main(`: compiled on its own (no preamble), linked
             with fmt and pthread, run; it must exit 0. When the block is
             followed by `<!-- doctest: output -->` and a ```text block, its
             stdout must equal that block (trailing whitespace ignored).
  fragment   anything else: compiled after the page's preambles, inside a
             function body, or at namespace scope after
             `<!-- doctest: namespace -->`.
  file       after `<!-- doctest: file PATH -->`: must appear verbatim, as
             contiguous lines, in the repository file PATH.
  skip       after `<!-- doctest: skip REASON -->`: not compiled.

`<!-- doctest: preamble` ... `-->` holds hidden code prepended to every later
fragment of its page.

The fragments of a page are compiled as ONE translation unit, each in its own
function (or namespace), with `#line` directives so that every diagnostic
names the page and line. Only if that unit fails is each fragment compiled on
its own, to name exactly the blocks that fail (and to let fragments that
merely collide with each other pass, as they would one by one).

Exit status: 0 when every block passes, 1 when one fails, 2 on a malformed
page or bad usage. Standalone use from the repository root:

    python3 tests/docs/snippets.py                      # g++, -std=c++20, -lfmt
    python3 tests/docs/snippets.py --page docs/registry.md --keep
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import time

# Warnings for every block: the flags of roster's own tests and examples
# (cmake/RosterDevFlags.cmake), always as errors.
WARNINGS = ["-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Wshadow", "-Werror"]
# Fragments are excerpts: a variable a fragment declares to show a call's
# result is often not used again, nor is the function that wraps it; and a
# fragment may declare a local under the name a later fragment finds in the
# page's preamble (-Wshadow would call that shadowing).
FRAGMENT_WARNINGS = ["-Wno-unused-variable", "-Wno-unused-but-set-variable",
                     "-Wno-unused-parameter", "-Wno-unused-function",
                     "-Wno-unused-local-typedefs", "-Wno-shadow"]

FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\s]*)")
CPP_LANGS = {"cpp", "c++"}
DIRECTIVE_RE = re.compile(r"^<!--\s*doctest:\s*(?P<body>.*?)\s*(?P<close>-->)?\s*$")
INCLUDE_RE = re.compile(r"^\s*#\s*include\b")
# A namespace-scope fragment is wrapped in a namespace of its own, unless it
# specialises a template, reopens namespace roster or std, or defines a macro:
# those go in the global namespace as written (#include lines in place).
UNWRAPPABLE_RE = re.compile(r"template\s*<\s*>|^\s*namespace\s+(roster|std)\b|^\s*#\s*define\b", re.MULTILINE)


class PageError(Exception):
    """A malformed page (bad directive); names the page and line."""


@dataclasses.dataclass
class Block:
    page: str           # repository-relative path of the page
    line: int           # line of the opening fence (1-based)
    code: list[str]     # the block's lines, fence indentation removed
    kind: str           # "program", "fragment", "file", "skip"
    scope: str = "function"      # fragments: "function" or "namespace"
    preambles: list["Preamble"] = dataclasses.field(default_factory=list)
    arg: str = ""       # file: the PATH; skip: the REASON
    output: list[str] | None = None  # programs: the expected stdout lines
    output_line: int = 0             # line of the ```text fence

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def first_code_line(self) -> int:
        return self.line + 1


@dataclasses.dataclass
class Preamble:
    page: str
    line: int           # line of the first code line
    code: list[str]


@dataclasses.dataclass
class Page:
    path: str
    blocks: list[Block]


# ----------------------------------------------------------------- parsing

def parse_page(root: pathlib.Path, rel: str) -> Page:
    lines = (root / rel).read_text(encoding="utf-8").split("\n")
    blocks: list[Block] = []
    preambles: list[Preamble] = []
    pending: tuple[int, str, str] | None = None   # (line, directive, argument)
    i = 0
    n = len(lines)

    def fail(line_no: int, msg: str) -> PageError:
        return PageError(f"{rel}:{line_no}: {msg}")

    def read_fence(start: int):
        """The fenced block opening at lines[start]: (info, body, index after)."""
        m = FENCE_RE.match(lines[start])
        assert m
        indent, fence, info = m.group("indent"), m.group("fence"), m.group("info").lower()
        body = []
        j = start + 1
        while j < n:
            stripped = lines[j].strip()
            if stripped.startswith(fence[0] * len(fence)) and stripped.strip(fence[0]) == "":
                break
            text = lines[j]
            if text.startswith(indent):
                text = text[len(indent):]
            else:
                text = text.lstrip(" \t")
            body.append(text)
            j += 1
        if j >= n:
            raise fail(start + 1, f"the {fence}{info} block is not closed")
        return info, body, j + 1

    while i < n:
        text = lines[i]
        stripped = text.strip()
        m = DIRECTIVE_RE.match(stripped)
        if m:
            body = m.group("body")
            word, _, arg = body.partition(" ")
            arg = arg.strip()
            if word == "preamble":
                if m.group("close"):
                    raise fail(i + 1, "a preamble's code starts on the line after '<!-- doctest: preamble'")
                if arg:
                    raise fail(i + 1, "nothing may follow '<!-- doctest: preamble' on its line")
                if pending:
                    raise fail(i + 1, f"'doctest: {pending[1]}' (line {pending[0]}) is not followed by a cpp block")
                j = i + 1
                code = []
                while j < n and "-->" not in lines[j]:
                    code.append(lines[j])
                    j += 1
                if j >= n:
                    raise fail(i + 1, "the preamble is not closed with '-->'")
                if lines[j].strip() != "-->":
                    raise fail(j + 1, "a preamble ends with a line holding only '-->'")
                preambles.append(Preamble(rel, i + 2, code))
                i = j + 1
                continue
            if not m.group("close"):
                raise fail(i + 1, "a doctest directive other than 'preamble' fits on one line and ends with '-->'")
            if word not in ("namespace", "file", "skip", "output"):
                raise fail(i + 1, f"unknown doctest directive '{word}' "
                                  "(known: preamble, namespace, file PATH, skip REASON, output)")
            if word == "output":
                raise fail(i + 1, "'doctest: output' must follow a block with int main( "
                                  "(after at most blank lines and one line of prose)")
            if word == "namespace" and arg:
                raise fail(i + 1, "'doctest: namespace' takes no argument")
            if word in ("file", "skip") and not arg:
                raise fail(i + 1, f"'doctest: {word}' needs {'a PATH' if word == 'file' else 'a REASON'}")
            if pending:
                raise fail(i + 1, f"'doctest: {pending[1]}' (line {pending[0]}) is not followed by a cpp block")
            pending = (i + 1, word, arg)
            i += 1
            continue

        fm = FENCE_RE.match(text)
        if not fm:
            if stripped and pending:
                raise fail(pending[0], f"'doctest: {pending[1]}' must be right before a cpp block "
                                       f"(found text on line {i + 1})")
            i += 1
            continue

        info, body, after = read_fence(i)
        if info not in CPP_LANGS:
            if pending:
                raise fail(pending[0], f"'doctest: {pending[1]}' is followed by a ```{info} block, not a cpp block")
            i = after
            continue

        block = Block(rel, i + 1, body, "fragment", preambles=list(preambles))
        is_program = any("int main(" in line for line in body)
        if pending:
            _, word, arg = pending
            pending = None
            if word == "namespace":
                if is_program:
                    raise fail(i + 1, "'doctest: namespace' is for fragments; this block has int main(")
                block.scope = "namespace"
            else:
                block.kind = word
                block.arg = arg
        if block.kind == "fragment" and is_program:
            block.kind = "program"
        i = after

        # An output marker after the block: at most blank lines and one line of prose between.
        j = i
        prose = 0
        while j < n:
            s = lines[j].strip()
            if s == "":
                j += 1
                continue
            dm = DIRECTIVE_RE.match(s)
            if dm and dm.group("body") == "output":
                if block.kind != "program":
                    raise fail(j + 1, f"'doctest: output' follows the block at line {block.line}, "
                                      "which is not a program (no int main( or annotated)")
                k = j + 1
                while k < n and lines[k].strip() == "":
                    k += 1
                if k >= n or not FENCE_RE.match(lines[k]):
                    raise fail(j + 1, "'doctest: output' must be followed by a ```text block")
                out_info, out_body, out_after = read_fence(k)
                if out_info != "text":
                    raise fail(k + 1, f"the output of the program at line {block.line} must be a ```text block, "
                                      f"not ```{out_info}")
                block.output = out_body
                block.output_line = k + 1
                i = out_after
                break
            if dm or FENCE_RE.match(lines[j]) or s.startswith("#") or prose == 1:
                break
            prose += 1
            j += 1
        blocks.append(block)

    if pending:
        raise fail(pending[0], f"'doctest: {pending[1]}' is not followed by a cpp block")
    return Page(rel, blocks)


# --------------------------------------------------------------- toolchain

@dataclasses.dataclass
class Toolchain:
    cxx: list[str]
    std_flag: str
    cxxflags: list[str]
    includes: list[str]
    defines: list[str]
    libs: list[str]

    def compile_args(self) -> list[str]:
        args = [*self.cxx, self.std_flag, *self.cxxflags, "-O0", "-pthread"]
        args += [f"-I{d}" for d in self.includes]
        args += [f"-D{d}" for d in self.defines]
        return args + WARNINGS


@dataclasses.dataclass
class Outcome:
    ok: bool
    log: str
    seconds: float


def run_tool(args: list[str], cwd: pathlib.Path, timeout: int) -> tuple[int, str]:
    env = dict(os.environ, LC_ALL="C")
    env.pop("GCC_COLORS", None)
    try:
        p = subprocess.run(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, f"timed out after {timeout} s: {shlex.join(args)}\n"
    except OSError as e:
        return 127, f"cannot run {args[0]}: {e}\n"
    return p.returncode, p.stdout.decode("utf-8", "replace")


def line_directive(line: int, page: str) -> str:
    return f'#line {line} "{page}"'


# --------------------------------------------------- translation-unit text

def emit_preamble(p: Preamble) -> list[str]:
    return [line_directive(p.line, p.page), *p.code]


def emit_fragment(b: Block) -> list[str]:
    """The fragment at namespace scope: its #include lines first, then the
    rest wrapped in a function (or a namespace) of its own."""
    out: list[str] = []
    rest: list[tuple[int, str]] = []
    in_place = b.scope == "namespace" and bool(UNWRAPPABLE_RE.search("\n".join(b.code)))
    for k, text in enumerate(b.code):
        ln = b.first_code_line + k
        if INCLUDE_RE.match(text) and not in_place:
            out += [line_directive(ln, b.page), text]
        else:
            rest.append((ln, text))
    name = f"roster_doc_{re.sub(r'[^A-Za-z0-9]', '_', b.page)}_{b.line}"
    if b.scope == "function":
        open_, close = f"[[maybe_unused]] static void {name}() {{", "}"
    elif not in_place:
        open_, close = f"namespace {name} {{", f"}}  // namespace {name}"
    else:
        open_, close = "", ""
    if open_:
        out.append(open_)
    prev = None
    for ln, text in rest:
        if prev is None or ln != prev + 1:
            out.append(line_directive(ln, b.page))
        out.append(text)
        prev = ln
    if close:
        out.append(close)
    return out


def page_unit(blocks: list[Block]) -> str:
    """One translation unit for every fragment of a page, preambles in order."""
    out = ["// Generated by tests/docs/snippets.py -- do not edit."]
    emitted = 0
    for b in blocks:
        for p in b.preambles[emitted:]:
            out += emit_preamble(p)
        emitted = len(b.preambles)
        out += emit_fragment(b)
    return "\n".join(out) + "\n"


def single_unit(b: Block) -> str:
    out = ["// Generated by tests/docs/snippets.py -- do not edit."]
    for p in b.preambles:
        out += emit_preamble(p)
    out += emit_fragment(b)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------- the checks

class Runner:
    def __init__(self, root: pathlib.Path, work: pathlib.Path, tc: Toolchain, jobs: int):
        self.root, self.work, self.tc, self.jobs = root, work, tc, jobs

    def compile_fragments(self, name: str, text: str) -> Outcome:
        src = self.work / "fragments" / f"{name}.cpp"
        src.parent.mkdir(parents=True, exist_ok=True)
        src.write_text(text, encoding="utf-8")
        start = time.monotonic()
        # cwd is the repository root: the #line paths resolve, so diagnostics
        # quote the page's own lines.
        rc, log = run_tool([*self.tc.compile_args(), *FRAGMENT_WARNINGS, "-c", str(src),
                            "-o", str(src.with_suffix(".o"))], self.root, 600)
        return Outcome(rc == 0, log, time.monotonic() - start)

    def program_dir(self, b: Block) -> pathlib.Path:
        return self.work / "programs" / f"{pathlib.Path(b.page).stem}_{b.line}"

    def build_program(self, b: Block) -> Outcome:
        # Compiled as main.cpp in a folder of its own, so that
        # std::source_location (and so roster's messages) says main.cpp:N with N
        # counted from the block's first line; diagnostics are mapped back.
        d = self.program_dir(b)
        d.mkdir(parents=True, exist_ok=True)
        (d / "main.cpp").write_text("\n".join(b.code) + "\n", encoding="utf-8")
        start = time.monotonic()
        rc, log = run_tool([*self.tc.compile_args(), "main.cpp", "-o", "program",
                            *self.tc.libs, "-pthread"], d, 600)
        offset = b.line
        log = re.sub(r"(?<![\w/.-])main\.cpp:(\d+)",
                     lambda m: f"{b.page}:{int(m.group(1)) + offset}", log)
        return Outcome(rc == 0, log, time.monotonic() - start)

    def run_program(self, b: Block) -> tuple[bool, str]:
        d = self.program_dir(b)
        try:
            p = subprocess.run([str(d / "program")], cwd=d, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=60)
        except subprocess.TimeoutExpired:
            return False, "the program did not finish within 60 s"
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        if p.returncode != 0:
            return False, (f"the program exited with status {p.returncode}\n"
                           f"--- stdout ---\n{out}--- stderr ---\n{err}")
        if b.output is not None:
            got = [s.rstrip() for s in out.split("\n")]
            if got and got[-1] == "":
                got.pop()
            want = [s.rstrip() for s in b.output]
            if got != want:
                return False, output_diff(b, want, got)
        return True, ""

    def check_file(self, b: Block) -> tuple[bool, str]:
        target = self.root / b.arg
        if not target.is_file():
            return False, f"{b.arg} does not exist"
        flines = [s.rstrip() for s in target.read_text(encoding="utf-8").split("\n")]
        blines = [s.rstrip() for s in b.code]
        while blines and blines[-1] == "":
            blines.pop()
        if not blines:
            return False, "the block is empty"
        best = (0, -1, "")  # (lines matched, start, indent)
        for i, first in enumerate(flines):
            if not first.endswith(blines[0]):
                continue
            indent = first[: len(first) - len(blines[0])]
            if indent.strip():
                continue
            k = 0
            while k < len(blines) and i + k < len(flines):
                want = indent + blines[k] if blines[k] else ""
                if flines[i + k] != want:
                    break
                k += 1
            if k == len(blines):
                return True, ""
            if k > best[0]:
                best = (k, i, indent)
        if best[1] < 0:
            return False, f"its first line does not occur in {b.arg}:\n    {blines[0]}"
        k, i, _ = best
        got = flines[i + k] if i + k < len(flines) else "<end of file>"
        return False, (f"not found verbatim in {b.arg}: the closest match starts at {b.arg}:{i + 1}, "
                       f"but block line {k + 1} (page line {b.first_code_line + k}) differs:\n"
                       f"    doc:  {blines[k]}\n    file: {got.strip()}")


def output_diff(b: Block, want: list[str], got: list[str]) -> str:
    lines = [f"the program's output differs from the ```text block at {b.page}:{b.output_line}:"]
    for k in range(max(len(want), len(got))):
        w = want[k] if k < len(want) else "<nothing>"
        g = got[k] if k < len(got) else "<nothing>"
        mark = "  " if w == g else "! "
        lines.append(f"  {mark}line {k + 1}: expected: {w}")
        if w != g:
            lines.append(f"  {mark}line {k + 1}: printed:  {g}")
    return "\n".join(lines)


# ------------------------------------------------------------------ driver

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", default=".", help="repository root (default: .)")
    ap.add_argument("--work-dir", default=None,
                    help="where the generated sources and programs go (default: <root>/build/doc-snippets)")
    ap.add_argument("--page", action="append", default=[],
                    help="check only this page (repository-relative; repeatable)")
    ap.add_argument("--cxx", default=os.environ.get("CXX", "g++"), help="C++ compiler (default: $CXX or g++)")
    ap.add_argument("--std-flag", default="-std=c++20", help="the language standard flag (default: -std=c++20)")
    ap.add_argument("--cxxflags", default="", help="extra compiler flags, one shell-quoted string")
    ap.add_argument("--include", action="append", default=[],
                    help="include directory (default: <root>/include); ';'-separated lists allowed")
    ap.add_argument("--implicit-include", default="",
                    help="the compiler's own include directories, ';'-separated: never passed as -I "
                         "(-I/usr/include would break #include_next in the standard library)")
    ap.add_argument("--fmt-include", default="", help="{fmt}'s include directories, ';'-separated")
    ap.add_argument("--fmt-define", default="", help="{fmt}'s compile definitions, ';'-separated")
    ap.add_argument("--fmt-lib", default="-lfmt", help="how to link {fmt}: a library file or -lfmt")
    ap.add_argument("--unavailable", action="append", default=[], metavar="HEADER=REASON",
                    help="blocks that #include <HEADER> are skipped with REASON (an optional dependency "
                         "the build did not find); repeatable")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--keep", action="store_true", help="keep the work directory's previous contents")
    args = ap.parse_args()

    root = pathlib.Path(args.root).resolve()
    work = pathlib.Path(args.work_dir).resolve() if args.work_dir else root / "build" / "doc-snippets"
    if not args.keep and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)

    def split(s: str) -> list[str]:
        return [x for x in s.split(";") if x]

    includes = [d for arg in args.include for d in split(arg)] or [str(root / "include")]
    implicit = {os.path.normpath(d) for d in split(args.implicit_include)}
    dirs: list[str] = []
    for d in includes + split(args.fmt_include):
        if os.path.normpath(d) not in implicit and d not in dirs:
            dirs.append(d)
    tc = Toolchain(cxx=shlex.split(args.cxx), std_flag=args.std_flag, cxxflags=shlex.split(args.cxxflags),
                   includes=dirs, defines=split(args.fmt_define),
                   libs=[args.fmt_lib] if args.fmt_lib else [])

    if args.page:
        rels = []
        for p in args.page:
            path = (root / p).resolve()
            if not path.is_file():
                print(f"error: no page {p}", file=sys.stderr)
                return 2
            rels.append(path.relative_to(root).as_posix())
    else:
        rels = ["README.md"] + sorted(p.relative_to(root).as_posix() for p in (root / "docs").glob("*.md"))
        rels = [r for r in rels if (root / r).is_file()]

    pages: list[Page] = []
    try:
        for rel in rels:
            pages.append(parse_page(root, rel))
    except PageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    for spec in args.unavailable:
        header, _, reason = spec.partition("=")
        inc = re.compile(r"^\s*#\s*include\s*[<\"]" + re.escape(header) + r"[>\"]")
        for page in pages:
            for b in page.blocks:
                if b.kind in ("fragment", "program") and any(inc.match(x) for x in b.code):
                    b.kind, b.arg = "skip", f"{reason or 'needs ' + header} (--unavailable)"

    start = time.monotonic()
    runner = Runner(root, work, tc, args.jobs)
    failures: list[str] = []
    notes: list[str] = []
    counts = {"fragment": 0, "program": 0, "output": 0, "file": 0, "skip": 0}
    units = 0

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        page_jobs = {}
        prog_jobs = {}
        for page in pages:
            frags = [b for b in page.blocks if b.kind == "fragment"]
            if frags:
                name = re.sub(r"[^A-Za-z0-9]", "_", page.path)
                page_jobs[page.path] = (frags, pool.submit(runner.compile_fragments, name, page_unit(frags)))
                units += 1
            for b in page.blocks:
                if b.kind == "program":
                    prog_jobs[b.where] = (b, pool.submit(runner.build_program, b))
                    units += 1

        # Fragments: a page whose unit fails is compiled block by block.
        for path, (frags, fut) in page_jobs.items():
            res = fut.result()
            counts["fragment"] += len(frags)
            if res.ok:
                continue
            singles = [(b, pool.submit(runner.compile_fragments,
                                       f"{re.sub(r'[^A-Za-z0-9]', '_', b.page)}_{b.line}", single_unit(b)))
                       for b in frags]
            units += len(singles)
            bad = 0
            for b, f in singles:
                r = f.result()
                if not r.ok:
                    bad += 1
                    failures.append(f"FAIL {b.where}: this {'namespace-scope ' if b.scope == 'namespace' else ''}"
                                    f"fragment does not compile:\n{r.log}")
            if bad == 0:
                notes.append(f"note: {path}: its fragments do not compile together, but each compiles on "
                             "its own after the page's preambles, as the convention asks; they were compiled "
                             "one by one. A name two fragments both declare, or a header one fragment includes "
                             "that breaks another's code (worth a look), does this. The batch's errors:\n"
                             f"{indent_text(res.log)}")

        for where, (b, fut) in prog_jobs.items():
            res = fut.result()
            counts["program"] += 1
            if not res.ok:
                failures.append(f"FAIL {where}: this program does not compile:\n{res.log}")
                continue
            ok, why = runner.run_program(b)
            if b.output is not None:
                counts["output"] += 1
            if not ok:
                failures.append(f"FAIL {where}: {why}")

    skipped = []
    for page in pages:
        for b in page.blocks:
            if b.kind == "file":
                counts["file"] += 1
                ok, why = runner.check_file(b)
                if not ok:
                    failures.append(f"FAIL {b.where}: this block (doctest: file {b.arg}) is {why}"
                                    if why.startswith("not found") else f"FAIL {b.where}: {why}")
            elif b.kind == "skip":
                counts["skip"] += 1
                skipped.append(f"  {b.where}: {b.arg}")

    elapsed = time.monotonic() - start
    for n in notes:
        print(n)
    for f in failures:
        print(f.rstrip() + "\n")

    total = sum(len(p.blocks) for p in pages)
    print(f"doc snippets ({' '.join(tc.cxx)} {tc.std_flag}): {len(pages)} pages, {total} C++ blocks")
    print(f"  fragments compiled:  {counts['fragment']} (in {len([p for p in page_jobs])} page units)")
    print(f"  programs run:        {counts['program']}")
    print(f"  outputs compared:    {counts['output']}")
    print(f"  file-checked blocks: {counts['file']}")
    print(f"  skipped blocks:      {counts['skip']}")
    for s in skipped:
        print(s)
    print(f"  translation units:   {units}, {elapsed:.1f} s with {args.jobs} jobs")
    if failures:
        print(f"FAILED: {len(failures)} block(s) (listed above)")
        return 1
    print("all blocks pass")
    return 0


def indent_text(s: str) -> str:
    return "\n".join("    " + x for x in s.rstrip().split("\n"))


if __name__ == "__main__":
    sys.exit(main())
