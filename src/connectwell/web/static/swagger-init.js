// Served from the package: the page's Content-Security-Policy allows no inline script.
window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
