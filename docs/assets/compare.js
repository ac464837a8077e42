/* Before/after comparisons (figures with before: and after:): one picture over the other, with a
 * divider the reader moves to show more of either.
 *
 * - mouse and touch: press or touch anywhere on the pictures and drag; a vertical swipe still scrolls
 *   the page (touch-action: pan-y);
 * - keyboard: the divider is a slider (a range input): Tab to it, then the arrow keys (1 %), Page Up
 *   and Page Down (10 %), Home and End; screen readers announce it with both dates;
 * Without JavaScript, in feeds, in print and in the PDF, both pictures are shown one above the other,
 * each with its date and credit.
 */
(function () {
  "use strict";

  function setUp(figure) {
    var frames = figure.querySelector(".brief-compare-frames");
    var before = figure.querySelector(".brief-compare-before time");
    var after = figure.querySelector(".brief-compare-after time");
    if (!frames || !before || !after || frames.querySelector(".brief-compare-range")) return;

    var range = document.createElement("input");
    range.type = "range";
    range.min = "0";
    range.max = "100";
    range.step = "1";
    range.value = "50";
    range.className = "brief-compare-range";
    // the label in the page's language (templates/i18n/: compare), English when the page has none
    var label = figure.getAttribute("data-label-compare") ||
      "Compare {before} (left) with {after} (right): move to show more of either picture";
    range.setAttribute("aria-label", label.replace("{before}", before.textContent).replace("{after}", after.textContent));
    var handle = document.createElement("div");
    handle.className = "brief-compare-handle";
    handle.setAttribute("aria-hidden", "true");

    function show(value) {
      var v = Math.max(0, Math.min(100, Math.round(value)));
      range.value = String(v);
      range.setAttribute("aria-valuetext", v + "% " + before.textContent + ", " + (100 - v) + "% " +
                         after.textContent);
      frames.style.setProperty("--brief-compare", v + "%");
    }

    function fromPointer(event) {
      var box = frames.getBoundingClientRect();
      show(((event.clientX - box.left) / box.width) * 100);
    }

    range.addEventListener("input", function () { show(Number(range.value)); });
    frames.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      frames.setPointerCapture(event.pointerId);
      frames.classList.add("brief-compare-dragging");
      range.focus({ preventScroll: true });
      fromPointer(event);
      event.preventDefault();
    });
    frames.addEventListener("pointermove", function (event) {
      if (frames.hasPointerCapture(event.pointerId)) fromPointer(event);
    });
    function stop(event) {
      if (frames.hasPointerCapture(event.pointerId)) frames.releasePointerCapture(event.pointerId);
      frames.classList.remove("brief-compare-dragging");
    }
    frames.addEventListener("pointerup", stop);
    frames.addEventListener("pointercancel", stop);

    frames.appendChild(range);  // before the handle: the handle shows the slider's focus (briefs.css)
    frames.appendChild(handle);
    show(50);
    figure.classList.add("brief-compare-on");
  }

  function init() {
    var figures = document.querySelectorAll(".brief-compare");
    for (var i = 0; i < figures.length; i++) setUp(figures[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
