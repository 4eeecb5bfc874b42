// Installs the service worker that shows the offline page when the network is gone.
// A file of its own: the Content-Security-Policy allows no inline script.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
      // Without it the site works as before, only without the offline page.
    });
  });
}
