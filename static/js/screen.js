// Kiosk and calling-screen helpers: return to the start screen when idle, print, a clock.
(function () {
  "use strict";
  var body = document.body;

  // A kiosk page names its start screen in data-idle-url: after data-idle-seconds without a
  // touch or a key it goes back there, so that the next resident never sees the last one's
  // matter. The start screen itself (data-idle-home) only clears what was typed.
  var url = body.dataset.idleUrl;
  if (url) {
    var seconds = parseInt(body.dataset.idleSeconds || "60", 10);
    var timer = null;
    var typed = function () {
      return Array.prototype.some.call(document.querySelectorAll("input[type=text], textarea"), function (el) {
        return el.value !== "";
      });
    };
    var expire = function () {
      if (body.hasAttribute("data-idle-home") && !typed()) { arm(); return; }
      window.location.replace(url);
    };
    var arm = function () {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(expire, seconds * 1000);
    };
    ["pointerdown", "keydown", "input", "scroll"].forEach(function (name) {
      document.addEventListener(name, arm, { passive: true });
    });
    arm();
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var clock = document.querySelector("[data-clock]");
  if (clock) {
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var tick = function () {
      var now = new Date();
      clock.textContent = pad(now.getHours()) + ":" + pad(now.getMinutes());
    };
    tick();
    window.setInterval(tick, 10000);
  }
})();
