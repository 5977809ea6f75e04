/* Tag autocomplete for the post editor.

   The form's own field is taggit's comma-separated text (what works without
   JavaScript). This turns it into chips and a combobox: typing asks the
   admin for tags whose name or slug match, existing tags come first (the
   one with the same slug as the typed text marked), and Enter or a comma
   adds the highlighted tag, or the typed text as a new tag. Typing
   "ia generativa" adds the existing "IA generativa": tags are matched by
   slug here and, whatever arrives, on save. */
(function () {
  "use strict";

  // Django's JavaScript catalog (the admin's jsi18n, which includes the project's LOCALE_PATHS); English without it.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (singular, plural, count) { return count === 1 ? singular : plural; };
  var interpolate = window.interpolate || function (format, args) { return format.replace("%s", args[0]); };
  var counter = 0;

  // taggit's parse_tags: commas separate tags when there is one outside quotes, else spaces; quotes group.
  function parse(value) {
    var separator = value.replace(/"[^"]*"/g, "").indexOf(",") !== -1 ? "," : " ";
    var names = [];
    var current = "";
    var quoted = false;
    function push() {
      var name = current.trim();
      if (name && names.indexOf(name) === -1) names.push(name);
      current = "";
    }
    Array.prototype.forEach.call(value, function (character) {
      if (character === '"') quoted = !quoted;
      else if (character === separator && !quoted) push();
      else current += character;
    });
    push();
    return names;
  }

  function serialise(names) {
    return names.map(function (name) {
      return /[ ,]/.test(name) ? '"' + name + '"' : name;
    }).join(", ");
  }

  function setup(field) {
    var id = "tag-editor-" + (++counter);
    var names = parse(field.value);
    var suggestions = [];
    var active = -1;
    var timer = null;
    var pending = null;
    var fetchedFor = null;

    var editor = document.createElement("div");
    editor.className = "tag-editor";
    var chips = document.createElement("ul");
    chips.className = "tag-chips";
    chips.setAttribute("aria-label", gettext("Tags of this post"));
    var entry = document.createElement("input");
    entry.type = "text";
    entry.className = "tag-entry";
    entry.id = id + "-entry";
    entry.autocomplete = "off";
    entry.setAttribute("role", "combobox");
    entry.setAttribute("aria-autocomplete", "list");
    entry.setAttribute("aria-expanded", "false");
    entry.setAttribute("aria-controls", id + "-list");
    entry.placeholder = gettext("Add a tag…");
    var list = document.createElement("ul");
    list.className = "tag-suggestions";
    list.id = id + "-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");

    editor.append(chips, entry, list, live);
    field.insertAdjacentElement("afterend", editor);
    field.type = "hidden";  // still submitted: the chips write it
    var label = document.querySelector('label[for="' + field.id + '"]');
    if (label) label.htmlFor = entry.id;
    var help = document.getElementById(field.id + "_helptext");
    if (help) entry.setAttribute("aria-describedby", help.id);

    function write() {
      field.value = serialise(names);
      chips.replaceChildren.apply(chips, names.map(function (name, index) {
        var chip = document.createElement("li");
        chip.className = "tag-chip";
        var text = document.createElement("span");
        text.textContent = name;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "tag-remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", interpolate(gettext("Remove tag %s"), [name]));
        remove.addEventListener("click", function () {
          names.splice(index, 1);
          write();
          live.textContent = interpolate(gettext("Removed %s"), [name]);
          entry.focus();
        });
        chip.append(text, remove);
        return chip;
      }));
    }

    function close() {
      list.hidden = true;
      entry.setAttribute("aria-expanded", "false");
      entry.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) entry.setAttribute("aria-activedescendant", id + "-option-" + index);
      else entry.removeAttribute("aria-activedescendant");
    }

    function show() {
      var typed = entry.value.trim();
      var options = suggestions.filter(function (tag) { return !has(tag.name); });
      var exact = suggestions.some(function (tag) { return tag.exact; });
      if (typed && !exact && !has(typed)) options.push({name: typed, create: true});
      list.replaceChildren.apply(list, options.map(function (tag, index) {
        var option = document.createElement("li");
        option.id = id + "-option-" + index;
        option.setAttribute("role", "option");
        option.className = "tag-option" + (tag.create ? " tag-option-new" : "");
        option.textContent = tag.create ? interpolate(gettext("New tag “%s”"), [tag.name]) : tag.name;
        if (!tag.create) {
          var count = document.createElement("span");
          count.className = "tag-count";
          count.textContent = " " + interpolate(ngettext("(%s post)", "(%s posts)", tag.count), [tag.count]);
          option.append(count);
        }
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { add(tag.name); });
        return option;
      }));
      list.dataset.names = JSON.stringify(options.map(function (tag) { return tag.name; }));
      var open = options.length > 0 && typed !== "";
      list.hidden = !open;
      entry.setAttribute("aria-expanded", open ? "true" : "false");
      // Only the tag with the typed text's slug is chosen by Enter alone; others need the arrows or a click.
      highlight(open ? options.findIndex(function (tag) { return tag.exact; }) : -1);
      if (open) live.textContent = interpolate(ngettext("%s suggestion", "%s suggestions", options.length), [options.length]);
    }

    function has(name) {
      var lower = name.toLowerCase();
      return names.some(function (existing) { return existing.toLowerCase() === lower; });
    }

    function fetchSuggestions() {
      var typed = entry.value.trim();
      if (!typed) { suggestions = []; close(); return Promise.resolve(); }
      fetchedFor = typed;
      pending = fetch(field.dataset.suggestUrl + "?" + new URLSearchParams({q: typed}).toString(), {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (data) {
          if (entry.value.trim() === typed) { suggestions = data.results; show(); }
        })
        .catch(function () { suggestions = []; show(); });
      return pending;
    }

    function add(name) {
      name = name.replace(/"/g, "").trim();
      if (name && !has(name)) {
        names.push(name);
        write();
        live.textContent = interpolate(gettext("Added %s"), [name]);
      }
      entry.value = "";
      suggestions = [];
      close();
    }

    // Enter or a comma: the highlighted option, else the existing tag with the typed text's slug, else a new tag.
    function commit() {
      var typed = entry.value.trim();
      if (!typed) return;
      clearTimeout(timer);
      var ready = fetchedFor === entry.value.trim() && pending ? pending : fetchSuggestions();
      ready.then(function () {
        var options = JSON.parse(list.dataset.names || "[]");
        if (!list.hidden && active >= 0 && options[active]) { add(options[active]); return; }
        var same = suggestions.filter(function (tag) { return tag.exact; })[0];
        add(same ? same.name : typed);
      });
    }

    entry.addEventListener("input", function () {
      if (entry.value.indexOf(",") !== -1) {
        entry.value = entry.value.replace(/,/g, " ").trim();
        commit();
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 200);
    });
    entry.addEventListener("keydown", function (event) {
      var count = list.children.length;
      if (event.key === "ArrowDown" && count) {
        event.preventDefault();
        if (list.hidden) show(); else highlight((active + 1) % count);
      } else if (event.key === "ArrowUp" && count) {
        event.preventDefault();
        highlight((active - 1 + count) % count);
      } else if (event.key === "Enter") {
        if (entry.value.trim()) {
          event.preventDefault();  // adds the tag; does not submit the form
          commit();
        }
      } else if (event.key === "Escape") {
        close();
      } else if (event.key === "Backspace" && entry.value === "" && names.length) {
        var removed = names.pop();
        write();
        live.textContent = interpolate(gettext("Removed %s"), [removed]);
      }
    });
    entry.addEventListener("blur", function () { setTimeout(close, 150); });
    field.form.addEventListener("submit", function () {
      if (entry.value.trim()) add(entry.value);  // a typed tag is not lost
    });
    write();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input.tag-input[data-suggest-url]").forEach(setup);
  });
})();
