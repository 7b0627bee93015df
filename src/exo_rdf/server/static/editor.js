/* The /sparql editor page: replaces the plain form with YASGUI (vendored, see vendor/yasgui/README.md).
   YASGUI is configured to contact only this server: the endpoint is /sparql on this origin, there is no
   endpoint catalogue, no remote autocompletion (LOV, prefix.cc) and no stored state in localStorage. */
(function () {
  "use strict";
  var holder = document.getElementById("yasgui");
  if (!holder || typeof Yasgui === "undefined") { return; }
  var data = JSON.parse(document.getElementById("editor-data").textContent);
  var endpoint = window.location.origin + data.endpoint;
  var start = data.query;
  if (window.location.hash.indexOf("#query=") === 0) {
    try { start = decodeURIComponent(window.location.hash.slice(7).replace(/\+/g, " ")); } catch (e) { /* keep */ }
  }
  var yasgui = new Yasgui(holder, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    populateFromUrl: false,
    persistenceId: null,
    yasqe: { autocompleters: ["variables"], persistenceId: null, consumeShareLink: null,
             createShareableLink: null, value: data.blank, collapsePrefixesOnLoad: true },
    yasr: { prefixes: data.prefixes, persistenceId: null, pluginOrder: ["table", "response"],
            defaultPlugin: "table" }
  });
  var form = document.getElementById("plain-editor");
  form.hidden = true;
  holder.hidden = false;
  var tab = yasgui.getTab();
  tab.setQuery(start);
  /* Our IRIs (and the external terms of the graph) have pages on this server: link the table there. */
  function localHref(href) {
    if (href.indexOf(data.base) === 0) { return data.mount + href.slice(data.base.length); }
    var best = null;
    Object.keys(data.entities).forEach(function (prefix) {
      var ns = data.entities[prefix];
      if (href.indexOf(ns) === 0 && href.length > ns.length && (best === null || ns.length > data.entities[best].length)) {
        best = prefix;
      }
    });
    return best === null ? null : data.mount + "entity/" + best + ":" + encodeURIComponent(href.slice(data.entities[best].length));
  }
  function localise(root) {
    var links = root.querySelectorAll("a[href]:not([data-local])");
    for (var i = 0; i < links.length; i++) {
      var local = localHref(links[i].getAttribute("href"));
      links[i].setAttribute("data-local", "");
      if (local !== null) {
        links[i].setAttribute("href", local);
        links[i].removeAttribute("target");
      }
    }
  }
  new MutationObserver(function () { localise(holder); }).observe(holder, { childList: true, subtree: true });
  window.exoEditor = yasgui;
  document.documentElement.setAttribute("data-editor", "ready");
})();
