"""Shared by the build, rebuild and SPARQL benchmarks: the machine, the commit, the load, peak
memory of a process tree, and rows appended to bench/RESULTS.md under a section of their own.
"""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "RESULTS.md"
MACHINE_HEADING = "## Machine"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    """One line: cores, memory, CPU model, Python, pyoxigraph."""
    import pyoxigraph

    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{os.cpu_count()} cores (nproc), {memory:.0f} GiB, {cpu_model()}, "
        f"Python {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}"
    )


def commit() -> str:
    """The short commit of HEAD; '+wip' when src/ has changes not yet committed (by anyone)."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "src"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    return f"{sha}+wip" if dirty else sha


def load() -> str:
    """The 1-minute load average against the cores: others share this machine."""
    return f"{os.getloadavg()[0]:.1f}/{os.cpu_count()}"


def today() -> str:
    return date.today().isoformat()


@dataclass
class TreeSample:
    """Peak resident memory of a process and all its descendants, sampled every `interval` s."""

    pid: int
    interval: float = 0.2
    peak_bytes: int = 0
    peak_root_bytes: int = 0
    peak_processes: int = 0
    loads: list[float] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> TreeSample:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def _run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            total = 0
            try:
                processes = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for process in processes:
                with contextlib.suppress(psutil.NoSuchProcess):
                    rss = process.memory_info().rss
                    total += rss
                    if process.pid == self.pid:
                        self.peak_root_bytes = max(self.peak_root_bytes, rss)
            self.peak_bytes = max(self.peak_bytes, total)
            self.peak_processes = max(self.peak_processes, len(processes))
            self.loads.append(os.getloadavg()[0])
            self._stop.wait(self.interval)

    @property
    def mean_load(self) -> str:
        mean = sum(self.loads) / len(self.loads) if self.loads else os.getloadavg()[0]
        return f"{mean:.1f}/{os.cpu_count()}"


def ensure_machine_section(text: str) -> str:
    """RESULTS.md with its title and a machine section describing this machine."""
    if not text.strip():
        text = "# Benchmark results\n"
    if MACHINE_HEADING in text:
        return text
    section = (
        f"\n{MACHINE_HEADING}\n\n"
        f"Measured on: {machine()}. The machine is shared with other engineers' jobs; each row "
        "names the load average seen while it ran (load/cores), and CPU seconds beside wall "
        "seconds where the work is CPU-bound.\n"
    )
    lines = text.split("\n", 1)
    return lines[0] + "\n" + section + ("\n" + lines[1] if len(lines) > 1 else "")


def append_rows(heading: str, intro: str, header: list[str], rows: list[list[Any]]) -> None:
    """Add rows to the table of the section `heading` of RESULTS.md, creating it if absent.

    The file is re-read right before writing: other benchmarks append their own sections.
    """
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    text = ensure_machine_section(text)
    rendered = ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    title = f"## {heading}"
    if title not in text:
        table = [
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
        ]
        text = text.rstrip("\n") + f"\n\n{title}\n\n{intro}\n\n" + "\n".join(table + rendered)
        RESULTS.write_text(text + "\n", encoding="utf-8")
        return
    start = text.index(title)
    following = text.find("\n## ", start + len(title))
    end = len(text) if following < 0 else following
    section = text[start:end].rstrip("\n")
    section += "\n" + "\n".join(rendered)
    text = text[:start] + section + "\n" + text[end:]
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def wall_and_cpu(seconds: float, cpu: float) -> str:
    return f"{seconds:.1f} (CPU {cpu:.1f})"


def now() -> float:
    return time.perf_counter()
