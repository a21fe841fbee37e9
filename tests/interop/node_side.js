// One side of the cross-language suite: writes or reads the shared vector sessions through a
// sessionkeeper storage, printing canonical JSON per id on stdout (one JSON object).
//   node node_side.js write <kind> <target>      stores every vector session, prints {id: json}
//   node node_side.js read  <kind> <target> ids  loads the ids (JSON array), prints {id: json}
// <kind>: file (target = directory).
'use strict'
const path = require('node:path')
const fs = require('node:fs')
const sk = require(process.env.SK_JS || path.join(__dirname, '..', '..', 'js'))

function open(kind, target) {
  if (kind === 'file') return { storage: new sk.FileSessionStorage(target), close: async () => {} }
  throw new Error(`unknown storage kind ${kind}`)
}

async function main() {
  const [mode, kind, target, idsJson] = process.argv.slice(2)
  const { storage, close } = open(kind, target)
  const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'sessions.json'), 'utf8'))
  const out = {}
  try {
    if (mode === 'write') {
      for (const c of vectors.sessions) {
        const session = new sk.Session(c.input)
        if ((await storage.storeSession(session)) !== true) throw new Error(`store ${c.name} failed`)
        out[session.id] = JSON.stringify(session)
      }
    } else {
      for (const id of JSON.parse(idsJson)) {
        const loaded = await storage.loadSession(id)
        out[id] = loaded === undefined ? null : JSON.stringify(loaded)
      }
    }
  } finally {
    await close()
  }
  process.stdout.write(JSON.stringify(out))
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
