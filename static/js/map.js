// The map's side panel: the claim under the pointer, the keyboard's focus or a finger, in
// full (stance, words, strength) with a link to open it. Beside the map on a wide screen,
// below it on a phone (app.css). Without JavaScript every segment is still a link with its
// label, and "The map as a list" says the same.
(function () {
  "use strict";

  // The page's language through Django's JavaScript catalog (base.html loads it); a page
  // without it (an embed) reads English.
  const gettext = window.gettext || ((text) => text);
  const SEGMENT = ".argmap a[data-text]";
  let lastPointer = "mouse";

  function panelFor(map) {
    const holder = map.closest(".map-sunburst, .map-tree, .embed-map") || map.parentElement;
    let panel = holder.parentElement.querySelector(":scope > .map-panel");
    if (!panel) {
      panel = document.createElement("aside");
      panel.className = "map-panel";
      panel.setAttribute("aria-label", gettext("Selected claim"));
      panel.innerHTML =
        '<p class="map-panel-kind"></p><p class="map-panel-text"></p>' +
        '<p class="map-panel-strength"></p><a class="button map-panel-open" hidden></a>';
      panel.querySelector(".map-panel-text").textContent = gettext("Point at, focus or tap a part of the map to read it here.");
      panel.querySelector(".map-panel-open").textContent = gettext("Open");
      holder.after(panel);
    }
    return panel;
  }

  function show(segment) {
    const panel = panelFor(segment.closest("svg"));
    document.querySelectorAll(".argmap a.current").forEach((a) => a.classList.remove("current"));
    segment.classList.add("current");
    const kind = panel.querySelector(".map-panel-kind");
    kind.textContent = segment.dataset.stance;
    kind.className = "map-panel-kind " + (segment.classList.contains("pro") ? "pro" : segment.classList.contains("con") ? "con" : "");
    const text = panel.querySelector(".map-panel-text");
    text.textContent = segment.dataset.text;
    // A participant's words take their own direction (an English claim in an Arabic page).
    text.dir = "auto";
    panel.querySelector(".map-panel-strength").textContent = segment.dataset.strength;
    const open = panel.querySelector(".map-panel-open");
    open.href = segment.getAttribute("href");
    if (segment.getAttribute("target")) open.target = segment.getAttribute("target");
    open.hidden = false;
    panel.dataset.current = segment.getAttribute("href");
  }

  let shownBeforeTap = null; // what the panel showed before this tap (its focus shows the segment)
  document.addEventListener("pointerdown", (event) => {
    lastPointer = event.pointerType || "mouse";
    const panel = document.querySelector(".map-panel");
    shownBeforeTap = panel ? panel.dataset.current : null;
  }, true);
  document.addEventListener("pointerover", (event) => {
    const segment = event.target.closest && event.target.closest(SEGMENT);
    if (segment && event.pointerType === "mouse") show(segment);
  });
  document.addEventListener("focusin", (event) => {
    const segment = event.target.closest && event.target.closest(SEGMENT);
    if (segment) show(segment);
  });
  // A finger has no hover: its first tap on a segment shows it in the panel, a second opens it.
  window.addEventListener("click", (event) => {
    const segment = event.target.closest && event.target.closest(SEGMENT);
    if (!segment || lastPointer !== "touch") return;
    if (shownBeforeTap === segment.getAttribute("href")) return;
    shownBeforeTap = segment.getAttribute("href");
    event.preventDefault();
    event.stopImmediatePropagation();
    show(segment);
  }, true);

  function init() {
    document.querySelectorAll(".map-sunburst svg.argmap, .embed-map svg.argmap").forEach((map) => {
      panelFor(map);
      // A map wider than a phone's screen scrolls sideways: start with its centre in view
      // (right to left, scrollLeft runs from 0 at the right edge into negative numbers).
      const holder = map.parentElement;
      const sign = getComputedStyle(holder).direction === "rtl" ? -1 : 1;
      if (holder.scrollWidth > holder.clientWidth) holder.scrollLeft = sign * (holder.scrollWidth - holder.clientWidth) / 2;
    });
  }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);
})();
