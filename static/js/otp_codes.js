// The recovery codes page: 「印刷する」 and 「コピーする」 (shown only when the browser can do them).
(function () {
  "use strict";
  var list = document.getElementById("otp-codes");
  var printButton = document.getElementById("otp-print");
  var copyButton = document.getElementById("otp-copy");
  var status = document.getElementById("otp-copy-status");
  if (!list) { return; }
  if (printButton && window.print) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }
  if (copyButton && navigator.clipboard && window.isSecureContext) {
    copyButton.hidden = false;
    copyButton.addEventListener("click", function () {
      var codes = Array.prototype.map.call(list.querySelectorAll("li"), function (item) {
        return item.textContent.trim();
      });
      navigator.clipboard.writeText(codes.join("\n")).then(function () {
        status.textContent = copyButton.getAttribute("data-done");
      });
    });
  }
})();
