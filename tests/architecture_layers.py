#!/usr/bin/env python3
"""Keeps docs/architecture.md true: runs the layering script embedded in it
(which fails on an include that points up a layer, a cycle, or a detail/
header including anything above the foundation) and checks that the
include table the page shows is the one the script prints for the headers
as they are now.

usage: architecture_layers.py <repository root>
"""
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(sys.argv[1])
page = (root / "docs" / "architecture.md").read_text()
script = re.search(r"```python\n(.*?)```", page, re.S)
if not script:
    sys.exit("docs/architecture.md: no ```python block (the layering script) found")
run = subprocess.run([sys.executable, "-c", script.group(1)], cwd=root, capture_output=True, text=True)
sys.stdout.write(run.stdout)
sys.stderr.write(run.stderr)
if run.returncode != 0:
    sys.exit(f"the layering script failed with status {run.returncode}")


def rows(text):
    return [line for line in text.splitlines() if line.startswith("| `roster/")]


shown, now = rows(page), rows(run.stdout)
if shown != now:
    missing = [r for r in now if r not in shown]
    stale = [r for r in shown if r not in now]
    sys.exit("docs/architecture.md: the include table is out of date; rerun its script and paste the table.\n"
             + "".join(f"  now:   {r}\n" for r in missing) + "".join(f"  shown: {r}\n" for r in stale))
print(f"docs/architecture.md: {len(now)} headers, table up to date")
