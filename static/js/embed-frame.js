// Inside an embedded argument map (templates/arguments/embed.html).
//
// 1. Reports the page's height to the host page whenever it changes, in three formats:
//    ours {type: "debate-map:resize", height, href}, WordPress's {secret, message: "height",
//    value} (the secret comes from the URL fragment "#?secret=..." that WordPress adds), and
//    Canvas's {subject: "lti.frameResize", height}. The height is not a secret, so it goes
//    to any parent origin: a sandboxed frame cannot know its parent's origin anyway.
// 2. Keeps the map inside the frame. Every link already leads where the frame needs it (the
//    server's reading lens wrote embed or LMS addresses): following a claim navigates the
//    frame to its link instead of swapping the page in; and in an embed, fragment requests
//    drop htmx's custom headers so they stay CORS "simple requests" (no preflight), since a
//    sandboxed frame's origin is "null".
(function () {
  "use strict";

  const frame = document.documentElement.dataset.embedFrame || "embed";

  function wordpressSecret() {
    const match = /[#&?]secret=([A-Za-z0-9]+)/.exec(window.location.hash);
    return match ? match[1] : null;
  }

  let lastHeight = 0;

  function measure() {
    const box = document.querySelector(".embed-frame") || document.body;
    const style = window.getComputedStyle(document.body);
    const margins = parseFloat(style.marginTop) + parseFloat(style.marginBottom);
    return Math.ceil(box.getBoundingClientRect().height + margins);
  }

  function report() {
    const height = measure();
    if (!height || height === lastHeight || window.parent === window) return;
    lastHeight = height;
    const parent = window.parent;
    parent.postMessage({ type: "debate-map:resize", height: height, href: window.location.href }, "*");
    const secret = wordpressSecret();
    if (secret) parent.postMessage({ secret: secret, message: "height", value: height }, "*");
    parent.postMessage({ subject: "lti.frameResize", height: height }, "*");
  }

  document.addEventListener("htmx:configRequest", (event) => {
    if (frame !== "embed") return;
    Object.keys(event.detail.headers).forEach((name) => {
      if (name.toLowerCase().startsWith("hx-")) delete event.detail.headers[name];
    });
  });

  // Following a claim: the frame goes to the claim's own page in the frame.
  document.addEventListener("htmx:confirm", (event) => {
    const link = event.detail.elt;
    if (!link.matches || !link.matches(".claim-open")) return;
    event.preventDefault();
    window.location.assign(link.href);
  });

  function start() {
    report();
    if ("ResizeObserver" in window) {
      new ResizeObserver(report).observe(document.querySelector(".embed-frame") || document.body);
    } else {
      window.addEventListener("resize", report);
      document.addEventListener("htmx:afterSettle", report);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
