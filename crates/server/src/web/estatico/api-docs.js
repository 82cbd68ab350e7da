// /api/docs: Swagger UI (swagger-ui-dist, installed from npm into web/node_modules and served
// from /assets/swagger-ui/) renders /api/openapi.json. A file, so the Content-Security-Policy
// needs no inline script. "Try it out" is offered only where the page says the server is the
// homologação sandbox (data-ambiente on #swagger-ui); in produção the page only documents.
(function () {
  var alvo = document.getElementById('swagger-ui');
  var homologacao = alvo && alvo.dataset.ambiente === 'homologacao';
  window.addEventListener('DOMContentLoaded', function () {
    if (typeof window.SwaggerUIBundle !== 'function') {
      return; // the <noscript>/fallback text in the page stays
    }
    alvo.textContent = '';
    window.ui = window.SwaggerUIBundle({
      url: '/api/openapi.json',
      domNode: alvo,
      deepLinking: true,
      docExpansion: 'list',
      defaultModelsExpandDepth: 1,
      defaultModelExpandDepth: 2,
      displayRequestDuration: true,
      filter: true,
      showExtensions: true,
      showCommonExtensions: true,
      // No call to validator.swagger.io (another site: the CSP refuses it, and it is not needed).
      validatorUrl: null,
      supportedSubmitMethods: homologacao ? ['get', 'post', 'delete'] : [],
      persistAuthorization: false,
      // Swagger UI leaves its server list without a label (screen readers announce nothing).
      onComplete: function () {
        var servidores = document.getElementById('servers');
        if (servidores) servidores.setAttribute('aria-label', 'Servidor');
      },
    });
  });
})();
