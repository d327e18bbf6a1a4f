// The region map: boundaries drawn with Leaflet on a plain background (no tile server).
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (el && window.L) {
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    map.setView([38.05, 114.48], 12);
    fetch(el.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var palette = ["#1d5fa8", "#b4232a", "#217a4b", "#a86400", "#6b3fa0", "#0f766e"];
        var i = 0;
        if (data.outline) {
          L.geoJSON(data.outline, { style: { color: "#5f6b7a", weight: 2, fill: false, dashArray: "4 4" } }).addTo(map);
        }
        var layer = L.geoJSON(data, {
          style: function () {
            var c = palette[i++ % palette.length];
            return { color: c, weight: 1.5, fillColor: c, fillOpacity: 0.18 };
          },
          onEachFeature: function (f, l) {
            var p = f.properties;
            l.bindTooltip(p.name, { permanent: data.features.length <= 30, direction: "center", className: "map-label" });
            l.on("click", function () { window.location.href = el.dataset.nodeUrl.replace("/0/", "/" + p.id + "/"); });
          }
        }).addTo(map);
        if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
        else { el.classList.add("empty"); }
      });
  }
})();
