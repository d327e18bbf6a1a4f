// The incident's place on the case page: its grid's boundary and the reported point,
// drawn with Leaflet on a plain background (no tile server).
(function () {
  "use strict";
  var el = document.getElementById("incident-map");
  if (!el || !window.L) { return; }
  var boundary = JSON.parse(document.getElementById("incident-boundary").textContent);
  var point = JSON.parse(document.getElementById("incident-point").textContent);
  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
  // The view is set before any layer is added: Leaflet cannot draw on a map without one.
  var layer = boundary ? L.geoJSON(boundary, { style: { color: "#1d5fa8", weight: 1.5, fillOpacity: 0.08 } }) : null;
  if (layer && layer.getBounds().isValid()) {
    map.fitBounds(layer.getBounds(), { padding: [10, 10] });
  } else if (point) {
    map.setView(point, 16);
  } else {
    return;
  }
  if (layer) { layer.addTo(map); }
  if (point) {
    L.circleMarker(point, { radius: 8, color: "#b4232a", fillColor: "#b4232a", fillOpacity: 0.8 }).addTo(map);
  }
})();
