// dlbook: tell require.js where anywidget's front end lives inside this book, so the widget manager loads it from
// the book itself instead of a CDN. The widget manager also resolves its icon fonts relative to its own module id,
// so that id is mapped onto the vendored copy too. Paths come from this script's own URL (works at any page depth).
(function () {
  var here = document.currentScript && document.currentScript.src;
  var base = here ? here.slice(0, here.lastIndexOf("/") + 1) : "_static/";
  window.require.config({
    paths: {
      anywidget: base + "vendor/anywidget/index",
      "@jupyter-widgets/html-manager/dist": base + "vendor",
    },
  });
})();
