// The ANS analyst decides with the case in front of them: the queue (with its filters), a case
// page with the petition and its PDF, the PDF viewed, a decision, then F5 and Back — no second
// decision, no error, no live form for what was decided. Uses the demo's own impugnações
// (every demo petition carries a PDF), not the core flows' ones.

import assert from 'node:assert/strict';
import { URL, passo, sessao, acessivel, tela } from '../comum.mjs';

export async function executar() {
  const analista = await sessao('ans.analista');
  let caso;

  await passo('analise: a fila mostra o motivo e a fundamentação e filtra', async () => {
    await analista.goto(`${URL}/ans/filas`);
    assert.match(analista.url(), /\/ans\/filas\/primeira$/);
    await acessivel(analista, 'fila de análise');
    const linhas = await analista.$$('table.persus tbody tr');
    assert.ok(linhas.length > 0, 'a fila da demo tem impugnações');
    const motivo = (await analista.textContent('table.persus tbody tr td:nth-child(4) strong')).trim();
    assert.match(motivo, /^(ADM|TEC)\d\d — /, 'o motivo com o seu nome');
    const codigo = motivo.slice(0, 5);
    await analista.selectOption('#motivo-filtro', codigo);
    await analista.click('button:has-text("Filtrar")');
    await analista.waitForURL(new RegExp(`motivo=${codigo}`));
    const motivos = await analista.$$eval('table.persus tbody tr td:nth-child(4) strong', (s) => s.map((x) => x.textContent.slice(0, 5)));
    assert.ok(motivos.length > 0 && motivos.every((m) => m === codigo), `só ${codigo}: ${motivos}`);
    await acessivel(analista, 'fila de análise filtrada');
    await tela(analista, 'analise-fila');
  });

  await passo('analise: o caso mostra a petição, o atendimento e o PDF, que abre no navegador', async () => {
    const casos = await analista.$$eval('table.persus tbody a[href^="/ans/casos/"]', (as) => as.map((a) => a.getAttribute('href')));
    for (const c of casos.slice(0, 40)) {
      await analista.goto(`${URL}${c}`);
      if (await analista.$('a[href$="/visualizar"]') && await analista.$('input[name=resultado]')) { caso = c; break; }
    }
    assert.ok(caso, 'um caso da fila com PDF e formulário de decisão');
    const t = await analista.textContent('main');
    for (const parte of ['Petições', 'Motivo', 'Fundamentação', 'Auditor', 'Procedimentos', 'Beneficiário', 'Decisões anteriores']) {
      assert.ok(t.includes(parte), `a página do caso mostra ${parte}`);
    }
    assert.match(t, /horário de Brasília/);
    await acessivel(analista, 'página do caso');
    await tela(analista, 'analise-caso');
    const href = await analista.getAttribute('a[href$="/visualizar"]', 'href');
    const r = await analista.request.get(`${URL}${href}`);
    assert.equal(r.status(), 200);
    assert.equal(r.headers()['content-type'], 'application/pdf');
    assert.match(r.headers()['content-disposition'], /^inline; filename="/);
    assert.ok((await r.body()).subarray(0, 5).toString() === '%PDF-', 'o corpo é o PDF');
  });

  await passo('analise: decide no caso; F5 e Voltar não repetem nem mostram erro', async () => {
    assert.ok(caso, 'o passo anterior achou um caso');
    const fundamentacao = `Os documentos não afastam a cobrança (fluxo de análise ${Date.now()}).`;
    await analista.click('label[for="r-indeferida"]');
    await analista.fill('#fundamentacao', fundamentacao);
    await analista.click('button:has-text("Publicar decisão")');
    await analista.waitForURL(/\/ans\/decisoes\/\d/);
    assert.match(await analista.textContent('main'), /Decisão publicada/);
    assert.match(await analista.textContent('main'), /Indeferida \(mantém o valor\)/);
    await acessivel(analista, 'decisão publicada');
    await tela(analista, 'analise-decisao-publicada');

    const r = await analista.reload();
    assert.equal(r.status(), 200, 'F5 na página da decisão');
    assert.match(await analista.textContent('main'), /Decisão publicada/);

    await analista.goBack();
    await analista.waitForLoadState();
    assert.ok(analista.url().endsWith(caso), `Voltar leva ao caso: ${analista.url()}`);
    const t = await analista.textContent('main');
    assert.equal(await analista.$('input[name=resultado]'), null, 'sem formulário vivo para o que foi decidido');
    assert.equal(t.split(fundamentacao).length - 1, 1, 'a decisão aparece uma vez');
    assert.doesNotMatch(t, /não é permitido|Decisão não publicada/);
  });
}
