// Review desk: keyboard shortcuts, receipt zoom and rotation, message prefill, bulk progress,
// receipt checks (evidence highlighting, refreshing while the receipts are being read).
(function () {
  "use strict";

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  // Receipt viewer: zoom and rotation apply to every page shown.
  var pages = document.getElementById("pages");
  var zoom = 1, rotate = 0;
  function view(action) {
    if (!pages) return;
    if (action === "zoom-in") zoom = Math.min(4, zoom * 1.25);
    if (action === "zoom-out") zoom = Math.max(0.5, zoom / 1.25);
    if (action === "rotate") rotate = (rotate + 90) % 360;
    if (action === "reset") { zoom = 1; rotate = 0; }
    pages.style.setProperty("--zoom", String(zoom));
    pages.style.setProperty("--rotate", rotate + "deg");
  }
  document.querySelectorAll("[data-view]").forEach(function (button) {
    button.addEventListener("click", function () { view(button.dataset.view); });
  });

  // Decision panels: a key opens its panel and puts the focus on its first field.
  function openPanel(panel) {
    document.querySelectorAll("details.panel[open]").forEach(function (other) {
      if (other !== panel) other.open = false;
    });
    panel.open = true;
    var first = panel.querySelector("input:not([type=hidden]), textarea, select, button[type=submit]");
    (first || panel.querySelector("summary")).focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = document.querySelector("details.panel[open]");
      if (open) { open.open = false; open.querySelector("summary").focus(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var panel = document.querySelector('details.panel[data-key="' + event.key + '"]');
    if (panel) { event.preventDefault(); openPanel(panel); return; }
    if (event.key === "n") {
      var note = document.getElementById("note-body");
      if (note) { event.preventDefault(); note.focus(); }
      return;
    }
    var viewKeys = { "+": "zoom-in", "=": "zoom-in", "-": "zoom-out", "t": "rotate" };
    if (viewKeys[event.key] && pages) { event.preventDefault(); view(viewKeys[event.key]); }
  });

  // Request for information: prefill the message from the chosen reasons, in the chosen
  // language, until the agent edits it by hand.
  var info = document.getElementById("info-form");
  if (info) {
    var texts = JSON.parse(info.dataset.texts);
    var message = document.getElementById("info-message");
    var lang = document.getElementById("info-lang");
    var edited = false;
    message.addEventListener("input", function () { edited = message.value.trim() !== ""; });
    function prefill() {
      if (edited) return;
      var t = texts[lang.value] || texts.en;
      var lines = [];
      info.querySelectorAll("input[name=reasons]:checked").forEach(function (box) {
        lines.push("- " + t[box.value]);
      });
      message.value = lines.length ? t.intro + "\n\n" + lines.join("\n") : "";
    }
    info.addEventListener("change", function (event) {
      if (event.target.name === "reasons" || event.target === lang) prefill();
    });
  }

  // Receipt checks: pointing at a field's row (or focusing its button) highlights where it was
  // read on the receipt. Delegated from the document, so refreshed rows keep working.
  function highlight(name, on) {
    var key = CSS.escape(name);
    document.querySelectorAll('.evidence-box[data-field="' + key + '"], tr[data-field-row="' + key + '"]')
      .forEach(function (el) { el.classList.toggle("is-active", on); });
  }
  function fieldOf(target) {
    var row = target.closest && target.closest("tr[data-field-row]");
    return row ? row.dataset.fieldRow : null;
  }
  ["mouseover", "focusin"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var name = fieldOf(event.target);
      if (name) highlight(name, true);
    });
  });
  ["mouseout", "focusout"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var name = fieldOf(event.target);
      // Moving within the same row is not leaving it.
      if (name && fieldOf(event.relatedTarget || document.body) !== name) highlight(name, false);
    });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-show-field]");
    if (!button) return;
    var box = document.querySelector('.evidence-box[data-field="' + CSS.escape(button.dataset.showField) + '"]');
    if (box) box.closest("figure").scrollIntoView({ block: "center" });
    highlight(button.dataset.showField, true);
  });

  // While the receipts are being read, refresh the checks (and the boxes on the pages) every
  // few seconds until the reading is done or failed, or for at most five minutes.
  var signals = document.getElementById("signals");
  var live = document.getElementById("signals-live");
  if (signals && signals.dataset.poll) {
    var url = signals.dataset.poll, tries = 0, every = 4000, maxTries = 75;
    var refresh = function () {
      tries += 1;
      fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("signals");
          if (!fresh) throw new Error("no signals");
          var before = signals.querySelector("[data-announce]");
          signals.innerHTML = fresh.innerHTML;
          signals.dataset.state = fresh.dataset.state;
          var update = doc.getElementById("evidence-update");
          if (update) {
            update.content.querySelectorAll("[data-swap]").forEach(function (el) {
              var old = document.querySelector('[data-swap="' + CSS.escape(el.dataset.swap) + '"]');
              if (old) old.replaceWith(document.importNode(el, true));
            });
          }
          var now = signals.querySelector("[data-announce]");
          if (live && now && (!before || before.textContent !== now.textContent)) {
            live.textContent = now.textContent.trim();
          }
          if (fresh.dataset.poll && tries < maxTries) setTimeout(refresh, every);
        })
        .catch(function () { if (tries < maxTries) setTimeout(refresh, every * 2); });
    };
    setTimeout(refresh, every);
  }

  // Queue: select every claim on the page.
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=claims]").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  }

  // Bulk job: poll the progress until it is done, then reload to show the report.
  var bulk = document.getElementById("bulk");
  if (bulk && bulk.dataset.status !== "done") {
    var bar = document.getElementById("bulk-progress");
    var poll = function () {
      fetch(bulk.dataset.poll, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          bar.max = p.total; bar.value = p.done;
          if (p.status === "done") { window.location.reload(); } else { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 500);
  }
})();
