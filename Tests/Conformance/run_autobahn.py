#!/usr/bin/env python3
"""The Autobahn|Testsuite cases against HearthTransport (docs/CONFORMANCE.md).

Starts the test-only echo server `.build/debug/hearth-echo` on a free loopback port (it builds nothing: run
`swift build --build-tests` or `make build-tests` first), runs the Autobahn cases with `kosoku` (PyPI: the
Autobahn case files under Python 3) and compares every verdict with Tests/Conformance/expected.json:

- a case not listed there must be OK (behavior and close behavior);
- a listed case may be OK, or exactly what is listed (its verdicts and, if given, the close code the server sent).

    python3 Tests/Conformance/run_autobahn.py            # the fast subset `make test` runs (a few seconds)
    python3 Tests/Conformance/run_autobahn.py --full     # sections 1 to 10 (about 15 s)
    python3 Tests/Conformance/run_autobahn.py --full --report-dir reports/autobahn   # + Autobahn-format reports
    python3 Tests/Conformance/run_autobahn.py --case '6.*' --case 7.5.1

Exit status 0 when every verdict is as expected, 1 otherwise, 2 when the run itself could not be made.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).resolve().with_name("expected.json")

# Sections 1 to 10 (the suite has no section 8). 12 and 13 need permessage-deflate, which Hearth does not offer.
FULL = ["1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "9.*", "10.*"]
# Everything but the 9.* performance cases (plus the 9.* cases within the 64 KiB limit, and one of each kind over
# it) and 2.10/2.11 (3 s each waiting for pongs libwebsockets drops); a few seconds.
FAST = ["1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "9.1.1", "9.1.2", "9.2.1", "9.3.1", "9.7.1", "9.7.2",
        "10.*"]
FAST_EXCLUDE = ["2.10", "2.11"]

# hearthd settings hearth-echo copies; checked against `hearthd print-default-config` when hearthd is built.
SHARED_SETTINGS = [
    "allowed_origins", "max_frame_bytes", "send_queue_messages", "send_queue_bytes", "ping_seconds",
    "idle_hangup_seconds", "event_loop", "max_connections_per_address", "max_unauthenticated_per_address",
    "exempt_loopback",
]


def fail(message: str) -> NoReturn:
    print(f"run_autobahn: {message}", file=sys.stderr)
    raise SystemExit(2)


def check_settings(echo: Path, hearthd: Path) -> list[str]:
    """Differences between hearth-echo's transport settings and hearthd's defaults."""
    if not hearthd.exists():
        print(f"run_autobahn: {hearthd} not built; settings drift check skipped")
        return []
    mine = json.loads(subprocess.run([str(echo), "--print-config"], check=True, capture_output=True,
                                     text=True, timeout=30).stdout)
    theirs = json.loads(subprocess.run([str(hearthd), "print-default-config"], check=True, capture_output=True,
                                       text=True, timeout=30).stdout)
    return [f"{key}: hearth-echo {mine.get(key)!r}, hearthd {theirs.get(key)!r}"
            for key in SHARED_SETTINGS if mine.get(key) != theirs.get(key)]


class EchoServer:
    """hearth-echo on a free loopback port; its stderr goes to a file shown when something fails."""

    def __init__(self, binary: Path, event_loop: str | None) -> None:
        self.log = tempfile.NamedTemporaryFile(prefix="hearth-echo-", suffix=".log", delete=False)
        command = [str(binary), "--host", "127.0.0.1", "--port", "0"]
        if event_loop:
            command += ["--event-loop", event_loop]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.log, text=True)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: lines.put(self.process.stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=15)
        except queue.Empty:
            self.stop()
            fail("hearth-echo did not print its address within 15 s")
        if not line.startswith("hearth-echo listening on "):
            self.stop()
            fail(f"hearth-echo did not start: {line.strip()!r}; log: {self.log_text()}")
        self.url = line.split()[-1]

    def log_text(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


async def run_cases(url: str, include: list[str], exclude: list[str], concurrency: int, timeout: float):
    from kosoku import FailureError, run_fuzzingclient

    try:
        return await asyncio.wait_for(run_fuzzingclient(url, include, exclude or None, concurrency=concurrency),
                                      timeout)
    except FailureError as failure:
        return failure.results


def compare(results, expected: dict, timing_dependent: set[str]) -> tuple[list[str], list[str]]:
    """(unexpected verdicts, listed cases that now pass though their reason is not a matter of timing)."""
    problems, improved = [], []
    for result in results:
        behavior, close, code = result.behavior.value, result.behavior_close.value, result.remote_close_code
        listed = expected.get(result.case_id)
        if behavior == "OK" and close == "OK":
            if listed and listed["reason"] not in timing_dependent:
                improved.append(result.case_id)
            continue
        got = f"{behavior}/{close}, server close code {code}"
        if not listed:
            problems.append(f"{result.case_id}: {got} (expected OK/OK): {result.result} {result.result_close}")
            continue
        codes = listed.get("closeCode", code)
        ok = (behavior in ("OK", listed["behavior"]) and close in ("OK", listed["behaviorClose"])
              and code in (codes if isinstance(codes, list) else [codes]))
        if not ok:
            want = f"{listed['behavior']}/{listed['behaviorClose']}, close code {listed.get('closeCode', 'any')}"
            problems.append(f"{result.case_id}: {got} (listed: {want}): {result.result} {result.result_close}")
    return problems, improved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", type=Path, default=ROOT / ".build/debug/hearth-echo")
    parser.add_argument("--hearthd", type=Path, default=ROOT / ".build/debug/hearthd",
                        help="checked for the settings hearth-echo copies (skipped if not built)")
    parser.add_argument("--full", action="store_true", help="sections 1 to 10 instead of the fast subset")
    parser.add_argument("--case", action="append", help="case id or glob to run instead (repeatable)")
    parser.add_argument("--exclude", action="append", default=[], help="case id or glob to leave out")
    parser.add_argument("--parallel", type=int, default=None,
                        help="cases run at once (default 4 for the fast subset, where several cases wait a second "
                             "on purpose; 1 for --full)")
    parser.add_argument("--event-loop", help="hearth-echo's event loop (default: hearthd's, libev)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds for the whole run (default 60 for the fast subset, 600 for --full)")
    parser.add_argument("--report-dir", type=Path, help="write Autobahn-format reports (index.json, HTML) here")
    parser.add_argument("--summary", action="store_true", help="print every non-OK case and the totals")
    args = parser.parse_args()

    try:
        import kosoku  # noqa: F401
    except ImportError:
        fail("kosoku is not installed: python3 -m pip install kosoku (or make test-deps)")
    if not args.binary.exists():
        fail(f"{args.binary} is not built: run swift build --build-tests (make build-tests)")

    drift = check_settings(args.binary, args.hearthd)
    if drift:
        print("hearth-echo's transport settings differ from hearthd's defaults (update Sources/hearth-echo):")
        print("\n".join(f"  {line}" for line in drift))
        raise SystemExit(1)

    include = args.case or (FULL if args.full else FAST)
    exclude = args.exclude + ([] if args.case or args.full else FAST_EXCLUDE)
    timeout = args.timeout or (600 if args.full else 60)
    expectations = json.loads(EXPECTED.read_text())
    expected, timing_dependent = expectations["cases"], set(expectations["timing_dependent"])

    server = EchoServer(args.binary, args.event_loop)
    started = time.monotonic()

    def give_up() -> None:  # should the cancelled run not come back: never hang `make test`
        print(f"run_autobahn: no result {timeout + 30:.0f} s after the start; giving up", file=sys.stderr)
        server.stop()
        os._exit(2)

    watchdog = threading.Timer(timeout + 30, give_up)
    watchdog.daemon = True
    watchdog.start()
    try:
        parallel = args.parallel or (1 if args.full else 4)
        results = asyncio.run(run_cases(server.url, include, exclude, parallel, timeout))
    except asyncio.TimeoutError:
        server.stop()
        fail(f"the cases did not finish within {timeout:.0f} s; hearth-echo log: {server.log_text()}")
    finally:
        elapsed = time.monotonic() - started
        watchdog.cancel()
        server.stop()

    if args.report_dir:
        from kosoku._report import write_reports

        write_reports(results, str(args.report_dir))

    totals: dict[str, int] = {}
    for result in results:
        totals[result.behavior.value] = totals.get(result.behavior.value, 0) + 1
    if args.summary:
        for result in results:
            if result.behavior.value != "OK" or result.behavior_close.value != "OK":
                print(f"  {result.case_id}: {result.behavior.value}/{result.behavior_close.value} "
                      f"close {result.remote_close_code}")
    problems, improved = compare(results, expected, timing_dependent)
    summary = ", ".join(f"{count} {verdict}" for verdict, count in sorted(totals.items()))
    print(f"run_autobahn: {len(results)} cases in {elapsed:.1f} s against {server.url}: {summary}")
    if improved:
        print("run_autobahn: listed in expected.json but now OK (update it and docs/CONFORMANCE.md): "
              + ", ".join(improved))
    if problems:
        print("run_autobahn: unexpected verdicts:")
        print("\n".join(f"  {line}" for line in problems))
        print(f"hearth-echo log ({server.log.name}):\n{server.log_text()}")
        raise SystemExit(1)
    os.unlink(server.log.name)


if __name__ == "__main__":
    main()
