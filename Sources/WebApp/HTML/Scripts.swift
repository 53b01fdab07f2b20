import HTTPServer

extension Assets {
    /// The only script: progressive enhancement. Every page works without it; with it, a page that marks an
    /// element `data-refresh="N"` (a progress page) reloads itself every N seconds until the work is done, and a
    /// search box marked `data-filters="ID"` narrows the options of the select with that id as the person types (the
    /// action owner from the directory), saying how many match in the element "ID-status" (a polite live region).
    static let scriptPath = "/assets/app.js"
    static let scriptFile = StaticFile(contentType: "text/javascript; charset=utf-8", text: script)

    static let script = """
    (function () {
      var marker = document.querySelector("[data-refresh]");
      if (!marker) { return; }
      var seconds = parseInt(marker.getAttribute("data-refresh"), 10) || 2;
      window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
    })();
    (function () {
      var boxes = document.querySelectorAll("input[data-filters]");
      Array.prototype.forEach.call(boxes, function (box) {
        var select = document.getElementById(box.getAttribute("data-filters"));
        var status = document.getElementById(box.getAttribute("data-filters") + "-status");
        if (!select) { return; }
        function apply() {
          var words = box.value.toLowerCase().split(/\\s+/).filter(function (word) { return word.length > 0; });
          var shown = 0;
          Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
            var any = false;
            var agency = (group.getAttribute("label") || "").toLowerCase();
            Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
              var text = (option.textContent + " " + agency).toLowerCase();
              var match = option.selected || words.every(function (word) { return text.indexOf(word) !== -1; });
              option.hidden = !match;
              option.disabled = !match;
              if (match) { any = true; shown += 1; }
            });
            group.hidden = !any;
          });
          if (status) { status.textContent = shown === 1 ? "1 person matches" : shown + " people match"; }
        }
        box.addEventListener("input", apply);
        if (box.form) {
          box.form.addEventListener("submit", function (event) { event.preventDefault(); apply(); select.focus(); });
        }
      });
    })();
    (function () {
      // The GOV.UK error summary takes the focus when the page loads, so keyboard and screen reader users start at the
      // problems; each of its links takes the focus to its field (a fragment link alone only scrolls).
      var summary = document.getElementById("error-summary");
      if (summary) {
        summary.focus();
        summary.addEventListener("click", function (event) {
          var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
          var target = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
          if (!target) { return; }
          event.preventDefault();
          var group = target.closest("fieldset") || target;
          group.scrollIntoView();
          target.focus({ preventScroll: true });
        });
      }
      // After "add another", the page comes back at the new row (`#decision-2`): its first field takes the focus.
      if (window.location.hash.length > 1 && !summary) {
        var row = document.getElementById(window.location.hash.slice(1));
        var first = row && row.classList.contains("rows__row") ? row.querySelector("input:not([type=hidden]), textarea, select") : null;
        // After the load: the browser's own move to the fragment would otherwise take the focus back.
        if (first) { window.addEventListener("load", function () { window.setTimeout(function () { first.focus(); }, 0); }); }
      }
    })();
    """
}
