// The incident form's reportability answer, fetched as the facts change. Without this script the
// "Check reportability" button posts the form and the page comes back with the same answer.
(function () {
  "use strict";
  var form = document.getElementById("incident-form");
  var box = document.getElementById("answer");
  if (!form || !box || !window.fetch) { return; }
  var timer = null;
  var asked = 0;
  function ask() {
    var mine = ++asked;
    fetch(form.getAttribute("data-assess"), {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Mamori-Fragment": "answer" }
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null && mine === asked) { box.innerHTML = html; }
    }).catch(function () { /* the button still works */ });
  }
  function later() { clearTimeout(timer); timer = setTimeout(ask, 300); }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
}());
