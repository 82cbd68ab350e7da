// Progress pages (a batch being filed, an ABI being published) reload themselves: the page
// includes this file with data-recarregar="<milliseconds>". A file, so the
// Content-Security-Policy needs no inline script; without JavaScript the page says to reload.
(function () {
  var script = document.currentScript;
  var ms = Number(script && script.dataset.recarregar) || 3000;
  setTimeout(function () { location.reload(); }, ms);
})();
