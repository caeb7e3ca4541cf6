"""Measurement helpers shared by the benchmark scripts.

Standard library only: the benchmarks' parent processes must stay small,
because Linux carries a parent's peak RSS into the ``ru_maxrss`` of the
children it starts, and the children are what is measured.
"""

from __future__ import annotations

import os
import platform
import resource
from collections.abc import Iterable
from importlib import metadata
from typing import Any


def peak_rss_mb() -> dict[str, float | None]:
    """Peak RSS of this process: ``ru_maxrss`` and ``VmHWM`` (to cross-check)."""
    ru_maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm_kib = None
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    hwm_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "peak_rss_mb": ru_maxrss_kib / 1024,
        "vm_hwm_mb": hwm_kib / 1024 if hwm_kib is not None else None,
    }


def _first_field(path: str, prefix: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def machine_info(packages: Iterable[str]) -> dict[str, Any]:
    """CPU model, cores, memory, platform and the versions of ``packages``."""
    memory = _first_field("/proc/meminfo", "MemTotal:")
    mem_gb = int(memory.split()[0]) / 1024**2 if memory else None
    versions = {"python": platform.python_version()}
    for package in ("framing", *packages):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpu_model": _first_field("/proc/cpuinfo", "model name"),
        "cpus": os.cpu_count(),
        "memory_gb": round(mem_gb, 1) if mem_gb else None,
        "platform": platform.platform(),
        "versions": versions,
    }
