import Fastify from 'fastify'

// The ceiling of the HTTP stack on this machine: the same Fastify, the same JSON body parsed, a small JSON
// answer, no logger, no database. The service's figures are given as a fraction of this one's.

interface ContactBody {
  external_id?: string
}

const app = Fastify({ logger: false })
let received = 0

app.post('/contacts/', async (request, reply) => {
  const body = request.body as ContactBody
  received += 1
  return reply.code(201).send({ id: received, external_id: body.external_id ?? null })
})

const address = await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) })
console.log(`Server listening at ${address}`)

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0))
  })
}
