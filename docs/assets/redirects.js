// WordPress's short links (/?p=358, /?page_id=…) reach the home page of a static site: forward them to
// their brief, as redirects.json says (written by the build from redirects.yml: briefkit/redirects.py).
// Nothing happens on a page without such a query.
(function () {
  var query = location.search.slice(1);
  var script = document.currentScript;
  if (!/^(p|page_id|attachment_id|cat|tag)=/.test(query) || !script) return;
  var root = new URL("../", script.src);
  fetch(new URL("redirects.json", root))
    .then(function (r) { return r.ok ? r.json() : {}; })
    .then(function (map) {
      var target = map[query];
      if (target) location.replace(/^https?:/.test(target) ? target : new URL(target.replace(/^\//, ""), root).href);
    })
    .catch(function () {});
})();
