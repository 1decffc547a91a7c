// 「印刷する」 buttons (data-print): the Content-Security-Policy allows no onclick attribute.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
