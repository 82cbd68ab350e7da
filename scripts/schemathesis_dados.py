"""Identifiers that exist in the running demo, as schemathesis configuration (TOML on stdout).

Generated identifiers almost never exist, so without these the answers checked against their
schemas would be 404s. Each operation that takes one draws it from the demo's half of the time
(`probability = 0.5`) and generates it the other half. Read with an operator's token: ANS sees
the same resources.

    python3 scripts/schemathesis_dados.py URL TOKEN
"""

import json
import sys
import urllib.request

URL, TOKEN = sys.argv[1], sys.argv[2]


def get(caminho):
    pedido = urllib.request.Request(URL + caminho, headers={"Authorization": "Bearer " + TOKEN})
    try:
        with urllib.request.urlopen(pedido, timeout=60) as r:
            return json.load(r)
    except Exception as e:  # a missing list only narrows the test
        print(f"# {caminho}: {e}", file=sys.stderr)
        return None


def itens(caminho, campo, n=5):
    corpo = get(caminho) or {}
    return [i[campo] for i in corpo.get("itens", [])[:n]]


atendimentos = []
for estado in ("devido", "mantido", "em_recurso", "notificado"):
    atendimentos += itens(f"/api/v1/atendimentos?estado={estado}&limite=2", "numero", 2)
protocolos, documentos = [], []
for numero in atendimentos:
    h = get(f"/api/v1/atendimentos/{numero}") or {}
    protocolos += [p["protocolo"] for p in h.get("peticoes", []) if p.get("protocolo")]
    documentos += [d["id"] for d in h.get("documentos", [])]

dicionarios = {
    "atendimentos": atendimentos,
    "notificacoes": itens("/api/v1/notificacoes?limite=5", "id"),
    "grus": itens("/api/v1/grus", "numero"),
    "parcelamentos": itens("/api/v1/parcelamentos", "id"),
    "protocolos": sorted(set(protocolos))[:5],
    "documentos": sorted(set(documentos))[:5],
}
operacoes = [
    ("/api/v1/atendimentos/{numero}", "numero", "atendimentos"),
    ("/api/v1/notificacoes/{id}", "id", "notificacoes"),
    ("/api/v1/grus/{numero}", "numero", "grus"),
    ("/api/v1/grus/{numero}/pdf", "numero", "grus"),
    ("/api/v1/homologacao/grus/{numero}/pagamento", "numero", "grus"),
    ("/api/v1/parcelamentos/{id}", "id", "parcelamentos"),
    ("/api/v1/parcelamentos/{id}/parcelas/{numero}/gru", "id", "parcelamentos"),
    ("/api/v1/peticoes/{protocolo}", "protocolo", "protocolos"),
    ("/api/v1/documentos/{id}", "id", "documentos"),
]

print("\n# Identifiers of the running demo (scripts/schemathesis_dados.py).")
for nome, valores in dicionarios.items():
    if valores:
        print(f"[dictionaries.{nome}]\nvalues = {json.dumps(valores)}")
for caminho, parametro, nome in operacoes:
    if dicionarios[nome]:
        print(
            f'[[operations]]\ninclude-path = "{caminho}"\n'
            f'parameters = {{ "path.{parametro}" = {{ dictionary = "{nome}", probability = 0.5 }} }}'
        )
