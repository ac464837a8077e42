/* Note previews: hovering, focusing or tapping a note marker shows the note where the reader is.
 *
 * - mouse: the preview opens on hover; a click still jumps to the note (and its back link returns);
 * - keyboard: the preview opens when the marker gets focus; Escape closes it; Enter jumps to the note;
 * - touch: a tap opens the preview instead of jumping; the preview has a link to the note.
 * Without JavaScript the markers are plain links to the notes.
 */
(function () {
  "use strict";

  var preview = null;
  var current = null;
  var hideTimer = null;
  var lastPointer = "mouse";
  var refocusing = false;

  function noteFor(marker) {
    var id = decodeURIComponent(marker.getAttribute("href").slice(1));
    return document.getElementById(id);
  }

  function build() {
    preview = document.createElement("div");
    preview.className = "note-preview";
    preview.id = "note-preview";
    preview.setAttribute("role", "tooltip");
    preview.hidden = true;
    preview.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    preview.addEventListener("mouseleave", scheduleHide);
    document.body.appendChild(preview);
  }

  function show(marker) {
    var note = noteFor(marker);
    if (!note) return;
    clearTimeout(hideTimer);
    if (current && current !== marker) current.removeAttribute("aria-describedby");
    current = marker;
    var content = note.cloneNode(true);
    content.querySelectorAll(".footnote-backref").forEach(function (a) { a.remove(); });
    preview.innerHTML = "";
    var number = document.createElement("span");
    number.className = "note-preview-number";
    number.textContent = marker.textContent + ". ";
    preview.appendChild(number);
    while (content.firstChild) preview.appendChild(content.firstChild);
    var go = document.createElement("a");
    go.href = marker.getAttribute("href");
    go.className = "note-preview-go";
    var notes = document.querySelector(".brief-notes[data-label-go-to-note]");
    var label = notes ? notes.getAttribute("data-label-go-to-note") : "Go to note {number}";
    go.textContent = label.replace("{number}", marker.textContent);
    go.addEventListener("click", hide);
    preview.appendChild(go);
    preview.hidden = false;
    marker.setAttribute("aria-describedby", "note-preview");
    place(marker);
  }

  function place(marker) {
    var box = marker.getBoundingClientRect();
    var width = Math.min(420, document.documentElement.clientWidth - 16);
    preview.style.width = width + "px";
    var left = Math.max(8, Math.min(box.left + window.scrollX - width / 2,
                                    window.scrollX + document.documentElement.clientWidth - width - 8));
    preview.style.left = left + "px";
    var below = box.bottom + window.scrollY + 8;
    preview.style.top = below + "px";
    var height = preview.offsetHeight;
    if (box.bottom + height + 16 > window.innerHeight && box.top > height + 16) {
      preview.style.top = (box.top + window.scrollY - height - 8) + "px";
    }
  }

  function hide() {
    clearTimeout(hideTimer);
    if (!preview) return;
    preview.hidden = true;
    if (current) current.removeAttribute("aria-describedby");
    current = null;
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 250);
  }

  function init() {
    var markers = document.querySelectorAll("a.footnote-ref");
    if (!markers.length) return;
    build();
    markers.forEach(function (marker) {
      marker.addEventListener("pointerdown", function (event) { lastPointer = event.pointerType || "mouse"; });
      marker.addEventListener("mouseenter", function () { show(marker); });
      marker.addEventListener("mouseleave", scheduleHide);
      marker.addEventListener("focus", function () { if (!refocusing) show(marker); });
      marker.addEventListener("blur", function () {
        setTimeout(function () { if (!preview.contains(document.activeElement)) scheduleHide(); }, 0);
      });
      marker.addEventListener("click", function (event) {
        if (lastPointer === "touch" || lastPointer === "pen") {
          // a tap shows the note here; the preview's own link goes to the note, a tap elsewhere closes it
          event.preventDefault();
          show(marker);
        }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && preview && !preview.hidden) {
        var marker = current;
        hide();
        if (marker && document.activeElement !== marker) {
          refocusing = true;  // back to the marker without opening the preview again
          marker.focus({ preventScroll: true });
          refocusing = false;
        }
      }
    });
    document.addEventListener("pointerdown", function (event) {
      if (preview && !preview.hidden && !preview.contains(event.target) &&
          !(event.target.closest && event.target.closest("a.footnote-ref"))) {
        hide();
      }
    });
    window.addEventListener("resize", function () { if (current && !preview.hidden) place(current); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/* Print: a button beside "Download PDF", added only where JavaScript can print the page (the page's
   own HTML has no buttons: the sanitizer removes them; the PDF link works everywhere). */
(function () {
  "use strict";
  var actions = document.querySelector(".brief-actions");
  if (!actions || !window.print) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "brief-action brief-print";
  button.textContent = actions.getAttribute("data-label-print") || "Print";
  button.addEventListener("click", function () { window.print(); });
  actions.insertBefore(document.createTextNode(" "), actions.querySelector(".brief-cite-link"));
  actions.insertBefore(button, actions.querySelector(".brief-cite-link"));
})();
