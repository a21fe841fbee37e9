// Hand-off, part 1: a Node app stores a session in the file storage at process.argv[2].
const { Session, FileSessionStorage } = require(process.env.SK_JS || '../../js')

async function main() {
  const storage = new FileSessionStorage(process.argv[2])
  const session = new Session({
    id: 'offline_handoff.myshopify.com',
    shop: 'handoff.myshopify.com',
    isOnline: false,
    scope: 'write_products',
    accessToken: 'shpat_handoff',
    expires: new Date('2030-01-01T00:00:00Z'),
    data: { plan: 'pro', seats: 3 },
  })
  await storage.storeSession(session)
  console.log('node stored:  ', JSON.stringify(session))
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
