// Generic REST over PostgreSQL: Platformatic's sql-mapper reflects the schema and sql-openapi
// exposes every table as REST (GET /atendimentos/:id and friends). No code of ours is involved:
// it is the peer persus is compared with in scripts/bench-api.sh.
'use strict'
const fastify = require('fastify')({ logger: false })
const mapper = require('@platformatic/sql-mapper')
const openapi = require('@platformatic/sql-openapi')

async function main () {
  await fastify.register(mapper.plugin, {
    connectionString: process.env.PEER_DATABASE_URL,
    ignore: {},
    schema: process.env.PEER_SCHEMA ? [process.env.PEER_SCHEMA] : undefined,
  })
  await fastify.register(openapi, {})
  await fastify.listen({ host: '127.0.0.1', port: Number(process.env.PEER_PORT || 18090) })
}
main().catch((e) => { console.error(e); process.exit(1) })
