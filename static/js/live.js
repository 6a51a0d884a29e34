// Live updates: poll the debate's versions (a conditional GET, 304 while nothing changed),
// announce what is new in a calm notice, and on "Show" bring it in without moving the
// reader: new claims go into their parent's open list, vote blocks refresh in place, and
// nothing holding the focus or a half-written form is ever replaced.
// Without JavaScript none of this runs: the region stays hidden and a reload shows the news.
// Text through Django's JavaScript catalog (the jsi18n script before this one): gettext, ngettext, interpolate.
/* global gettext, ngettext, interpolate */
(function () {
  "use strict";

  const region = document.querySelector("[data-live-url]");
  if (!region || !window.fetch) return;
  let url = region.dataset.liveUrl;
  let etag = region.dataset.liveEtag;
  const seconds = Number(region.dataset.liveSeconds) || 5;
  let timer = null;
  let busy = false;
  let ownVotes = 0; // this reader's votes since the page's versions: not news to them
  let ownWrites = 0; // likewise their own writes (each moves the structure version once)
  // The writes that move the structure version: a claim added, edited, linked, cited,
  // annotated, a note replied to, edited or deleted, a claim approved, hidden or restored.
  const WRITE = /\/(add|edit|link|sources\/add|annotate|reply|delete|approve|hide|restore)\/$/;

  function schedule() {
    clearTimeout(timer);
    if (!document.hidden) timer = setTimeout(poll, seconds * 1000);
  }

  async function poll() {
    if (busy) return schedule();
    busy = true;
    try {
      const own = (ownVotes ? `&own=${ownVotes}` : "") + (ownWrites ? `&wrote=${ownWrites}` : "");
      const response = await fetch(url + own, {
        headers: { "If-None-Match": etag },
        cache: "no-store",
        credentials: "same-origin",
      });
      if (response.status === 200) {
        etag = response.headers.get("ETag") || etag;
        const html = (await response.text()).trim();
        if (html) {
          region.innerHTML = html;
          region.hidden = false;
        }
      }
    } catch (error) {
      // Offline or the server is restarting: try again at the next beat.
    } finally {
      busy = false;
      schedule();
    }
  }

  // Is the reader busy in this element: focus inside, or a form with something typed/chosen?
  function inUse(element) {
    if (element.contains(document.activeElement)) return true;
    return Array.from(element.querySelectorAll("input, textarea, select")).some((field) => {
      if (field.type === "radio" || field.type === "checkbox") return field.checked !== field.defaultChecked;
      if (field.type === "hidden") return false;
      if (field.tagName === "SELECT") return Array.from(field.options).some((o) => o.selected !== o.defaultSelected);
      return field.value !== field.defaultValue;
    });
  }

  function adopt(node) {
    const copy = document.importNode(node, true);
    if (window.htmx) window.htmx.process(copy);
    return copy;
  }

  // A new claim from the fresh page goes where it stands there, if its parent's list is open here.
  function insertClaim(fresh) {
    const column = fresh.parentElement;
    const children = column && column.closest(".children");
    if (!children) return false;
    const here = document.getElementById(children.id);
    if (!here || here.dataset.loaded !== "true") return false;
    const side = column.classList.contains("column-pro") ? "column-pro" : "column-con";
    let list = here.querySelector(":scope > ." + side);
    if (!list) {
      list = document.importNode(column, false);
      const head = column.querySelector(".column-head");
      if (head) list.appendChild(document.importNode(head, true));
      if (side === "column-pro") here.prepend(list);
      else here.append(list);
    }
    let next = fresh.nextElementSibling;
    while (next && !document.getElementById(next.id)) next = next.nextElementSibling;
    const copy = adopt(fresh);
    copy.classList.add("live-new");
    list.querySelectorAll(":scope > .column-empty").forEach((empty) => empty.remove()); // "No cons yet."
    list.insertBefore(copy, next ? document.getElementById(next.id) : null);
    return true;
  }

  // Open a claim's branch as its toggle does (loading it once), and wait until it is there.
  async function unfold(id) {
    const children = document.getElementById("children-" + id);
    const toggle = document.querySelector(`#body-${id} [data-toggle]`);
    if (!children || !toggle) return;
    if (children.dataset.loaded === "true") {
      if (children.hidden) toggle.click(); // tree.js unfolds a loaded branch without asking
      return;
    }
    toggle.click();
    for (let waited = 0; waited < 5000; waited += 50) {
      const now = document.getElementById("children-" + id);
      if (now && now.dataset.loaded === "true") return;
      await new Promise((done) => setTimeout(done, 50));
    }
  }

  async function show() {
    const response = await fetch(window.location.href, { cache: "no-store", credentials: "same-origin" });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    let added = 0;
    // Each claim's place is its <li> (the card inside it is the treeitem).
    fresh.querySelectorAll('#main li.claim[id]').forEach((item) => {
      if (!document.getElementById(item.id) && insertClaim(item)) added += 1;
    });
    // Vote blocks, counts and texts of claims on screen, each unless the reader is using it.
    fresh.querySelectorAll('#main [id^="votes-"], #main [id^="counts-"], #main .claim-text[id]').forEach((block) => {
      const here = document.getElementById(block.id);
      if (!here || here.closest(".live-new") || inUse(here)) return;
      const copy = adopt(block);
      const open = here.querySelector("details[open]");
      if (open && copy.querySelector("details")) copy.querySelector("details").open = true;
      here.replaceWith(copy);
    });
    // A new claim inside a folded branch: unfold its path, one branch at a time.
    const paths = region.querySelector("[data-live-paths]");
    for (const path of paths ? paths.dataset.livePaths.split(" ") : []) {
      const ids = path.split(".");
      const last = ids[ids.length - 1];
      if (document.getElementById("claim-" + last)) continue;
      for (const id of ids.slice(0, -1)) {
        if (!document.getElementById("claim-" + id)) break; // not on this page at all
        await unfold(id);
      }
      const item = document.getElementById("claim-" + last);
      if (item) {
        item.classList.add("live-new");
        added += 1;
      }
    }
    const next = fresh.querySelector("[data-live-url]");
    if (next) {
      url = next.dataset.liveUrl;
      etag = next.dataset.liveEtag;
      ownVotes = 0;
      ownWrites = 0;
    }
    const keyboard = region.contains(document.activeElement);
    region.innerHTML = "";
    const first = document.querySelector(".live-new:not([data-live-seen])");
    // A keyboard user who pressed "Show" goes to the news: the new claim's card.
    if (keyboard && first) (first.querySelector('[role="treeitem"]') || first).focus();
    document.querySelectorAll(".live-new").forEach((item) => item.setAttribute("data-live-seen", ""));
    const done = document.createElement("p");
    done.className = "live-text";
    done.textContent = added
      ? interpolate(ngettext("Shown: %(added)s new claim, highlighted.", "Shown: %(added)s new claims, highlighted.", added), { added }, true)
      : gettext("Up to date.");
    region.appendChild(done);
    setTimeout(() => {
      if (region.contains(done)) region.hidden = true;
    }, 4000);
  }

  // A mouse click on "Show" leaves the focus where the reader had it (a half-written form).
  region.addEventListener("mousedown", (event) => {
    if (event.target.closest("[data-live-show]")) event.preventDefault();
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const config = event.detail.requestConfig || {};
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (!event.detail.successful || config.verb !== "post" || status >= 300) return;
    const path = (config.path || "").split("?")[0];
    if (/\/vote\/$/.test(path)) ownVotes += 1;
    else if (WRITE.test(path)) ownWrites += 1;
  });
  region.addEventListener("click", (event) => {
    if (event.target.closest("[data-live-show]")) show();
  });
  document.addEventListener("visibilitychange", () => (document.hidden ? clearTimeout(timer) : poll()));
  schedule();
})();
