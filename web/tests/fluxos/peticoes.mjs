// Petitions as a clerk of operator 339679 files them: "select all" from the keyboard, protocol
// then F5 and Back (the receipt, never a second petition nor a live "Protocolar"), the receipt
// PDF and the filed PDF downloaded, a batch as a ZIP and as a Windows-1252 CSV (what Excel
// writes), a session that expires while the form is filled (the text comes back after signing
// in), and a draft discarded with confirmation.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { URL, tmp, pdf, PDF, passo, sessao, acessivel, tela } from '../comum.mjs';

const CAB = 'tipo;processo;atendimentos;motivo;fundamentacao;auditor;documentos';

// A ZIP with stored (uncompressed) entries: enough for a manifest and a PDF, no dependency.
const TABELA = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = TABELA[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function zip(arquivos) {
  const partes = [];
  const central = [];
  let pos = 0;
  for (const [nome, dados] of arquivos) {
    const n = Buffer.from(nome);
    const crc = crc32(dados);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(dados.length, 18);
    local.writeUInt32LE(dados.length, 22); local.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6);
    c.writeUInt32LE(crc, 16); c.writeUInt32LE(dados.length, 20); c.writeUInt32LE(dados.length, 24);
    c.writeUInt16LE(n.length, 28); c.writeUInt32LE(pos, 42);
    partes.push(local, n, dados);
    central.push(c, n);
    pos += 30 + n.length + dados.length;
  }
  const dir = Buffer.concat(central);
  const fim = Buffer.alloc(22);
  fim.writeUInt32LE(0x06054b50, 0); fim.writeUInt16LE(arquivos.length, 8);
  fim.writeUInt16LE(arquivos.length, 10); fim.writeUInt32LE(dir.length, 12); fim.writeUInt32LE(pos, 16);
  return Buffer.concat([...partes, dir, fim]);
}

async function baixar(page, seletor) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(seletor)]);
  return readFileSync(await d.path());
}

export async function executar() {
  const op = await sessao('rep.339679');
  let nup, numeros, protocolo, docId;

  await passo('peticoes: "selecionar todos" funciona pelo teclado', async () => {
    // Reading an Ofício records ciência: its attendances then wait for an impugnação. Processes
    // whose ciência is already recorded (a demo used before) are candidates too.
    await op.goto(`${URL}/painel`);
    const avisos = await op.$$eval('a[href^="/notificacoes/"]', (as) => as.map((a) => a.getAttribute('href')));
    const candidatos = [];
    for (const aviso of avisos.slice(0, 12)) {
      await op.goto(`${URL}${aviso}`);
      const link = await op.$('main a[href^="/processos/"]');
      if (link) candidatos.push((await link.getAttribute('href')).split('/processos/')[1]);
    }
    await op.goto(`${URL}/processos`);
    candidatos.push(...await op.$$eval('table a[href^="/processos/"]',
      (as) => as.map((a) => a.getAttribute('href').split('/processos/')[1])));
    for (const n of candidatos.slice(0, 60)) {
      await op.goto(`${URL}/peticoes/nova?processo=${encodeURIComponent(n)}&tipo=impugnacao`);
      if ((await op.$$('input[name=atendimentos]')).length >= 4) { nup = n; break; }
    }
    assert.ok(nup, 'um processo da 339679 com ao menos 4 atendimentos no prazo');
    numeros = await op.$$eval('input[name=atendimentos]', (is) => is.map((i) => i.value));
    await acessivel(op, 'formulário de impugnação (339679)');
    await op.focus('#todos-atendimentos');
    await op.keyboard.press('Space');
    assert.deepEqual(await op.$$eval('input[name=atendimentos]', (is) => is.map((i) => i.checked)),
      numeros.map(() => true), 'todos marcados');
    await tela(op, 'peticao-selecionar-todos');
    await op.keyboard.press('Space');
    assert.ok(await op.$$eval('input[name=atendimentos]', (is) => is.every((i) => !i.checked)), 'todos desmarcados');
  });

  await passo('peticoes: protocolo, F5 e Voltar mostram o recibo, sem segunda petição nem botão', async () => {
    await op.click(`label[for="at-${numeros[0]}"]`);
    await op.selectOption('#motivo', 'ADM01');
    await op.fill('#fundamentacao', 'curta');
    await op.evaluate(() => document.querySelector('#fundamentacao').removeAttribute('minlength'));
    await op.setInputFiles('#documentos', pdf);
    await op.click('button:has-text("Salvar e revisar")');
    await op.waitForSelector('#erros');
    assert.match(await op.textContent('#erros'), /ao menos 20 caracteres/);
    await acessivel(op, 'formulário com erro');
    await op.fill('#fundamentacao', 'Beneficiário excluído do plano antes do atendimento, conforme o comprovante anexo.');
    await op.setInputFiles('#documentos', pdf);
    await op.click('button:has-text("Salvar e revisar")');
    await op.waitForSelector('#revisao');
    await op.click('button:has-text("Protocolar")');
    await op.waitForSelector('#recibo');
    protocolo = op.url().split('/peticoes/')[1];
    assert.match(await op.textContent('#recibo'), /horário de Brasília/);
    await op.reload();
    await op.waitForSelector('#recibo');
    assert.equal(op.url().split('/peticoes/')[1], protocolo, 'F5: o mesmo recibo');
    await op.goBack();
    await op.waitForLoadState();
    assert.match(op.url(), /\/peticoes\//, `Voltar: o recibo, não a revisão (${op.url()})`);
    assert.equal(await op.$$eval('button', (bs) => bs.filter((b) => /Protocolar/.test(b.textContent)).length), 0,
      'nenhum botão Protocolar vivo');
    assert.match(await op.textContent('main'), new RegExp(protocolo.replace('.', '\\.')));
    // The attendance left the form: it cannot be impugned twice.
    await op.goto(`${URL}/peticoes/nova?processo=${encodeURIComponent(nup)}&tipo=impugnacao`);
    assert.equal(await op.$(`input[value="${numeros[0]}"]`), null);
  });

  await passo('peticoes: recibo em PDF e o PDF protocolado são baixados', async () => {
    await op.goto(`${URL}/peticoes/${protocolo}`);
    const recibo = await baixar(op, '#recibo-pdf');
    assert.equal(recibo.subarray(0, 5).toString(), '%PDF-');
    assert.ok(recibo.toString('latin1').includes(protocolo), 'o número no PDF');
    docId = (await op.textContent('#recibo .doc-id')).trim();
    const doc = await baixar(op, '#recibo a[href^="/documentos/"]');
    assert.ok(doc.equals(PDF), 'o mesmo arquivo enviado');
    await acessivel(op, 'recibo (339679)');
    await tela(op, 'recibo-com-pdf');
  });

  await passo('peticoes: lote em ZIP pela web, enviado uma vez', async () => {
    const manifesto = `${CAB}\nimpugnacao;${nup};${numeros[1]};ADM01;Beneficiário excluído do plano antes do atendimento.;;prova-lote.pdf\n`;
    const arquivo = join(tmp, 'lote-339679.zip');
    writeFileSync(arquivo, zip([['manifesto.csv', Buffer.from(manifesto)], ['prova-lote.pdf', PDF]]));
    await op.goto(`${URL}/lotes/novo`);
    await op.setInputFiles('#planilha', arquivo);
    await op.click('button:has-text("Conferir")');
    await op.waitForSelector('button:has-text("Protocolar 1")');
    assert.match(await op.textContent('#codificacao'), /ZIP lido/);
    await acessivel(op, 'conferência do lote ZIP');
    await op.click('button:has-text("Protocolar 1")');
    await op.waitForURL(/\/lotes\/\d+$/);
    const lote = op.url();
    await op.goBack();
    await op.waitForLoadState();
    assert.equal(op.url(), lote, 'Voltar: o lote já enviado, não a conferência com o botão vivo');
    await op.reload();
    assert.equal(op.url(), lote);
    await op.waitForSelector('text=Lote concluído', { timeout: 30000 });
    assert.match(await op.textContent('main'), /1 protocolada/);
  });

  await passo('peticoes: planilha CSV em Windows-1252 (Excel)', async () => {
    const texto = `${CAB}\r\nimpugnacao;${nup};${numeros[2]};ADM03;Atendimento em período de carência contratual.;;${docId}\r\n`;
    const arquivo = join(tmp, 'lote-1252.csv');
    writeFileSync(arquivo, Buffer.from(texto, 'latin1'));
    await op.goto(`${URL}/lotes/novo`);
    await op.setInputFiles('#planilha', arquivo);
    await op.click('button:has-text("Conferir")');
    await op.waitForSelector('#codificacao');
    assert.match(await op.textContent('#codificacao'), /Windows-1252/);
    // The accents read right, not as replacement characters.
    assert.match(await op.textContent('main'), /período de carência contratual/);
    await acessivel(op, 'conferência do lote 1252');
    await op.click('button:has-text("Protocolar 1")');
    await op.waitForSelector('text=Lote concluído', { timeout: 30000 });
    assert.match(await op.textContent('main'), /1 protocolada/);
  });

  await passo('peticoes: sessão expirada durante o formulário, o texto volta depois de entrar', async () => {
    const texto = 'Contrato ainda não vigente na data do atendimento: o termo de adesão prova o início.';
    await op.goto(`${URL}/peticoes/nova?processo=${encodeURIComponent(nup)}&tipo=impugnacao`);
    await op.click(`label[for="at-${numeros[3]}"]`);
    await op.selectOption('#motivo', 'ADM02');
    await op.fill('#fundamentacao', texto);
    await op.setInputFiles('#documentos', pdf);
    const ctx = op.context();
    const outros = (await ctx.cookies()).filter((c) => c.name !== 'persus_sessao');
    await ctx.clearCookies();
    await ctx.addCookies(outros);
    await op.click('button:has-text("Salvar e revisar")');
    await op.waitForURL(/\/entrar/);
    await op.fill('#login', 'rep.339679');
    await op.fill('#senha', 'demo');
    await op.click('button[type=submit]');
    await op.waitForSelector('#aviso-retomado');
    assert.match(op.url(), /\/peticoes\/nova/);
    assert.equal(await op.inputValue('#fundamentacao'), texto);
    assert.equal(await op.inputValue('#motivo'), 'ADM02');
    assert.ok(await op.isChecked(`input[value="${numeros[3]}"]`));
    await acessivel(op, 'formulário retomado');
    await tela(op, 'formulario-retomado');
    await op.setInputFiles('#documentos', pdf);
    await op.click('button:has-text("Salvar e revisar")');
    await op.waitForSelector('#revisao');
  });

  await passo('peticoes: descartar um rascunho pede confirmação e diz o que aconteceu', async () => {
    await op.click('a:has-text("Descartar rascunho")');
    await op.waitForSelector('button:has-text("Descartar definitivamente")');
    await acessivel(op, 'confirmação de descarte');
    await op.click('button:has-text("Descartar definitivamente")');
    await op.waitForURL(/\/descartado$/);
    assert.match(await op.textContent('main'), /foi descartado/);
    await op.reload();
    assert.match(await op.textContent('main'), /foi descartado/);
    await op.goBack();
    await op.waitForLoadState();
    assert.match(await op.textContent('main'), /foi descartado/, 'Voltar: não há o que descartar de novo');
    await acessivel(op, 'rascunho descartado');
  });
  await op.context().close();
}
