// dlbook: page set-up that must run before the theme's deferred scripts.
// The theme's FontAwesome would replace the <i> icon inside an ipywidgets Play button with an <svg>, which breaks
// the widget's view (and with it every jslink on the page); nesting the svg inside the <i> keeps both working.
window.FontAwesomeConfig = { autoReplaceSvg: "nest" };
// dlbook: every <summary> the reader can toggle gets an accessible name. The theme's table of contents opens and
// closes its sub-lists with a summary that holds only an icon; a screen reader would announce it as nothing.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("summary").forEach(function (summary) {
    if (summary.textContent.trim() || summary.getAttribute("aria-label")) return;
    var item = summary.closest("li");
    var link = item && item.querySelector("a");
    var name = link ? link.textContent.trim() : "";
    summary.setAttribute("aria-label", name ? "Show or hide the sections of " + name : "Show or hide details");
  });
});
