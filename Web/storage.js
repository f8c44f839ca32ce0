// What survives a reload of this tab, and nothing more: sessionStorage (cleared when the tab closes, by "Sign
// out", "Quick exit" and automatic logoff). Never localStorage. The token is sent nowhere but `hello`.

const KEY = "hearth";

/** Reads what this tab saved, or an empty object. */
export function load(storage = globalThis.sessionStorage) {
  try {
    const text = storage.getItem(KEY);
    const value = text ? JSON.parse(text) : {};
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

/** Saves `value` (token, unsent messages, current room, check-ins offered). */
export function store(value, storage = globalThis.sessionStorage) {
  try {
    storage.setItem(KEY, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the page still works, a reload just forgets.
  }
}

/** Forgets everything this page keeps in the tab. */
export function clearAll(storage = globalThis.sessionStorage) {
  try {
    storage.clear();
  } catch {
    // Nothing to clear.
  }
}

/**
 * Takes `#invite=TOKEN` from the address and removes it from the address bar and the history entry at once.
 * Returns the token or null.
 */
export function takeInviteToken(loc = window.location, history = window.history) {
  const hash = loc.hash.replace(/^#/, "");
  if (!hash) return null;
  let found = null;
  for (const part of hash.split("&")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq) === "invite") {
      try {
        found = decodeURIComponent(part.slice(eq + 1)).trim();
      } catch {
        found = null;
      }
    }
  }
  history.replaceState(null, "", loc.pathname + loc.search);
  return found || null;
}
