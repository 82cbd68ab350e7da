// Forms that come back with errors show a summary (#resumo-erros, role="alert") whose items link
// to their fields: focus goes to the summary when the page loads, so a screen reader reads it
// and a keyboard starts there; following a link puts the cursor in the field. A file, so the
// Content-Security-Policy needs no inline script; without JavaScript the links still scroll.
(function () {
  function iniciar() {
    var resumo = document.getElementById('resumo-erros');
    if (!resumo) return;
    resumo.focus();
    resumo.addEventListener('click', function (e) {
      var link = e.target.closest('a[href^="#"]');
      if (!link) return;
      var campo = document.getElementById(link.getAttribute('href').slice(1));
      if (!campo) return;
      e.preventDefault();
      campo.scrollIntoView({ block: 'center' });
      campo.focus();
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', iniciar);
  } else {
    iniciar();
  }
})();
