"""schemathesis hooks for persus (loaded through scripts/schemathesis.toml).

Bodies and answers that are files: a PDF travels as raw bytes, like application/octet-stream;
an answer declared application/pdf must be a PDF.
"""

import schemathesis

schemathesis.serializer.alias("application/pdf", "application/octet-stream")
schemathesis.serializer.alias("application/zip", "application/octet-stream")


@schemathesis.deserializer("application/pdf")
def pdf(ctx, response):
    if not response.content.startswith(b"%PDF-"):
        raise ValueError("a resposta declarada application/pdf não começa com %PDF-")
    return response.content.decode("latin-1")
