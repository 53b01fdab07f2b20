import HTTPServer

extension Assets {
    /// The only script: progressive enhancement. Every page works without it; with it, a page that marks an
    /// element `data-refresh="N"` (a progress page) reloads itself every N seconds until the work is done.
    static let scriptPath = "/assets/app.js"
    static let scriptFile = StaticFile(contentType: "text/javascript; charset=utf-8", text: script)

    static let script = """
    (function () {
      var marker = document.querySelector("[data-refresh]");
      if (!marker) { return; }
      var seconds = parseInt(marker.getAttribute("data-refresh"), 10) || 2;
      window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
    })();
    """
}
