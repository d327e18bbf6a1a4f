// The reporting page's service worker (loaded by the script /incidents/report/sw.js, which sets
// self.SHEQU_REPORT: the version, the page and the files to keep).
//
// It keeps the page and its files so the page opens without a connection: the page from the
// network first (it carries the categories and boundaries of the day), the files from the
// cache of this version. Reports are sent by the page; where the browser has Background Sync,
// the worker also sends them when the connection returns with the page closed.
(function () {
  "use strict";

  var config = self.SHEQU_REPORT;
  var PREFIX = "shequ-report-";
  var CACHE = PREFIX + config.version;
  var PAGE_TIMEOUT = 6000;
  var queue = self.ShequReportQueue;

  function keepPage(cache) {
    return fetch(config.page, { credentials: "same-origin" }).then(function (response) {
      // A redirect is the login page: never keep it in the page's place.
      if (response.ok && !response.redirected) { return cache.put(config.page, response); }
      return null;
    }).catch(function () { return null; });
  }

  self.addEventListener("install", function (event) {
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return cache.addAll(config.precache).then(function () { return keepPage(cache); });
    }).then(function () { return self.skipWaiting(); }));
  });

  self.addEventListener("activate", function (event) {
    event.waitUntil(caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf(PREFIX) === 0 && key !== CACHE;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); }));
  });

  function fromCache(path) {
    return caches.open(CACHE).then(function (cache) {
      return cache.match(path, { ignoreSearch: true, ignoreVary: true });
    });
  }

  // The page from the network (kept for later), or the kept one when there is no connection.
  function page(request) {
    var network = fetch(request).then(function (response) {
      if (response.ok && !response.redirected && response.type === "basic") {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return cache.put(config.page, copy); });
      }
      return response;
    });
    var timeout = new Promise(function (resolve, reject) {
      setTimeout(function () { reject(new Error("timeout")); }, PAGE_TIMEOUT);
    });
    return Promise.race([network, timeout]).catch(function (error) {
      return fromCache(config.page).then(function (kept) {
        if (kept) { return kept; }
        return network.catch(function () { throw error; });
      });
    });
  }

  self.addEventListener("fetch", function (event) {
    var request = event.request;
    if (request.method !== "GET") { return; }
    var url = new URL(request.url);
    if (url.origin !== self.location.origin) { return; }
    if (request.mode === "navigate" && url.pathname === config.page) {
      event.respondWith(page(request));
    } else if (config.precache.indexOf(url.pathname) !== -1) {
      event.respondWith(fromCache(url.pathname).then(function (kept) { return kept || fetch(request); }));
    }
  });

  function tellPages() {
    return self.clients.matchAll({ includeUncontrolled: true }).then(function (pages) {
      pages.forEach(function (client) { client.postMessage({ type: "shequ-report-queue" }); });
    });
  }

  // Background Sync: the reports of the account that last opened the page, each with the
  // CSRF token of its own page (a new login rotates it: the page then sends them itself).
  self.addEventListener("sync", function (event) {
    if (event.tag !== queue.SYNC_TAG) { return; }
    event.waitUntil(queue.getMeta("user_id").then(function (userId) {
      if (userId === null) { return null; }
      return queue.flush({ userId: userId, token: null, force: true, changed: tellPages });
    }).then(function (outcomes) {
      return tellPages().then(function () {
        // A report still without a connection: reject so that the browser tries again later.
        if (outcomes && outcomes.indexOf("retry") !== -1) { throw new Error("not all sent"); }
      });
    }));
  });
})();
