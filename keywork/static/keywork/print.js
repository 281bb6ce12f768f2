// A button marked data-print prints the page (no inline script: the Content-Security-Policy
// allows scripts from keywork's own files only).
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
