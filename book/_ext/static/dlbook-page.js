// dlbook: page set-up that must run before the theme's deferred scripts.
// The theme's FontAwesome would replace the <i> icon inside an ipywidgets Play button with an <svg>, which breaks
// the widget's view (and with it every jslink on the page); nesting the svg inside the <i> keeps both working.
window.FontAwesomeConfig = { autoReplaceSvg: "nest" };
