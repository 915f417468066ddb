"""Build benchmark: bulletin cold / no-change / one-edit builds, side by side with Hugo.

    python bench/build_bench.py --items 10000 [--repeat 3] [--no-hugo] [--json out.json]

Generates a deterministic Chinese corpus with bench/corpus.py (and the same items as a
Hugo site when ``hugo`` is installed), then times, each ``--repeat`` times:

- bulletin cold build (no cache, empty output), without search;
- bulletin rebuild with nothing changed;
- bulletin rebuild after appending a sentence to one item (and checks the result is
  byte-identical to a clean build of the same input), then after a second such edit
  (the first rebuild after a cold build also hard-links the whole output once);
- hugo cold build.

Wall time is measured around the whole command (interpreter start-up included); peak
memory is the largest sum over the process tree (bulletin forks workers), sampled every
20 ms from /proc, of RSS (pages shared copy-on-write by forked workers counted once per
process) and of PSS (shared pages divided among the processes: the memory they use). Medians are printed, with the bulletin/Hugo ratios.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import generate  # noqa: E402


def _pss_kib(pid: int) -> int:
    """Proportional set size of one process (shared pages divided among their users)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree_rss_kib(pid: int, pss: bool = False) -> int:
    """RSS (or PSS) of pid and all its descendants, in KiB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            ppid = int(fields[1])
            rss[int(entry)] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += _pss_kib(p) if pss else rss.get(p, 0)
        stack.extend(children.get(p, ()))
    return total


def measure(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, float]:
    """(seconds, peak RSS MiB, peak PSS MiB) of one command; raises if it fails.

    Forked workers share the parent's pages copy-on-write; the RSS sum counts those pages
    once per process, the PSS sum (what the processes use together) once in all."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_pss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.is_set():
            peak = max(peak, _tree_rss_kib(proc.pid))
            peak_pss = max(peak_pss, _tree_rss_kib(proc.pid, pss=True))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _out, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.decode()[-2000:]}")
    return seconds, peak / 1024, peak_pss / 1024


def bulletin_cmd(site: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "bulletin",
        "build",
        str(site),
        "--output",
        str(out),
        "--no-search",
    ]


def same_tree(a: Path, b: Path) -> bool:
    left = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    right = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if left != right:
        return False
    return all(filecmp.cmp(a / p, b / p, shallow=False) for p in left)


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work", type=Path, default=HERE / "out")
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    work = args.work / f"build-{args.items}"
    site, hugo_site = work / "site", work / "hugo"
    hugo = None if args.no_hugo else shutil.which("hugo")
    if not (site / "site.toml").exists() or (hugo and not hugo_site.exists()):
        shutil.rmtree(work, ignore_errors=True)
        print(f"generating {args.items} items …", flush=True)
        generate(site, args.items, seed=1, hugo_dir=hugo_site if hugo else None)

    out = work / "public"
    results: dict[str, list[tuple[float, float, float]]] = {
        "cold": [],
        "nochange": [],
        "oneedit": [],
        # a second edit: the first one after a cold build also links the whole output
        # into a staging tree; later builds patch the spare tree the previous one left
        "oneedit_again": [],
    }
    identical = []
    victim = sorted((site / "content").rglob("*.md"))[len(results) * 7 % args.items]
    original = victim.read_bytes()
    try:
        for run in range(args.repeat):
            shutil.rmtree(site / ".bulletin-cache", ignore_errors=True)
            for stale in work.glob(".public*"):
                shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink()
            shutil.rmtree(out, ignore_errors=True)
            results["cold"].append(measure(bulletin_cmd(site, out)))
            results["nochange"].append(measure(bulletin_cmd(site, out)))
            victim.write_bytes(original + f"\n第{run}次补充：督查工作持续推进。\n".encode())
            results["oneedit"].append(measure(bulletin_cmd(site, out)))
            victim.write_bytes(original + f"\n第{run}次补充：督查工作再次推进。\n".encode())
            results["oneedit_again"].append(measure(bulletin_cmd(site, out)))
            clean = work / "clean"
            shutil.rmtree(clean, ignore_errors=True)
            done = subprocess.run(
                [*bulletin_cmd(site, clean), "--no-cache"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,  # the corpus's thousands of warnings
            )
            if done.returncode != 0:
                raise SystemExit(f"clean build failed:\n{done.stderr.decode()[-2000:]}")
            identical.append(same_tree(out, clean))
            shutil.rmtree(clean, ignore_errors=True)
            print(
                f"run {run + 1}: " + ", ".join(f"{k} {v[-1][0]:.2f}s" for k, v in results.items()),
                flush=True,
            )
    finally:
        victim.write_bytes(original)

    hugo_runs: list[tuple[float, float, float]] = []
    if hugo:
        for _ in range(args.repeat):
            hout = work / "hugo-public"
            shutil.rmtree(hout, ignore_errors=True)
            hugo_runs.append(measure([hugo, "--quiet", "-s", str(hugo_site), "-d", str(hout)]))
            print(f"hugo: {hugo_runs[-1][0]:.2f}s", flush=True)

    summary: dict[str, object] = {
        "items": args.items,
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
    }
    for name, runs in results.items():
        summary[f"bulletin_{name}_s"] = median([r[0] for r in runs])
        summary[f"bulletin_{name}_peak_mib"] = round(max(r[1] for r in runs))
        summary[f"bulletin_{name}_peak_pss_mib"] = round(max(r[2] for r in runs))
    summary["one_edit_identical_to_clean"] = all(identical)
    if hugo_runs:
        h = median([r[0] for r in hugo_runs])
        summary["hugo_cold_s"] = h
        summary["hugo_peak_mib"] = round(max(r[1] for r in hugo_runs))
        summary["hugo_peak_pss_mib"] = round(max(r[2] for r in hugo_runs))
        summary["ratio_cold"] = round(summary["bulletin_cold_s"] / h, 2)
        summary["ratio_nochange"] = round(summary["bulletin_nochange_s"] / h, 3)
        summary["ratio_oneedit"] = round(summary["bulletin_oneedit_s"] / h, 3)
        summary["ratio_oneedit_again"] = round(summary["bulletin_oneedit_again_s"] / h, 3)
    width = max(len(k) for k in summary)
    for key, value in summary.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
