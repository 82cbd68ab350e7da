// What every browser flow shares: the browser, signed-in sessions, the axe check, screenshots,
// and the record of Content-Security-Policy violations. Used by navegador.mjs and fluxos/*.mjs.

import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const URL = process.env.PERSUS_URL ?? 'http://127.0.0.1:18080';
export const aqui = dirname(fileURLToPath(import.meta.url));
export const telas = join(aqui, '..', '..', 'docs', 'screenshots');
export const tmp = join(aqui, '..', 'test-results');
mkdirSync(telas, { recursive: true });
mkdirSync(tmp, { recursive: true });
// Injected through the DevTools protocol (page.evaluate), which the page's CSP does not govern:
// a <script> tag with axe inline would itself be refused.
export const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// A tiny but real one-page PDF: the server parses what it accepts as evidence.
export const PDF = readFileSync(join(aqui, '..', '..', 'crates', 'server', 'tests', 'common', 'minimo.pdf'));
export const pdf = join(tmp, 'comprovante-exclusao.pdf');
writeFileSync(pdf, PDF);

export const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});

let falhas = 0;
export const contarFalhas = () => falhas;
export async function passo(nome, f) {
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
export const violacoesCsp = [];
export async function contexto(opcoes) {
  const ctx = await browser.newContext({ locale: 'pt-BR', ...opcoes });
  await ctx.exposeBinding('violacaoCsp', ({ page }, v) => violacoesCsp.push(`${page.url()}: ${v}`));
  await ctx.addInitScript(() => document.addEventListener('securitypolicyviolation',
    (e) => window.violacaoCsp(`${e.effectiveDirective} recusou ${e.blockedURI || 'inline'}`)));
  ctx.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) violacoesCsp.push(`${m.page()?.url()}: ${m.text()}`);
  });
  return ctx;
}

export async function sessao(login, viewport = { width: 1280, height: 900 }) {
  const ctx = await contexto({ acceptDownloads: true, viewport });
  const page = await ctx.newPage();
  await page.goto(`${URL}/entrar`);
  await page.fill('#login', login);
  await page.fill('#senha', 'demo');
  await page.click('button[type=submit]');
  await page.waitForURL(/\/painel/);
  return page;
}

/**
 * axe (WCAG 2.1 A/AA) on the page: no serious or critical violation. `fora` names parts of the
 * page that are not ours and are known to fail (each listed where it is used, and in the
 * session notes), checked apart by `violacoesConhecidas`.
 */
export async function acessivel(page, nome, fora = []) {
  await page.evaluate(axe);
  const r = await page.evaluate(async (fora) => await window.axe.run(
    fora.length ? { include: [['html']], exclude: fora.map((s) => [s]) } : document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }), fora);
  const graves = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(graves.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`), [],
    `${nome}: violações graves de acessibilidade`);
}

export async function tela(page, nome) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(telas, `${nome}.png`) });
}


/** A form's CSRF token is never in a URL; assert it for the page's current address. */
export function semCsrfNaUrl(page) {
  if (/csrf=/i.test(page.url())) throw new Error(`token CSRF na URL: ${page.url()}`);
}
