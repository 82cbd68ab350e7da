// Visual (issue #12 §2): every menu page of five roles passes axe and, at 390x844, never
// scrolls sideways; the public home and /api/docs too; the application's own 404/405 pages with
// banner and menu; the form error summary takes focus and leads to its field. Each role signs in
// twice: at 1280 px (axe) and at 390 px (width). Screenshots: inicio, inicio-celular, erro-404,
// cobranca-celular.

import assert from 'node:assert/strict';
import { URL, passo, contexto, sessao, acessivel, tela } from '../comum.mjs';

async function semRolagemLateral(page, nome) {
  const { largura, janela } = await page.evaluate(() => ({
    largura: document.documentElement.scrollWidth, janela: window.innerWidth,
  }));
  assert.ok(largura <= janela, `${nome}: a página rola para o lado (${largura} px > ${janela} px)`);
}

async function linksDoMenu(page) {
  return page.$$eval('nav[aria-label="Menu principal"] a', (as) => as.map((a) => new URL(a.href).pathname));
}

export async function executar() {
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
      if (caminho === '/api/docs') await p.waitForSelector('.opblock');
      // The whole page, Swagger UI included (its colours overridden in simples.css, its
      // controls named and its deep links off in api-docs.js).
      await acessivel(p, caminho);
      await cel.goto(`${URL}${caminho}`);
      await semRolagemLateral(cel, caminho);
    }
    // /api/docs with operations opened, "Try it out" (enum selects, fields), an answer, the
    // schemas and the Authorize dialog: what an integrator opens is checked too.
    await p.goto(`${URL}/api/docs`);
    await p.waitForSelector('.opblock');
    for (const id of ['#operations-autenticacao-token', '#operations-atendimentos-atendimentos', '#operations-cobranca-extrato']) {
      await p.click(`${id} .opblock-summary-control`);
      await p.click(`${id} .try-out__btn`);
    }
    await p.click('#operations-atendimentos-atendimentos .btn.execute');
    await p.waitForSelector('#operations-atendimentos-atendimentos .responses-table.live-responses-table');
    await p.click('.models-control');
    await acessivel(p, '/api/docs com operações abertas');
    await p.click('.btn.authorize');
    await p.waitForSelector('.modal-ux');
    await acessivel(p, '/api/docs, autorização');
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
}
