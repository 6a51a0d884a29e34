// "@name" autocomplete in claim and note forms (textareas marked data-mentions): typing "@"
// and a few letters lists the names one may mention (/d/<slug>/mentions/?q=); a click or
// Enter on a name puts it in. Without this script one types the name; nothing else changes.
// Text through Django's JavaScript catalog (the jsi18n script before this one).
/* global gettext */
(() => {
  "use strict";
  const match = location.pathname.match(/^\/d\/([^/]+)\//);
  if (!match) return;
  const url = `/d/${match[1]}/mentions/`;
  let list = null;
  let timer = null;

  const close = () => { if (list) { list.remove(); list = null; } };

  const wordBefore = (field) => {
    const before = field.value.slice(0, field.selectionStart);
    const found = before.match(/(?:^|[^\w@])@([\w.+-]{1,60})$/);
    return found ? found[1] : null;
  };

  const insert = (field, text) => {
    const caret = field.selectionStart;
    const before = field.value.slice(0, caret).replace(/@[\w.+-]*$/, `@${text} `);
    field.value = before + field.value.slice(caret);
    field.focus();
    field.setSelectionRange(before.length, before.length);
    close();
  };

  const show = (field, names) => {
    close();
    if (!names.length) return;
    list = document.createElement("ul");
    list.className = "mention-list";
    list.setAttribute("aria-label", gettext("People you can mention"));
    for (const person of names) {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = person.name;
      button.addEventListener("click", () => insert(field, person.insert));
      item.append(button);
      list.append(item);
    }
    field.after(list);
  };

  document.addEventListener("input", (event) => {
    const field = event.target;
    if (!(field instanceof HTMLTextAreaElement) || !field.hasAttribute("data-mentions")) return;
    clearTimeout(timer);
    const word = wordBefore(field);
    if (!word) { close(); return; }
    timer = setTimeout(async () => {
      const answer = await fetch(`${url}?q=${encodeURIComponent(word)}`, {
        credentials: "same-origin", headers: { Accept: "application/json" },
      });
      if (answer.ok) show(field, (await answer.json()).names);
    }, 150);
  });
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
})();
