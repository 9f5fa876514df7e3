/* Boxes that scroll sideways (a figure too wide for a phone, a long formula, a wide
 * table) become reachable by keyboard while, and only while, they scroll: tabindex 0,
 * role "region" and a name, so arrow keys can scroll them and a screen reader says
 * what they are. A box that fits stays out of the tab order. figures.css shows the
 * visual cue (shades at the hidden side, a hint under a figure). */
(function () {
  "use strict";
  var BOXES = [
    [".md-typeset figure.bp-figure > .bp-figure-scroll", function (box) {
      return (box.getAttribute("data-bp-name") || "그림") + " (옆으로 스크롤)";
    }],
    // Landmarks need distinct names: formulas and tables are numbered in page order.
    [".md-typeset div.arithmatex", function (box, n) { return "수식 " + n + " (옆으로 스크롤)"; }],
    [".md-typeset .md-typeset__scrollwrap", function (box, n) { return "표 " + n + " (옆으로 스크롤)"; }],
  ];
  var OURS = "data-bp-scrolls";

  function update(box, name, n) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute(OURS)) {
      box.setAttribute(OURS, "");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", name(box, n));
    } else if (!scrolls && box.hasAttribute(OURS)) {
      ["tabindex", "role", "aria-label", OURS].forEach(function (a) { box.removeAttribute(a); });
    }
  }

  // Arrow keys in a box that scrolls scroll it, and go no further: an interactive figure
  // (interactive.js) steps through its animation with the same keys when the figure
  // itself has focus, a separate tab stop.
  var SCROLL_KEYS = { ArrowLeft: 1, ArrowRight: 1, Home: 1, End: 1 };
  document.addEventListener("keydown", function (ev) {
    var box = ev.target;
    if (SCROLL_KEYS[ev.key] && box.hasAttribute && box.hasAttribute(OURS)) ev.stopPropagation();
  }, true);

  // A drawing too wide for its column even at its smallest legible size (the min-width the
  // build wrote, labels at 8 px) has to scroll anyway: it then scrolls at the size the
  // build wrote in data-bp-scroll-width (labels at 11 px), not at the 8 px one. The
  // box's own width is the column's, whatever the drawing's size, so this cannot flip-flop.
  function toPx(length) {
    var m = /^([0-9.]+)(pt|px)?$/.exec(length || "");
    return m ? parseFloat(m[1]) * (m[2] === "pt" ? 4 / 3 : 1) : NaN;
  }

  function sizeDrawing(box) {
    var svg = box.querySelector("svg[data-bp-scroll-width]");
    if (!svg) return;
    if (svg.bpFitWidth === undefined) svg.bpFitWidth = svg.style.minWidth;
    var fits = !(box.clientWidth + 0.5 < toPx(svg.bpFitWidth));
    svg.style.minWidth = fits ? svg.bpFitWidth : svg.getAttribute("data-bp-scroll-width");
  }

  function watch() {
    BOXES.forEach(function (entry, kind) {
      document.querySelectorAll(entry[0]).forEach(function (box, i) {
        var check = function () {
          if (kind === 0) sizeDrawing(box);
          update(box, entry[1], i + 1);
        };
        check();
        if (window.ResizeObserver) new ResizeObserver(check).observe(box);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
