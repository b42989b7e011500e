// /api/v1/docs: starts the vendored Swagger UI (minqing/static/vendor/swagger-ui) with the settings
// the page embeds; no inline script and nothing fetched from outside the site.
(function () {
  const body = document.querySelector("body").dataset;
  const config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  if (body.apiCsrf && body.csrfToken) {
    config.requestInterceptor = (req) => {
      req.headers["X-CSRFToken"] = body.csrfToken;
      return req;
    };
  }
  SwaggerUIBundle(config);
})();
