// Wissensnetz: small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var editor = document.getElementById("query");
  if (form && editor && editor.tagName === "TEXTAREA") {
    // Ctrl+Enter (Cmd+Enter) runs the query.
    editor.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.submit();
      }
    });
    // An example link fills the editor and runs it, keeping the page address shareable.
    document.querySelectorAll("a.example[data-query]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        editor.value = link.getAttribute("data-query");
        form.submit();
      });
    });
  }
  // Facet filters: keep keyboard focus visible after navigation by moving it to the results.
  var results = document.getElementById("results-title");
  if (results && window.location.search.indexOf("page=") >= 0) {
    results.setAttribute("tabindex", "-1");
    results.focus();
  }
})();
