// The incident report form on a phone (staff page and resident portal): a searchable category
// picker (most used first), photos resized in the browser, the place from the phone or a tap
// on the map. On the staff page (data-mode "queue") every report goes into the queue on the
// phone (incident-report-queue.js) and is sent from there, now or when the connection returns;
// on the portal (data-mode "post") the form is posted with the resized photos.
// Data and words come from #report-data (json_script): the script holds no text of its own.
(function () {
  "use strict";

  var holder = document.getElementById("report-data");
  var form = document.getElementById("report-form");
  if (!holder || !form) { return; }
  var data = JSON.parse(holder.textContent);
  var S = data.strings;
  var queued = form.dataset.mode !== "post";
  var Q = window.ShequReportQueue;
  var SHOWN = 8;

  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_all, key) {
      return values[key] !== undefined && values[key] !== null ? values[key] : "";
    });
  }

  function node(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined && text !== null) { el.textContent = text; }
    return el;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrfToken() {
    var found = document.cookie.split(";").map(function (c) { return c.trim(); })
      .filter(function (c) { return c.indexOf("csrftoken=") === 0; })[0];
    if (found) { return decodeURIComponent(found.slice("csrftoken=".length)); }
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // --- Field errors --------------------------------------------------------------------------

  var ERROR_FIELD = { category_id: "category", lng: "lat", grid: "grid_id" };
  var ERROR_WORDS = { not_found: S.not_found, too_large: S.too_large, server_error: S.server_error };

  function words(messages) {
    return (messages || []).map(function (m) { return ERROR_WORDS[m] || m; }).join(" ");
  }

  function clearErrors() {
    form.querySelectorAll("[data-error]").forEach(function (el) { el.textContent = ""; });
  }

  function showErrors(errors) {
    clearErrors();
    Object.keys(errors || {}).forEach(function (field) {
      var target = form.querySelector('[data-error="' + (ERROR_FIELD[field] || field) + '"]') ||
        form.querySelector('[data-error="__all__"]');
      target.textContent = (target.textContent ? target.textContent + " " : "") + words(errors[field]);
    });
    var first = form.querySelector("[data-error]:not(:empty)");
    if (first) { first.scrollIntoView({ block: "center" }); }
  }

  // --- Category picker -----------------------------------------------------------------------

  var select = form.querySelector("#report-category");
  var picker = form.querySelector(".report-picker");
  var search = form.querySelector("#report-category-search");
  var choices = form.querySelector("#report-choices");
  var choicesNote = form.querySelector(".report-choices-note");
  var chosen = form.querySelector(".report-chosen");
  var byId = {};
  data.categories.forEach(function (c) { byId[c.id] = c; });

  // The rules of IncidentCategory.objects.search: name or class name, pinyin or initials,
  // a four-digit code (class and subclass) or a two-digit one (either).
  function matches(c, text) {
    var q = text.trim().toLowerCase();
    if (!q) { return true; }
    if (c.name.toLowerCase().indexOf(q) !== -1 || c.class_name.toLowerCase().indexOf(q) !== -1) { return true; }
    var letters = q.replace(/\s+/g, "");
    if (/^[a-z]+$/.test(letters) && (c.pinyin.indexOf(letters) !== -1 || c.initials.indexOf(letters) !== -1)) { return true; }
    if (/^\d{4}$/.test(q)) { return c.code === q; }
    if (/^\d{2}$/.test(q)) { return c.class_code === q || c.subclass_code === q; }
    return false;
  }

  function label(c) { return c.code + " " + c.name; }

  function renderChoices() {
    var found = data.categories.filter(function (c) { return matches(c, search.value); });
    choices.textContent = "";
    found.slice(0, SHOWN).forEach(function (c) {
      var li = node("li");
      var button = node("button", "report-choice");
      button.type = "button";
      button.dataset.id = c.id;
      button.setAttribute("role", "option");
      button.appendChild(node("span", "mono", c.code));
      button.appendChild(node("strong", "", c.name));
      button.appendChild(node("small", "muted", c.class_name + " · " + c.kind));
      if (c.uses) { button.appendChild(node("span", "badge", fmt(S.used_times, { count: c.uses }))); }
      li.appendChild(button);
      choices.appendChild(li);
    });
    choicesNote.textContent = !found.length ? S.no_match :
      found.length > SHOWN ? fmt(S.shown_of, { shown: SHOWN, count: found.length }) : "";
  }

  function choose(id) {
    var c = byId[id];
    select.value = c ? String(c.id) : "";
    picker.hidden = !!c;
    chosen.hidden = !c;
    if (c) {
      chosen.querySelector("span").textContent = label(c) + " · " + c.class_name;
      form.querySelector('[data-error="category"]').textContent = "";
    } else {
      renderChoices();
    }
  }

  if (select && picker) {
    select.hidden = true;
    choices.addEventListener("click", function (event) {
      var button = event.target.closest(".report-choice");
      if (button) { choose(button.dataset.id); }
    });
    search.addEventListener("input", renderChoices);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var first = choices.querySelector(".report-choice");
        if (first) { choose(first.dataset.id); }
      }
    });
    chosen.querySelector("[data-action=change-category]").addEventListener("click", function () {
      choose(null);
      search.focus();
    });
    choose(select.value);
  }

  // --- Photos --------------------------------------------------------------------------------

  var fileInput = form.querySelector("#report-photos");
  var thumbs = form.querySelector(".report-thumbs");
  var photoNote = form.querySelector(".report-photo-note");
  var photos = []; // {blob, url}
  var preparing = 0;

  function decode(file) {
    if (window.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" });
    }
    return new Promise(function (resolve, reject) {
      var img = new Image();
      var url = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }

  // A JPEG at most `photo_long_side` pixels on its long side: phones take 4000 px and more.
  function resize(file) {
    return decode(file).then(function (image) {
      var width = image.naturalWidth || image.width;
      var height = image.naturalHeight || image.height;
      var scale = Math.min(1, data.photo_long_side / Math.max(width, height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      if (image.close) { image.close(); }
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) { if (blob) { resolve(blob); } else { reject(new Error("encode")); } },
          "image/jpeg", data.photo_quality);
      });
    });
  }

  function renderPhotos() {
    photos.forEach(function (p) { if (!p.url) { p.url = URL.createObjectURL(p.blob); } });
    thumbs.textContent = "";
    photos.forEach(function (p, i) {
      var li = node("li");
      var img = node("img");
      img.src = p.url;
      img.alt = "";
      li.appendChild(img);
      var remove = node("button", "report-thumb-remove", "×");
      remove.type = "button";
      remove.setAttribute("aria-label", S.remove_photo);
      remove.addEventListener("click", function () {
        URL.revokeObjectURL(p.url);
        photos.splice(i, 1);
        renderPhotos();
      });
      li.appendChild(remove);
      thumbs.appendChild(li);
    });
    form.querySelector(".report-photo-button").hidden = photos.length >= data.max_photos;
  }

  function setPhotos(blobs) {
    photos.forEach(function (p) { if (p.url) { URL.revokeObjectURL(p.url); } });
    photos = blobs.map(function (blob) { return { blob: blob, url: null }; });
    renderPhotos();
  }

  fileInput.addEventListener("change", function () {
    var files = Array.prototype.slice.call(fileInput.files || []);
    fileInput.value = "";
    var problems = [];
    if (photos.length + files.length > data.max_photos) {
      problems.push(S.too_many_photos);
      files = files.slice(0, Math.max(0, data.max_photos - photos.length));
    }
    preparing += files.length;
    photoNote.textContent = files.length ? S.photo_working : "";
    files.reduce(function (chain, file) {
      return chain.then(function () {
        return resize(file).then(function (blob) {
          photos.push({ blob: blob, url: null });
          renderPhotos();
        }, function () {
          problems.push(fmt(S.photo_unreadable, { name: file.name }));
        }).then(function () { preparing -= 1; });
      });
    }, Promise.resolve()).then(function () {
      photoNote.textContent = "";
      form.querySelector('[data-error="photos"]').textContent = problems.join(" ");
    });
  });

  // --- Place: the phone's location or a tap on the map ---------------------------------------

  var lngInput = form.querySelector("input[name=lng]");
  var latInput = form.querySelector("input[name=lat]");
  var where = form.querySelector(".report-where");
  var mapEl = document.getElementById("report-map");
  var map = null;
  var marker = null;
  var shapes = data.places.filter(function (p) { return p.boundary; });

  function ringHolds(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { inside = !inside; }
    }
    return inside;
  }

  // Even-odd over every ring of a Polygon or MultiPolygon, as the server's locator counts.
  function holds(geometry, x, y) {
    var polygons = geometry.type === "MultiPolygon" ? geometry.coordinates :
      geometry.type === "Polygon" ? [geometry.coordinates] : [];
    var inside = false;
    polygons.forEach(function (rings) {
      rings.forEach(function (ring) { if (ringHolds(ring, x, y)) { inside = !inside; } });
    });
    return inside;
  }

  function geometryOf(boundary) {
    if (boundary.type === "Feature") { return boundary.geometry; }
    if (boundary.type === "FeatureCollection") {
      return { type: "MultiPolygon", coordinates: boundary.features.reduce(function (all, f) {
        var g = f.geometry;
        return all.concat(g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : []);
      }, []) };
    }
    return boundary;
  }

  function placeOf(lng, lat) {
    var found = shapes.filter(function (p) { return holds(geometryOf(p.boundary), lng, lat); })
      .sort(function (a, b) { return b.depth - a.depth; });
    return found[0] || null;
  }

  function showPlace(lng, lat, accuracy) {
    var values = { lng: lng.toFixed(5), lat: lat.toFixed(5), metres: accuracy ? Math.round(accuracy) : "" };
    var text = fmt(accuracy ? S.located : S.tapped, values);
    if (shapes.length) {
      var place = placeOf(lng, lat);
      text += " · " + (place ? fmt(S.in_place, { name: place.name }) : S.outside_places);
    }
    where.textContent = text;
  }

  function setPoint(lng, lat, accuracy) {
    lngInput.value = lng.toFixed(6);
    latInput.value = lat.toFixed(6);
    form.querySelector('[data-error="lat"]').textContent = "";
    if (map) {
      if (!marker) {
        marker = L.circleMarker([lat, lng], {
          pane: "report-point", radius: 10, color: "#fff", weight: 3, fillColor: "#b4232a", fillOpacity: 1
        }).addTo(map);
      } else {
        marker.setLatLng([lat, lng]);
      }
      if (!map.getBounds().contains([lat, lng])) { map.panTo([lat, lng]); }
    }
    showPlace(lng, lat, accuracy);
  }

  function clearPoint() {
    lngInput.value = "";
    latInput.value = "";
    if (marker) { marker.remove(); marker = null; }
    where.textContent = S.no_location;
  }

  if (mapEl && window.L && shapes.length) {
    map = L.map(mapEl, { attributionControl: false, zoomSnap: 0.25 });
    // The chosen point sits above the names of the grids, which are drawn at their centres.
    map.createPane("report-point").style.zIndex = 700;
    var bounds = null;
    var layers = shapes.map(function (p) {
      var style = p.own ? { color: "#b4232a", weight: 2.5, fillOpacity: 0.04 } :
        { color: "#1d5fa8", weight: 1, fillOpacity: 0.1 };
      style.interactive = false;
      var layer = L.geoJSON(p.boundary, style);
      var box = layer.getBounds();
      if (box.isValid()) { bounds = bounds ? bounds.extend(box) : L.latLngBounds(box.getSouthWest(), box.getNorthEast()); }
      return { place: p, layer: layer, box: box };
    });
    // The view first: Leaflet cannot draw a layer on a map without one.
    if (bounds) { map.fitBounds(bounds, { padding: [8, 8] }); } else { map.setView([0, 0], 2); }
    layers.forEach(function (item) {
      item.layer.addTo(map);
      if (layers.length <= 30 && item.box.isValid()) {
        L.tooltip({ permanent: true, direction: "center", className: "map-label", interactive: false })
          .setLatLng(item.box.getCenter()).setContent(item.place.name).addTo(map);
      }
    });
    map.on("click", function (event) { setPoint(event.latlng.lng, event.latlng.lat, null); });
  } else if (mapEl) {
    mapEl.hidden = true;
  }

  form.querySelector("[data-action=locate]").addEventListener("click", function () {
    if (!navigator.geolocation) { where.textContent = S.no_geolocation; return; }
    where.textContent = S.locating;
    navigator.geolocation.getCurrentPosition(function (position) {
      setPoint(position.coords.longitude, position.coords.latitude, position.coords.accuracy || 1);
    }, function () {
      where.textContent = S.location_failed;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  if (lngInput.value && latInput.value) {
    setPoint(parseFloat(lngInput.value), parseFloat(latInput.value), null);
  }

  // --- The form ------------------------------------------------------------------------------

  var description = form.querySelector("#report-description");
  var address = form.querySelector("#report-address");
  var grid = form.querySelector("#report-grid");
  var submit = form.querySelector("[data-testid=report-submit]");
  var fixingNote = form.querySelector("[data-testid=report-fixing]");
  var editing = null; // the queued report being fixed

  function problems() {
    var errors = {};
    if (!select.value) { errors.category = [S.no_category]; }
    if (!description.value.trim()) { errors.description = [S.no_description]; }
    if (photos.length > data.max_photos) { errors.photos = [S.too_many_photos]; }
    return Object.keys(errors).length ? errors : null;
  }

  function resetForm() {
    editing = null;
    fixingNote.hidden = true;
    description.value = "";
    address.value = "";
    setPhotos([]);
    lngInput.value = "";
    latInput.value = "";
    if (marker) { marker.remove(); marker = null; }
    where.textContent = "";
    search.value = "";
    choose(null);
    clearErrors();
  }

  form.addEventListener("submit", function (event) {
    var errors = problems();
    if (errors || preparing) {
      event.preventDefault();
      if (errors) { showErrors(errors); }
      return;
    }
    var clientId = form.querySelector("input[name=client_id]");
    if (!queued) {
      // The portal posts the form itself, with the resized photos in place of the chosen ones.
      if (!clientId.value) { clientId.value = uuid(); }
      var transfer = new DataTransfer();
      photos.forEach(function (p, i) {
        transfer.items.add(new File([p.blob], "photo-" + (i + 1) + ".jpg", { type: "image/jpeg" }));
      });
      fileInput.files = transfer.files;
      setTimeout(function () { submit.disabled = true; }, 0);
      return;
    }
    event.preventDefault();
    var category = byId[select.value];
    var report = {
      client_id: editing ? editing.client_id : uuid(),
      made_at: editing ? editing.made_at : new Date().toISOString(),
      user_id: data.user_id,
      api: data.api,
      csrf: csrfToken(),
      category_id: category.id,
      label: label(category),
      description: description.value.trim(),
      address: address.value.trim(),
      lng: lngInput.value ? parseFloat(lngInput.value) : null,
      lat: latInput.value ? parseFloat(latInput.value) : null,
      grid_id: grid && grid.value ? parseInt(grid.value, 10) : null,
      photos: photos.map(function (p) { return p.blob; }),
      state: "waiting",
      attempts: 0,
      next_try: null,
      errors: null
    };
    Q.put(report).then(function () {
      resetForm();
      outbox.render();
      outbox.requestSync();
      window.scrollTo({ top: 0, behavior: "smooth" });
      outbox.send(true);
    });
  });

  if (!queued) { return; }

  // --- The queue on the phone (staff page): incident-report-outbox.js -----------------------

  function fix(report) {
    editing = report;
    choose(report.category_id);
    description.value = report.description;
    address.value = report.address || "";
    if (grid && report.grid_id) { grid.value = String(report.grid_id); }
    setPhotos(report.photos || []);
    if (report.lng !== null && report.lat !== null) { setPoint(report.lng, report.lat, null); } else { clearPoint(); }
    fixingNote.textContent = S.fixing;
    fixingNote.hidden = false;
    showErrors(report.errors || {});
    form.scrollIntoView({ behavior: "smooth" });
  }

  var outbox = window.ShequReport.outbox({
    data: data, queue: Q, form: form, fmt: fmt, node: node, words: words, csrfToken: csrfToken,
    fix: fix,
    discarded: function (report) {
      if (editing && editing.client_id === report.client_id) { resetForm(); }
    }
  });
})();
