// Browser tests: Debian's Chromium, headless, driven by playwright-core over a running persus
// (started by .ci/run with `persus demo` on SQLite). Each flow is what a person does; axe-core
// checks the pages; screenshots go to docs/screenshots/. Every page is watched for
// Content-Security-Policy violations (a refused style or script): there must be none.
// The core flows are here; each area adds its own in fluxos/<area>.mjs (exporting `executar`),
// run after these in name order, each choosing its own demo data.
//
//   PERSUS_URL=http://127.0.0.1:18080 node web/tests/navegador.mjs

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import {
  URL, aqui, tmp, pdf, browser, passo, contexto, sessao, acessivel, tela, violacoesCsp, contarFalhas,
} from './comum.mjs';

const op = await sessao('rep.368253');
let nup, numero, outroNumero, docId;

await passo('a operadora vê o painel com prazos e pendências', async () => {
  assert.match(await op.textContent('h1'), /Painel da operadora/);
  await acessivel(op, 'painel');
  await tela(op, 'painel-operadora');
});

await passo('a operadora impugna com um PDF e vê o recibo', async () => {
  await op.goto(`${URL}/processos`);
  // The link's address holds the NUP's digits; its text is the NUP as people write it.
  const nups = await op.$$eval('table a[href^="/processos/"]', (as) => as.map((a) => a.getAttribute('href').split('/').pop()));
  await acessivel(op, 'processos');
  for (const n of nups.slice(0, 60)) {
    await op.goto(`${URL}/processos/${n}`);
    if (await op.$('a:has-text("Impugnar atendimentos")')) { nup = n; break; }
  }
  assert.ok(nup, 'um processo com atendimentos a impugnar');
  await acessivel(op, 'processo');
  await tela(op, 'processo');
  await op.click('a:has-text("Impugnar atendimentos")');
  await acessivel(op, 'formulário de impugnação');
  const caixas = await op.$$('input[name=atendimentos]');
  assert.ok(caixas.length >= 2, 'ao menos dois atendimentos no prazo');
  numero = await caixas[0].getAttribute('value');
  outroNumero = await caixas[1].getAttribute('value');
  // The gov.br checkbox is drawn by its label: a person clicks the label.
  await op.click(`label[for="at-${numero}"]`);
  assert.ok(await caixas[0].isChecked());
  await op.selectOption('#motivo', 'ADM01');
  await op.fill('#fundamentacao', 'Beneficiário excluído do plano antes da data do atendimento, conforme comprovante.');
  await op.setInputFiles('#documentos', pdf);
  await tela(op, 'formulario-impugnacao');
  await op.click('button:has-text("Salvar e revisar")');
  await op.waitForSelector('#revisao');
  assert.match(await op.textContent('main'), /Rascunho salvo/);
  await acessivel(op, 'revisão');
  await tela(op, 'revisao');
  await op.click('button:has-text("Protocolar")');
  await op.waitForSelector('#recibo');
  assert.match(await op.textContent('main'), /Petição protocolada/);
  assert.match(await op.textContent('#recibo'), /comprovante-exclusao\.pdf/);
  docId = (await op.textContent('.doc-id')).trim();
  await acessivel(op, 'recibo');
  await tela(op, 'recibo');
});

await passo('um lote com uma linha errada mostra o erro e só protocola depois de corrigido', async () => {
  const cab = 'tipo;processo;atendimentos;motivo;fundamentacao;auditor;documentos';
  const boa = `impugnacao;${nup};${outroNumero};ADM03;Atendimento em período de carência contratual.;;${docId}`;
  const ruim = `impugnacao;${nup};${outroNumero};XYZ99;Motivo que não existe no catálogo de motivos.;;${docId}`;
  const arquivo = join(tmp, 'lote.csv');
  writeFileSync(arquivo, `${cab}\n${boa}\n${ruim}\n`);
  await op.goto(`${URL}/lotes/novo`);
  await acessivel(op, 'lote');
  await op.setInputFiles('#planilha', arquivo);
  await op.click('button:has-text("Conferir")');
  await op.waitForSelector('#erros-lote');
  const erros = await op.textContent('#erros-lote');
  assert.match(erros, /XYZ99/);
  const linhas = await op.$$eval('#erros-lote tbody tr td:first-child', (tds) => tds.map((t) => t.textContent.trim()));
  assert.deepEqual(linhas, ['3'], 'só a linha 3 da planilha');
  assert.match(await op.textContent('main'), /Nada foi protocolado/);
  await tela(op, 'lote-com-erro');
  writeFileSync(arquivo, `${cab}\n${boa}\n`);
  await op.setInputFiles('#planilha', arquivo);
  await op.click('button:has-text("Conferir")');
  await op.waitForSelector('button:has-text("Protocolar 1")');
  await op.click('button:has-text("Protocolar 1")');
  await op.waitForSelector('text=Lote concluído', { timeout: 30000 });
  assert.match(await op.textContent('main'), /1 protocolada/);
  await tela(op, 'lote-concluido');
});

const analista = await sessao('ans.analista');
await passo('a analista decide a impugnação na fila', async () => {
  await analista.goto(`${URL}/ans/filas/primeira?operadora=368253`);
  await acessivel(analista, 'fila');
  await analista.check(`input[value="${numero}"]`);
  await analista.click('label[for="r-indeferida"]');
  await analista.fill('#fundamentacao', 'A exclusão do beneficiário não foi comprovada pelo documento apresentado.');
  await tela(analista, 'fila-analise');
  await analista.click('button:has-text("Publicar decisão")');
  await analista.waitForSelector('text=Decisão publicada');
});

await passo('a operadora vê a decisão no atendimento', async () => {
  await op.goto(`${URL}/atendimentos/${numero}`);
  const t = await op.textContent('main');
  assert.match(t, /Mantido \(impugnação indeferida\)/);
  assert.match(t, /não foi comprovada/);
  await acessivel(op, 'atendimento');
  await tela(op, 'atendimento');
});

await passo('a operadora emite e baixa uma GRU', async () => {
  await op.goto(`${URL}/cobranca`);
  await acessivel(op, 'cobrança');
  await tela(op, 'cobranca');
  const caixa = await op.$('input[name=debitos]');
  assert.ok(caixa, 'um débito em aberto');
  await caixa.check();
  await op.click('button:has-text("Emitir GRU")');
  await op.waitForSelector('h1');
  assert.match(await op.textContent('main'), /GRU [\d.-]+ emitida:/, await op.textContent('main'));
  const [download] = await Promise.all([op.waitForEvent('download'), op.click('a:has-text("Baixar a GRU")')]);
  const caminho = join(tmp, await download.suggestedFilename());
  await download.saveAs(caminho);
  assert.equal(readFileSync(caminho).subarray(0, 5).toString(), '%PDF-');
});

await passo('outra operadora não abre o processo da primeira pela URL', async () => {
  const amil = await sessao('rep.326305');
  const r = await amil.goto(`${URL}/processos/${nup}`);
  assert.equal(r.status(), 404);
  assert.match(await amil.textContent('main'), /não existe ou não está disponível/);
  await amil.context().close();
});

await passo('telas da ANS e do celular', async () => {
  await analista.goto(`${URL}/painel`);
  await acessivel(analista, 'painel ANS');
  await tela(analista, 'painel-ans');
  const fin = await sessao('ans.financeiro');
  await fin.goto(`${URL}/ans/financeiro`);
  await acessivel(fin, 'financeiro');
  await tela(fin, 'financeiro-ans');
  const cel = await sessao('rep.368253', { width: 390, height: 844 });
  await acessivel(cel, 'painel no celular');
  await tela(cel, 'painel-celular');
});

await passo('as demais páginas principais são acessíveis', async () => {
  for (const caminho of ['/abis', '/decisoes', '/atendimentos', '/conta']) {
    await op.goto(`${URL}${caminho}`);
    await acessivel(op, caminho);
  }
  await tela(op, 'conta');
  const admin = await sessao('ans.admin');
  for (const caminho of ['/ans/abis', '/ans/operadoras', '/ans/produtividade', '/ans/auditoria']) {
    await admin.goto(`${URL}${caminho}`);
    await acessivel(admin, caminho);
  }
  await tela(admin, 'auditoria');
  await admin.context().close();
});

await passo('só com o teclado: pular para o conteúdo e entrar', async () => {
  const ctx = await contexto();
  const p = await ctx.newPage();
  await p.goto(`${URL}/entrar`);
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.textContent), 'Ir para o conteúdo');
  await p.keyboard.press('Enter');
  await p.focus('#login');
  await p.keyboard.type('rep.368253');
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'senha');
  await p.keyboard.type('demo');
  await p.keyboard.press('Enter');
  await p.waitForURL(/\/painel/);
  await ctx.close();
});

await passo('a página de entrada é acessível', async () => {
  const ctx = await contexto();
  const p = await ctx.newPage();
  await p.goto(`${URL}/entrar`);
  await acessivel(p, 'entrar');
  await tela(p, 'entrar');
  await p.goto(`${URL}/primeiro-acesso`);
  await acessivel(p, 'primeiro acesso');
});

// The areas' flows.
for (const arquivo of readdirSync(join(aqui, 'fluxos')).filter((f) => f.endsWith('.mjs')).sort()) {
  const { executar } = await import(`./fluxos/${arquivo}`);
  await executar();
}

await passo('nenhuma página teve estilo ou script recusado pela política de segurança', async () => {
  const ctx = await contexto();
  const p = await ctx.newPage();
  for (const caminho of ['/', '/api/docs', '/entrar', '/primeiro-acesso']) {
    const r = await p.goto(`${URL}${caminho}`);
    assert.match(r.headers()['content-security-policy'] ?? '', /default-src 'self'/, caminho);
  }
  // The page's own stylesheet applied: the skip link is off-screen until focused.
  assert.ok(await p.$eval('a.skip', (a) => a.getBoundingClientRect().right < 0), 'persus.css aplicado');
  await ctx.close();
  assert.deepEqual(violacoesCsp, [], 'violações da Content-Security-Policy');
});

await browser.close();
if (contarFalhas()) {
  console.log(`\n${contarFalhas()} teste(s) de navegador falharam`);
  process.exit(1);
}
console.log('\ntodos os testes de navegador passaram');
