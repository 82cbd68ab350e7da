// Browser tests: Debian's Chromium, headless, driven by playwright-core over a running persus
// (started by .ci/run with `persus demo` on SQLite). Each flow is what a person does; axe-core
// checks the main pages; screenshots go to docs/screenshots/. Every page is watched for
// Content-Security-Policy violations (a refused style or script): there must be none.
//
//   PERSUS_URL=http://127.0.0.1:18080 node web/tests/navegador.mjs

import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const URL = process.env.PERSUS_URL ?? 'http://127.0.0.1:18080';
const aqui = dirname(fileURLToPath(import.meta.url));
const telas = join(aqui, '..', '..', 'docs', 'screenshots');
const tmp = join(aqui, '..', 'test-results');
mkdirSync(telas, { recursive: true });
mkdirSync(tmp, { recursive: true });
// Injected through the DevTools protocol (page.evaluate), which the page's CSP does not govern:
// a <script> tag with axe inline would itself be refused.
const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// A tiny but real one-page PDF: the server parses what it accepts as evidence.
const PDF = readFileSync(join(aqui, '..', '..', 'crates', 'server', 'tests', 'common', 'minimo.pdf'));
const pdf = join(tmp, 'comprovante-exclusao.pdf');
writeFileSync(pdf, PDF);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});

let falhas = 0;
async function passo(nome, f) {
  const t = Date.now();
  try {
    await f();
    console.log(`ok   ${nome} (${Date.now() - t} ms)`);
  } catch (e) {
    falhas++;
    console.log(`FAIL ${nome}\n     ${e.stack ?? e}`);
  }
}

// Content-Security-Policy violations seen on any page: the browser reports each as a
// `securitypolicyviolation` event and a console error.
const violacoesCsp = [];
async function contexto(opcoes) {
  const ctx = await browser.newContext({ locale: 'pt-BR', ...opcoes });
  await ctx.exposeBinding('violacaoCsp', ({ page }, v) => violacoesCsp.push(`${page.url()}: ${v}`));
  await ctx.addInitScript(() => document.addEventListener('securitypolicyviolation',
    (e) => window.violacaoCsp(`${e.effectiveDirective} recusou ${e.blockedURI || 'inline'}`)));
  ctx.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) violacoesCsp.push(`${m.page()?.url()}: ${m.text()}`);
  });
  return ctx;
}

async function sessao(login, viewport = { width: 1280, height: 900 }) {
  const ctx = await contexto({ acceptDownloads: true, viewport });
  const page = await ctx.newPage();
  await page.goto(`${URL}/entrar`);
  await page.fill('#login', login);
  await page.fill('#senha', 'demo');
  await page.click('button[type=submit]');
  await page.waitForURL(/\/painel/);
  return page;
}

async function acessivel(page, nome) {
  await page.evaluate(axe);
  const r = await page.evaluate(async () => await window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  const graves = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(graves.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`), [],
    `${nome}: violações graves de acessibilidade`);
}

async function tela(page, nome) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(telas, `${nome}.png`) });
}

const op = await sessao('rep.368253');
let nup, numero, outroNumero, docId;

await passo('a operadora vê o painel com prazos e pendências', async () => {
  assert.match(await op.textContent('h1'), /Painel da operadora/);
  await acessivel(op, 'painel');
  await tela(op, 'painel-operadora');
});

await passo('a operadora impugna com um PDF e vê o recibo', async () => {
  await op.goto(`${URL}/processos`);
  const nups = await op.$$eval('table a[href^="/processos/"]', (as) => as.map((a) => a.textContent));
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
  assert.match(t, /mantido/);
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

// ===== Visual (issue #12 §2): every menu page of each role, phone width, error pages =====
// Each role signs in twice: at 1280 px (axe) and at 390x844 (the page never scrolls sideways).

async function semRolagemLateral(page, nome) {
  const { largura, janela } = await page.evaluate(() => ({
    largura: document.documentElement.scrollWidth, janela: window.innerWidth,
  }));
  assert.ok(largura <= janela, `${nome}: a página rola para o lado (${largura} px > ${janela} px)`);
}

async function linksDoMenu(page) {
  return page.$$eval('nav[aria-label="Menu principal"] a', (as) => as.map((a) => new URL(a.href).pathname));
}

await passo('visual: cada página do menu de cada papel passa no axe e cabe num celular', async () => {
  for (const login of ['rep.368253', 'ans.analista', 'ans.financeiro', 'ans.diretor', 'ans.admin']) {
    const larga = await sessao(login);
    const cel = await sessao(login, { width: 390, height: 844 });
    const links = await linksDoMenu(larga);
    assert.ok(links.length >= 2, `${login}: menu ${links}`);
    for (const link of links) {
      const r = await larga.goto(`${URL}${link}`);
      assert.equal(r.status(), 200, `${login} ${link}`);
      await acessivel(larga, `${login} ${link}`);
      await cel.goto(`${URL}${link}`);
      await semRolagemLateral(cel, `${login} ${link}`);
    }
    if (login === 'rep.368253') {
      await cel.goto(`${URL}/cobranca`);
      await tela(cel, 'cobranca-celular');
    }
    await larga.context().close();
    await cel.context().close();
  }
});

await passo('visual: a página inicial e a da API passam no axe e cabem num celular', async () => {
  const ctx = await contexto();
  const p = await ctx.newPage();
  const cel = await (await contexto({ viewport: { width: 390, height: 844 } })).newPage();
  for (const caminho of ['/', '/api/docs']) {
    await p.goto(`${URL}${caminho}`);
    await acessivel(p, caminho);
    await cel.goto(`${URL}${caminho}`);
    await semRolagemLateral(cel, caminho);
  }
  await p.goto(`${URL}/`);
  await tela(p, 'inicio');
  await cel.goto(`${URL}/`);
  await tela(cel, 'inicio-celular');
  await ctx.close();
  await cel.context().close();
});

await passo('visual: endereço desconhecido e método errado mostram as páginas do persus', async () => {
  const p = await sessao('rep.368253');
  let r = await p.goto(`${URL}/pagina-que-nao-existe`);
  assert.equal(r.status(), 404);
  assert.match(await p.textContent('h1'), /Página não encontrada/);
  assert.ok(await p.isVisible('.persus-faixa'), 'faixa de homologação');
  assert.ok((await linksDoMenu(p)).includes('/processos'), 'menu na página de erro');
  await acessivel(p, '404');
  await tela(p, 'erro-404');
  r = await p.goto(`${URL}/sair`); // the sign-out form's address, opened as a page
  assert.equal(r.status(), 405);
  assert.match(await p.textContent('h1'), /Esta página não abre assim/);
  assert.ok(await p.isVisible('.persus-faixa'));
  assert.ok((await linksDoMenu(p)).length > 1);
  await acessivel(p, '405');
  await p.context().close();
});

await passo('visual: erros de formulário são anunciados, levam ao campo e recebem o foco', async () => {
  const ctx = await contexto();
  const p = await ctx.newPage();
  await p.goto(`${URL}/entrar`);
  await p.fill('#login', 'rep.368253');
  await p.fill('#senha', 'errada');
  await p.click('button[type=submit]');
  await p.waitForSelector('#resumo-erros[role=alert]');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'resumo-erros', 'foco no resumo');
  assert.equal(await p.getAttribute('#login', 'aria-invalid'), 'true');
  await p.click('#resumo-erros a[href="#login"]');
  assert.equal(await p.evaluate(() => document.activeElement.id), 'login', 'o link leva ao campo');
  await acessivel(p, 'entrar com erro');
  await ctx.close();
});

// ===== end of the visual block =====

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
if (falhas) {
  console.log(`\n${falhas} teste(s) de navegador falharam`);
  process.exit(1);
}
console.log('\ntodos os testes de navegador passaram');
