"""A description of the machine a benchmark ran on, for docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import re
import sqlite3
from pathlib import Path


def describe() -> str:
    """One line: CPU model, cores, memory, OS, Python, SQLite."""
    cpu = "unknown CPU"
    info = Path("/proc/cpuinfo")
    if info.exists():
        found = re.search(r"model name\s*:\s*(.+)", info.read_text())
        if found:
            cpu = found.group(1).strip()
    mem = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"MemTotal:\s*(\d+)", meminfo.read_text())
        if found:
            mem = f", {int(found.group(1)) / 1024 / 1024:.0f} GiB RAM"
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


def replace_section(doc: Path, name: str, body: str) -> None:
    """Put a section between `<!-- name:begin -->` and `<!-- name:end -->` in a document."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = (
        doc.read_text()
        if doc.exists()
        else "# Benchmarks\n\nEvery figure here comes from a script in `bench/`.\n"
    )
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text)
