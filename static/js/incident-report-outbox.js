// The staff page's list of reports on the phone (incident-report.js, data-mode "queue"): the
// reports waiting in the queue (incident-report-queue.js) or refused by the server, the ones
// sent in the last hour with their tracking codes, and their sending: now, when the connection
// returns (or the service worker's sync), or later for those the server asked to try again.
// `ShequReport.outbox(options)` starts it and answers {render, send, requestSync}; the options
// hand over the page's data, its helpers and what a "fix" or "discard" does to the form.
(function (root) {
  "use strict";

  var R = root.ShequReport = root.ShequReport || {};

  R.outbox = function (options) {
    var data = options.data;
    var S = data.strings;
    var Q = options.queue;
    var form = options.form;
    var fmt = options.fmt;
    var node = options.node;
    var words = options.words;
    var csrfToken = options.csrfToken;

    var network = document.querySelector("[data-testid=report-network]");
    var queueBox = document.querySelector("[data-testid=report-queue]");
    var queueTitle = document.querySelector("[data-testid=report-queue-title]");
    var queueItems = queueBox.querySelector(".report-items");
    var loginNote = document.querySelector("[data-testid=report-login]");
    var sentBox = document.querySelector("[data-testid=report-sent]");
    var sentItems = sentBox.querySelector(".report-items");
    var timer = null;
    // Sent reports stay in view for an hour (at most this many), the tracking code at hand.
    var SENT_SHOWN = 5;
    var SENT_SHOWN_MS = 60 * 60 * 1000;

    function when(iso) {
      var d = new Date(iso);
      function two(n) { return (n < 10 ? "0" : "") + n; }
      return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " + two(d.getHours()) + ":" + two(d.getMinutes());
    }

    function photoCount(count) {
      return !count ? S.photos_none : count === 1 ? S.photos_one : fmt(S.photos_many, { count: count });
    }

    // Grouped for reading aloud, as the case pages show it: ABCD-EFGH-JKLM-N.
    function grouped(code) { return (code || "").match(/.{1,4}/g).join("-"); }

    function stateText(report) {
      if (report.user_id !== data.user_id) { return S.state_other_user; }
      return {
        waiting: S.state_waiting, sending: S.state_sending, retry: S.state_retry,
        login: S.state_login, error: S.state_error
      }[report.state] || report.state;
    }

    function queueItem(report) {
      var li = node("li", "card report-item report-" + report.state);
      li.dataset.testid = "report-item";
      li.dataset.state = report.state;
      li.dataset.clientId = report.client_id;
      var head = node("div", "report-item-head");
      head.appendChild(node("strong", "", report.label));
      head.appendChild(node("span", "badge" + (report.state === "error" ? " red" : report.state === "login" ? " amber" : ""), stateText(report)));
      li.appendChild(head);
      li.appendChild(node("div", "", report.description.length > 80 ? report.description.slice(0, 80) + "…" : report.description));
      li.appendChild(node("small", "muted", fmt(S.made_at, { time: when(report.made_at) }) + " · " +
        photoCount((report.photos || []).length)));
      if (report.errors && (report.state === "error" || report.state === "retry")) {
        var errors = node("div", "field-error");
        errors.textContent = Object.keys(report.errors).map(function (k) { return words(report.errors[k]); }).join(" ");
        li.appendChild(errors);
      }
      if (report.state === "error") {
        var actions = node("div", "report-item-actions");
        var fixButton = node("button", "", S.fix);
        fixButton.type = "button";
        fixButton.addEventListener("click", function () { options.fix(report); });
        var discard = node("button", "danger", S.discard);
        discard.type = "button";
        discard.addEventListener("click", function () {
          if (window.confirm(S.discard_confirm)) {
            options.discarded(report);
            Q.remove(report.client_id).then(renderQueue);
          }
        });
        actions.appendChild(fixButton);
        actions.appendChild(discard);
        li.appendChild(actions);
      }
      return li;
    }

    function sentItem(row) {
      var li = node("li", "card report-item report-sent-item");
      li.dataset.testid = "report-sent-item";
      li.dataset.clientId = row.client_id;
      var head = node("div", "report-item-head");
      head.appendChild(node("strong", "", row.label));
      var link = node("a", "", S.open_case);
      link.href = data.case_url.replace("/0/", "/" + row.case_id + "/");
      head.appendChild(link);
      li.appendChild(head);
      li.dataset.replayed = row.replayed ? "true" : "false";
      // The words around the code, and the code itself on one line.
      var parts = S.state_sent.split("%(code)s");
      var line = node("span", "report-code", parts[0]);
      line.appendChild(node("span", "mono report-code-value", grouped(row.tracking_code)));
      line.appendChild(document.createTextNode(parts.slice(1).join("")));
      li.appendChild(line);
      li.appendChild(node("small", "muted", fmt(S.made_at, { time: when(row.made_at) })));
      return li;
    }

    function renderQueue() {
      network.textContent = navigator.onLine ? S.online : S.offline;
      network.className = "report-network notice " + (navigator.onLine ? "ok" : "warn");
      return Promise.all([Q.reports(), Q.sent()]).then(function (both) {
        var rows = both[0];
        var recent = Date.now() - SENT_SHOWN_MS;
        var sent = both[1].filter(function (r) {
          return r.user_id === data.user_id && Date.parse(r.sent_at) >= recent;
        }).slice(0, SENT_SHOWN);
        var waiting = rows.filter(function (r) { return r.state !== "error"; }).length;
        var refused = rows.length - waiting;
        queueBox.hidden = !rows.length;
        var title = [];
        if (waiting) { title.push(waiting === 1 ? S.waiting_one : fmt(S.waiting_many, { count: waiting })); }
        if (refused) { title.push(refused === 1 ? S.refused_one : fmt(S.refused_many, { count: refused })); }
        queueTitle.textContent = title.join(" · ");
        queueItems.textContent = "";
        rows.forEach(function (r) { queueItems.appendChild(queueItem(r)); });
        var login = rows.some(function (r) { return r.state === "login" && r.user_id === data.user_id; });
        loginNote.hidden = !login;
        loginNote.querySelector("a").textContent = S.state_login + " · " + S.login_link;
        sentBox.hidden = !sent.length;
        sentItems.textContent = "";
        sent.forEach(function (r) { sentItems.appendChild(sentItem(r)); });
        return rows;
      });
    }

    // Sends what is due; `force` also sends the reports that wait for a later try.
    function send(force) {
      if (timer) { clearTimeout(timer); timer = null; }
      if (!navigator.onLine) { return renderQueue(); }
      return Q.flush({ userId: data.user_id, token: csrfToken(), force: force, changed: renderQueue })
        .then(renderQueue, renderQueue)
        .then(function (rows) {
          var next = Q.nextTry(rows || [], data.user_id);
          if (next) { timer = setTimeout(function () { send(false); }, Math.max(1000, next - Date.now())); }
        });
    }

    function requestSync() {
      if (!("serviceWorker" in navigator)) { return; }
      navigator.serviceWorker.ready.then(function (registration) {
        if (registration.sync) { return registration.sync.register(Q.SYNC_TAG); }
        return null;
      }).catch(function () {});
    }

    window.addEventListener("online", function () { send(true); });
    window.addEventListener("offline", renderQueue);

    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(data.sw_url, { scope: data.scope }).then(function (registration) {
        form.dataset.worker = registration.active ? "active" : "installing";
        return navigator.serviceWorker.ready;
      }).then(function () {
        form.dataset.worker = "active";
      }).catch(function () {
        form.dataset.worker = "none";
      });
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "shequ-report-queue") { renderQueue(); }
      });
    }

    Q.setMeta("user_id", data.user_id).catch(function () {});
    send(true);

    return { render: renderQueue, send: send, requestSync: requestSync };
  };
})(window);
