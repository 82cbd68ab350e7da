// Provisions (issue #14): the operator's PEONA SUS explained with its runoff chart, and ANS's
// sector triangle as a heat map with the impact table — on a desktop and at 390 px without
// sideways scroll, axe on each page.

import assert from 'node:assert/strict';
import { URL, passo, sessao, acessivel, tela } from '../comum.mjs';

/** The page does not scroll sideways (wide tables scroll inside their own box). */
async function semRolagemLateral(page, nome) {
  const { largura, janela } = await page.evaluate(() => ({
    largura: document.documentElement.scrollWidth, janela: window.innerWidth,
  }));
  assert.ok(largura <= janela, `${nome}: a página rola de lado (${largura} > ${janela})`);
}

export async function executar() {
  await passo('provisões: a operadora vê a sua PEONA SUS passo a passo e o seu runoff', async () => {
    const op = await sessao('rep.368253');
    await op.goto(`${URL}/provisoes`);
    assert.match(await op.textContent('#peona-valor'), /^R\$ [\d.]+,\d{2}$/);
    assert.match(await op.textContent('#limitante'), /Fator (teto|individual)/);
    assert.ok(await op.$('#janela tbody tr'), 'a tabela da janela do fator individual');
    assert.ok(await op.$('figure.persus-runoff svg polyline'), 'o gráfico de runoff');
    assert.ok(await op.$('#pesl'), 'a PESL SUS por situação');
    await acessivel(op, 'provisões da operadora');
    await op.fill('#trimestres', '2');
    await op.click('button:has-text("Simular")');
    await op.waitForURL(/trimestres=2/);
    assert.match(await op.textContent('#simulacao-resultado'), /2 trimestre\(s\) antes/);
    await op.context().close();

    const celular = await sessao('rep.368253', { width: 390, height: 844 });
    await celular.goto(`${URL}/provisoes`);
    await semRolagemLateral(celular, 'provisões da operadora no celular');
    const svg = await celular.$eval('figure.persus-runoff svg', (s) => s.getBoundingClientRect().width);
    assert.ok(svg <= 390 && svg >= 250, `o gráfico cabe e se lê no celular (${svg} px)`);
    await acessivel(celular, 'provisões da operadora no celular');
    await tela(celular, 'provisoes-operadora-celular');
    await celular.context().close();
  });

  await passo('provisões: a ANS vê o triângulo do setor como mapa de calor e o impacto', async () => {
    const ans = await sessao('ans.admin');
    await ans.goto(`${URL}/ans/provisoes`);
    const celulas = await ans.$$eval('#triangulo td[class*="calor-"]', (tds) => tds.length);
    assert.ok(celulas > 20, `células do mapa de calor: ${celulas}`);
    assert.ok(await ans.$('#triangulo th:has-text("1º trimestre de 2016")'), 'o leiaute do estudo');
    const impacto = await ans.textContent('#impacto');
    for (const linha of ['Aumento de PEONA SUS', 'Redução de PEONA SUS', 'Sem alteração de PEONA SUS', 'Total']) {
      assert.ok(impacto.includes(linha), linha);
    }
    assert.ok(await ans.$('#suficiencia'), 'as linhas de suficiência');
    assert.ok(await ans.$('figure.persus-grafico svg'), 'o histograma');
    await acessivel(ans, 'provisões da ANS');
    await tela(ans, 'provisoes-ans');
    await ans.context().close();

    const celular = await sessao('ans.admin', { width: 390, height: 844 });
    await celular.goto(`${URL}/ans/provisoes`);
    await semRolagemLateral(celular, 'provisões da ANS no celular');
    await acessivel(celular, 'provisões da ANS no celular');
    await celular.context().close();
  });
}
