/* The adverse event form: when the CTCAE term typed is one of the list, show its grade
 * definitions (1-5) beside the grade choices, and disable the grades CTCAE does not define
 * for it. The page renders them for the term it was given, so it works without this. */
(function () {
  "use strict";
  var input = document.getElementById("f-term");
  var choices = document.getElementById("grade-choices");
  if (!input || !choices) { return; }
  var none = document.getElementById("grade-none");
  var soc = document.getElementById("term-soc");
  var url = input.getAttribute("data-terms-url");
  var undefinedText = choices.getAttribute("data-undefined") || "";
  var shown = null;

  function show(term) {
    var rows = choices.querySelectorAll(".grade-choice");
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var grade = row.getAttribute("data-grade");
      var text = term ? term.grades[grade] : null;
      var radio = row.querySelector("input");
      var label = row.querySelector(".grade-text");
      label.textContent = term ? (text ? text : "\u2014 " + undefinedText) : "";
      var off = Boolean(term) && !text;
      radio.disabled = off;
      if (off) { radio.checked = false; }
      row.classList.toggle("is-undefined", off);
    }
    if (none) { none.hidden = Boolean(term); }
    if (soc) { soc.textContent = term ? term.soc : ""; }
  }

  function lookUp() {
    var typed = input.value.trim();
    if (typed === shown) { return; }
    shown = typed;
    if (!typed) { show(null); return; }
    fetch(url + "?limit=1&q=" + encodeURIComponent(typed), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : [];
    }).then(function (found) {
      if (input.value.trim() !== typed) { return; }
      var term = found.length && found[0].term.toLowerCase() === typed.toLowerCase() ? found[0] : null;
      show(term);
    }).catch(function () { /* the page's own rendering stays */ });
  }

  input.addEventListener("change", lookUp);
  input.addEventListener("input", function () {
    var options = document.querySelectorAll("#ctcae-terms option");
    for (var i = 0; i < options.length; i++) {
      if (options[i].value === input.value) { lookUp(); return; }
    }
  });
}());
