// For host pages that embed a Debate map: resizes each embedded map to fit its content.
//
// Paste once, after the iframe(s):
//   <script src="https://<our site>/static/js/embed.js" async></script>
//
// The map inside the frame (static/js/embed-frame.js) posts {type: "debate-map:resize",
// height}. Only the iframe whose window sent the message is resized, and only if it shows a
// page of the site this script came from; a sandboxed frame's origin is "null", so the
// sending window, not the message's origin, is what identifies it.
(function () {
  "use strict";

  if (window.__debateMapEmbed) return; // loaded twice on one page: one listener is enough
  window.__debateMapEmbed = true;

  const script = document.currentScript;
  const provider = script ? new URL(script.src, window.location.href).origin : null;
  const MIN_HEIGHT = 120;
  const MAX_HEIGHT = 20000;

  function frameOf(source) {
    const frames = document.getElementsByTagName("iframe");
    for (let i = 0; i < frames.length; i += 1) {
      if (frames[i].contentWindow === source) return frames[i];
    }
    return null;
  }

  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data || typeof data !== "object" || data.type !== "debate-map:resize") return;
    const height = Number(data.height);
    if (!Number.isFinite(height)) return;
    const frame = frameOf(event.source);
    if (!frame) return;
    if (provider && new URL(frame.src, window.location.href).origin !== provider) return;
    const clamped = Math.max(MIN_HEIGHT, Math.min(MAX_HEIGHT, Math.ceil(height)));
    frame.style.height = clamped + "px";
    frame.setAttribute("height", String(clamped));
  });
})();
