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
    """
}
