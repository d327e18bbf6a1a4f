// How the names under a chart's bars are turned: upright when each has room, slanted, then
// vertical when many share a narrow chart (a street's twenty communities on a phone).
(function () {
  "use strict";
  window.shequAxis = {
    rotate: function (el, count) {
      var room = (el.clientWidth - 60) / Math.max(count, 1);
      return room >= 70 ? 0 : room >= 30 ? 40 : 90;
    },
    label: function (el, count) {
      var rotate = window.shequAxis.rotate(el, count);
      return {
        rotate: rotate,
        interval: 0,
        width: rotate ? 90 : 140,
        overflow: "truncate",
        fontSize: rotate === 90 ? 11 : 12
      };
    }
  };
})();
