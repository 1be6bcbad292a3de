// Progressive enhancement for the self-check: focus an error summary; hide the questions whose conditions are not
// met (data-when='[["question id", "expected value"], ...]'). Without this script every
// question shows, and the server ignores answers to questions that do not apply.
(function () {
  "use strict";
  // A refused form (questions or contact details) brings its error summary into view.
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();

  var form = document.querySelector("form.selfcheck");
  if (!form) return;
  var items = Array.prototype.slice.call(form.querySelectorAll("[data-when]"));
  if (!items.length) return;

  function wrapperOf(name) {
    return document.getElementById("question-" + name);
  }

  function valueOf(name) {
    var wrapper = wrapperOf(name);
    if (wrapper && wrapper.hidden) return null; // a hidden question has no answer
    var fields = form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    if (!fields.length) return "";
    if (fields[0].type !== "radio") return fields[0].value;
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].checked) return fields[i].value;
    }
    return null; // nothing chosen yet: no condition on it is met
  }

  function applies(item) {
    var when;
    try {
      when = JSON.parse(item.getAttribute("data-when"));
    } catch (e) {
      return true; // a condition we cannot read never hides a question
    }
    for (var i = 0; i < when.length; i++) {
      if (valueOf(when[i][0]) !== when[i][1]) return false;
    }
    return true;
  }

  function update() {
    // In document order, so a question that depends on a hidden one hides too.
    items.forEach(function (item) {
      var show = applies(item);
      item.hidden = !show;
      Array.prototype.forEach.call(item.querySelectorAll("input, select, textarea"), function (el) {
        el.disabled = !show; // disabled fields are not sent
      });
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
