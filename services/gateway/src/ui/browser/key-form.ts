/// <reference lib="dom" />
import { html } from "./dom.ts";

/**
 * Asks for an API key, saying why (the gateway's own words: no key yet and how to create one, or
 * the key was refused). `onKey` gets the trimmed key.
 */
export function keyForm(reason: string, onKey: (key: string) => void): HTMLElement {
  const input = html("input", {
    type: "password",
    name: "api-key",
    autocomplete: "off",
    required: true,
    placeholder: "dtk_…",
    "aria-label": "API key",
  });
  const form = html(
    "form",
    { class: "key" },
    html(
      "p",
      {},
      "The devtools API needs a key. It stays in this tab (sessionStorage) and is sent only to this gateway.",
    ),
    html("p", { class: "error" }, reason),
    input,
    html("div", {}, html("button", { type: "submit", class: "primary" }, "Use this key")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key) onKey(key);
  });
  queueMicrotask(() => input.focus());
  return html("section", { class: "panel" }, html("h2", {}, "API key"), form);
}
