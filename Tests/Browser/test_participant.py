"""A participant in the browser: signing in with an invite link, joining, writing, the group agreement and the
check-in, a paused room, and what the page refuses or shows safely (HTML in messages, too long, muted)."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import screenshot, wait_for
from hearth_ui import (GROUP_ROOM, PEER_ROOM, Checks, alert_open, assert_header, assert_no_console_errors, banner_kinds, banner_text,
                       composer_state, describe_room, enter_room, find_by_name, frames_text, is_shown, join_session,
                       messages, open_invite, rows_with_body, saved_state, text_of, type_and_enter, visible_screens, wait_composer_ready,
                       wait_message, wait_screen, wait_shown)


def test_invite_link_join_peer_room_and_chat(clinic, browser):
    alex = clinic.participant("Alex R.")
    room = clinic.room(PEER_ROOM)
    sam = clinic.connect("Sam T.")
    sam.join(room["id"])

    check = Checks("test_invite_link_join_peer_room_and_chat")
    driver = browser(1280, 800)
    open_invite(driver, alex["link"])

    # The token leaves the address bar at once, and lives only in this tab's sessionStorage.
    assert alex["token"] not in driver.current_url, driver.current_url
    assert "invite" not in driver.current_url, driver.current_url
    saved = saved_state(driver)
    check(saved is not None and saved.get("token") == alex["token"],
          f"on the sessions screen, sessionStorage 'hearth' should hold the invite token; it holds {saved!r}", driver)
    assert driver.execute_script("return window.localStorage.length") == 0
    assert "Alex R." in text_of(driver, "#greeting")
    assert_header(driver)

    # The session card says it is open, and its button is named after it.
    card_state = driver.execute_script(
        "return document.querySelector(`li.session-card[data-room='${arguments[0]}'] .session-state`).textContent",
        room["id"])
    assert card_state == "Open now", card_state
    join_session(driver, PEER_ROOM)
    wait_screen(driver, "room")
    assert text_of(driver, "#room-title") == PEER_ROOM

    # The private check-in is offered on entering, before the composer.
    wait_shown(driver, "#checkin-skip", what="the check-in")
    assert not is_shown(driver, "#composer"), describe_room(driver)
    driver.find_element(By.ID, "checkin-skip").click()
    wait_composer_ready(driver)
    assert_header(driver)
    assert not is_shown(driver, "#checkin-send")
    assert find_by_name(driver, "textarea", "Message").get_attribute("id") == "composer-input"

    type_and_enter(driver, "Hello from Alex in the browser")
    mine = wait_message(driver, "Hello from Alex in the browser", state="· Sent", delivered=True)
    assert "Alex R." in mine["name"], mine
    assert composer_state(driver)["value"] == "", "the composer is cleared after sending"

    got = sam.wait_frame(type="message", room=room["id"], predicate=lambda f: f["body"] == "Hello from Alex in the browser")
    assert got["from"]["name"] == "Alex R.", got

    sam.send(room["id"], "Welcome, Alex. Glad you are here.")
    theirs = wait_message(driver, "Welcome, Alex. Glad you are here.", delivered=True)
    assert theirs["name"] == "Sam T.", theirs
    assert theirs["reportLabels"] and theirs["reportLabels"][0].startswith("Report message from Sam T."), theirs

    # Exactly once: a second message is a barrier (seq order), then a fresh reader counts the room.
    type_and_enter(driver, "And a second one")
    wait_message(driver, "And a second one", state="· Sent", delivered=True)
    sam.wait_frame(type="message", room=room["id"], predicate=lambda f: f["body"] == "And a second one")
    alex_frames = [f["body"] for f in sam.frames("message", room=room["id"]) if f["from"]["name"] == "Alex R."]
    assert alex_frames == ["Hello from Alex in the browser", "And a second one"], alex_frames
    jamie = clinic.connect("Jamie L.")
    bodies = [m["body"] for m in jamie.join(room["id"])["messages"]]
    assert bodies.count("Hello from Alex in the browser") == 1, bodies
    assert len(rows_with_body(driver, "Hello from Alex in the browser")) == 1, messages(driver)
    saved = saved_state(driver)
    check(saved is not None and saved.get("token") == alex["token"] and saved.get("roomId") == room["id"],
          f"in the room, sessionStorage 'hearth' should hold the token and the room; it holds {saved!r}", driver)

    check.no_console_errors(driver)
    check.done()


def test_reload_on_sessions_screen_keeps_sign_in(clinic, browser):
    """The token is kept in the tab (sessionStorage), so a reload of the sessions list does not sign out."""
    alex = clinic.participant("Alex R.")
    driver = browser(1280, 800)
    open_invite(driver, alex["link"])
    assert "invite" not in driver.current_url
    driver.refresh()
    wait_for(driver, lambda d: visible_screens(d) in (["sessions"], ["signin"]), timeout=20,
             message="the page to settle after the reload")
    assert visible_screens(driver) == ["sessions"], (
        f"after a reload of the sessions screen the person is signed out: screen {visible_screens(driver)}, "
        f"message {text_of(driver, '#signin-message')!r}, sessionStorage {saved_state(driver)!r}")
    assert "Alex R." in text_of(driver, "#greeting")
    find_by_name(driver, "button.join", f"Join {PEER_ROOM}")
    assert_no_console_errors(driver)


def test_group_agreement_checkin_and_paused_room(clinic, browser):
    alex = clinic.participant("Alex R.")
    room = clinic.room(GROUP_ROOM)
    dana = clinic.connect("Dana M.")
    sam = clinic.connect("Sam T.")
    agreement_text = sam.join(room["id"])["agreement"]["text"]

    driver = browser(390, 844)
    open_invite(driver, alex["link"])
    join_session(driver, GROUP_ROOM)
    wait_screen(driver, "room")

    # No counselor yet: paused. The agreement comes first; no composer while it stands.
    wait_for(driver, lambda d: "paused" in banner_kinds(d), message="the paused banner")
    wait_shown(driver, "#agree", what="the group agreement's I agree button")
    assert agreement_text in text_of(driver, "#gates"), text_of(driver, "#gates")
    assert not is_shown(driver, "#composer"), describe_room(driver)
    assert not is_shown(driver, "#checkin-send"), "the check-in comes after the agreement"
    screenshot(driver, "group-agreement-390x844")

    find_by_name(driver, "button", "I agree").click()
    wait_shown(driver, "#agree", shown=False, what="the agreement")
    wait_shown(driver, "#checkin-send", what="the check-in after the agreement")
    assert not is_shown(driver, "#composer"), describe_room(driver)
    assert "paused" in banner_kinds(driver), describe_room(driver)

    # The counselor arrives: the pause ends.
    dana.join(room["id"])
    wait_for(driver, lambda d: "paused" not in banner_kinds(d), message="the paused banner to go")

    mood = find_by_name(driver, "select", "Mood")
    craving = find_by_name(driver, "select", "Craving")
    assert mood.get_attribute("id") == "checkin-mood" and craving.get_attribute("id") == "checkin-craving"
    Select(mood).select_by_value("6")
    Select(craving).select_by_value("3")
    legend = driver.execute_script("return document.getElementById('checkin-safe-yes').closest('fieldset')"
                                   ".querySelector('legend').textContent.trim()")
    assert legend == "I feel safe", legend
    driver.find_element(By.ID, "checkin-safe-yes").click()
    find_by_name(driver, "button", "Send check-in").click()

    checkin = dana.wait_frame(type="checkin", room=room["id"])
    assert (checkin["mood"], checkin["craving"], checkin["safe"]) == (6, 3, True), checkin
    assert checkin["member"]["name"] == "Alex R.", checkin
    assert not sam.frames("checkin"), "another participant must never see a check-in"

    # The check-in is done: the composer appears, enabled, and Alex can write.
    wait_composer_ready(driver)
    assert not is_shown(driver, "#checkin-send")
    type_and_enter(driver, "Checking in from the group")
    wait_message(driver, "Checking in from the group", state="· Sent", delivered=True)
    dana.wait_frame(type="message", room=room["id"], predicate=lambda f: f["body"] == "Checking in from the group")

    # The counselor leaves: paused again, the composer stays but is disabled, and a banner says why.
    dana.leave(room["id"])
    wait_for(driver, lambda d: "paused" in banner_kinds(d), message="the paused banner to come back")
    wait_for(driver, lambda d: (lambda s: s["shown"] and s["inputDisabled"] and s["sendDisabled"])(composer_state(d)),
             message="the composer shown but disabled while paused")
    assert "counselor" in banner_text(driver, "paused").lower(), banner_text(driver, "paused")
    screenshot(driver, "group-paused-390x844")

    assert_no_console_errors(driver)


def test_html_in_a_message_is_shown_as_text(clinic, browser):
    alex = clinic.participant("Alex R.")
    room = clinic.room(PEER_ROOM)
    sam = clinic.connect("Sam T.")
    sam.join(room["id"])
    driver = browser(1280, 800)
    enter_room(driver, alex["link"], PEER_ROOM)

    payload = "<img src=x onerror=alert(1)>"
    sam.send(room["id"], payload)
    sam.send(room["id"], "<b>bold?</b> <script>alert(2)</script>")
    row = wait_message(driver, payload, delivered=True)
    assert row["name"] == "Sam T.", row
    wait_message(driver, "<b>bold?</b> <script>alert(2)</script>", delivered=True)

    counts = driver.execute_script(
        "const m = document.getElementById('messages');"
        "return [m.querySelectorAll('img').length, m.querySelectorAll('script').length, m.querySelectorAll('b').length,"
        " document.querySelectorAll('img[src=x]').length];")
    assert counts == [0, 0, 0, 0], f"HTML from a message became elements (img, script, b, img[src=x]): {counts}"
    assert not alert_open(driver), "an alert opened"
    assert_no_console_errors(driver)  # an <img src=x> would also log a failed load of /x


def test_message_over_the_limit_is_refused_in_the_page(clinic, browser):
    alex = clinic.participant("Alex R.")
    room = clinic.room(PEER_ROOM)
    sam = clinic.connect("Sam T.")
    sam.join(room["id"])
    driver = browser(390, 844)
    enter_room(driver, alex["link"], PEER_ROOM)

    long_body = "a" * 4001
    driver.execute_script(
        "const box = document.getElementById('composer-input'); box.value = arguments[0];"
        "box.dispatchEvent(new Event('input', {bubbles: true}));", long_body)
    find_by_name(driver, "button", "Send").click()
    expected = "This message is too long: 4,001 characters, and the limit is 4,000. Please shorten it."
    wait_for(driver, lambda d: composer_state(d)["note"] == expected,
             message=f"the note {expected!r} (composer: {composer_state(driver)['note']!r})")
    state = composer_state(driver)
    assert state["value"] == long_body, "the draft is kept so the person can shorten it"
    assert not rows_with_body(driver, long_body), "the refused message must not appear in the conversation"
    screenshot(driver, "too-long-390x844")

    # Nothing reached the room: the next message Sam gets from Alex is the short one.
    driver.execute_script(
        "const box = document.getElementById('composer-input'); box.value = '';"
        "box.dispatchEvent(new Event('input', {bubbles: true}));")
    type_and_enter(driver, "A short one instead")
    wait_message(driver, "A short one instead", state="· Sent", delivered=True)
    sam.wait_frame(type="message", room=room["id"], predicate=lambda f: f["body"] == "A short one instead")
    from_alex = [f["body"] for f in sam.frames("message", room=room["id"]) if f["from"]["name"] == "Alex R."]
    assert from_alex == ["A short one instead"], frames_text(sam.frames("message"))
    assert_no_console_errors(driver)


def test_muted_participant_sees_why_and_cannot_write(clinic, browser):
    alex = clinic.participant("Alex R.")
    room = clinic.room(PEER_ROOM)
    dana = clinic.connect("Dana M.")
    dana.join(room["id"])
    driver = browser(1280, 800)
    enter_room(driver, alex["link"], PEER_ROOM)
    dana.wait_frame(type="presence", room=room["id"], state="joined",
                    predicate=lambda f: f["member"]["name"] == "Alex R.")

    dana.moderate(room["id"], "mute", member=alex["id"], minutes=5)
    wait_for(driver, lambda d: "muted" in banner_kinds(d), message="the muted banner")
    text = banner_text(driver, "muted")
    assert "muted" in text.lower() and "5 min" in text, text
    wait_for(driver, lambda d: (lambda s: s["inputDisabled"] and s["sendDisabled"])(composer_state(d)),
             message="the composer disabled while muted")
    # They can still ask the counselor privately.
    assert is_shown(driver, "#ask-private"), describe_room(driver)
    screenshot(driver, "muted-1280x800")
    assert_no_console_errors(driver)


def test_counselor_hides_and_pins_a_message(clinic, browser):
    """A message already on screen changes (a counselor hides one, pins another): the page redraws it in place."""
    alex = clinic.participant("Alex R.")
    room = clinic.room(PEER_ROOM)
    dana = clinic.connect("Dana M.")
    dana.join(room["id"])
    sam = clinic.connect("Sam T.")
    sam.join(room["id"])
    driver = browser(1280, 800)
    enter_room(driver, alex["link"], PEER_ROOM)

    hurtful = sam.send(room["id"], "Something hurtful")
    kind = sam.send(room["id"], "Remember: the meeting list is on the fridge.")
    wait_message(driver, "Remember: the meeting list is on the fridge.", delivered=True)

    dana.moderate(room["id"], "hide", seq=hurtful["seq"], reason="personal attack")
    row = wait_for(driver, lambda d: next((r for r in messages(d) if r["seq"] == hurtful["seq"]
                                           and r["body"] == "Hidden by a counselor"), False),
                   message="the hidden message to read 'Hidden by a counselor'")
    assert "Something hurtful" not in text_of(driver, "#messages"), row
    assert "personal attack" not in text_of(driver, "#screen-room"), "the reason is for staff only"

    dana.moderate(room["id"], "pin", seq=kind["seq"])
    wait_shown(driver, "#pinned", what="the pinned messages")
    assert "Remember: the meeting list is on the fridge." in text_of(driver, "#pinned")
    assert len(rows_with_body(driver, "Remember: the meeting list is on the fridge.")) == 1, messages(driver)
    screenshot(driver, "room-moderated-1280x800")
    assert_no_console_errors(driver)
