/// <reference lib="dom" />
import type { Artifact } from "@devtools/contracts/agent";
import { html } from "./dom.ts";
import { highlightInto, languageOf } from "./highlighter.ts";

/** Offers `content` as a file named after the artifact's path. */
function download(artifact: Artifact): void {
  const url = URL.createObjectURL(new Blob([artifact.content], { type: "text/plain;charset=utf-8" }));
  const link = html("a", { href: url, download: artifact.path.split("/").pop() || "artifact.txt" });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL; it can go once the click has been handled.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** An artifact: its path and kind, a download button, and its content with syntax highlighting. */
export function artifactView(artifact: Artifact): HTMLElement {
  const button = html("button", { type: "button", class: "download" }, "Download");
  button.addEventListener("click", () => download(artifact));
  const code = html("code");
  const view = html(
    "section",
    { class: "artifact", "data-path": artifact.path },
    html(
      "header",
      {},
      html("span", { class: "path" }, artifact.path),
      html("span", { class: "muted" }, artifact.kind),
      button,
    ),
    html("pre", {}, code),
  );
  highlightInto(code, artifact.content, languageOf(artifact.path, artifact.kind)).catch((error: unknown) => {
    console.error("highlighting failed; the artifact is shown as plain text", error);
  });
  return view;
}
