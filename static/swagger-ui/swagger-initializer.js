// Starts Swagger UI on /docs with the settings Portero serves beside it
// (src/routes/docs.rs); a file of its own because the CSP forbids inline scripts.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    configUrl: "/docs/swagger-ui-config.json",
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
  });
});
