/* The post editor's live preview.

   The form works without this file: the preview then shows the text as the
   page was loaded. With it, the preview follows the editor as they type: the
   text is sent (debounced, CSRF-protected POST) to the admin's preview view,
   which renders it with the site's own Markdown pipeline and sanitiser, and
   the returned HTML replaces the preview's body in place, without a reload.
   The preview is a sandboxed iframe holding the site's stylesheet, so it
   looks like the post page and nothing in it can run scripts. */
(function () {
  "use strict";

  var DELAY = 350;
  // Django's JavaScript catalog (the admin's jsi18n, which includes the project's LOCALE_PATHS); English without it.
  var gettext = window.gettext || function (text) { return text; };

  function setup(editor) {
    var textarea = editor.querySelector("textarea");
    var frame = editor.querySelector("iframe.md-preview");
    var status = editor.querySelector(".md-preview-status");
    var form = textarea.form;
    var title = form.querySelector("#id_title");
    var language = form.querySelector("#id_language");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var timer = null;
    var controller = null;
    var shown = textarea.value;  // the server rendered the preview of the page as loaded

    function previewDocument() {
      try { return frame.contentDocument; } catch (error) { return null; }
    }

    function say(text) { status.textContent = text; }

    function syncTitle() {
      var doc = previewDocument();
      var heading = doc && doc.querySelector(".preview-title");
      if (heading && title) heading.textContent = title.value;
    }

    function syncLanguage() {
      var doc = previewDocument();
      var article = doc && doc.querySelector("article");
      if (article && language && language.value) {
        article.lang = language.value;
        doc.documentElement.lang = language.value;
      }
    }

    function syncScroll() {
      var doc = previewDocument();
      var page = doc && doc.scrollingElement;
      var room = textarea.scrollHeight - textarea.clientHeight;
      if (page && room > 0) {
        page.scrollTop = (textarea.scrollTop / room) * (page.scrollHeight - page.clientHeight);
      }
    }

    function refresh() {
      var text = textarea.value;
      if (text === shown) { say(""); return; }
      if (controller) controller.abort();
      controller = new AbortController();
      var data = new FormData();
      data.append("body", text);
      say(gettext("Updating…"));
      fetch(editor.dataset.previewUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: {"X-CSRFToken": token ? token.value : "", "X-Requested-With": "XMLHttpRequest"},
        signal: controller.signal
      }).then(function (response) {
        return response.json().then(function (payload) { return {ok: response.ok, payload: payload}; });
      }).then(function (result) {
        if (!result.ok) { say(result.payload.error || gettext("The preview could not be updated.")); return; }
        var doc = previewDocument();
        var body = doc && doc.querySelector(".body");
        if (!body) return;
        body.innerHTML = result.payload.html;  // sanitised by the server's render_markdown
        shown = text;
        editor.classList.add("md-editor-live");
        syncScroll();
        say(gettext("Preview up to date"));
      }).catch(function (error) {
        if (error.name !== "AbortError") say(gettext("The preview could not be updated; it will try again as you type."));
      });
    }

    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, DELAY);
    });
    textarea.addEventListener("scroll", syncScroll, {passive: true});
    if (title) title.addEventListener("input", syncTitle);
    if (language) language.addEventListener("input", syncLanguage);
    frame.addEventListener("load", function () { syncTitle(); syncLanguage(); });
    syncTitle();
    syncLanguage();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".md-editor").forEach(setup);
  });
})();
