"""The server goes away and comes back: what the person sees, and that a message written meanwhile is sent
exactly once."""

from conftest import screenshot, wait_for
from hearth_ui import (OUTAGE_NOISE, PEER_ROOM, Checks, assert_no_console_errors, banner_kinds, connection_text,
                       enter_room, messages, rows_with_body, saved_state, text_of, type_and_enter,
                       visible_screens, wait_message, wait_screen)

OFFLINE_STATE = "Sending when you are back online…"
# The reconnect backs off (0.25 s doubling to 30 s); an outage of a few seconds needs well under this.
RECONNECT_TIMEOUT = 45


def _wait_offline(driver):
    wait_for(driver, lambda d: "offline" in banner_kinds(d), message="the offline banner")
    wait_for(driver, lambda d: "reconnect" in connection_text(d).lower(),
             message=f"the connection status to say it is reconnecting (it says {connection_text(driver)!r})")


def _count_in_room(clinic, room_id, body):
    reader = clinic.connect("Jamie L.")
    joined = reader.join(room_id, after_seq=0)
    bodies = [m["body"] for m in joined["messages"]]
    assert not joined["more"], "expected one page"
    reader.close()
    return bodies.count(body), bodies


def test_message_written_during_outage_is_sent_once_when_back(clinic, browser):
    alex = clinic.participant("Alex R.")
    room = clinic.room(PEER_ROOM)
    driver = browser(1280, 800)
    enter_room(driver, alex["link"], PEER_ROOM)
    type_and_enter(driver, "Before the outage")
    wait_message(driver, "Before the outage", state="· Sent", delivered=True)

    clinic.stop()
    _wait_offline(driver)
    screenshot(driver, "outage-offline-1280x800")

    body = "Written while the server was down"
    type_and_enter(driver, body)
    row = wait_message(driver, body, delivered=False)
    assert row["state"] == OFFLINE_STATE, f"an unsent message should say {OFFLINE_STATE!r}: {row}"
    assert row["clientId"], row
    saved = saved_state(driver)
    assert saved and [item["body"] for item in saved.get("outbox", [])] == [body], saved
    screenshot(driver, "outage-unsent-1280x800")

    clinic.start_again()
    wait_message(driver, body, state="· Sent", delivered=True, timeout=RECONNECT_TIMEOUT)
    wait_for(driver, lambda d: "offline" not in banner_kinds(d), message="the offline banner to go")
    assert connection_text(driver) == "Connected", connection_text(driver)
    assert len(rows_with_body(driver, body)) == 1, messages(driver)
    assert not any(row["clientId"] for row in messages(driver)), f"something is still unsent: {messages(driver)}"
    assert saved_state(driver).get("outbox") == [], saved_state(driver)

    count, bodies = _count_in_room(clinic, room["id"], body)
    assert count == 1, f"the room holds {count} copies: {bodies}"
    assert bodies == ["Before the outage", body], bodies
    assert_no_console_errors(driver, allowed=OUTAGE_NOISE)


def test_unsent_message_survives_a_reload_during_outage(clinic, browser):
    """The tab is reloaded while the server is down (the browser shows its error page). Then the server serves
    pages again but still refuses the chat connection (an origin it does not allow: 403 on the WebSocket), and
    the person reloads: the message they wrote is still there, kept in sessionStorage. When the chat connection
    is accepted again it is sent, exactly once."""
    alex = clinic.participant("Alex R.")
    room = clinic.room(PEER_ROOM)
    check = Checks("test_unsent_message_survives_a_reload_during_outage")
    driver = browser(390, 844)
    enter_room(driver, alex["link"], PEER_ROOM)

    clinic.stop()
    _wait_offline(driver)
    body = "Kept across a reload"
    type_and_enter(driver, body)
    wait_message(driver, body, state=OFFLINE_STATE, delivered=False)
    saved = saved_state(driver)
    assert saved and [item["body"] for item in saved.get("outbox", [])] == [body], saved

    driver.refresh()  # the server is down: the browser's own error page
    wait_for(driver, lambda d: d.execute_script("return !document.getElementById('screen-room')"),
             message="the browser's error page while the server is down")

    clinic.start_again(env={"HEARTH_ALLOWED_ORIGINS": "http://chat-refused.invalid"})
    driver.refresh()
    wait_for(driver, lambda d: d.execute_script("return !!document.getElementById('screen-room')"),
             message="the page to load again")
    wait_for(driver, lambda d: "reconnect" in connection_text(d).lower(),
             message="the connection status to say it is reconnecting")
    saved = saved_state(driver)
    assert saved and [item["body"] for item in saved.get("outbox", [])] == [body], \
        f"the unsent message should still be kept in sessionStorage after the reload: {saved}"
    # What the person sees: the room they were in, with their unsent message, not a bare "Signing you in…".
    wait_for(driver, lambda d: rows_with_body(d, body) or visible_screens(d) == ["loading"],
             message="the reloaded page to show the room or the loading screen")
    check(visible_screens(driver) == ["room"] and rows_with_body(driver, body)
          and rows_with_body(driver, body)[0]["state"] == OFFLINE_STATE and rows_with_body(driver, body)[0]["visible"],
          f"after a reload while the chat cannot connect, the unsent message should be shown as "
          f"{OFFLINE_STATE!r}; the page shows screens {visible_screens(driver)} "
          f"({text_of(driver, '#screen-loading h1')!r}), messages {messages(driver)}", driver)
    screenshot(driver, "outage-reloaded-390x844")

    clinic.stop()
    clinic.start_again()
    wait_screen(driver, "room", timeout=RECONNECT_TIMEOUT)
    wait_message(driver, body, state="· Sent", delivered=True, timeout=RECONNECT_TIMEOUT)
    assert len(rows_with_body(driver, body)) == 1, messages(driver)
    assert saved_state(driver).get("outbox") == [], saved_state(driver)

    count, bodies = _count_in_room(clinic, room["id"], body)
    assert count == 1, f"the room holds {count} copies: {bodies}"
    check.no_console_errors(driver, allowed=OUTAGE_NOISE)
    check.done()
