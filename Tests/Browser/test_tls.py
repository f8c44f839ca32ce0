"""The browser client over https:// and wss://: a clinic served with native TLS (a certificate made for the test),
a participant signing in with their link and talking to a member connected over wss."""

import ssl
import urllib.request

import pytest

from hearth_ui import PEER_ROOM, assert_no_console_errors, enter_room, type_and_enter, wait_message


@pytest.mark.hearth_tls
def test_a_participant_chats_over_https_and_wss(clinic, browser):
    alex = clinic.participant("Alex R.")
    assert alex["link"].startswith(f"https://127.0.0.1:{clinic.port}/"), alex["link"]
    room = clinic.room(PEER_ROOM)
    sam = clinic.connect("Sam T.")          # over wss://, verifying the test CA
    sam.join(room["id"])

    driver = browser(1280, 800, trust=clinic.tls)
    enter_room(driver, alex["link"], PEER_ROOM)
    assert driver.current_url.startswith("https://"), driver.current_url
    assert driver.execute_script("return window.isSecureContext") is True

    type_and_enter(driver, "Hello over TLS")
    wait_message(driver, "Hello over TLS", delivered=True)
    got = sam.wait_frame(type="message", room=room["id"], predicate=lambda f: f["body"] == "Hello over TLS")
    assert got["from"]["name"] == "Alex R."
    sam.send(room["id"], "Heard you, Alex.")
    wait_message(driver, "Heard you, Alex.")
    assert_no_console_errors(driver)

    # Every HTTPS answer tells the browser to keep to https.
    context = ssl.create_default_context(cafile=str(clinic.tls.ca))
    with urllib.request.urlopen(clinic.url + "/", context=context, timeout=10) as response:
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
