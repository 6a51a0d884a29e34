// A live length counter under every field with data-count-max (a claim's text): "123 of 500
// characters", then "20 characters over the limit" instead of a silent cut (no maxlength).
// Fields swapped in by htmx get theirs on htmx:load; the CSP runs only files like this one.
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
      ? `${over} character${over === 1 ? "" : "s"} over the limit of ${max}: shorten it to post`
      : `${length} of ${max} characters`;
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
