"""Compares persus's chain-ladder (crates/domain/src/provisoes/chain_ladder.rs, through its
example binary) with the Python `chainladder` package, pinned in chainladder-requisitos.txt.

    python chainladder_comparar.py --binario PATH --amostras DIR [TRIANGULO.csv ...]

1. Writes the package's own RAA and GenIns samples to DIR as persus triangle CSVs
   (`origem;idade;acumulado`, see crates/domain/examples/chain_ladder.rs), runs the binary on
   them and compares with `chainladder.Chainladder().fit(sample)`.
2. Reads each extra CSV itself (not through persus), builds a `chainladder.Triangle` and
   compares the same way.

Compared: age-to-age factors and cumulative factors (relative 1e-9), each origin's ultimate
and the total reserve (relative 1e-6; plus an absolute floor of 1e-9 × Σ ultimates so a
reserve of zero compares with a rounding residue). Exit status 1 with a table of every
disagreement; 2 on a file neither side can read.

Two facts about the package that the extra CSVs must respect:
- it places cells by date, so only a staircase or a trapezoid compares: origin i (0 = oldest)
  known up to age min(n, V - i + 1) for one valuation V (see `triangulo_do_pacote`);
- it stores triangles sparsely and reads a cell of 0 as missing, while Mack's sums (and persus)
  count a 0 as a value: zeros are handed to the package as 1e-100, which leaves every ratio and
  sum as Mack's to double precision.
"""

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

import chainladder as cl
import numpy as np
import pandas as pd

FATORES_REL = 1e-9
TOTAL_REL = 1e-6
ZERO = 1e-100
ANO_BASE = 1700  # origin i is "year" ANO_BASE + i for the package; only the order matters


class Ilegivel(Exception):
    pass


def ler_csv(caminho):
    """A persus triangle CSV → (origins, cumulative rows); independent of the Rust parser."""
    tipo = None
    origens, celulas = [], {}
    for n, bruta in enumerate(Path(caminho).read_text(encoding="utf-8-sig").splitlines(), 1):
        linha = bruta.strip()
        if not linha or linha.startswith("#"):
            continue
        campos = [c.strip() for c in linha.split(";")]
        if tipo is None:
            if campos[:2] != ["origem", "idade"] or len(campos) != 3 or campos[2] not in (
                "acumulado",
                "incremental",
            ):
                raise Ilegivel(f"{caminho}, linha {n}: cabeçalho inesperado '{linha}'")
            tipo = campos[2]
            continue
        if len(campos) != 3:
            raise Ilegivel(f"{caminho}, linha {n}: esperados 3 campos")
        origem, idade, valor = campos
        try:
            idade = int(idade)
            valor = float(valor.replace(",", "."))
        except ValueError as e:
            raise Ilegivel(f"{caminho}, linha {n}: {e}") from None
        if origem not in celulas:
            origens.append(origem)
            celulas[origem] = {}
        celulas[origem][idade] = valor
    if tipo is None:
        raise Ilegivel(f"{caminho}: sem cabeçalho")
    linhas = []
    for o in origens:
        ultima = max(celulas[o])
        linha = [celulas[o][k] for k in range(1, ultima + 1)]
        if tipo == "incremental":
            linha = list(np.cumsum(linha))
        linhas.append(linha)
    return origens, linhas


def triangulo_do_pacote(caminho, linhas):
    """A `chainladder.Triangle` of cumulative rows, every origin ending on one valuation date.

    The package places cells by date, so each origin's latest cell must lie on the valuation
    diagonal: origin i (0 = oldest) is known up to age V - i + 1. A trapezoid (old origins
    complete at age n, before the diagonal) is carried there by repeating each complete row's
    last value: the extra ages get factor Σ C / Σ C = 1 exactly, so factors, ultimates and
    reserves are those of the trapezoid without a tail (`referencia` checks the padding's
    factors are 1)."""
    n = len(linhas[0])
    valuation = max(i + len(l) - 1 for i, l in enumerate(linhas))
    cheias = []
    for i, l in enumerate(linhas):
        diagonal = valuation - i + 1
        if len(l) == diagonal:
            cheias.append(l)
        elif len(l) == n and diagonal > n:
            cheias.append(l + [l[-1]] * (diagonal - n))
        else:
            raise Ilegivel(
                f"{caminho}: a origem {i + 1} tem {len(l)} idades; num triângulo em escada (ou "
                f"trapézio) teria {min(n, diagonal)} — o pacote chainladder não o representaria"
            )
    registros = [
        {
            "origem": str(ANO_BASE + i),
            "desenvolvimento": str(ANO_BASE + i + j),
            "valor": ZERO if v == 0 else v,
        }
        for i, l in enumerate(cheias)
        for j, v in enumerate(l)
    ]
    return cl.Triangle(
        pd.DataFrame(registros),
        origin="origem",
        development="desenvolvimento",
        columns=["valor"],
        cumulative=True,
    )


def amostra_para_csv(nome, destino):
    tri = cl.load_sample(nome)
    valores = tri.values[0, 0]
    origens = [str(p) for p in tri.origin]
    caminho = Path(destino) / f"{nome}.csv"
    with open(caminho, "w", encoding="utf-8") as f:
        f.write("origem;idade;acumulado\n")
        for origem, linha in zip(origens, valores):
            for j, v in enumerate(linha):
                if not np.isnan(v):
                    f.write(f"{origem};{j + 1};{v:.17g}\n")
    return caminho, tri


def referencia(tri, n):
    """The package's factors, cumulative factors, ultimates and total reserve, for a triangle
    whose own ages are 1..n."""
    modelo = cl.Chainladder().fit(tri)
    # The fitted model lists factors past age n (a trapezoid's padding, and 120-132, 132-144 …
    # for the samples), all 1 without a tail: keep F_1..F_n and refuse any other padding.
    ldf = [float(v) for v in modelo.ldf_.values[0, 0, 0]]
    cdf = [float(v) for v in modelo.cdf_.values[0, 0, 0]]
    if any(abs(v - 1.0) > 1e-12 for v in ldf[n - 1 :] + cdf[n:]):
        raise Ilegivel(f"o pacote aplicou um fator de cauda: {ldf[n - 1:]} {cdf[n:]}")
    return {
        "fatores": ldf[: n - 1],
        "fatores_acumulados": cdf[:n],
        "ultimates": [float(v) for v in modelo.ultimate_.values[0, 0, :, 0]],
        "reserva_total": float(np.nansum(modelo.ibnr_.values)),
    }


def persus(binario, caminho):
    r = subprocess.run([binario, str(caminho)], capture_output=True, text=True)
    if r.returncode != 0:
        raise Ilegivel(f"{caminho}: o exemplo do persus recusou o arquivo: {r.stderr.strip()}")
    saida = json.loads(r.stdout)
    return {
        "origens": saida["origens"],
        "fatores": saida["fatores"],
        "fatores_acumulados": saida["fatores_acumulados"],
        "ultimates": [p["ultimate"] for p in saida["projecoes"]],
        "reserva_total": saida["reserva_total"],
    }


def relativo(a, b):
    maior = max(abs(a), abs(b))
    return 0.0 if maior == 0 else abs(a - b) / maior


def comparar(nosso, deles):
    """Lines of disagreement (empty when they agree)."""
    dif = []
    escala = sum(abs(u) for u in nosso["ultimates"])
    piso = 1e-9 * escala

    def ver(grandeza, rotulo, a, b, tolerancia, absoluta=0.0):
        # Written so that a NaN on either side is a disagreement.
        if not abs(a - b) <= tolerancia * max(abs(a), abs(b)) + absoluta:
            dif.append(
                f"  {grandeza:<20} {rotulo:<12} persus={a!r:<24} chainladder={b!r:<24} "
                f"dif. relativa={relativo(a, b):.3e} (tolerância {tolerancia:g})"
            )

    idades = range(1, len(nosso["fatores"]) + 1)
    for chave, tolerancia, absoluta, rotulos in (
        ("fatores", FATORES_REL, 0.0, [f"{k}→{k + 1}" for k in idades]),
        ("fatores_acumulados", FATORES_REL, 0.0, [f"{k}→final" for k in range(1, len(idades) + 2)]),
        ("ultimates", TOTAL_REL, piso, nosso["origens"]),
    ):
        if len(nosso[chave]) != len(deles[chave]):
            dif.append(
                f"  {chave}: persus tem {len(nosso[chave])}, chainladder tem {len(deles[chave])}"
            )
            continue
        for rotulo, a, b in zip(rotulos, nosso[chave], deles[chave]):
            ver(chave, str(rotulo), float(a), float(b), tolerancia, absoluta)
    ver("reserva_total", "", float(nosso["reserva_total"]), deles["reserva_total"], TOTAL_REL, piso)
    return dif


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binario", required=True)
    p.add_argument("--amostras", required=True)
    p.add_argument("extras", nargs="*")
    args = p.parse_args()

    casos = []
    for nome in ("raa", "genins"):
        caminho, tri = amostra_para_csv(nome, args.amostras)
        casos.append((f"amostra {nome}", caminho, lambda tri=tri: (tri, tri.shape[3])))
    for extra in args.extras:

        def do_csv(extra=extra):
            linhas = ler_csv(extra)[1]
            return triangulo_do_pacote(extra, linhas), len(linhas[0])

        casos.append((extra, extra, do_csv))

    print(f"chainladder {cl.__version__}: método chain-ladder (média ponderada por volume, sem cauda)")
    falhas, ilegiveis = 0, 0
    for nome, caminho, triangulo in casos:
        try:
            nosso = persus(args.binario, caminho)
            deles = referencia(*triangulo())
        except (Ilegivel, OSError, ValueError) as e:
            print(f"ERRO {nome}: {e}")
            ilegiveis += 1
            continue
        dif = comparar(nosso, deles)
        if dif:
            falhas += 1
            print(f"DIVERGE {nome}: {len(dif)} diferença(s)")
            print("\n".join(dif))
        else:
            print(
                f"ok {nome}: {len(nosso['fatores'])} fatores, {len(nosso['ultimates'])} origens, "
                f"reserva total persus {nosso['reserva_total']:.6f} = chainladder "
                f"{deles['reserva_total']:.6f}"
            )
    sys.exit(2 if ilegiveis else 1 if falhas else 0)


if __name__ == "__main__":
    main()
