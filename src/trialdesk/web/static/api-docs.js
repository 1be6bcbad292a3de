// Starts Swagger UI on the staff API documentation page (rooms/dashboard/api_docs.py):
// in a file, not inline, as the Content-Security-Policy requires. Every request the page
// tries carries the CSRF token the page was rendered with, as the API asks of browsers.
"use strict";
(function () {
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  var token = root.getAttribute("data-csrf");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec"),
    domNode: root,
    deepLinking: true,
    tryItOutEnabled: false,
    requestInterceptor: function (request) {
      if (token) {
        request.headers["X-CSRF-Token"] = token;
      }
      return request;
    },
  });
})();
