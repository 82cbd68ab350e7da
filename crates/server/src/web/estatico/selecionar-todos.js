// "Select all" for long lists of checkboxes (the attendances of a petition). A checkbox with
// data-selecionar-todos="<name>" checks or unchecks every checkbox named <name> in its form,
// and shows "some" (indeterminate) when only part is checked. It is a real checkbox: Space
// toggles it from the keyboard. Hidden until this script runs, since without JavaScript it
// would do nothing; a file, so the Content-Security-Policy needs no inline script.
(function () {
  document.querySelectorAll('input[data-selecionar-todos]').forEach(function (todos) {
    var form = todos.form || document;
    var nome = todos.dataset.selecionarTodos;
    var itens = function () {
      return Array.prototype.slice.call(
        form.querySelectorAll('input[type=checkbox][name="' + nome + '"]'));
    };
    var sincronizar = function () {
      var marcados = itens().filter(function (i) { return i.checked; }).length;
      todos.checked = marcados > 0 && marcados === itens().length;
      todos.indeterminate = marcados > 0 && marcados < itens().length;
    };
    todos.addEventListener('change', function () {
      itens().forEach(function (i) { i.checked = todos.checked; });
      todos.indeterminate = false;
    });
    itens().forEach(function (i) { i.addEventListener('change', sincronizar); });
    var bloco = todos.closest('[hidden]');
    if (bloco) { bloco.hidden = false; }
    sincronizar();
  });
})();
