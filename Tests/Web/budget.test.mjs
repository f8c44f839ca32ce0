// The web client stays small: all of its JavaScript and CSS under 100 KB (100,000 bytes) uncompressed (issue 9),
// so a phone on a weak connection loads it quickly; nothing comes from anywhere but the clinic's own server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const web = fileURLToPath(new URL("../../Web/", import.meta.url));

function files(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

test("all JavaScript and CSS of the page is under 100 KB", () => {
  const assets = files(web).filter((path) => /\.(js|css)$/.test(path));
  const total = assets.reduce((sum, path) => sum + statSync(path).size, 0);
  assert.ok(assets.length > 5, "found the client's modules");
  assert.ok(total < 100_000, `JavaScript and CSS weigh ${total} bytes`);
});

test("no module loads code or styles from another origin", () => {
  for (const path of files(web).filter((file) => /\.(js|css|html)$/.test(file))) {
    const text = readFileSync(path, "utf8");
    assert.doesNotMatch(text, /(src|href)=["']https?:\/\//, path);
    assert.doesNotMatch(text, /import[^"']*["']https?:\/\//, path);
    assert.doesNotMatch(text, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/, `${path} sets HTML`);
  }
});
