// The hotline desk's map: the operator's area drawn from its boundaries (no tile server); a
// click sets the call's point, and the suggestions are asked again for it.
(function () {
  "use strict";
  var el = document.getElementById("desk-map");
  if (!el || !window.L) { return; }
  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  map.setView([38.05, 114.48], 12);
  var marker = null;
  var lat = document.getElementById("id_lat");
  var lng = document.getElementById("id_lng");
  var label = document.getElementById("point-label");

  function place(latlng) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, { radius: 8, color: "#b4232a" }).addTo(map); }
    lat.value = latlng.lat.toFixed(6);
    lng.value = latlng.lng.toFixed(6);
    label.textContent = lat.value + ", " + lng.value;
    if (window.htmx) { window.htmx.trigger("#suggest-trigger", "pointset"); }
  }

  fetch(el.dataset.url, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: { color: "#1d5fa8", weight: 1, fillColor: "#1d5fa8", fillOpacity: 0.08 },
        onEachFeature: function (f, l) {
          l.bindTooltip(f.properties.name, { direction: "center", className: "map-label" });
          l.on("click", function (e) { place(e.latlng); });
        }
      }).addTo(map);
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
      if (lat.value && lng.value) { place(L.latLng(+lat.value, +lng.value)); }
    });
  map.on("click", function (e) { place(e.latlng); });
})();
