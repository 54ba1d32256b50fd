// "Use my location" on the report form: progressive enhancement only. Without JavaScript, or
// where the browser has no geolocation, the resident types coordinates or picks the village.
// Words come from the page (data-* attributes), so they are in the page's language.
(function () {
  var box = document.querySelector("[data-locate]");
  if (!box || !("geolocation" in navigator)) { return; }
  var lat = document.getElementById("lat");
  var lng = document.getElementById("long");
  var source = document.getElementById("location_source");
  var status = document.getElementById("locate-status");
  if (!lat || !lng) { return; }
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button-secondary";
  button.textContent = box.getAttribute("data-label");
  status.parentNode.insertBefore(button, status);
  function typed() { if (source) { source.value = "typed"; } }
  lat.addEventListener("input", typed);
  lng.addEventListener("input", typed);
  button.addEventListener("click", function () {
    status.textContent = box.getAttribute("data-busy");
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (position) {
      lat.value = position.coords.latitude.toFixed(6);
      lng.value = position.coords.longitude.toFixed(6);
      if (source) { source.value = "device"; }
      status.textContent = box.getAttribute("data-done");
      button.disabled = false;
    }, function () {
      status.textContent = box.getAttribute("data-failed");
      button.disabled = false;
    }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });
}());
