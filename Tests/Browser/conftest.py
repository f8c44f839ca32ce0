"""Fixtures and helpers for Hearth's browser tests (see README.md in this folder).

Fixtures:  hearthd_path, clinic, browser (alias make_browser).
Helpers (import them: `from conftest import wait_for, console_errors, ...`):
    wait_for, console_errors, browser_log, screenshot, axe_violations, format_violations.

Rule: wait on a condition (wait_for, HearthPeer.wait_frame, Clinic.wait_healthy), never sleep for a fixed time.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable, Optional, Union

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from peer import HearthPeer

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
# The web client served at /; HEARTH_TEST_WEB points the tests at another copy (e.g. a git export).
WEB_ROOT = Path(os.environ.get("HEARTH_TEST_WEB") or REPO_ROOT / "Web")
SCREENSHOT_DIR = REPO_ROOT / ".screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

START_TIMEOUT = 60.0      # first start: seeding the demo clinic on a debug build takes a few seconds
RESTART_TIMEOUT = 15.0    # start_again: includes retries while the old socket is in TIME_WAIT
STOP_TIMEOUT = 15.0
LOG_TAIL_LINES = 40


# ---------------------------------------------------------------------------------------------- pytest plumbing

def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("hearth_test_timeout", "Seconds a test (setup + call) may run before it is failed; 0 = no limit.",
                  default="180")


class HarnessTimeout(Exception):
    pass


def _watchdog_limit(item: pytest.Item) -> float:
    marker = item.get_closest_marker("timeout_seconds")
    if marker:
        return float(marker.args[0])
    return float(os.environ.get("HEARTH_TEST_TIMEOUT") or item.config.getini("hearth_test_timeout") or 0)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item):
    """A per-test time limit over setup + call (pytest-timeout is not installed): SIGALRM raises in the main
    thread. Teardown is not limited, so a server is always stopped. Per test: @pytest.mark.timeout_seconds(N);
    globally: HEARTH_TEST_TIMEOUT or hearth_test_timeout in pytest.ini; 0 turns it off."""
    limit = _watchdog_limit(item)
    if limit > 0 and hasattr(signal, "SIGALRM"):
        def expired(signum, frame):
            raise HarnessTimeout(f"test exceeded its {limit:g} s limit (hearth_test_timeout)")
        signal.signal(signal.SIGALRM, expired)
        signal.setitimer(signal.ITIMER_REAL, limit)
    yield


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem):
    if hasattr(signal, "SIGALRM"):
        signal.setitimer(signal.ITIMER_REAL, 0)
    yield


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "timeout_seconds(n): this test's time limit instead of hearth_test_timeout")
    config.addinivalue_line("markers", "hearth_tls: the clinic serves https:// and wss:// with a certificate made "
                                       "for the test (Clinic.tls.ca is its CA)")
    config.addinivalue_line("markers", "hearth_env(**vars): extra environment for the clinic's hearthd, "
                                       "e.g. hearth_env(HEARTH_SEND_RATE_PER_SECOND='0')")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    """On failure: a screenshot of every open browser, its console, and the tail of hearthd's logs."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed:
        return
    for index, driver in enumerate(getattr(item, "_hearth_browsers", [])):
        label = f"browser {index + 1}"
        try:
            path = screenshot(driver, f"FAILED-{item.name}-{report.when}-{index + 1}")
            report.sections.append((f"{label}: screenshot", str(path)))
        except Exception as exc:  # the browser may be the thing that broke
            report.sections.append((f"{label}: screenshot", f"could not take one: {exc}"))
        try:
            report.sections.append((f"{label}: url", driver.current_url))
            entries = browser_log(driver)
            report.sections.append((f"{label}: console", "\n".join(_format_log(e) for e in entries) or "(empty)"))
        except Exception as exc:
            report.sections.append((f"{label}: console", f"could not read it: {exc}"))
    for clinic in getattr(item, "_hearth_clinics", []):
        report.sections.append(("hearthd", clinic.describe()))
        report.sections.append(("hearthd logs (tail)", clinic.log_tail()))


# ---------------------------------------------------------------------------------------------- hearthd

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no file)"
    rows = text.splitlines()
    return "\n".join(rows[-lines:]) if rows else "(empty)"


class TestCertificates:
    """A test CA and a server certificate it signs for 127.0.0.1 and localhost, made with Debian's openssl."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.ca = folder / "ca.pem"
        self.certificate = folder / "server.pem"
        self.key = folder / "server.key"

    @classmethod
    def make(cls, folder: Path) -> "TestCertificates":
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        for args in (
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=Hearth browser test CA"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "ext"],
        ):
            subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True, timeout=60)
        return cls(folder)

    def spki_hash(self) -> str:
        """base64(SHA-256(the server key's SubjectPublicKeyInfo)), as Chromium's SPKI allow-list takes it."""
        public = subprocess.run(["openssl", "x509", "-in", str(self.certificate), "-noout", "-pubkey"],
                                check=True, capture_output=True, timeout=30).stdout
        der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=public,
                             check=True, capture_output=True, timeout=30).stdout
        return base64.b64encode(hashlib.sha256(der).digest()).decode()


class ClinicError(RuntimeError):
    pass


_PORT_TAKEN = re.compile(r"address already in use|could not bind|cannot bind|bind failed|EADDRINUSE|listen",
                         re.IGNORECASE)


class Clinic:
    """A hearthd serving the demo clinic on a fresh database and a free port, with its logs in `workdir`.

    `.url`, `.ws_url`, `.manifest` (the --demo-manifest JSON), `.port`, `.db`, `.workdir`, `.proc`;
    lookups `participant(name)`, `family(name)`, `counselor(name)`, `room(title)`, `token(name)`;
    `connect(name)` a signed-in HearthPeer; `stop()`, `start_again()`, `healthz()`, `wait_healthy()`.
    """

    def __init__(self, binary: Path, workdir: Path, env: Optional[dict] = None, tls: Optional["TestCertificates"] = None):
        self.tls = tls
        self.binary = Path(binary)
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.db = self.workdir / "hearth.db"
        self.manifest_path = self.workdir / "manifest.json"
        self.extra_env = dict(env or {})
        self.port: Optional[int] = None
        self.proc: Optional[subprocess.Popen] = None
        self.manifest: dict = {}
        self.runs = 0
        self._logs: list[Path] = []
        self._peers: list[HearthPeer] = []

    # -- addresses
    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"{'wss' if self.tls else 'ws'}://127.0.0.1:{self.port}/ws"

    # -- process
    def _environment(self, extra: Optional[dict]) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HEARTH_")}
        env.update(self.extra_env)
        env.update(extra or {})
        return env

    def _launch(self, demo: bool, extra_env: Optional[dict] = None) -> subprocess.Popen:
        self.runs += 1
        args = [str(self.binary), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                "--db", str(self.db), "--web", str(WEB_ROOT)]
        if self.tls:
            args += ["--tls-cert", str(self.tls.certificate), "--tls-key", str(self.tls.key)]
        if demo:
            args += ["--demo", "--demo-manifest", str(self.manifest_path)]
        out_path = self.workdir / f"hearthd-{self.runs}.stdout.log"
        err_path = self.workdir / f"hearthd-{self.runs}.stderr.log"
        self._logs += [out_path, err_path]
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            (self.workdir / f"hearthd-{self.runs}.args").write_text(" ".join(args) + "\n")
            self.proc = subprocess.Popen(args, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                         cwd=self.workdir, env=self._environment(extra_env))
        return self.proc

    def start(self) -> "Clinic":
        """First start, with --demo, on a free port (a new port is tried if another process took it meanwhile)."""
        last_error: Optional[Exception] = None
        for _attempt in range(3):
            self.port = free_port()
            self.manifest_path.unlink(missing_ok=True)
            proc = self._launch(demo=True)
            deadline = time.monotonic() + START_TIMEOUT
            try:
                self._wait(lambda: self.manifest_path.exists() and self._healthy(), deadline, proc)
                self.manifest = json.loads(self.manifest_path.read_text())
                return self
            except ClinicError as exc:
                last_error = exc
                exited_by_itself = proc.poll() is not None
                self._kill()
                if not (exited_by_itself and _PORT_TAKEN.search(self.log_tail())):
                    break  # not a port clash: retrying on another port will not help
        raise ClinicError(f"hearthd did not start: {last_error}\n{self.log_tail()}")

    def start_again(self, timeout: float = RESTART_TIMEOUT, env: Optional[dict] = None) -> "Clinic":
        """Restarts on the same database and port WITHOUT --demo, so every token and room stays valid.
        Retries while the port cannot be bound yet; waits for /healthz; bounded by `timeout`."""
        if self.running:
            raise ClinicError("start_again() while hearthd is still running: stop() it first")
        deadline = time.monotonic() + timeout
        while True:
            proc = self._launch(demo=False, extra_env=env)
            while proc.poll() is None and time.monotonic() < deadline:
                if self._healthy():
                    return self
                time.sleep(0.05)  # polling interval, not a wait for an event
            if proc.poll() is None:
                self._kill()
                raise ClinicError(f"hearthd did not answer /healthz within {timeout:g} s after a restart\n"
                                  + self.log_tail())
            if time.monotonic() >= deadline:
                raise ClinicError(f"hearthd could not start again within {timeout:g} s "
                                  f"(last exit {proc.returncode})\n" + self.log_tail())
            time.sleep(0.2)  # the port may still be held: try binding again shortly

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """SIGTERM (hearthd closes its clients with 1001) and wait for the exit; returns the exit status."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._kill()
            raise ClinicError(f"hearthd did not exit within {timeout:g} s of SIGTERM (killed)\n" + self.log_tail())

    def _kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def teardown(self) -> None:
        for peer in self._peers:
            try:
                peer.drop()
            except Exception:
                pass
        self._kill()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _wait(self, ready: Callable[[], bool], deadline: float, proc: subprocess.Popen) -> None:
        while True:
            if proc.poll() is not None:
                raise ClinicError(f"hearthd exited with status {proc.returncode}")
            if ready():
                return
            if time.monotonic() >= deadline:
                raise ClinicError("hearthd was not ready in time")
            time.sleep(0.05)  # polling interval

    # -- health
    def healthz(self, timeout: float = 2.0) -> tuple[int, Any]:
        """(HTTP status, parsed body) of GET /healthz; (0, error text) when nothing answers."""
        try:
            context = ssl.create_default_context(cafile=str(self.tls.ca)) if self.tls else None
            with urllib.request.urlopen(self.url + "/healthz", timeout=timeout, context=context) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            body = exc.read()
            try:
                return exc.code, json.loads(body)
            except ValueError:
                return exc.code, body.decode(errors="replace")
        except (OSError, ValueError) as exc:
            return 0, str(exc)

    def _healthy(self) -> bool:
        return self.running and self.healthz(timeout=1.0)[0] == 200

    def wait_healthy(self, timeout: float = RESTART_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        self._wait(self._healthy, deadline, self.proc)

    # -- manifest lookups
    @staticmethod
    def _by_name(rows: list[dict], name: str, what: str) -> dict:
        for row in rows:
            if row.get("name") == name:
                return row
        raise KeyError(f"no {what} named {name!r}; there are: {[r.get('name') for r in rows]}")

    def participant(self, name: str) -> dict:
        return self._by_name(self.manifest.get("participants", []), name, "participant")

    def family(self, name: str) -> dict:
        return self._by_name(self.manifest.get("families", []), name, "family member")

    def counselor(self, name: str) -> dict:
        return self._by_name(self.manifest.get("counselors", []), name, "counselor")

    def person(self, name: str) -> dict:
        for group in ("counselors", "participants", "families"):
            for row in self.manifest.get(group, []):
                if row.get("name") == name:
                    return row
        raise KeyError(f"nobody named {name!r} in the demo manifest")

    def token(self, name: str) -> str:
        return self.person(name)["token"]

    def room(self, title: str, open: Optional[bool] = None) -> dict:
        """The room with this exact title. Titles can repeat (today's open room and the series' next
        meeting): by default an open one is preferred; `open=True/False` requires it."""
        rows = [r for r in self.manifest.get("rooms", []) if r.get("title") == title]
        if open is not None:
            rows = [r for r in rows if bool(r.get("open")) == open]
        if not rows:
            raise KeyError(f"no room titled {title!r} (open={open}); there are: "
                           f"{[(r.get('title'), r.get('open')) for r in self.manifest.get('rooms', [])]}")
        opened = [r for r in rows if r.get("open")]
        return (opened or rows)[0]

    # -- peers
    def connect(self, name: str, timeout: float = 10.0) -> HearthPeer:
        """A HearthPeer signed in (hello) as this demo person; dropped at teardown if still open."""
        peer = HearthPeer(self.ws_url, name=name, connect_timeout=timeout, timeout=timeout,
                          ca_file=str(self.tls.ca) if self.tls else None)
        self._peers.append(peer)
        peer.hello(self.token(name))
        return peer

    # -- diagnostics
    def describe(self) -> str:
        state = "running" if self.running else f"exited ({self.proc.returncode if self.proc else 'never started'})"
        return f"{self.url} db={self.db} runs={self.runs} {state}; logs in {self.workdir}"

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines of every run's stdout and stderr (stdout of a --demo run lists the demo tokens)."""
        return "\n".join(f"--- {path.name}\n{_tail(path, lines)}" for path in self._logs) or "(no logs)"


@pytest.fixture(scope="session")
def hearthd_path() -> Path:
    """The hearthd binary: $HEARTHD, or .build/debug/hearthd in the repository."""
    path = Path(os.environ.get("HEARTHD") or REPO_ROOT / ".build" / "debug" / "hearthd")
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"hearthd not found at {path} (build it, or set HEARTHD=/path/to/hearthd)", pytrace=False)
    return path


@pytest.fixture
def clinic(request: pytest.FixtureRequest, hearthd_path: Path, tmp_path: Path):
    """A running demo clinic on a fresh database and a free port. Extra server settings:
    @pytest.mark.hearth_env(HEARTH_SEND_RATE_PER_SECOND="0")."""
    env: dict = {}
    for marker in reversed(list(request.node.iter_markers("hearth_env"))):
        env.update({k: str(v) for k, v in marker.kwargs.items()})
    tls = TestCertificates.make(tmp_path / "tls") if request.node.get_closest_marker("hearth_tls") else None
    server = Clinic(hearthd_path, tmp_path / "hearthd", env=env, tls=tls)
    request.node._hearth_clinics = getattr(request.node, "_hearth_clinics", []) + [server]
    try:
        server.start()
        yield server
    finally:
        server.teardown()


# ---------------------------------------------------------------------------------------------- browsers

@pytest.fixture
def browser(request: pytest.FixtureRequest):
    """A factory: `driver = browser(1280, 800)` (also `make_browser`). Every browser is quit at teardown."""
    drivers: list[webdriver.Chrome] = []
    request.node._hearth_browsers = drivers

    def make_browser(width: int = 1280, height: int = 800, trust: Optional[TestCertificates] = None) -> webdriver.Chrome:
        """`trust`: accept that test certificate's key (and no other) for https:// and wss://."""
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        if trust is not None:
            options.add_argument(f"--ignore-certificate-errors-spki-list={trust.spki_hash()}")
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                    "--force-device-scale-factor=1", "--lang=en-US", "--no-first-run", "--disable-extensions",
                    "--disable-background-networking", "--disable-component-update"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        drivers.append(driver)
        driver._hearth_log = []
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(30)
        _fit_viewport(driver, width, height)
        return driver

    try:
        yield make_browser
    finally:
        for driver in drivers:
            try:
                driver.quit()
            except Exception:
                pass


@pytest.fixture
def make_browser(browser):
    """Alias of `browser`."""
    return browser


def _fit_viewport(driver: webdriver.Chrome, width: int, height: int) -> None:
    """Makes the page's viewport exactly width x height (headless windows can differ from --window-size)."""
    try:
        inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
        if inner != [width, height]:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    except WebDriverException:
        pass


# ---------------------------------------------------------------------------------------------- helpers

Condition = Union[str, Callable[[Any], Any]]


def wait_for(driver: webdriver.Chrome, condition: Condition, timeout: float = 15, message: str = "",
             poll: float = 0.1) -> Any:
    """Waits until `condition(driver)` is truthy and returns its value. `condition` may also be a JavaScript
    expression string, e.g. wait_for(d, "document.readyState === 'complete'"). Raises AssertionError on timeout."""
    if isinstance(condition, str):
        script = condition
        fn = lambda d: d.execute_script(f"return ({script});")  # noqa: E731
        message = message or f"JS condition: {script}"
    else:
        fn = condition
        message = message or getattr(condition, "__name__", repr(condition))
    try:
        return WebDriverWait(driver, timeout, poll_frequency=poll).until(fn, message)
    except TimeoutException as exc:
        try:
            where = f" (at {driver.current_url})"
        except Exception:
            where = ""
        raise AssertionError(f"timed out after {timeout:g} s waiting for: {message}{where}") from exc


def wait_for_condition(condition: Callable[[], Any], timeout: float = 15, message: str = "",
                       poll: float = 0.1) -> Any:
    """Waits until `condition()` is truthy (something outside a browser: a terminal screen, a process) and returns
    its value; raises AssertionError on timeout. Polls the condition: it waits on an event, not for a time."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for: {message}")
        time.sleep(poll)


def browser_log(driver: webdriver.Chrome) -> list[dict]:
    """Every browser console entry since the driver started (Selenium's get_log drains; this accumulates)."""
    entries = driver.get_log("browser")
    log = getattr(driver, "_hearth_log", None)
    if log is None:
        log = driver._hearth_log = []
    log.extend(entries)
    return list(log)


_FAVICON_404 = re.compile(r"favicon\.ico.*\b404\b", re.IGNORECASE | re.DOTALL)


def console_errors(driver: webdriver.Chrome) -> list[dict]:
    """SEVERE console entries so far (uncaught errors, failed loads, CSP violations), except a favicon 404."""
    return [e for e in browser_log(driver)
            if e.get("level") == "SEVERE" and not _FAVICON_404.search(e.get("message", ""))]


def _format_log(entry: dict) -> str:
    return f"[{entry.get('level')}] {entry.get('source', '')}: {entry.get('message', '')}"


def format_console(entries: list[dict]) -> str:
    return "\n".join(_format_log(e) for e in entries) or "(none)"


def screenshot(driver: webdriver.Chrome, name: str) -> Path:
    """Saves a PNG of the viewport as .screenshots/<name>.png at the repository root; returns its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "screenshot"
    path = SCREENSHOT_DIR / f"{safe}.png"
    if not driver.save_screenshot(str(path)):
        raise AssertionError(f"could not save screenshot {path}")
    return path


AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
_axe_source: Optional[str] = None


def _axe_script() -> str:
    global _axe_source
    if _axe_source is None:
        import axe_playwright_python
        path = Path(axe_playwright_python.__file__).parent / "axe.min.js"
        _axe_source = path.read_text(encoding="utf-8")
    return _axe_source


def axe_violations(driver: webdriver.Chrome, tags: tuple = AXE_TAGS, context: Any = None,
                   timeout: float = 30) -> list[dict]:
    """Runs axe-core on the current page (WCAG 2.0/2.1 A and AA rules) and returns its violations:
    [{id, impact, help, description, helpUrl, nodes: [{target, html, summary}]}]."""
    if not driver.execute_script("return typeof window.axe === 'object' && !!window.axe.run"):
        driver.execute_script(_axe_script())
    driver.set_script_timeout(timeout)
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const context = arguments[0] || document;
        axe.run(context, {runOnly: {type: "tag", values: arguments[1]}, resultTypes: ["violations"]})
          .then(r => done({violations: r.violations.map(v => ({
              id: v.id, impact: v.impact, help: v.help, description: v.description, helpUrl: v.helpUrl,
              nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary}))}))}))
          .catch(e => done({error: String(e && e.stack || e)}));
        """, context, list(tags))
    if result is None or "error" in result:
        raise AssertionError(f"axe.run failed: {result and result.get('error')}")
    return result["violations"]


def format_violations(violations: list[dict], max_nodes: int = 5) -> str:
    """A readable list for assertion messages."""
    if not violations:
        return "no accessibility violations"
    lines = [f"{len(violations)} accessibility violation(s):"]
    for v in violations:
        lines.append(f"- {v['id']} [{v.get('impact')}]: {v.get('help')} ({v.get('helpUrl', '')})")
        for node in v.get("nodes", [])[:max_nodes]:
            target = " ".join(map(str, node.get("target", [])))
            lines.append(f"    at {target}: {(node.get('html') or '')[:160]}")
            summary = (node.get("summary") or "").replace("\n", " | ")
            if summary:
                lines.append(f"      {summary[:300]}")
        extra = len(v.get("nodes", [])) - max_nodes
        if extra > 0:
            lines.append(f"    … and {extra} more")
    return "\n".join(lines)
