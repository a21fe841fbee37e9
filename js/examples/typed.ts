// A typed tour of the API. `tsc --strict` checks it against index.d.ts and the test suite
// runs the compiled output, so the declarations cannot drift from what the code does.
import {
  CustomSessionStorage,
  ErrorCode,
  FileSessionStorage,
  MemorySessionStorage,
  Session,
  SessionStorageError,
  type LoadedSession,
  type SessionStorage,
} from 'sessionkeeper'
import type { Session as ShopifySession } from '@shopify/shopify-api'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// A Shopify Session is accepted wherever a session is (type-level check only).
export function fromShopify(session: ShopifySession): Session {
  return new Session(session)
}

async function exercise(name: string, storage: SessionStorage): Promise<void> {
  const session = new Session({
    id: `typed-${name}`,
    shop: 'typed.myshopify.com',
    isOnline: true,
    scope: 'write_products',
    expires: new Date(Date.now() + 60_000),
    accessToken: 'shpat_typed',
    onlineAccessInfo: { associated_user: { id: 7, email: 'a@b.c' } },
    data: { visits: 1, tags: ['a', 'b'], nested: { ok: true } },
  })
  const stored: boolean = await storage.storeSession(session)
  const loaded: Session | undefined = await storage.loadSession(session.id)
  if (!stored || loaded === undefined || !loaded.equals(session)) throw new Error(`${name}: round trip failed`)
  const expires: Date | undefined = loaded.expires
  const active: boolean = loaded.isActive(['read_products'], 1000)
  const found: Session[] = await storage.findSessionsByShop('typed.myshopify.com')
  const entries = loaded.toPropertyArray(true)
  const again = Session.fromPropertyArray(entries, true)
  const text: string = loaded.serialize()
  console.log(name, active, expires instanceof Date, found.length, again.id === loaded.id, Session.deserialize(text).id)
  await storage.deleteSessions([session.id])
}

async function main(): Promise<void> {
  const db = new Map<string, string>()
  const custom = new CustomSessionStorage(
    (session: Session) => {
      db.set(session.id, JSON.stringify(session))
      return true
    },
    async (id: string): Promise<LoadedSession> => db.get(id),
    async (id: string) => db.delete(id) || true,
    {
      findSessionsByShopCallback: (shop: string) =>
        [...db.values()].filter((text) => Session.deserialize(text).shop === shop),
      timeoutMs: 1000,
    },
  )
  const dir = mkdtempSync(join(tmpdir(), 'sk-typed-'))
  try {
    await exercise('custom', custom)
    // `await using` closes the storage when the block ends (Symbol.asyncDispose).
    await using memory = new MemorySessionStorage()
    await exercise('memory', memory)
    await exercise('file', new FileSessionStorage(dir))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await custom.loadSession('')
  } catch (error: unknown) {
    if (error instanceof SessionStorageError && error.code === ErrorCode.INVALID_ARGUMENT) {
      console.log('typed errors', error.code)
    } else {
      throw error
    }
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
