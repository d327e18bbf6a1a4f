// The incident map: region boundaries as the base (no tile server), incidents as markers that
// gather into numbered bubbles when they are close on screen, and a density layer of squares.
// The points come from the scoped JSON endpoint in #incident-map's data-url; when there are
// too many, the server sends counted squares only and the bubbles stand for those squares.
(function () {
  "use strict";
  var el = document.getElementById("incident-map");
  if (!el || !window.L) { return; }
  var base = JSON.parse(document.getElementById("incident-map-base").textContent);
  var labels = JSON.parse(document.getElementById("incident-map-labels").textContent);
  var summary = document.querySelector("[data-testid=map-count]");
  var CELL_PX = 56; // markers closer than this on screen share a bubble
  var OPEN = "#b4232a", FINISHED = "#217a4b";

  var map = L.map(el, { attributionControl: false, zoomSnap: 0.5, minZoom: 5, maxZoom: 19 });
  map.setView([38.05, 114.48], 12);
  var palette = ["#1d5fa8", "#0f766e", "#7c3aed", "#a86400", "#be185d", "#217a4b"];
  var index = 0;
  if (base.outline) {
    L.geoJSON(base.outline, { style: { color: "#5f6b7a", weight: 2, fill: false, dashArray: "4 4" }, interactive: false }).addTo(map);
  }
  var shapes = L.geoJSON(base, {
    style: function () {
      var color = palette[index++ % palette.length];
      return { color: color, weight: 1.2, fillColor: color, fillOpacity: 0.06 };
    },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(feature.properties.name, {
        permanent: base.features.length <= 30, direction: "center", className: "map-label"
      });
    }
  }).addTo(map);
  if (shapes.getLayers().length) { map.fitBounds(shapes.getBounds(), { padding: [10, 10] }); }

  var density = L.layerGroup().addTo(map);
  var markers = L.layerGroup().addTo(map);
  var overlays = {};
  overlays[labels.markers] = markers;
  overlays[labels.density] = density;
  L.control.layers(null, overlays, { collapsed: window.innerWidth < 700 }).addTo(map);

  var data = null;

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  function popup(point) {
    var box = document.createElement("div");
    box.className = "incident-popup";
    var link = text("a", point.code + " · " + labels.open_case);
    link.href = point.url;
    box.appendChild(link);
    var facts = document.createElement("dl");
    [[point.category], [point.state_label], [point.reported_at], [point.address]].forEach(function (row) {
      if (!row[0]) { return; }
      facts.appendChild(text("dt", "•"));
      facts.appendChild(text("dd", row[0]));
    });
    box.appendChild(facts);
    return box;
  }

  function listPopup(points) {
    var box = document.createElement("div");
    box.className = "incident-popup";
    box.appendChild(text("strong", points.length + " " + labels.incidents));
    var list = document.createElement("ul");
    points.slice(0, 20).forEach(function (point) {
      var item = document.createElement("li");
      var link = text("a", point.code);
      link.href = point.url;
      item.appendChild(link);
      item.appendChild(document.createTextNode(" " + point.category + " · " + point.state_label));
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function bubble(lat, lng, count, hasOpen, onClick) {
    var size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 44 : 52;
    var icon = L.divIcon({
      html: "<span>" + count + "</span>",
      className: "incident-cluster" + (hasOpen ? " has-open" : ""),
      iconSize: [size, size]
    });
    var marker = L.marker([lat, lng], { icon: icon, keyboard: true, title: count + " " + labels.incidents });
    marker.on("click", onClick);
    return marker;
  }

  function drawPoints(points) {
    var zoom = map.getZoom();
    var groups = {};
    points.forEach(function (point) {
      var at = map.project([point.lat, point.lng], zoom);
      var key = Math.floor(at.x / CELL_PX) + ":" + Math.floor(at.y / CELL_PX);
      (groups[key] = groups[key] || []).push(point);
    });
    Object.keys(groups).forEach(function (key) {
      var group = groups[key];
      if (group.length === 1) {
        var point = group[0];
        L.circleMarker([point.lat, point.lng], {
          radius: 8, color: "#fff", weight: 2, fillColor: point.open ? OPEN : FINISHED, fillOpacity: 0.95
        }).bindPopup(popup(point)).addTo(markers);
        return;
      }
      var bounds = L.latLngBounds(group.map(function (p) { return [p.lat, p.lng]; }));
      var center = bounds.getCenter();
      var hasOpen = group.some(function (p) { return p.open; });
      var marker = bubble(center.lat, center.lng, group.length, hasOpen, function () {
        var same = bounds.getNorthEast().equals(bounds.getSouthWest(), 1e-7);
        if (same || map.getZoom() >= map.getMaxZoom()) {
          marker.bindPopup(listPopup(group)).openPopup();
        } else {
          map.fitBounds(bounds.pad(0.3), { maxZoom: map.getMaxZoom() });
        }
      });
      marker.addTo(markers);
    });
  }

  function drawCells(cells, size) {
    cells.forEach(function (cell) {
      var marker = bubble(cell.center[0], cell.center[1], cell.count, false, function () {
        map.fitBounds([[cell.lat, cell.lng], [cell.lat + size, cell.lng + size]]);
      });
      marker.bindTooltip(labels.more, { direction: "top" });
      marker.addTo(markers);
    });
  }

  function drawDensity(part) {
    density.clearLayers();
    part.cells.forEach(function (cell) {
      var share = part.max ? cell.count / part.max : 0;
      // From pale amber (few) to deep red (most), more opaque as the count grows.
      var red = Math.round(217 - 37 * share), green = Math.round(119 - 84 * share), blue = Math.round(6 + 36 * share);
      L.rectangle([[cell.lat, cell.lng], [cell.lat + part.size, cell.lng + part.size]], {
        stroke: false, fillColor: "rgb(" + red + "," + green + "," + blue + ")", fillOpacity: 0.12 + 0.6 * share,
        interactive: true
      }).bindTooltip(cell.count + " " + labels.incidents).addTo(density);
    });
  }

  function draw() {
    if (!data) { return; }
    markers.clearLayers();
    if (data.aggregated) { drawCells(data.density.cells, data.density.size); }
    else { drawPoints(data.points); }
  }

  function describe() {
    var parts = [data.count + " " + labels.incidents];
    if (data.unplaced) { parts.push(data.unplaced + " " + labels.unplaced); }
    summary.textContent = parts.join(" · ");
    if (!data.count) { summary.textContent = labels.none; }
    if (data.aggregated) {
      var note = document.createElement("div");
      note.className = "notice info";
      note.dataset.testid = "map-aggregated";
      note.textContent = labels.too_many;
      el.parentNode.insertBefore(note, el);
    }
  }

  fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    })
    .then(function (body) {
      data = body;
      describe();
      drawDensity(data.density);
      if (!shapes.getLayers().length && data.density.cells.length) {
        var all = [];
        data.density.cells.forEach(function (cell) {
          all.push([cell.lat, cell.lng], [cell.lat + data.density.size, cell.lng + data.density.size]);
        });
        map.fitBounds(all, { padding: [20, 20] });
      }
      draw();
      el.dataset.loaded = "true";
    })
    .catch(function () { summary.textContent = "—"; });

  map.on("zoomend", draw);
})();
