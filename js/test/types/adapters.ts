import { createClient, createCluster } from 'redis'
import { Pool } from 'pg'
import { Session, CustomSessionStorage, type SessionStorage, type SessionCacheOptions } from 'sessionkeeper'
import { redisSessionStorage, RedisSessionStorage } from 'sessionkeeper/redis'
import { postgresSessionStorage } from 'sessionkeeper/postgres'

const a: RedisSessionStorage = redisSessionStorage(createClient(), { keyPrefix: 'x:' })
const b = redisSessionStorage(createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7101' }] }))
const c = redisSessionStorage('redis://127.0.0.1:6379')
const d = postgresSessionStorage(new Pool(), { table: 't' })
const e = postgresSessionStorage('postgres://x')
const cache: SessionCacheOptions = { maxEntries: 100, maxBytes: 1 << 20, maxStalenessMs: 500 }
const cached = redisSessionStorage(createClient(), { cache })
const cachedPg = postgresSessionStorage(new Pool(), { cache: {} })
const cachedCustom = new CustomSessionStorage(async () => true, async () => undefined, async () => true, { cache })
void cached; void cachedPg; void cachedCustom
async function f(): Promise<void> {
  const s: Session | undefined = await a.loadSession('x')
  await b.storeSession({ id: 'a' })
  await c.close(); await d.close(); await e.close()
  await using g = redisSessionStorage('redis://127.0.0.1:6379')
  await using h = postgresSessionStorage('postgres://x')
  const storage: SessionStorage = g
  await storage.close()
  await h[Symbol.asyncDispose]()
  console.log(s)
}
void f
