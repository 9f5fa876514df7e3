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

  function watch() {
    BOXES.forEach(function (entry) {
      document.querySelectorAll(entry[0]).forEach(function (box, i) {
        update(box, entry[1], i + 1);
        if (window.ResizeObserver) {
          new ResizeObserver(function () { update(box, entry[1], i + 1); }).observe(box);
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watch);
  } else {
    watch();
  }
})();
