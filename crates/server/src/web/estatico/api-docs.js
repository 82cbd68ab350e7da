// /api/docs: Swagger UI (swagger-ui-dist, installed from npm into web/node_modules and served
// from /assets/swagger-ui/) renders /api/openapi.json. A file, so the Content-Security-Policy
// needs no inline script. "Try it out" is offered only where the page says the server is the
// homologação sandbox (data-ambiente on #swagger-ui); in produção the page only documents.
(function () {
  var alvo = document.getElementById('swagger-ui');
  var homologacao = alvo && alvo.dataset.ambiente === 'homologacao';
  // Names each parameter's control (see onComplete) after the parameter, and lets the keyboard
  // reach every code block (a curl command or an answer may scroll inside its box).
  function rotular() {
    var campos = alvo.querySelectorAll('tr[data-param-name] select, tr[data-param-name] input, tr[data-param-name] textarea');
    for (var i = 0; i < campos.length; i++) {
      var c = campos[i];
      if (!c.hasAttribute('aria-label') && !c.labels.length) {
        c.setAttribute('aria-label', c.closest('tr').getAttribute('data-param-name'));
      }
    }
    var blocos = alvo.querySelectorAll('pre:not([tabindex])');
    for (var j = 0; j < blocos.length; j++) blocos[j].setAttribute('tabindex', '0');
    // The Authorize dialog: its close button has only an icon; its buttons' spoken name must
    // contain what they show.
    var fechar = alvo.querySelectorAll('.close-modal:not([aria-label])');
    for (var k = 0; k < fechar.length; k++) fechar[k].setAttribute('aria-label', 'Fechar');
    var botoes = alvo.querySelectorAll('.modal-ux button[aria-label]');
    for (var m = 0; m < botoes.length; m++) {
      var texto = botoes[m].textContent.trim();
      if (texto && botoes[m].getAttribute('aria-label').indexOf(texto) < 0) botoes[m].removeAttribute('aria-label');
    }
  }
  window.addEventListener('DOMContentLoaded', function () {
    if (typeof window.SwaggerUIBundle !== 'function') {
      return; // the <noscript>/fallback text in the page stays
    }
    alvo.textContent = '';
    window.ui = window.SwaggerUIBundle({
      url: '/api/openapi.json',
      domNode: alvo,
      // Without deep links: Swagger UI puts each operation's link inside the button that opens it
      // (a control within a control, which screen readers cannot operate — axe
      // nested-interactive).
      deepLinking: false,
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
      // Nor its parameter lists (a select for an enum, "Try it out" fields): each control gets
      // the parameter's name as its label, also when an operation is opened later.
      onComplete: function () {
        var servidores = document.getElementById('servers');
        if (servidores) servidores.setAttribute('aria-label', 'Servidor');
        rotular();
        new MutationObserver(rotular).observe(alvo, { childList: true, subtree: true });
      },
    });
  });
})();
