// One WebSocket that comes back by itself (backoff with jitter; at once when online again; never after 4001).

import { Close, SUBPROTOCOL } from "./protocol.js";

/** Delay before reconnect attempt `attempt` (0-based): 0.25 s doubling to 30 s, each drawn from its upper half. */
export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(30_000, 250 * 2 ** Math.min(attempt, 10));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** A reconnecting WebSocket. */
export class Connection {
  /**
   * @param options `{url, onOpen, onFrameText, onClose}`; `WebSocketImpl`, timers and `random` for tests
   */
  constructor(options) {
    this.options = {
      WebSocketImpl: globalThis.WebSocket,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (id) => clearTimeout(id),
      random: Math.random,
      ...options,
    };
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = true;
  }

  /** Opens the connection (and keeps it open until `stop`). */
  start() {
    this.stopped = false;
    this.open();
  }

  /** Closes for good: no reconnect. */
  stop(code = Close.NORMAL, reason = "signed out") {
    this.stopped = true;
    if (this.timer !== null) this.options.clearTimer(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      try {
        socket.close(code, reason);
      } catch {
        // Already closing.
      }
    }
  }

  /** Drops the current socket and reconnects after the usual backoff (e.g. after the server failed a hello). */
  restart() {
    const socket = this.socket;
    if (socket) socket.close(Close.NORMAL, "retry");
  }

  /** Reconnects now if a reconnect is waiting (the browser came back online). */
  nudge() {
    if (this.stopped || this.socket || this.timer === null) return;
    this.options.clearTimer(this.timer);
    this.timer = null;
    this.open();
  }

  /** The server accepted the person (`welcome`): the next drop starts the backoff from its first step again. */
  resetBackoff() {
    this.attempt = 0;
  }

  /** Whether the socket is open. */
  get isOpen() {
    return this.socket !== null && this.socket.readyState === 1;
  }

  /** Sends one frame object; false when the socket is not open (the caller keeps what must not be lost). */
  send(frame) {
    if (!this.isOpen) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  open() {
    this.timer = null;
    let socket;
    try {
      socket = new this.options.WebSocketImpl(this.options.url, SUBPROTOCOL);
    } catch {
      this.scheduleReconnect(Close.ABNORMAL, "");
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (this.socket !== socket) return;
      this.options.onOpen();
    });
    socket.addEventListener("message", (event) => {
      if (this.socket !== socket || typeof event.data !== "string") return;
      this.options.onFrameText(event.data);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.scheduleReconnect(event.code, event.reason);
    });
  }

  scheduleReconnect(code, reason) {
    if (this.stopped || code === Close.UNAUTHORIZED) {
      this.stopped = true;
      this.options.onClose({ code, reason, retryIn: null });
      return;
    }
    const delay = backoffDelay(this.attempt, this.options.random);
    this.attempt += 1;
    this.options.onClose({ code, reason, retryIn: delay });
    this.timer = this.options.setTimer(() => this.open(), delay);
  }
}
