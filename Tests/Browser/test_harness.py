"""Smoke tests of the browser-test harness itself: the server fixture, a browser, axe, and the protocol peer.
These say nothing about the chat UI beyond "the page loads cleanly"."""

from conftest import (axe_violations, console_errors, format_console, format_violations, screenshot,
                      wait_for)
from peer import HearthPeer

PEER_ROOM = "Peer support: open chat"
GROUP_ROOM = "Group therapy: drop-in check-in"


def test_healthz(clinic):
    status, body = clinic.healthz()
    assert status == 200, body
    assert body.get("status") == "ok", body


def test_page_loads_without_console_errors(clinic, browser):
    driver = browser(1280, 800)
    assert driver.execute_script("return [window.innerWidth, window.innerHeight]") == [1280, 800]
    driver.get(clinic.url + "/")
    wait_for(driver, "document.readyState === 'complete'", message="the page to finish loading")
    errors = console_errors(driver)
    assert not errors, "console errors:\n" + format_console(errors)
    path = screenshot(driver, "harness-smoke")
    assert path.stat().st_size > 0
    # The axe helper runs (the page's accessibility is for the UI tests to judge, not this one).
    violations = axe_violations(driver)
    assert isinstance(violations, list), format_violations(violations)
    print(format_violations(violations))


def test_peer_counselor_receives_participants_message(clinic):
    room = clinic.room(PEER_ROOM)
    with HearthPeer(clinic.ws_url, name="dana") as dana, HearthPeer(clinic.ws_url, name="alex") as alex:
        assert dana.subprotocol == "hearth.v1"
        welcome = dana.hello(clinic.counselor("Dana M.")["token"])
        assert welcome["type"] == "welcome" and welcome["user"]["role"] == "counselor", welcome

        joined = dana.join(room["id"], allow_error=True)
        if joined["type"] == "error":  # counselors may enter every non-individual room; fall back if not
            room = clinic.room(GROUP_ROOM)
            joined = dana.join(room["id"])
        assert joined["type"] == "joined", joined

        alex.hello(clinic.participant("Alex R.")["token"])
        assert alex.join(room["id"])["type"] == "joined"
        dana.wait_frame(type="presence", room=room["id"], state="joined",
                        predicate=lambda f: f["member"]["name"] == "Alex R.")

        ack = alex.send(room["id"], "Hello from the harness", client_id="harness-1")
        assert ack["type"] == "ack" and ack["client_id"] == "harness-1", ack

        message = dana.wait_frame(type="message", room=room["id"], client_id="harness-1")
        assert message["body"] == "Hello from the harness"
        assert message["from"]["name"] == "Alex R."
        assert message["seq"] == ack["seq"]

        # The refusals come back as AssertionErrors carrying the frame, unless asked for.
        refused = alex.request("admit", room=room["id"], expect_error=True)
        assert refused["code"] == "forbidden", refused


def test_restart_without_demo_keeps_tokens_and_rooms(clinic):
    room = clinic.room(PEER_ROOM)
    alex = clinic.connect("Alex R.")
    alex.join(room["id"])
    first = alex.send(room["id"], "before the outage", client_id="outage-1")

    clinic.stop()
    code, _reason = alex.wait_closed()
    assert code == 1001, (code, alex.close_reason)
    assert clinic.healthz()[0] == 0

    clinic.start_again()
    assert clinic.healthz()[0] == 200
    again = clinic.connect("Alex R.")  # the same token still works
    joined = again.join(room["id"], after_seq=0)
    assert [m["client_id"] for m in joined["messages"]] == ["outage-1"], joined
    # An idempotent resend after the restart gets the original ack.
    assert again.send(room["id"], "before the outage", client_id="outage-1")["id"] == first["id"]
