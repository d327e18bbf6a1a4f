// The queue of incident reports on the phone and their upload, for the reporting page and its
// service worker alike (window or worker: `self`).
//
// A report is kept in IndexedDB (with its resized photos as Blobs) until the server answers
// 200 or 201 for it: 201 made the incident, 200 says the same client id had arrived before
// (`replayed`), so a report sent twice is one incident. A 4xx answer keeps the report with the
// server's errors for the reporter to fix or discard; 401 or a failed CSRF check waits for a
// new login; a 5xx answer or no connection is tried again later, each time waiting longer.
(function (root) {
  "use strict";

  var DB_NAME = "shequ-incident-reports";
  var DB_VERSION = 1;
  var LOCK = "shequ-incident-reports";
  var SYNC_TAG = "shequ-incident-reports";
  var SENT_KEPT = 20;
  var BACKOFF_FIRST = 5000;
  var BACKOFF_MOST = 10 * 60 * 1000;
  // States a report may be sent in (a "sending" one was cut off when the page closed).
  var SENDABLE = ["waiting", "retry", "login", "sending"];

  var opened = null;

  function open() {
    if (opened) { return opened; }
    opened = new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains("reports")) { db.createObjectStore("reports", { keyPath: "client_id" }); }
        if (!db.objectStoreNames.contains("sent")) { db.createObjectStore("sent", { keyPath: "client_id" }); }
        if (!db.objectStoreNames.contains("meta")) { db.createObjectStore("meta", { keyPath: "key" }); }
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { opened = null; reject(request.error); };
    });
    return opened;
  }

  // Runs `work(stores)` in one transaction; resolves with its result once the transaction is done.
  function transact(names, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(names, mode);
        var stores = {};
        names.forEach(function (name) { stores[name] = tx.objectStore(name); });
        var result;
        Promise.resolve(work(stores)).then(function (value) { result = value; }, reject);
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function byMoment(a, b) { return a.made_at < b.made_at ? -1 : a.made_at > b.made_at ? 1 : 0; }

  function reports() {
    return transact(["reports"], "readonly", function (s) { return request(s.reports.getAll()); })
      .then(function (rows) { return rows.sort(byMoment); });
  }

  function sent() {
    return transact(["sent"], "readonly", function (s) { return request(s.sent.getAll()); })
      .then(function (rows) { return rows.sort(byMoment).reverse(); });
  }

  function get(clientId) {
    return transact(["reports"], "readonly", function (s) { return request(s.reports.get(clientId)); });
  }

  function put(report) {
    return transact(["reports"], "readwrite", function (s) { s.reports.put(report); return report; });
  }

  function remove(clientId) {
    return transact(["reports"], "readwrite", function (s) { s.reports.delete(clientId); });
  }

  function setMeta(key, value) {
    return transact(["meta"], "readwrite", function (s) { s.meta.put({ key: key, value: value }); });
  }

  function getMeta(key) {
    return transact(["meta"], "readonly", function (s) { return request(s.meta.get(key)); })
      .then(function (row) { return row ? row.value : null; });
  }

  // The report leaves the queue and joins the short list of sent ones, in one transaction.
  function markSent(report, body) {
    var row = {
      client_id: report.client_id,
      made_at: report.made_at,
      user_id: report.user_id,
      label: report.label,
      tracking_code: body.tracking_code,
      case_id: body.id,
      replayed: !!body.replayed,
      sent_at: new Date().toISOString()
    };
    return transact(["reports", "sent"], "readwrite", function (s) {
      s.reports.delete(report.client_id);
      s.sent.put(row);
      return request(s.sent.getAll()).then(function (rows) {
        rows.sort(byMoment).reverse().slice(SENT_KEPT).forEach(function (old) { s.sent.delete(old.client_id); });
        return row;
      });
    });
  }

  function backoff(attempts) {
    var wait = Math.min(BACKOFF_FIRST * Math.pow(2, Math.max(0, attempts - 1)), BACKOFF_MOST);
    return Date.now() + Math.round(wait * (0.8 + Math.random() * 0.4));
  }

  // The errors of a 4xx answer as {field: [messages]}: a service's ValidationError (400) or
  // the schema's errors (422, a list with the field last in `loc`).
  function errorsOf(status, body) {
    var detail = body && body.detail;
    if (status === 404) { return { __all__: ["not_found"] }; }
    if (status === 413) { return { photos: ["too_large"] }; }
    if (Array.isArray(detail)) {
      var errors = {};
      detail.forEach(function (item) {
        var field = (item.loc && item.loc[item.loc.length - 1]) || "__all__";
        (errors[field] = errors[field] || []).push(item.msg || String(item));
      });
      return errors;
    }
    if (detail && typeof detail === "object") { return detail; }
    return { __all__: [detail ? String(detail) : "HTTP " + status] };
  }

  function formOf(report) {
    var form = new FormData();
    form.append("client_id", report.client_id);
    form.append("reported_at", report.made_at);
    form.append("category_id", String(report.category_id));
    form.append("description", report.description);
    form.append("address", report.address || "");
    if (report.lng !== null && report.lng !== undefined && report.lat !== null && report.lat !== undefined) {
      form.append("lng", String(report.lng));
      form.append("lat", String(report.lat));
    }
    if (report.grid_id) { form.append("grid_id", String(report.grid_id)); }
    (report.photos || []).forEach(function (photo, i) {
      form.append("photos", photo, "photo-" + (i + 1) + ".jpg");
    });
    return form;
  }

  // Sends one report; resolves with its new state ("sent", "error", "login", "retry").
  function send(report, token, changed) {
    report.state = "sending";
    return put(report).then(function () {
      changed();
      return fetch(report.api, {
        method: "POST",
        body: formOf(report),
        credentials: "same-origin",
        headers: { "X-CSRFToken": token || report.csrf || "", "Accept": "application/json" }
      });
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if ((response.status === 200 || response.status === 201) && body && body.tracking_code) {
          return markSent(report, body).then(function () { return "sent"; });
        }
        var csrf = response.status === 403 && body && /csrf/i.test(String(body.detail || ""));
        if (response.status === 401 || csrf) {
          report.state = "login";
        } else if (response.status >= 400 && response.status < 500) {
          report.state = "error";
          report.errors = errorsOf(response.status, body);
        } else {
          report.state = "retry";
          report.attempts = (report.attempts || 0) + 1;
          report.next_try = backoff(report.attempts);
          report.errors = { __all__: ["server_error"] };
        }
        return put(report).then(function () { return report.state; });
      });
    }, function () {
      // No connection (or it broke before the answer): try again later, the same client id.
      report.state = "retry";
      report.attempts = (report.attempts || 0) + 1;
      report.next_try = backoff(report.attempts);
      report.errors = null;
      return put(report).then(function () { return "retry"; });
    }).then(function (state) { changed(); return state; });
  }

  function withLock(work) {
    var locks = root.navigator && root.navigator.locks;
    if (!locks) { return work(); }
    return locks.request(LOCK, { ifAvailable: true }, function (lock) {
      return lock ? work() : "busy";
    });
  }

  // Sends the reports of `options.userId` that are due, one after the other.
  // options: token (CSRF token, or null to use each report's own), force (ignore the wait of
  // reports tried before), changed (called after each change of a report).
  function flush(options) {
    var changed = options.changed || function () {};
    return withLock(function () {
      return reports().then(function (rows) {
        var now = Date.now();
        var due = rows.filter(function (r) {
          return r.user_id === options.userId && SENDABLE.indexOf(r.state) !== -1 &&
            (options.force || r.state !== "retry" || !r.next_try || r.next_try <= now);
        });
        var outcomes = [];
        return due.reduce(function (chain, report) {
          return chain.then(function () {
            return send(report, options.token, changed).then(function (state) { outcomes.push(state); });
          });
        }, Promise.resolve()).then(function () { return outcomes; });
      });
    });
  }

  // The earliest moment a report waiting for a retry is due, or null.
  function nextTry(rows, userId) {
    var times = rows.filter(function (r) { return r.user_id === userId && r.state === "retry" && r.next_try; })
      .map(function (r) { return r.next_try; });
    return times.length ? Math.min.apply(null, times) : null;
  }

  root.ShequReportQueue = {
    SYNC_TAG: SYNC_TAG,
    reports: reports,
    sent: sent,
    get: get,
    put: put,
    remove: remove,
    setMeta: setMeta,
    getMeta: getMeta,
    flush: flush,
    nextTry: nextTry
  };
})(self);
