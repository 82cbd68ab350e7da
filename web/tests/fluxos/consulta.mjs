// Finding attendances as a clerk does: by a beneficiary's CNS (read from an attendance's page),
// by competência as the table shows it (MM/AAAA), a process's attendances filtered by state,
// and a notice's page listing its attendances. axe on every page.

import assert from 'node:assert/strict';
import { URL, passo, sessao, acessivel, tela } from '../comum.mjs';

/** The result table's rows: each cell's text. */
async function linhas(page) {
  return page.$$eval('#resultado tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
}

export async function executar() {
  const op = await sessao('rep.326305');
  let cns, numero, competencia;

  await passo('consulta: a busca de atendimentos mostra o total e as páginas', async () => {
    await op.goto(`${URL}/atendimentos`);
    await acessivel(op, 'busca de atendimentos');
    assert.match(await op.textContent('#total'), /\d+ atendimentos encontrados · página 1 de \d+/);
    const [primeira] = await linhas(op);
    numero = primeira[0].split(' ')[0];
    competencia = primeira[3];
    assert.match(competencia, /^\d{2}\/\d{4}$/, 'competência como MM/AAAA');
    // The beneficiary is masked in the list.
    assert.match(primeira[1], /CNS \d{3} \*{4} \*{4} \d{4}/);
    if (await op.$('a[rel=next]')) {
      await op.click('a[rel=next]');
      assert.match(await op.textContent('#total'), /página 2 de/);
      await acessivel(op, 'busca de atendimentos, página 2');
    }
  });

  await passo('consulta: busca pelo CNS do beneficiário', async () => {
    await op.goto(`${URL}/atendimentos/${numero}`);
    // The attendance's own page shows the whole CNS (that read is recorded).
    cns = (await op.textContent('main')).match(/CNS (\d{3} \d{4} \d{4} \d{4})/)[1];
    await op.goto(`${URL}/atendimentos`);
    await op.fill('#beneficiario', cns);
    await op.click('button:has-text("Buscar")');
    await op.waitForURL(/beneficiario=/);
    const achados = await linhas(op);
    assert.ok(achados.length >= 1, 'o atendimento do beneficiário');
    assert.ok(achados.some((l) => l[0].startsWith(numero)), `${numero} entre os achados`);
    assert.equal(await op.inputValue('#beneficiario'), cns, 'o que foi digitado continua no campo');
    await acessivel(op, 'busca por CNS');
    await tela(op, 'consulta-cns');
  });

  await passo('consulta: busca pela competência como a tabela mostra (MM/AAAA)', async () => {
    await op.goto(`${URL}/atendimentos`);
    await op.fill('#competencia', competencia);
    await op.click('button:has-text("Buscar")');
    await op.waitForURL(/competencia=/);
    assert.match(await op.textContent('#total'), /atendimentos? encontrados?/);
    const achados = await linhas(op);
    assert.ok(achados.length >= 1, `atendimentos da competência ${competencia}`);
    assert.ok(achados.every((l) => l[3] === competencia), 'todos da competência pedida');
    await acessivel(op, 'busca por competência');
    // A competência that cannot be: the message at the field, the input kept.
    await op.fill('#competencia', '13/2025');
    await op.click('button:has-text("Buscar")');
    await op.waitForSelector('#erro-competencia');
    assert.equal(await op.inputValue('#competencia'), '13/2025');
    await acessivel(op, 'busca com erro');
  });

  await passo('consulta: o processo filtra seus atendimentos e a notificação lista os seus', async () => {
    await op.goto(`${URL}/processos`);
    const href = await op.getAttribute('table a[href^="/processos/"]', 'href');
    assert.match(await op.textContent('table a[href^="/processos/"]'), /^\d{5}\.\d{6}\/\d{4}-\d{2}$/, 'NUP formatado');
    await op.goto(`${URL}${href}`);
    await acessivel(op, 'processo com filtros');
    const tipo = await op.textContent('#notificacoes tbody tr td:nth-child(2)');
    assert.match(tipo, /Ofício ABI/);
    // Filter by the state of the first attendance listed: every line has it.
    const [primeira] = await linhas(op);
    const situacao = primeira[4];
    await op.selectOption('#estado', { label: situacao });
    await op.click('button:has-text("Filtrar")');
    await op.waitForURL(/estado=/);
    const filtradas = await linhas(op);
    assert.ok(filtradas.length >= 1);
    assert.ok(filtradas.every((l) => l[4] === situacao), `todas em "${situacao}"`);
    await acessivel(op, 'processo filtrado');
    await tela(op, 'processo-filtrado');
    // The Ofício's page: what it is and its attendances.
    await op.click('#notificacoes a[href^="/notificacoes/"]');
    await op.waitForSelector('#resultado');
    assert.match(await op.textContent('main'), /Atendimentos desta notificação/);
    assert.ok((await linhas(op)).length >= 1, 'os atendimentos do Ofício');
    await acessivel(op, 'notificação com atendimentos');
    await tela(op, 'notificacao-atendimentos');
  });

  await op.context().close();
}
