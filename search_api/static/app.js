// Wissensnetz: small progressive enhancements. Every page reads without this file; upload and
// delete need it (they send the API key as a header); a note says so until this file runs.
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

  // Upload and delete. The API key goes only into the X-API-Key header of a fetch request:
  // never into an address, a cookie or the page; sessionStorage keeps it only on request.
  var KEY_STORE = "wissensnetz.apiKey";
  var TITLES = {
    401: "API-Schlüssel fehlt oder ist ungültig",
    403: "Keine Berechtigung",
    404: "Nicht gefunden",
    413: "Datei zu groß",
    415: "Dateityp nicht unterstützt",
    422: "Die Datei konnte nicht eingelesen werden",
    503: "Zurzeit nicht möglich"
  };

  function storedKey() {
    try { return window.sessionStorage.getItem(KEY_STORE) || ""; } catch (e) { return ""; }
  }

  function rememberKey(key, keep) {
    try {
      if (keep && key) { window.sessionStorage.setItem(KEY_STORE, key); }
      else { window.sessionStorage.removeItem(KEY_STORE); }
    } catch (e) { /* storage blocked: the key is simply not kept */ }
  }

  function say(box, text, kind) {
    box.textContent = "";
    box.className = "status-box " + (kind || "");
    var line = document.createElement("p");
    line.textContent = text;
    box.appendChild(line);
    if (kind === "busy") {
      var bar = document.createElement("progress");
      bar.setAttribute("aria-label", "Fortschritt");
      box.appendChild(bar);
    }
  }

  function errorText(status, body) {
    var message = body && body.error && body.error.message;
    var title = TITLES[status] || "Fehler " + status;
    return title + (message ? ": " + message : ".");
  }

  // Calls the JSON API and resolves to {status, ok, data}; data is null for a non-JSON body.
  function callApi(url, options) {
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  function fileProblem(file, form) {
    if (!file) { return "Bitte wählen Sie eine Datei."; }
    var suffixes = form.getAttribute("data-suffixes").split(",");
    var name = file.name.toLowerCase();
    var allowed = suffixes.some(function (suffix) { return name.slice(-suffix.length) === suffix; });
    if (!allowed) { return TITLES[415] + ": erlaubt sind " + suffixes.join(", ") + "."; }
    if (file.size > Number(form.getAttribute("data-max-bytes"))) {
      return TITLES[413] + ": höchstens " + form.getAttribute("data-max-mb") + " MB.";
    }
    return "";
  }

  function uploadState(summary) {
    var docs = summary.documents || {};
    if (docs.updated) { return "aktualisiert (frühere Fassung ersetzt)"; }
    if (docs["new"]) { return "neu eingelesen"; }
    if (docs.unchanged) { return "unverändert (derselbe Inhalt war schon eingelesen)"; }
    return summary.status === "ingested" ? "eingelesen" : summary.status || "eingelesen";
  }

  function entityText(counts, kinds) {
    var parts = Object.keys(counts || {}).map(function (kind) {
      return counts[kind] + " × " + (kinds[kind] || kind);
    });
    return parts.length ? parts.join(", ") : "keine";
  }

  function addFact(list, term, value) {
    var dt = document.createElement("dt");
    var dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = value;
    list.appendChild(dt);
    list.appendChild(dd);
  }

  function showUpload(section, data) {
    var summary = data.summary || {};
    var kinds = JSON.parse(section.getAttribute("data-kinds") || "{}");
    var facts = document.getElementById("upload-facts");
    var links = document.getElementById("upload-links");
    facts.textContent = "";
    links.textContent = "";
    addFact(facts, "Datei", data.filename + " (" + Math.ceil(data.bytes / 1024) + " KB)");
    addFact(facts, "Status", uploadState(summary));
    addFact(facts, "Passagen", String(summary.passages || 0));
    addFact(facts, "Entitäten", entityText(summary.entities, kinds));
    if (summary.experiences !== undefined) { addFact(facts, "Erfahrungen", String(summary.experiences)); }
    var ids = summary.document_ids || (summary.document_id ? [summary.document_id] : []);
    ids.forEach(function (id) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/e/document/" + encodeURIComponent(id);
      link.textContent = "Dokumentseite öffnen: " + id;
      item.appendChild(link);
      links.appendChild(item);
    });
    section.hidden = false;
    document.getElementById("upload-result-title").focus();
  }

  function setUpUpload(form) {
    var fields = document.getElementById("upload-fields");
    var fileInput = document.getElementById("upload-file");
    var keyInput = document.getElementById("upload-key");
    var remember = document.getElementById("upload-remember");
    var status = document.getElementById("upload-status");
    var section = document.getElementById("upload-result");
    document.getElementById("upload-js-note").hidden = true;
    if (form.getAttribute("data-enabled") !== "true") { return; }
    keyInput.value = storedKey();
    remember.checked = keyInput.value !== "";
    fields.disabled = false;
    remember.addEventListener("change", function () { rememberKey(keyInput.value.trim(), remember.checked); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var file = fileInput.files[0];
      var key = keyInput.value.trim();
      var problem = fileProblem(file, form) || (key ? "" : TITLES[401] + ".");
      if (problem) { say(status, problem, "error"); return; }
      rememberKey(key, remember.checked);
      var body = new FormData();
      body.append("file", file, file.name);
      fields.disabled = true;
      section.hidden = true;
      say(status, "„" + file.name + "“ wird hochgeladen und eingelesen …", "busy");
      callApi("/api/documents", {
        method: "POST",
        headers: { "X-API-Key": key, "Accept": "application/json" },
        body: body
      }).then(function (answer) {
        if (answer.ok) {
          say(status, "Fertig: „" + answer.data.filename + "“ ist eingelesen.", "done");
          showUpload(section, answer.data);
        } else {
          say(status, errorText(answer.status, answer.data), "error");
        }
      }, function () {
        say(status, "Keine Antwort vom Server (Verbindung abgebrochen; zu große Dateien werden " +
          "abgewiesen). Bitte erneut versuchen.", "error");
      }).then(function () { fields.disabled = false; });
    });
  }

  function setUpDelete(form) {
    var fields = document.getElementById("delete-fields");
    var keyInput = document.getElementById("delete-key");
    var status = document.getElementById("delete-status");
    var docId = form.getAttribute("data-doc-id");
    keyInput.value = storedKey();
    fields.disabled = false;
    document.getElementById("delete-js-note").hidden = true;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var key = keyInput.value.trim();
      if (!key) { say(status, TITLES[401] + ".", "error"); return; }
      var question = "Dokument „" + form.getAttribute("data-title") + "“ endgültig löschen?";
      if (!window.confirm(question)) { return; }
      fields.disabled = true;
      say(status, "Dokument wird gelöscht …", "busy");
      callApi("/api/documents/" + encodeURIComponent(docId), {
        method: "DELETE",
        headers: { "X-API-Key": key, "Accept": "application/json" }
      }).then(function (answer) {
        if (answer.ok) {
          say(status, "Das Dokument wurde gelöscht. Diese Seite zeigt den alten Stand.", "done");
          return;
        }
        say(status, errorText(answer.status, answer.data), "error");
        fields.disabled = false;
      }, function () {
        say(status, "Keine Antwort vom Server. Bitte erneut versuchen.", "error");
        fields.disabled = false;
      });
    });
  }

  var uploadForm = document.getElementById("upload-form");
  if (uploadForm) { setUpUpload(uploadForm); }
  var deleteForm = document.getElementById("delete-form");
  if (deleteForm) { setUpDelete(deleteForm); }
})();
