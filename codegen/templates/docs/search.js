(function () {
  "use strict";
  var form = document.getElementById("search");
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var index = JSON.parse(document.getElementById("search-index").textContent);
  form.hidden = false;
  function rank(entry, q) {
    var name = entry[1].toLowerCase();
    var at = name.indexOf(q);
    if (name === q) return 0;
    if (at === 0) return 1;
    if (at > 0) return 2;
    return entry[2].toLowerCase().indexOf(q) >= 0 ? 3 : -1;
  }
  function item(entry) {
    var li = document.createElement("li");
    var kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = entry[0];
    var a = document.createElement("a");
    a.href = entry[3];
    a.textContent = entry[1];
    li.appendChild(kind);
    li.appendChild(a);
    if (entry[2]) {
      var detail = document.createElement("span");
      detail.className = "detail";
      detail.textContent = entry[2];
      li.appendChild(detail);
    }
    return li;
  }
  function show() {
    var q = input.value.trim().toLowerCase();
    list.textContent = "";
    if (!q) return;
    var hits = [];
    index.forEach(function (entry, i) {
      var r = rank(entry, q);
      if (r >= 0) hits.push([r, i, entry]);
    });
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    hits.slice(0, 50).forEach(function (hit) { list.appendChild(item(hit[2])); });
    if (!hits.length) {
      var none = document.createElement("li");
      none.textContent = "Nothing matches.";
      list.appendChild(none);
    }
  }
  input.addEventListener("input", show);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = list.querySelector("a");
    if (first) location.hash = first.getAttribute("href");
  });
  // Arrow keys move between the input and the results; Escape clears.
  function move(step) {
    var all = Array.prototype.slice.call(list.querySelectorAll("a"));
    if (!all.length) return;
    var next = all.indexOf(document.activeElement) + step;
    if (next === -1 || next === -2) {
      input.focus();
      return;
    }
    all[Math.min(Math.max(next, 0), all.length - 1)].focus();
  }
  form.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Escape") {
      input.value = "";
      show();
      input.focus();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== input) {
      event.preventDefault();
      input.focus();
    }
  });
})();
