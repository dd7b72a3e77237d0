#!/usr/bin/env python3
"""Runs clang-tidy (checks in .clang-tidy, warnings as errors) on the project's own sources.

Usage: scripts/tidy.py BUILD_DIR [FILE ...]

BUILD_DIR must hold a finished build: its compile_commands.json says how each file is compiled
and the compiler's depfiles (*.o.d) name every header a file includes. A file whose inputs are
unchanged since it last passed is not checked again: the result is cached under
$WISSEL_TIDY_CACHE (default ~/.cache/wissel-tidy), keyed on clang-tidy's version, .clang-tidy,
the compile command and the content of the file and of every header it includes (paths taken
relative to the checkout, so another clone of the same commit hits the same entries). Only
passes are cached: a file with a warning is checked on every run until it is fixed.

Environment: WISSEL_TIDY_JOBS (default 2) files at once; WISSEL_TIDY_REVERSE=1 checks in reverse
order (a second run started beside a first one meets it in the middle, through the cache).

Exit status: 0 when every file passes, 1 when any file has a warning or error.
"""

import concurrent.futures
import hashlib
import json
import os
import shlex
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The project's own sources; generated code lives in the build tree and is never listed here.
# The tests are not checked yet (their first clean-up is still to do).
SOURCE_DIRS = ("base/", "metrics/", "router/", "adapters/", "dashboard/", "benchmarks/")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


_file_hashes = {}


def file_hash(path):
    if path not in _file_hashes:
        try:
            with open(path, "rb") as f:
                _file_hashes[path] = sha256(f.read())
        except OSError:
            _file_hashes[path] = "missing"
    return _file_hashes[path]


def relative(path, build):
    """A path with the checkout and build folders replaced, so clones share cache keys."""
    path = os.path.normpath(path)
    if path.startswith(build + os.sep):
        return "@build/" + path[len(build) + 1:]
    if path.startswith(ROOT + os.sep):
        return "@root/" + path[len(ROOT) + 1:]
    return path


def depfile_inputs(entry):
    """Every file the compiler read for this entry, from its depfile; None when there is none."""
    args = shlex.split(entry["command"]) if "command" in entry else entry["arguments"]
    output = args[args.index("-o") + 1]
    depfile = os.path.join(entry["directory"], output + ".d")
    try:
        with open(depfile, encoding="utf-8") as f:
            text = f.read().replace("\\\n", " ")
    except OSError:
        return None
    _, _, deps = text.partition(":")
    return [os.path.normpath(os.path.join(entry["directory"], d)) for d in deps.split()]


def cache_key(entry, build, salt):
    inputs = depfile_inputs(entry)
    if inputs is None:
        return None
    command = entry.get("command") or " ".join(entry["arguments"])
    command = command.replace(build, "@build").replace(ROOT, "@root")
    parts = [salt, command]
    # Sorted after the paths are made relative, so that the order does not depend on where the
    # checkout is (/tmp/x sorts before /usr, /work/x after it).
    parts += sorted(relative(p, build) + "=" + file_hash(p) for p in set(inputs))
    return sha256("\n".join(parts).encode())


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    build = os.path.abspath(sys.argv[1])
    only = {os.path.normpath(os.path.join(ROOT, f)) for f in sys.argv[2:]}
    with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as f:
        entries = json.load(f)
    tracked = set(
        subprocess.run(["git", "ls-files", "*.cc"], cwd=ROOT, check=True, capture_output=True,
                       text=True).stdout.split())
    selected = []
    for entry in entries:
        path = os.path.normpath(entry["file"])
        rel = os.path.relpath(path, ROOT)
        if rel in tracked and rel.startswith(SOURCE_DIRS) and (not only or path in only):
            selected.append(entry)
    if os.environ.get("WISSEL_TIDY_REVERSE") == "1":
        selected.reverse()  # a second run from the other end shares the cache with the first
    if not selected:
        print("tidy: no project sources in", build, file=sys.stderr)
        return 1

    version = subprocess.run(["clang-tidy", "--version"], check=True, capture_output=True,
                             text=True).stdout
    with open(os.path.join(ROOT, ".clang-tidy"), "rb") as f:
        salt = sha256(version.encode() + f.read())
    cache_dir = os.environ.get("WISSEL_TIDY_CACHE",
                               os.path.join(os.path.expanduser("~"), ".cache", "wissel-tidy"))
    os.makedirs(cache_dir, exist_ok=True)

    def check(entry):
        key = cache_key(entry, build, salt)
        marker = os.path.join(cache_dir, key) if key else None
        if marker and os.path.exists(marker):
            return entry["file"], True, True, ""
        result = subprocess.run(["clang-tidy", "--quiet", "-p", build, entry["file"]],
                                cwd=ROOT, capture_output=True, text=True)
        passed = result.returncode == 0 and "warning:" not in result.stdout
        if passed and marker:
            with open(marker, "w", encoding="utf-8") as f:
                f.write(os.path.relpath(entry["file"], ROOT) + "\n")
        return entry["file"], passed, False, result.stdout + result.stderr

    jobs = int(os.environ.get("WISSEL_TIDY_JOBS", "2"))
    failed = cached = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for path, passed, from_cache, output in pool.map(check, selected):
            cached += from_cache
            if not passed:
                failed += 1
                print(f"== {os.path.relpath(path, ROOT)}\n{output}", flush=True)
    print(f"tidy: {len(selected)} files, {cached} unchanged since they passed, "
          f"{len(selected) - cached} checked, {failed} with warnings")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
