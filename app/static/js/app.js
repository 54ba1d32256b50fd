// Progressive enhancement only: every page works without this file.
// Send the CSRF token with every htmx request (the token lives in a <meta> tag).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
  }
});
