"""The counselors' terminal client `hearth`, driven in tmux as a counselor would type, against a real demo server:
the rooms bar, joining, a participant's message and crisis alert, /ack, writing, moderating, a resize, the server
going away and coming back without gaps or duplicates, and /quit giving the terminal back."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import REPO_ROOT, wait_for_condition

HEARTH = Path(os.environ.get("HEARTH_CLIENT") or REPO_ROOT / ".build" / "debug" / "hearth")
GROUP = "Group therapy: drop-in check-in"


class Pane:
    """One tmux session running one command; the screen is read with capture-pane, keys typed with send-keys."""

    def __init__(self, command: list[str], env: dict, width: int = 120, height: int = 30):
        self.name = f"hearth-{uuid.uuid4().hex[:8]}"
        environment = " ".join(f"{key}={value}" for key, value in env.items())
        # The pane stays after the client exits (remain-on-exit), so the test can read what it left on screen.
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                        f"env {environment} {' '.join(command)}"], check=True)
        subprocess.run(["tmux", "set-option", "-t", self.name, "remain-on-exit", "on"], check=True)
        # Count the terminal bells the client rings: tmux runs this hook on each.
        self.bells = Path(env.get("HOME", "/tmp")) / f"{self.name}.bells"
        for option, value in (("monitor-bell", "on"), ("bell-action", "any")):
            subprocess.run(["tmux", "set-option", "-t", self.name, option, value], check=True)
        subprocess.run(["tmux", "set-hook", "-t", self.name, "alert-bell",
                        f"run-shell 'echo bell >> {self.bells}'"], check=True)

    def screen(self) -> str:
        result = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True)
        return result.stdout

    def type(self, text: str, enter: bool = True) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", text], check=True)
        if enter:
            subprocess.run(["tmux", "send-keys", "-t", self.name, "Enter"], check=True)

    def keys(self, *names: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *names], check=True)

    def resize(self, width: int, height: int) -> None:
        subprocess.run(["tmux", "resize-window", "-t", self.name, "-x", str(width), "-y", str(height)], check=True)

    def bell_count(self) -> int:
        return len(self.bells.read_text().splitlines()) if self.bells.exists() else 0

    def alternate_screen(self) -> bool:
        result = subprocess.run(["tmux", "display-message", "-p", "-t", self.name, "#{alternate_on}"],
                                capture_output=True, text=True)
        return result.stdout.strip() == "1"

    def dead(self) -> bool:
        result = subprocess.run(["tmux", "display-message", "-p", "-t", self.name, "#{pane_dead}"],
                                capture_output=True, text=True)
        return result.stdout.strip() == "1"

    def until(self, condition, what: str, timeout: float = 20) -> str:
        """Waits until `condition(screen)` holds; returns that screen."""
        found = {}

        def check():
            screen = self.screen()
            if condition(screen):
                found["screen"] = screen
                return True
            return False
        wait_for_condition(check, timeout=timeout, message=f"{what}\n--- screen ---\n{self.screen()}")
        return found["screen"]

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def pane_factory(tmp_path):
    if not shutil.which("tmux"):
        pytest.fail("tmux is not installed (make test installs it)")
    if not HEARTH.exists():
        pytest.fail(f"{HEARTH} is missing: build it first (make test builds it)")
    panes = []

    def make(env: dict, width: int = 120, height: int = 30) -> Pane:
        env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"), "TERM": "xterm-256color", **env}
        pane = Pane([str(HEARTH)], env, width, height)
        panes.append(pane)
        return pane
    yield make
    for pane in panes:
        pane.close()


@pytest.mark.timeout_seconds(150)
def test_a_counselor_runs_a_group_from_the_terminal(clinic, pane_factory):
    dana = clinic.counselor("Dana M.")
    room = clinic.room(GROUP)
    pane = pane_factory({"HEARTH_URL": clinic.ws_url, "HEARTH_TOKEN": dana["token"]})

    # The rooms bar lists today's open sessions; the client joins nothing by itself.
    pane.until(lambda s: "Group therapy" in s.splitlines()[0] and "Peer support" in s, "the rooms bar")
    with clinic.connect("Alex R.") as probe:
        joined = probe.join(room["id"])
        assert not any(m["name"] == "Dana M." for m in joined["members"]), "the screen must not join by itself"
        probe.leave(room["id"])

    pane.type("/join Group therapy: drop")
    pane.until(lambda s: "Present 1" in s or "1 here" in s, "Dana in the room")

    with clinic.connect("Alex R.") as alex:
        alex.join(room["id"])
        alex.agree(room["id"])
        alex.send(room["id"], "Hi Dana, 日本語 and 👍🏽 work")
        screen = pane.until(lambda s: "Hi Dana, 日本語 and 👍🏽 work" in s, "Alex's message with wide characters")
        assert "Alex R. [participant]" in screen

        # A crisis message: a banner starting with ALERT, naming the member, category and severity, and the bell;
        # it stays until /ack.
        bells = pane.bell_count()
        alex.send(room["id"], "I can't do this anymore, I want to kill myself")
        screen = pane.until(lambda s: any(line.startswith("ALERT") for line in s.splitlines()), "the ALERT banner")
        banner = next(line for line in screen.splitlines() if line.startswith("ALERT"))
        assert "Alex R." in banner and "suicide" in banner and "high" in banner, banner
        wait_for_condition(lambda: pane.bell_count() > bells, timeout=10, message="the terminal bell")
        pane.type("/ack Called Alex after group; he is safe")
        pane.until(lambda s: not any(line.startswith("ALERT") for line in s.splitlines()), "the banner to go")
        with clinic.connect("Jordan K.") as jordan:
            assert jordan.request("alerts")["alerts"] == [], "the alert is acknowledged on the server"

        # Writing and moderating reach the participant.
        pane.type("Welcome everyone, we start in five minutes")
        alex.wait_frame(type="message", predicate=lambda f: f["body"] == "Welcome everyone, we start in five minutes")
        pane.type("/mute Alex R. 5")
        muted = alex.wait_frame(type="moderation", action="mute")
        assert muted["target"]["name"] == "Alex R."
        pane.until(lambda s: "Muted Alex R." in s, "the confirmation")
        refused = alex.request("send", room=room["id"], body="can I still talk?", client_id="after-mute",
                               expect_error=True)
        assert refused["code"] == "muted", refused
        pane.type("/mute Nobody Here 5")
        pane.until(lambda s: 'called "Nobody" is known' in s, "a clear refusal of an unknown name")
        # The refused line comes back to the input to be corrected; Ctrl-U clears it.
        pane.until(lambda s: s.rstrip().endswith("> /mute Nobody Here 5"), "the line back in the input")
        pane.keys("C-u")
        pane.until(lambda s: s.rstrip().endswith(">"), "an empty input line")

        # A smaller terminal redraws everything at its new size.
        pane.resize(70, 20)
        screen = pane.until(lambda s: len(s.splitlines()) <= 20 and "Hi Dana" in s, "a redraw at 70x20")
        assert all(len(line) <= 70 for line in screen.splitlines())

    # The server goes away and comes back: "reconnecting", then the room resumes without a gap or duplicate.
    clinic.stop()
    pane.until(lambda s: "reconnect" in s.lower() or "offline" in s.lower(), "the reconnecting state")
    clinic.start_again()
    with clinic.connect("Sam T.") as sam:
        # The screen rejoins the room by itself once it is back (the room needs a counselor to un-pause).
        if not any(member["name"] == "Dana M." for member in sam.join(room["id"])["members"]):
            sam.wait_frame(type="presence", state="joined", predicate=lambda f: f["member"]["name"] == "Dana M.",
                           timeout=30)
        pane.until(lambda s: "reconnect" not in s.lower(), "the reconnecting state to end")
        sam.agree(room["id"])
        sam.send(room["id"], "Sam here after the restart")
        screen = pane.until(lambda s: "Sam here after the restart" in s, "the message sent after the restart")
    for body in ("Hi Dana", "Welcome everyone", "Sam here after the restart"):
        assert screen.count(body) == 1, f"{body!r} once\n{screen}"

    # A family member waits; the counselor admits him by name from the screen.
    family = clinic.room("Family therapy: Sam T.")
    with clinic.connect("Tom T.") as tom:
        assert tom.join(family["id"])["type"] == "waiting"
        pane.type("/join Family therapy: Sam")
        pane.until(lambda s: "/admit Tom T." in s, "Tom in the waiting list with the command at hand")
        pane.type("/admit Tom T.")
        admitted = tom.wait_frame(type="joined", room=family["id"])
        assert any(member["name"] == "Dana M." for member in admitted["members"])

    # /quit gives the terminal back: the client exits and leaves the alternate screen.
    assert pane.alternate_screen()
    pane.type("/quit")
    wait_for_condition(pane.dead, timeout=10, message="the client to exit after /quit")
    assert not pane.alternate_screen(), "the terminal is back on its main screen"
