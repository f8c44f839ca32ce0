"""A Hearth protocol peer for browser tests (docs/PROTOCOL.md).

`HearthPeer` plays a counselor, a second participant or a family member next to the browser under test: it
speaks `hearth.v1` over websocket-client, records every frame the server sends, and lets a test wait for the
frame it expects. Every wait is bounded.

    with HearthPeer(clinic.ws_url, name="Dana") as dana:
        dana.hello(clinic.counselor("Dana M.")["token"])
        dana.join(clinic.room("Peer support: open chat")["id"])
        dana.wait_frame(type="message", body="hi")
"""

from __future__ import annotations

import itertools
import json
import socket
import struct
import threading
import time
import uuid
from typing import Any, Callable, Iterable, Optional

import websocket

SUBPROTOCOL = "hearth.v1"
DEFAULT_TIMEOUT = 10.0


class HearthProtocolError(AssertionError):
    """A request got an `error` frame it did not expect (or no reply, or the opposite of what was expected)."""

    def __init__(self, message: str, frame: Optional[dict] = None):
        super().__init__(message)
        self.frame = frame


def _describe(frames: Iterable[dict], limit: int = 15) -> str:
    frames = list(frames)
    shown = frames[-limit:]
    lines = [json.dumps(f, sort_keys=True)[:400] for f in shown]
    more = f" (last {len(shown)} of {len(frames)})" if len(frames) > len(shown) else ""
    return f"frames received{more}:\n  " + ("\n  ".join(lines) if lines else "(none)")


class HearthPeer:
    """One WebSocket connection to hearthd, with a background reader.

    Frames are kept in `self.received` (a list of dicts, in arrival order) under a Condition; use
    `wait_frame`, `frames` and `request` rather than reading it directly.
    """

    _ids = itertools.count(1)

    def __init__(self, ws_url: str, name: Optional[str] = None, connect_timeout: float = DEFAULT_TIMEOUT,
                 timeout: float = DEFAULT_TIMEOUT, ca_file: Optional[str] = None):
        self.ws_url = ws_url
        self.name = name or f"peer{next(self._ids)}"
        self.timeout = timeout
        self.received: list[dict] = []
        self.welcome: Optional[dict] = None
        self.user: Optional[dict] = None
        self.close_code: Optional[int] = None
        self.close_reason: Optional[str] = None
        self.closed = False
        self._cond = threading.Condition()
        self._refs = itertools.count(1)
        self._closing = False
        # No Origin header: not a browser, so the server's Origin check does not apply (PROTOCOL.md section 2).
        self.ws = websocket.create_connection(
            ws_url, timeout=connect_timeout, subprotocols=[SUBPROTOCOL], suppress_origin=True,
            enable_multithread=True, sslopt={"ca_certs": ca_file} if ca_file else None)
        self.subprotocol = self.ws.getsubprotocol()
        # The reader blocks in recv; close() and drop() unblock it by shutting the socket down.
        self.ws.settimeout(None)
        self._reader = threading.Thread(target=self._read, name=f"HearthPeer-{self.name}", daemon=True)
        self._reader.start()

    # ------------------------------------------------------------------ reading

    def _read(self) -> None:
        code, reason = None, None
        ABNF = websocket.ABNF
        try:
            while True:
                frame = self.ws.recv_frame()
                opcode = frame.opcode
                if opcode in (ABNF.OPCODE_TEXT, ABNF.OPCODE_BINARY, ABNF.OPCODE_CONT):
                    self.ws.cont_frame.validate(frame)
                    self.ws.cont_frame.add(frame)
                    if not self.ws.cont_frame.is_fire(frame):
                        continue
                    opcode, whole = self.ws.cont_frame.extract(frame)  # the reassembled ABNF frame
                    if opcode == ABNF.OPCODE_TEXT:
                        self._record(whole.data)
                    else:
                        self._record_parsed({"type": "_binary", "raw": repr(whole.data)})
                elif opcode == ABNF.OPCODE_CLOSE:
                    data = frame.data or b""
                    if len(data) >= 2:
                        code = struct.unpack("!H", data[:2])[0]
                        reason = data[2:].decode("utf-8", "replace")
                    else:
                        code, reason = 1005, ""
                    if not self._closing:  # the server started the close: echo it
                        try:
                            self.ws.send(data[:2], ABNF.OPCODE_CLOSE)
                        except Exception:
                            pass
                    break
                elif opcode == ABNF.OPCODE_PING:
                    self.ws.pong(frame.data)
        except Exception as exc:  # socket dropped, or shut down by close()/drop()
            if code is None:
                code, reason = 1006, f"{type(exc).__name__}: {exc}"
        finally:
            with self._cond:
                self.close_code = code
                self.close_reason = reason
                self.closed = True
                self._cond.notify_all()

    def _record(self, data: Any) -> None:
        text = data.decode("utf-8", "replace") if isinstance(data, (bytes, bytearray)) else str(data)
        try:
            parsed = json.loads(text)
            if not isinstance(parsed, dict):
                parsed = {"type": "_unparsed", "raw": text}
        except ValueError:
            parsed = {"type": "_unparsed", "raw": text}
        self._record_parsed(parsed)

    def _record_parsed(self, parsed: dict) -> None:
        with self._cond:
            self.received.append(parsed)
            self._cond.notify_all()

    # ------------------------------------------------------------------ waiting

    @staticmethod
    def _matcher(predicate: Optional[Callable[[dict], bool]], fields: dict) -> Callable[[dict], bool]:
        def match(frame: dict) -> bool:
            for key, value in fields.items():
                if frame.get(key) != value:
                    return False
            if predicate is None:
                return True
            try:
                return bool(predicate(frame))
            except (KeyError, TypeError, IndexError, AttributeError):
                return False  # a frame without the fields the predicate reads does not match
        return match

    def wait_frame(self, predicate: Optional[Callable[[dict], bool]] = None, timeout: Optional[float] = None,
                   **fields: Any) -> dict:
        """The first frame, received so far or later, for which `predicate(frame)` is true and whose top-level
        fields equal `fields` (e.g. `wait_frame(type="message", room=rid)`). Raises AssertionError on timeout or
        when the connection closes first."""
        timeout = self.timeout if timeout is None else timeout
        match = self._matcher(predicate, fields)
        deadline = time.monotonic() + timeout
        with self._cond:
            seen = 0
            while True:
                for frame in self.received[seen:]:
                    if match(frame):
                        return frame
                seen = len(self.received)
                if self.closed:
                    raise HearthProtocolError(
                        f"{self.name}: connection closed ({self.close_code} {self.close_reason!r}) before a frame "
                        f"matching {fields or ''}{' + predicate' if predicate else ''} arrived; "
                        + _describe(self.received))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise HearthProtocolError(
                        f"{self.name}: no frame matching {fields or ''}{' + predicate' if predicate else ''} "
                        f"within {timeout:g} s; " + _describe(self.received))
                self._cond.wait(remaining)

    def wait_frames(self, count: int, predicate: Optional[Callable[[dict], bool]] = None,
                    timeout: Optional[float] = None, **fields: Any) -> list[dict]:
        """Waits until at least `count` frames match; returns all matching frames so far."""
        timeout = self.timeout if timeout is None else timeout
        match = self._matcher(predicate, fields)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [f for f in self.received if match(f)]
                if len(found) >= count:
                    return found
                if self.closed or time.monotonic() >= deadline:
                    why = "connection closed" if self.closed else f"timed out after {timeout:g} s"
                    raise HearthProtocolError(
                        f"{self.name}: {why} with {len(found)} of {count} frames matching {fields}; "
                        + _describe(self.received))
                self._cond.wait(deadline - time.monotonic())

    def frames(self, type: Optional[str] = None, **fields: Any) -> list[dict]:
        """A copy of the frames received so far, optionally only those of one `type` / with these fields."""
        if type is not None:
            fields["type"] = type
        match = self._matcher(None, fields)
        with self._cond:
            return [f for f in self.received if match(f)]

    def wait_closed(self, timeout: Optional[float] = None) -> tuple[Optional[int], Optional[str]]:
        """Waits until the server closes the connection (or it drops); returns (close code, reason).
        1006 stands for a dropped socket without a close frame."""
        timeout = self.timeout if timeout is None else timeout
        with self._cond:
            if not self._cond.wait_for(lambda: self.closed, timeout):
                raise HearthProtocolError(f"{self.name}: still connected after {timeout:g} s; "
                                          + _describe(self.received))
            return self.close_code, self.close_reason

    # ------------------------------------------------------------------ sending

    def send_raw(self, frame: Any) -> None:
        """Sends a frame as is: a dict (JSON-encoded) or a str (sent verbatim, e.g. invalid JSON)."""
        text = frame if isinstance(frame, str) else json.dumps(frame)
        self.ws.send(text)

    def request(self, type: str, *, expect_error: bool = False, allow_error: bool = False,
                timeout: Optional[float] = None, ref: Optional[str] = None, **fields: Any) -> dict:
        """Sends `{"type": type, "ref": <fresh>, **fields}` and returns the reply carrying that ref.

        An `error` reply raises HearthProtocolError (an AssertionError) with the frame, unless
        `expect_error=True` (then anything but an error raises) or `allow_error=True` (either is returned).
        Fields named like Python keywords go through a dict: `request("schedule", **{"from": "..."})`."""
        ref = ref or f"{self.name}-{next(self._refs)}"
        frame = {"type": type, "ref": ref, **{k: v for k, v in fields.items() if v is not None}}
        self.send_raw(frame)
        reply = self.wait_frame(timeout=timeout, ref=ref)
        is_error = reply.get("type") == "error"
        if is_error and not (expect_error or allow_error):
            raise HearthProtocolError(
                f"{self.name}: {type} was refused: {reply.get('code')}: {reply.get('message')} "
                f"(request {json.dumps(frame)[:300]}, reply {json.dumps(reply)})", reply)
        if expect_error and not is_error:
            raise HearthProtocolError(
                f"{self.name}: expected an error for {type}, got {json.dumps(reply)[:500]}", reply)
        return reply

    # ------------------------------------------------------------------ the protocol's requests

    def hello(self, token: str, **kw: Any) -> dict:
        """Signs in; returns `welcome` (also kept as `self.welcome`, the person as `self.user`)."""
        reply = self.request("hello", token=token, **kw)
        if reply.get("type") == "welcome":
            self.welcome = reply
            self.user = reply.get("user")
        return reply

    def join(self, room_id: str, after_seq: Optional[int] = None, **kw: Any) -> dict:
        """Returns `joined`, or `waiting` in a waiting room."""
        return self.request("join", room=room_id, after_seq=after_seq, **kw)

    def leave(self, room_id: str, **kw: Any) -> dict:
        return self.request("leave", room=room_id, **kw)

    def agree(self, room_id: str, **kw: Any) -> dict:
        return self.request("agree", room=room_id, **kw)

    def send(self, room_id: str, body: str, client_id: Optional[str] = None, **kw: Any) -> dict:
        """Sends a message and waits for its `ack` (returned). `client_id` defaults to a fresh UUID."""
        return self.request("send", room=room_id, body=body, client_id=client_id or str(uuid.uuid4()), **kw)

    def admit(self, room_id: str, member_id: Optional[str] = None, **kw: Any) -> dict:
        return self.request("admit", room=room_id, member=member_id, **kw)

    def deny(self, room_id: str, member_id: str, message: Optional[str] = None, **kw: Any) -> dict:
        return self.request("deny", room=room_id, member=member_id, message=message, **kw)

    def invite(self, room_id: str, member_id: str, **kw: Any) -> dict:
        """Returns the `invitation` frame (its `token` is the single-use invite)."""
        return self.request("invite", room=room_id, member=member_id, **kw)

    def moderate(self, room_id: str, action: str, **fields: Any) -> dict:
        return self.request("moderate", room=room_id, action=action, **fields)

    # ------------------------------------------------------------------ closing

    def close(self, code: int = 1000, timeout: float = 5.0) -> None:
        """Closes cleanly (close 1000, waits for the server's echo, bounded), then releases the socket."""
        if self._closing:
            return
        self._closing = True
        if not self.closed:
            try:
                self.ws.send(struct.pack("!H", code), websocket.ABNF.OPCODE_CLOSE)
            except Exception:
                pass
            with self._cond:
                self._cond.wait_for(lambda: self.closed, timeout)
        self._release()

    def drop(self) -> None:
        """Drops the connection without a close frame, like a lost network (the server sees 1006)."""
        self._closing = True
        self._release()

    def _release(self) -> None:
        sock = self.ws.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        try:
            self.ws.shutdown()
        except Exception:
            pass
        self._reader.join(5)

    def __enter__(self) -> "HearthPeer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        who = self.user.get("name") if self.user else "not signed in"
        state = f"closed {self.close_code}" if self.closed else "open"
        return f"<HearthPeer {self.name} ({who}) {state}, {len(self.received)} frames>"
