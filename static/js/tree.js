// The argument tree as a WAI-ARIA tree: arrow keys move and fold, focus survives htmx swaps.
// Everything here is an enhancement; without it every control is a plain link or form.
// Text through Django's JavaScript catalog (the jsi18n script before this one): gettext.
/* global gettext */
(function () {
  "use strict";

  // Each claim is an <li class="claim">: its card is the treeitem, its branch (a group) follows.
  const ITEM = '[role="treeitem"]';
  const CLAIM = "li.claim";

  function visibleItems(tree) {
    return Array.from(tree.querySelectorAll(ITEM)).filter((item) => !item.closest("[hidden]"));
  }

  function claimOf(item) {
    return item.closest(CLAIM);
  }

  function itemOf(claim) {
    return claim && claim.querySelector(":scope > " + ITEM);
  }

  function ownToggle(item) {
    return claimOf(item).querySelector(":scope > .claim-body [data-toggle]");
  }

  function ownChildren(item) {
    return claimOf(item).querySelector(":scope > .children");
  }

  function focusItem(item) {
    if (!item) return;
    const tree = item.closest('[role="tree"]');
    tree.querySelectorAll(ITEM).forEach((other) => other.setAttribute("tabindex", "-1"));
    item.setAttribute("tabindex", "0");
    item.focus();
  }

  // The toggle's text is the branch's counts; its arrow follows aria-expanded (app.css), and
  // aria-expanded on the toggle itself tells a screen reader which way it goes.
  function syncToggle(item) {
    const toggle = ownToggle(item);
    if (toggle) toggle.setAttribute("aria-expanded", item.getAttribute("aria-expanded") === "true" ? "true" : "false");
  }

  function setExpanded(item, expanded) {
    const children = ownChildren(item);
    if (!children || !item.hasAttribute("aria-expanded")) return false;
    if (expanded && children.dataset.loaded !== "true") {
      const toggle = ownToggle(item);
      if (toggle) toggle.click(); // htmx loads the branch, then afterSwap expands it
      return true;
    }
    children.hidden = !expanded;
    item.setAttribute("aria-expanded", String(expanded));
    syncToggle(item);
    return true;
  }

  // A loaded branch folds and unfolds without asking the server again.
  document.addEventListener("htmx:confirm", (event) => {
    const toggle = event.target.closest && event.target.closest("[data-toggle]");
    if (!toggle) return;
    const item = itemOf(toggle.closest(CLAIM));
    const children = ownChildren(item);
    if (children && children.dataset.loaded === "true") {
      event.preventDefault();
      setExpanded(item, item.getAttribute("aria-expanded") !== "true");
    }
  });

  document.addEventListener("keydown", (event) => {
    const item = event.target.closest && event.target.closest(ITEM);
    if (!item || event.target !== item) return;
    const tree = item.closest('[role="tree"]');
    const items = visibleItems(tree);
    const index = items.indexOf(item);
    const parent = itemOf(claimOf(item).parentElement.closest(CLAIM));
    switch (event.key) {
      case "ArrowDown":
        focusItem(items[index + 1]);
        break;
      case "ArrowUp":
        focusItem(items[index - 1]);
        break;
      case "Home":
        focusItem(items[0]);
        break;
      case "End":
        focusItem(items[items.length - 1]);
        break;
      case "ArrowRight":
        if (item.getAttribute("aria-expanded") === "false") setExpanded(item, true);
        else if (item.getAttribute("aria-expanded") === "true") {
          const first = ownChildren(item).querySelector(ITEM);
          focusItem(first);
        }
        break;
      case "ArrowLeft":
        if (item.getAttribute("aria-expanded") === "true") setExpanded(item, false);
        else focusItem(parent);
        break;
      case "Enter": {
        const link = item.querySelector(".claim-open");
        if (link) link.click();
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  });

  // Clicking inside a claim makes it the tree's current item (roving tabindex).
  document.addEventListener("focusin", (event) => {
    const item = event.target.closest && event.target.closest(ITEM);
    if (item && event.target === item) {
      item.closest('[role="tree"]').querySelectorAll(ITEM).forEach((other) => {
        if (other !== item) other.setAttribute("tabindex", "-1");
      });
      item.setAttribute("tabindex", "0");
    }
  });

  let focusedId = null;
  document.addEventListener("htmx:beforeSwap", () => {
    focusedId = document.activeElement && document.activeElement.id;
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    const source = event.detail.requestConfig && event.detail.requestConfig.elt;
    // A branch arrived (its old container is gone, the toggle that asked for it is not).
    if (source && source.matches && source.matches("[data-toggle]")) {
      const item = itemOf(source.closest(CLAIM));
      if (item) {
        item.setAttribute("aria-expanded", "true");
        syncToggle(item);
      }
    }
    // A form opened in a slot: put the cursor in its first field.
    if (target && target.classList && target.classList.contains("slot")) {
      const field = target.querySelector("textarea, input:not([type=hidden]), select");
      if (field) field.focus();
    }
    initTrees();
    // Keep focus where it was when the swap replaced the focused element.
    if (focusedId && !document.activeElement.id) {
      const again = document.getElementById(focusedId);
      if (again) again.focus();
    }
  });

  // After a write: focus the new or changed claim.
  document.addEventListener("claimChanged", (event) => {
    const detail = event.detail || {};
    const parent = detail.parent && itemOf(document.getElementById("claim-" + detail.parent));
    if (parent && parent.hasAttribute("aria-expanded")) {
      parent.setAttribute("aria-expanded", "true");
    }
    if (parent) syncToggle(parent);
    requestAnimationFrame(() => focusItem(itemOf(document.getElementById("claim-" + detail.id))));
  });

  // A claim's write links ("Add pro", "Edit", …, in its menu or at the head of its columns)
  // open their form in the claim's slot.
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("[data-slot] a[href]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    const slot = link.closest("[data-slot]").dataset.slot;
    if (!document.querySelector(slot)) return; // no slot here: the link opens its own page
    event.preventDefault();
    const menu = link.closest("details.claim-menu");
    if (menu) menu.open = false; // the form takes the menu's place
    htmx.ajax("GET", link.getAttribute("href"), { target: slot, swap: "innerHTML" });
  });

  // A control whose htmx target is not on this page (a form or link shown outside the tree
  // it was written for) does what it does without JavaScript: htmx sends nothing when its
  // target is missing, so the form posts plainly and the link is followed.
  document.addEventListener("htmx:targetError", (event) => {
    const elt = event.target;
    if (elt.tagName === "FORM" && elt.getAttribute("action")) {
      const submitter = lastSubmitter && lastSubmitter.form === elt ? lastSubmitter : null;
      if (submitter && submitter.name) {
        const carry = document.createElement("input");
        carry.type = "hidden";
        carry.name = submitter.name;
        carry.value = submitter.value;
        elt.appendChild(carry);
      }
      HTMLFormElement.prototype.submit.call(elt); // no submit event: htmx does not catch it
    } else if (elt.tagName === "A" && elt.getAttribute("href")) {
      window.location.assign(elt.getAttribute("href"));
    }
  });
  let lastSubmitter = null;
  document.addEventListener("submit", (event) => { lastSubmitter = event.submitter || null; }, true);

  // Cancel in an in-place form empties the slot instead of leaving the page.
  document.addEventListener("click", (event) => {
    const cancel = event.target.closest && event.target.closest("[data-cancel]");
    const slot = cancel && cancel.closest(".slot");
    if (!slot) return;
    event.preventDefault();
    const item = itemOf(slot.closest(CLAIM));
    slot.innerHTML = "";
    focusItem(item);
  });

  // Annotating a span: the words selected in a claim's text (by mouse, keyboard or finger),
  // with their offsets in that text, offered to annotate by a small "Annotate" button beside
  // the selection, and filled into the Annotate form when it opens.
  let selected = null;
  let offer = null;
  function selectedInClaim() {
    const selection = document.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    const range = selection.getRangeAt(0);
    const holder = range.commonAncestorContainer.nodeType === 1 ? range.commonAncestorContainer : range.commonAncestorContainer.parentElement;
    const text = holder && holder.closest(".claim-text");
    if (!text || !text.contains(range.endContainer)) return null;
    const before = document.createRange();
    before.setStart(text, 0);
    before.setEnd(range.startContainer, range.startOffset);
    const start = before.toString().length;
    const exact = range.toString();
    if (!exact.trim()) return null;
    const body = text.closest(".claim-body");
    const annotate = body && body.querySelector("a[data-annotate]");
    return { claim: text.closest("[data-claim]").dataset.claim, start, end: start + exact.length, exact, range, annotate };
  }

  function hideOffer() {
    if (offer) offer.remove();
    offer = null;
  }

  let pending = null;
  document.addEventListener("selectionchange", () => {
    const now = selectedInClaim();
    if (now) selected = now; // kept when the selection goes (a click on the menu clears it)
    clearTimeout(pending);
    pending = setTimeout(() => {
      const found = selectedInClaim();
      if (!found) {
        hideOffer();
        return;
      }
      if (!found.annotate) return; // the reader may not annotate this claim
      hideOffer();
      offer = document.createElement("button");
      offer.type = "button";
      offer.className = "annotate-offer";
      offer.textContent = gettext("Annotate");
      const box = found.range.getBoundingClientRect();
      offer.style.top = `${window.scrollY + box.bottom + 6}px`;
      offer.style.left = `${Math.max(8, Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - 140))}px`;
      document.body.appendChild(offer);
    }, 200);
  });

  // The offer keeps the selection (a mousedown on it would clear it first) and opens the form.
  document.addEventListener("mousedown", (event) => {
    if (event.target.closest && event.target.closest(".annotate-offer")) event.preventDefault();
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest(".annotate-offer");
    if (!button || !selected || !selected.annotate) return;
    const link = selected.annotate;
    const slot = link.closest("[data-slot]").dataset.slot;
    hideOffer();
    htmx.ajax("GET", link.getAttribute("href"), { target: slot, swap: "innerHTML" });
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const form = event.detail.target && event.detail.target.querySelector && event.detail.target.querySelector("form.annotate-form");
    if (!form || !selected || form.dataset.claim !== selected.claim) return;
    form.querySelector("[name=exact]").value = selected.exact;
    form.querySelector("[name=start]").value = selected.start;
    form.querySelector("[name=end]").value = selected.end;
    selected = null;
  });

  // A click on a card outside its text and controls opens the claim, as "Open" does; never
  // when it ends a selection of the claim's words.
  document.addEventListener("click", (event) => {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const card = event.target.closest && event.target.closest(".claim-body");
    if (!card || event.target.closest("a, button, input, textarea, select, label, summary, details, form, .claim-text, .slot, .notes, .column-adds")) return;
    const selection = document.getSelection();
    if (selection && !selection.isCollapsed) return;
    const open = card.querySelector(":scope > .claim-meta > .claim-open");
    if (open) open.click();
  });

  function initTrees() {
    document.querySelectorAll('[role="tree"]').forEach((tree) => {
      if (!tree.querySelector(ITEM + '[tabindex="0"]')) {
        const first = tree.querySelector(ITEM);
        if (first) first.setAttribute("tabindex", "0");
      }
      tree.querySelectorAll(ITEM).forEach(syncToggle);
    });
  }

  // "Copy" buttons: copy the named field (no inline handlers: the CSP runs none).
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copy);
    if (!field || !navigator.clipboard) return;
    navigator.clipboard.writeText(field.value).then(() => { button.textContent = gettext("Copied"); });
  });

  // A choice that applies itself (the order of pros and cons): submit its form on change.
  document.addEventListener("change", (event) => {
    const field = event.target;
    if (field.matches && field.matches("[data-submit-on-change]") && field.form) field.form.requestSubmit();
  });

  // Logging out forgets any page htmx may have kept for the Back button (private pages, an
  // old CSRF token): the history cache is off (htmx-config), and this clears what is left.
  document.addEventListener("submit", (event) => {
    if (event.target.matches && event.target.matches("form[data-logout], form[action*=\"/logout\"]")) {
      try { sessionStorage.removeItem("htmx-history-cache"); } catch (e) { /* storage off */ }
    }
  });

  // A member's page restored from the back-forward cache shows what was, not what is (their
  // vote before they changed it): load it again. Their pages also say no-store (middleware).
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && document.body.hasAttribute("hx-headers")) window.location.reload();
  });

  document.addEventListener("DOMContentLoaded", initTrees);
})();
