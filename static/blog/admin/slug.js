/* Fills an empty slug from the title (or a tag's or author's name) as the
   editor types, by asking the server for Tinta's one slug rule, so the slug
   is the one an import of the same title would give. A slug the editor typed,
   or one the object already has, is never changed. Without JavaScript an
   empty slug is made on save, by the same rule. */
(function () {
  "use strict";

  function setup(slug) {
    var source = document.getElementById("id_" + slug.dataset.slugFrom);
    if (!source) return;
    var automatic = slug.value === "";
    var timer = null;

    slug.addEventListener("input", function () { automatic = slug.value === ""; });
    source.addEventListener("input", function () {
      if (!automatic) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        var query = new URLSearchParams({text: source.value, kind: slug.dataset.slugKind || ""});
        if (slug.dataset.slugExclude) query.set("exclude", slug.dataset.slugExclude);
        fetch(slug.dataset.slugUrl + "?" + query.toString(), {credentials: "same-origin"})
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (data) { if (data && automatic) slug.value = data.slug; })
          .catch(function () { /* the server fills an empty slug on save */ });
      }, 250);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-slug-from]").forEach(setup);
  });
})();
