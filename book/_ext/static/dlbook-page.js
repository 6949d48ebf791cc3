// dlbook: page set-up that must run before the theme's deferred scripts.
// The theme's FontAwesome would replace the <i> icon inside an ipywidgets Play button with an <svg>, which breaks
// the widget's view (and with it every jslink on the page); nesting the svg inside the <i> keeps both working.
window.FontAwesomeConfig = { autoReplaceSvg: "nest" };
// dlbook: every <summary> the reader can toggle gets an accessible name. The theme's table of contents opens and
// closes its sub-lists with a summary that holds only an icon; a screen reader would announce it as nothing.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("summary").forEach(function (summary) {
    // A summary that shows text is named by that text ("Show code cell source"): a fixed aria-label over it
    // ("Toggle hidden content", from the theme's toggles) would hide what a voice user reads on the screen.
    if (summary.textContent.trim()) {
      summary.removeAttribute("aria-label");
      return;
    }
    if (summary.getAttribute("aria-label")) return;
    var item = summary.closest("li");
    var link = item && item.querySelector("a");
    var name = link ? link.textContent.trim() : "";
    summary.setAttribute("aria-label", name ? "Show or hide the sections of " + name : "Show or hide details");
  });
});
// dlbook: the theme's buttons whose spoken name differs from what they show (WCAG 2.5.3, "label in name": a voice
// user says what they see). The search field shows "Search" and its shortcut (Ctrl+K, or the Mac's symbol, written
// by the theme's own script at load) but is named "Search"; the colour-mode button shows the icon of the current
// mode, titled Light, Dark or System Settings, but is named "Color mode". Both names are set from what is shown,
// after the theme's scripts ran, and the mode's name again whenever the mode changes.
(function () {
  function visibleText(element) {
    return element.textContent.replace(/\s+/g, " ").trim();
  }
  function nameSearchFields() {
    document.querySelectorAll(".search-button-field").forEach(function (button) {
      var shown = visibleText(button);
      if (shown) {
        button.setAttribute("aria-label", shown);
        button.setAttribute("aria-keyshortcuts", "Control+K Meta+K");
      }
    });
  }
  function nameThemeSwitches() {
    var mode = document.documentElement.dataset.mode || "auto";
    document.querySelectorAll(".theme-switch-button").forEach(function (button) {
      var icon = button.querySelector('.theme-switch[data-mode="' + mode + '"]');
      var title = icon && (icon.getAttribute("title") || icon.querySelector("title")?.textContent);
      button.setAttribute("aria-label", title ? "Color mode: " + title : "Color mode");
    });
  }
  window.addEventListener("load", function () {
    nameSearchFields();
    nameThemeSwitches();
    new MutationObserver(nameThemeSwitches).observe(document.documentElement, {
      attributes: true,
      attributeFilter: ["data-mode", "data-theme"],
    });
  });
})();
