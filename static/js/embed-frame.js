// Inside an embedded argument map (templates/arguments/embed.html).
//
// 1. Reports the page's height to the host page whenever it changes, in three formats:
//    ours {type: "debate-map:resize", height, href}, WordPress's {secret, message: "height",
//    value} (the secret comes from the URL fragment "#?secret=..." that WordPress adds), and
//    Canvas's {subject: "lti.frameResize", height}. The height is not a secret, so it goes
//    to any parent origin: a sandboxed frame cannot know its parent's origin anyway.
// 2. Keeps the tree working in a frame: toggles ask the embed's own branch endpoint (which
//    answers cross-origin, without cookies), and following a claim navigates the frame to
//    that claim's embed page instead of the full site, which refuses to be framed.
(function () {
  "use strict";

  const root = document.documentElement;
  const mode = root.dataset.embedMode || "embed";
  const prefix = root.dataset.embedPrefix || "/embed";
  const options = root.dataset.embedQuery || "";
  const CLAIM_PATH = /^\/d\/([-\w]+)\/claims\/(\d+)\/$/;
  const FRAGMENT_PATH = /^\/d\/([-\w]+)\/claims\/(\d+)\/(why\/)?$/; // a branch, or "Why?"

  function wordpressSecret() {
    const match = /[#&?]secret=([A-Za-z0-9]+)/.exec(window.location.hash);
    return match ? match[1] : null;
  }

  let lastHeight = 0;

  function measure() {
    const frame = document.querySelector(".embed-frame") || document.body;
    const style = window.getComputedStyle(document.body);
    const margins = parseFloat(style.marginTop) + parseFloat(style.marginBottom);
    return Math.ceil(frame.getBoundingClientRect().height + margins);
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

  function embedUrl(path, query) {
    const params = new URLSearchParams(query || "");
    new URLSearchParams(options).forEach((value, key) => {
      if (!params.has(key)) params.set(key, value);
    });
    const search = params.toString();
    return prefix + path + (search ? "?" + search : "");
  }

  document.addEventListener("htmx:configRequest", (event) => {
    const url = new URL(event.detail.path, window.location.href);
    const match = FRAGMENT_PATH.exec(url.pathname);
    if (!match || mode !== "embed") return;
    // A branch for a toggle, or a strength explained: from the embed endpoint, as a CORS "simple request" (no custom
    // headers, so no preflight), since a sandboxed frame's origin is "null".
    event.detail.path = prefix + url.pathname + url.search;
    Object.keys(event.detail.headers).forEach((name) => {
      if (/^HX-/i.test(name)) delete event.detail.headers[name];
    });
  });

  // Following a claim: navigate the frame to its embed (or LTI) page.
  document.addEventListener("htmx:confirm", (event) => {
    const link = event.detail.elt;
    if (!link.matches || !link.matches(".claim-text a")) return;
    const url = new URL(link.getAttribute("href"), window.location.href);
    if (!CLAIM_PATH.test(url.pathname)) return;
    event.preventDefault();
    window.location.assign(mode === "embed" ? embedUrl(url.pathname) : prefix + url.pathname);
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
