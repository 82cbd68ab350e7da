// Charging and the account, safe to reload: a GRU issued once whatever F5 or Back do; the
// computation of a charge opened from the keyboard; the instalment simulation without the
// CSRF token in its address; an API application registered once with its secret shown once; a
// webhook created and cancelled (confirmed first). Operators 326305 (charging) and 005711
// (account), not used by the core flows' actions.

import assert from 'node:assert/strict';
import { URL, passo, sessao, acessivel, tela, semCsrfNaUrl } from '../comum.mjs';

async function contar(page, seletor) {
  return (await page.$$(seletor)).length;
}

export async function executar() {
  const op = await sessao('rep.326305');
  let debito;

  await passo('cobrança: o cálculo de um débito abre pelo teclado', async () => {
    await op.goto(`${URL}/cobranca`);
    await acessivel(op, 'cobrança (326305)');
    const resumo = op.locator('details.calculo summary').first();
    await resumo.focus();
    await op.keyboard.press('Enter');
    const aberto = await op.locator('details.calculo').first().evaluate((d) => d.open);
    assert.ok(aberto, 'o cálculo abre com Enter');
    assert.match(await op.locator('details.calculo').first().textContent(), /Juros pela SELIC/);
    await acessivel(op, 'cobrança com o cálculo aberto');
  });

  await passo('cobrança: emitir uma GRU; F5 e Voltar não emitem outra', async () => {
    await op.goto(`${URL}/cobranca`);
    const grusAntes = await contar(op, 'a[href$="/pdf"]');
    const caixa = await op.$('input[name=debitos]');
    assert.ok(caixa, 'um débito em aberto sem GRU');
    debito = await caixa.getAttribute('value');
    await caixa.check();
    await op.click('button:has-text("Emitir GRU")');
    await op.waitForURL(/\/cobranca\/grus\/[\d.-]+$/);
    semCsrfNaUrl(op);
    assert.match(await op.textContent('main'), /GRU [\d.-]+ emitida:/);
    await acessivel(op, 'GRU emitida');
    await tela(op, 'gru-emitida');
    const endereco = op.url();
    await op.reload();
    assert.equal(op.url(), endereco);
    const depoisDoF5 = await op.textContent('main');
    assert.doesNotMatch(depoisDoF5, /emitida:/, 'F5 não repete a mensagem');
    assert.match(depoisDoF5, /Linha digitável/);
    await op.goBack();
    await op.waitForURL(/\/cobranca$/);
    assert.equal(await op.$(`#deb-${debito}`), null, 'o débito não é mais oferecido');
    assert.equal(await contar(op, 'a[href$="/pdf"]'), grusAntes + 1, 'uma GRU a mais, só uma');
    await op.reload();
    assert.equal(await contar(op, 'a[href$="/pdf"]'), grusAntes + 1);
  });

  await passo('cobrança: simular parcelamento sem o token na URL', async () => {
    await op.goto(`${URL}/cobranca`);
    const caixas = await op.$$('input[name=debitos]');
    assert.ok(caixas.length >= 1, 'um débito em aberto para simular');
    await caixas[0].check();
    await op.click('button:has-text("Simular parcelamento")');
    await op.waitForURL(/\/cobranca\/parcelamento\?/);
    semCsrfNaUrl(op);
    await acessivel(op, 'simulação de parcelamento');
    await tela(op, 'simulacao-parcelamento');
    await op.fill('#parcelas', 'doze');
    await op.click('button:has-text("Simular")');
    semCsrfNaUrl(op);
    assert.match(await op.textContent('main'), /"doze" inválido/);
    await acessivel(op, 'simulação com erro');
    await op.fill('#parcelas', '1');
    await op.click('button:has-text("Simular")');
    semCsrfNaUrl(op);
    // One instalment of at least R$ 1.000,00: offered, or the rule said with the amount.
    assert.match(await op.textContent('main'), /Pedir parcelamento em 1 parcelas|abaixo de R\$ 1\.000,00/);
  });
  await op.context().close();

  const gestor = await sessao('rep.005711');
  await passo('conta: registrar aplicação; F5 não cria outra e o segredo aparece uma vez', async () => {
    await gestor.goto(`${URL}/conta`);
    await acessivel(gestor, 'conta (005711)');
    const antes = await contar(gestor, 'a[href$="/revogar"]');
    await gestor.click('summary:has-text("Registrar aplicação")');
    await gestor.fill('#a-nome', 'ERP do fluxo de cobrança');
    await gestor.click('form[action="/conta/aplicacoes"] button[type=submit]');
    await gestor.waitForURL(/\/conta$/);
    const segredo = (await gestor.textContent('#segredo')).trim();
    assert.match(segredo, /^psus_sk_/);
    await acessivel(gestor, 'aplicação registrada');
    await gestor.reload();
    assert.equal(await gestor.$('#segredo'), null, 'o segredo não aparece de novo');
    assert.doesNotMatch(await gestor.textContent('main'), new RegExp(segredo));
    assert.equal(await contar(gestor, 'a[href$="/revogar"]'), antes + 1, 'uma aplicação a mais, só uma');
  });

  await passo('conta: webhook exige https, é criado e cancelado com confirmação', async () => {
    await gestor.goto(`${URL}/conta`);
    await gestor.click('summary:has-text("Assinar eventos")');
    await gestor.fill('#w-url', 'https://erp.example/ganchos');
    await gestor.click('label[for="w-teste"]');
    await gestor.click('form[action="/conta/webhooks"] button[type=submit]');
    await gestor.waitForURL(/\/conta\/webhooks\/\d+$/);
    const entregas = gestor.url();
    assert.match(await gestor.textContent('main'), /whsec_/);
    await acessivel(gestor, 'entregas do webhook');
    await gestor.reload();
    assert.doesNotMatch(await gestor.textContent('main'), /whsec_/);
    await gestor.click('a:has-text("Cancelar esta assinatura")');
    await acessivel(gestor, 'confirmar cancelamento');
    assert.match(await gestor.textContent('main'), /Nada mais será enviado/);
    await gestor.click('button:has-text("Cancelar a assinatura")');
    await gestor.waitForURL(entregas);
    assert.match(await gestor.textContent('main'), /cancelada: nada mais será enviado/);
    await gestor.reload();
    const t = await gestor.textContent('main');
    assert.match(t, /Assinatura cancelada em .*horário de Brasília/);
    assert.equal(await gestor.$('a:has-text("Cancelar esta assinatura")'), null);
    await acessivel(gestor, 'webhook cancelado');
  });

  await passo('conta: revogar uma aplicação pede confirmação e diz o que aconteceu', async () => {
    await gestor.goto(`${URL}/conta`);
    const revogar = gestor.locator('a[href$="/revogar"]').last();
    await revogar.click();
    await acessivel(gestor, 'confirmar revogação');
    assert.match(await gestor.textContent('main'), /Não há como desfazer/);
    await gestor.click('button:has-text("Revogar a aplicação")');
    await gestor.waitForURL(/\/conta$/);
    assert.match(await gestor.textContent('main'), /revogada; seus tokens deixaram de valer/);
    await gestor.reload();
    assert.doesNotMatch(await gestor.textContent('main'), /revogada; seus tokens/);
  });
  await gestor.context().close();
}
