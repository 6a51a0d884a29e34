// A live length counter under every field with data-count-max (a claim's text): "123 of 500
// characters", then "20 characters over the limit" instead of a silent cut (no maxlength).
// Fields swapped in by htmx get theirs on htmx:load; the CSP runs only files like this one.
// Text through Django's JavaScript catalog (the jsi18n script before this one): gettext, ngettext, interpolate.
/* global gettext, ngettext, interpolate */
(function () {
  "use strict";

  function counterFor(field) {
    const id = field.id ? field.id + "-count" : "";
    let counter = id ? document.getElementById(id) : null;
    if (!counter) {
      counter = document.createElement("p");
      counter.className = "char-count";
      if (id) counter.id = id;
      field.insertAdjacentElement("afterend", counter);
      // Read with the field, after its label and help.
      const described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (id && !described.includes(id)) field.setAttribute("aria-describedby", described.concat(id).join(" "));
    }
    return counter;
  }

  function update(field) {
    const max = Number(field.dataset.countMax);
    const length = field.value.length;
    const counter = counterFor(field);
    const over = length - max;
    counter.textContent = over > 0
      ? interpolate(ngettext("%(over)s character over the limit of %(max)s: shorten it to post",
        "%(over)s characters over the limit of %(max)s: shorten it to post", over), { over, max }, true)
      : interpolate(ngettext("%(length)s of %(max)s character", "%(length)s of %(max)s characters", max), { length, max }, true);
    counter.classList.toggle("over", over > 0);
    // Say it aloud only near and past the limit, not on every key.
    counter.setAttribute("aria-live", max - length < 20 ? "polite" : "off");
    if (over > 0) {
      field.setAttribute("aria-invalid", "true");
      field.dataset.countInvalid = "true";
    } else if (field.dataset.countInvalid) { // only undo what the counter said (not the server's errors)
      field.removeAttribute("aria-invalid");
      delete field.dataset.countInvalid;
    }
  }

  function init(root) {
    root.querySelectorAll("[data-count-max]").forEach(update);
  }

  document.addEventListener("input", (event) => {
    if (event.target.matches && event.target.matches("[data-count-max]")) update(event.target);
  });
  document.addEventListener("htmx:load", (event) => init(event.detail.elt));
  document.addEventListener("DOMContentLoaded", () => init(document));
})();
