// The certificate's "Print or save as PDF" button; kept out of the page so no inline script runs.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
