"""What a person sees in the Hearth web client: small helpers for the UI tests (test_participant.py, …).

Everything here reads the page the way a person would (visible screens, accessible names, texts) and waits on
conditions, never on time. The harness itself (servers, browsers, wait_for, axe) is conftest.py.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Optional

from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import console_errors, format_console, wait_for

PEER_ROOM = "Peer support: open chat"
GROUP_ROOM = "Group therapy: drop-in check-in"
FAMILY_ROOM = "Family therapy: Sam T."
SIZES = ((390, 844), (1280, 800))

SCREENS = ("signin", "loading", "sessions", "waiting", "room")

# ------------------------------------------------------------------------------------------------ reading the page

_VISIBLE_SCREENS_JS = """
return %s.filter(name => {
  const node = document.getElementById('screen-' + name);
  return node && !node.hidden && node.checkVisibility();
});
""" % json.dumps(list(SCREENS))

# One row per entry of the message list, as the person sees it.
_MESSAGES_JS = """
return Array.from(document.querySelectorAll('#messages > li')).map(li => ({
  seq: li.dataset.seq === undefined ? null : Number(li.dataset.seq),
  clientId: li.dataset.clientId === undefined ? null : li.dataset.clientId,
  name: (li.querySelector('.msg-name') || {}).textContent || '',
  body: (li.querySelector('.msg-body') || {}).textContent || '',
  state: (li.querySelector('.msg-state') || {}).textContent || '',
  buttons: Array.from(li.querySelectorAll('button')).map(b => b.textContent.trim()),
  reportLabels: Array.from(li.querySelectorAll('button.report')).map(b => b.getAttribute('aria-label') || ''),
  visible: li.checkVisibility(),
}));
"""

_BANNERS_JS = """
return Array.from(document.querySelectorAll('#room-banners p.banner'))
  .filter(p => p.checkVisibility())
  .map(p => ({kinds: Array.from(p.classList).filter(c => c !== 'banner'), text: p.textContent}));
"""


def visible_screens(driver) -> list[str]:
    return driver.execute_script(_VISIBLE_SCREENS_JS)


def wait_screen(driver, name: str, timeout: float = 15) -> None:
    """Waits until `name` is the one screen shown (#screen-<name>)."""
    wait_for(driver, lambda d: visible_screens(d) == [name], timeout=timeout,
             message=f"the {name!r} screen to be the only one shown")


def is_shown(driver, css: str) -> bool:
    """Whether an element matching `css` exists and is rendered (not hidden, nor inside something hidden)."""
    return bool(driver.execute_script(
        "const n = document.querySelector(arguments[0]); return !!n && n.checkVisibility();", css))


def wait_shown(driver, css: str, shown: bool = True, timeout: float = 15, what: str = "") -> None:
    wait_for(driver, lambda d: is_shown(d, css) == shown, timeout=timeout,
             message=f"{what or css} to be {'shown' if shown else 'hidden'}")


def text_of(driver, css: str) -> str:
    return driver.execute_script(
        "const n = document.querySelector(arguments[0]); return n ? n.textContent.trim() : null;", css)


def saved_state(driver) -> Optional[dict]:
    """sessionStorage's "hearth" entry, parsed (None when absent)."""
    text = driver.execute_script("return window.sessionStorage.getItem('hearth');")
    return json.loads(text) if text else None


def session_storage_length(driver) -> int:
    return driver.execute_script("return window.sessionStorage.length;")


def messages(driver) -> list[dict]:
    return driver.execute_script(_MESSAGES_JS)


def banners(driver) -> list[dict]:
    return driver.execute_script(_BANNERS_JS)


def banner_kinds(driver) -> list[str]:
    return [kind for banner in banners(driver) for kind in banner["kinds"]]


def banner_text(driver, kind: str) -> Optional[str]:
    for banner in banners(driver):
        if kind in banner["kinds"]:
            return banner["text"]
    return None


def connection_text(driver) -> str:
    return text_of(driver, "#connection") or ""


def alert_open(driver) -> bool:
    """Whether a JavaScript alert/confirm/prompt is open."""
    try:
        driver.switch_to.alert
        return True
    except NoAlertPresentException:
        return False


def composer_state(driver) -> dict:
    return driver.execute_script("""
      const input = document.getElementById('composer-input');
      const send = document.getElementById('composer-send');
      return {shown: document.getElementById('composer').checkVisibility(),
              inputDisabled: input.disabled, sendDisabled: send.disabled,
              note: document.getElementById('composer-note').textContent.trim(),
              value: input.value};
    """)


def describe_room(driver) -> str:
    """A one-line summary for assertion messages."""
    try:
        return json.dumps({"screens": visible_screens(driver), "banners": banners(driver),
                           "composer": {k: v for k, v in composer_state(driver).items() if k != "value"},
                           "connection": connection_text(driver), "messages": messages(driver)[-6:]})[:3000]
    except Exception as exc:  # the page may be gone
        return f"(could not read the page: {exc})"


def assert_header(driver, signed_in: bool = True) -> None:
    """The header every screen has: Quick exit, Sign out (when signed in), the help lines with tel: links."""
    header = driver.execute_script("""
      const links = Array.from(document.querySelectorAll('#help-lines a[href^="tel:"]')).map(a => a.getAttribute('href'));
      const signOut = document.getElementById('sign-out');
      return {links, helpShown: document.getElementById('help-lines').checkVisibility(),
              signOut: !!signOut && signOut.checkVisibility()};
    """)
    find_by_name(driver, "button", "Quick exit")
    assert header["helpShown"] and "tel:988" in header["links"] and "tel:911" in header["links"], header
    assert header["signOut"] == signed_in, header
    if signed_in:
        find_by_name(driver, "button", "Sign out")


# ------------------------------------------------------------------------------------------------ doing things

def open_invite(driver, link: str, expect: str = "sessions") -> None:
    """Opens an invite link (http://…/#invite=TOKEN) and waits for the sessions screen."""
    driver.get(link)
    wait_screen(driver, expect, timeout=20)


def find_by_name(driver, css: str, name: str, timeout: float = 15):
    """The element matching `css` whose accessible name (as Chromium computes it) is exactly `name`."""
    def found(d):
        for element in d.find_elements(By.CSS_SELECTOR, css):
            if element.accessible_name == name:
                return element
        return False
    return wait_for(driver, found, timeout=timeout, message=f"a {css} named {name!r}")


def join_session(driver, title: str) -> None:
    """Presses the session's button named "Join <title>" on the sessions screen."""
    find_by_name(driver, "button.join", f"Join {title}").click()


def enter_room(driver, link: str, title: str, skip_checkin: bool = True) -> None:
    """Opens the link, joins `title` (an auto-admission room without agreement), and skips the check-in."""
    open_invite(driver, link)
    join_session(driver, title)
    wait_screen(driver, "room")
    wait_for(driver, lambda d: text_of(d, "#room-title") == title, message=f"the room title {title!r}")
    if skip_checkin:
        wait_shown(driver, "#checkin-skip", what="the check-in's Skip button")
        driver.find_element(By.ID, "checkin-skip").click()
        wait_composer_ready(driver)


def wait_composer_ready(driver, timeout: float = 15) -> None:
    wait_for(driver, lambda d: (lambda s: s["shown"] and not s["inputDisabled"] and not s["sendDisabled"])(
        composer_state(d)), timeout=timeout, message="the composer to be shown and enabled")


def type_and_enter(driver, text: str) -> None:
    box = driver.find_element(By.ID, "composer-input")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def wait_message(driver, body: str, state: Optional[str] = None, delivered: Optional[bool] = None,
                 timeout: float = 15) -> dict:
    """Waits for a message row with this body (and, if given, this .msg-state text / delivered-ness)."""
    def found(d):
        for row in messages(d):
            if row["body"] != body:
                continue
            if state is not None and row["state"] != state:
                continue
            if delivered is not None and (row["seq"] is not None) != delivered:
                continue
            return row
        return False
    what = f"a message {body[:60]!r}" + (f" showing {state!r}" if state else "") + \
        ("" if delivered is None else (" delivered" if delivered else " not yet delivered"))
    return wait_for(driver, found, timeout=timeout, message=what)


def rows_with_body(driver, body: str) -> list[dict]:
    return [row for row in messages(driver) if row["body"] == body]


# ------------------------------------------------------------------------------------------------ console

def assert_no_console_errors(driver, allowed: Iterable[str] = ()) -> None:
    """No SEVERE console entries (CSP violations, uncaught errors, failed loads), except those matching one of
    the `allowed` regular expressions (e.g. the browser's own WebSocket failures while the server is down)."""
    patterns = [re.compile(p, re.IGNORECASE) for p in allowed]
    errors = [e for e in console_errors(driver)
              if not any(p.search(e.get("message", "")) for p in patterns)]
    assert not errors, "console errors:\n" + format_console(errors)


# While hearthd is down the browser itself logs each failed WebSocket attempt and failed page load.
OUTAGE_NOISE = (r"WebSocket connection to 'ws://127\.0\.0\.1:\d+/ws' failed",
                r"net::ERR_CONNECTION_REFUSED")


def frames_text(frames: list[dict[str, Any]]) -> str:
    return json.dumps(frames)[:2000]


class Checks:
    """Soft checks: a failed one is recorded (with a screenshot) and the flow goes on, so one bug does not hide
    the rest of the flow; `done()` fails the test with every recorded failure. Use it only where going on is
    meaningful; a step the rest depends on stays a plain `assert`."""

    def __init__(self, name: str):
        self.name = name
        self.failures: list[str] = []

    def __call__(self, condition: Any, message: str, driver=None) -> bool:
        if condition:
            return True
        note = message
        if driver is not None:
            from conftest import screenshot
            try:
                path = screenshot(driver, f"FAILED-{self.name}-check-{len(self.failures) + 1}")
                note += f"\n    screenshot: {path}"
            except Exception as exc:
                note += f"\n    (no screenshot: {exc})"
        self.failures.append(note)
        return False

    def no_console_errors(self, driver, allowed: Iterable[str] = ()) -> bool:
        try:
            assert_no_console_errors(driver, allowed)
            return True
        except AssertionError as exc:
            return self(False, str(exc))

    def done(self) -> None:
        assert not self.failures, f"{len(self.failures)} check(s) failed:\n- " + "\n- ".join(self.failures)
