// dlbook: tell require.js where anywidget's front end lives inside this book, so the widget manager loads it from
// the book itself instead of a CDN. The path is found from this script's own URL, which works on every page depth.
(function () {
  var here = document.currentScript && document.currentScript.src;
  var base = here ? here.slice(0, here.lastIndexOf("/") + 1) : "_static/";
  window.require.config({ paths: { anywidget: base + "vendor/anywidget/index" } });
})();
