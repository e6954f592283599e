// Starts Swagger UI on /api/v1/docs from the same-origin copy in /static/swagger-ui/ (see manifest.json).
// A file rather than an inline script, so that the page's Content-Security-Policy allows no inline code.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    validatorUrl: null, // the default would send the API description to validator.swagger.io
    showExtensions: true,
    showCommonExtensions: true,
  });
});
