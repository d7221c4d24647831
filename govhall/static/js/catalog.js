// Catalog pages: the print button of a guide (no inline scripts: CSP).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) { window.print(); }
});

// Staff guide form: "添加一行" clones the row template with the next index.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-add-row]");
  if (!button) { return; }
  var name = button.getAttribute("data-add-row");
  var template = document.getElementById(name + "-template");
  var target = document.getElementById(name + "-rows");
  if (!template || !target) { return; }
  var next = parseInt(button.getAttribute("data-next"), 10) || 0;
  var html = template.innerHTML.split("__i__").join(String(next));
  html = html.split("第新").join("第" + (next + 1));
  var holder = document.createElement(target.tagName === "TBODY" ? "tbody" : "div");
  holder.innerHTML = html;
  while (holder.firstElementChild) { target.appendChild(holder.firstElementChild); }
  button.setAttribute("data-next", String(next + 1));
  var first = target.lastElementChild && target.lastElementChild.querySelector("input, textarea");
  if (first) { first.focus(); }
});
