// The RedisStore of Shopify's CustomSessionStorage guide (docs/usage/customsessions.md),
// ported to sessionkeeper and node-redis v4+: the same three callbacks, plus the two
// optional ones Shopify added in v5. Sessions are stored as canonical JSON; the load callback
// returns the stored text unparsed, which is the fastest shape to hand sessionkeeper.
const { CustomSessionStorage } = require('sessionkeeper')

class RedisStore {
  /** @param {import('redis').RedisClientType} client a connected node-redis client */
  constructor(client, keyPrefix = 'session:') {
    this.client = client
    this.prefix = keyPrefix
    this.storeCallback = this.storeCallback.bind(this)
    this.loadCallback = this.loadCallback.bind(this)
    this.deleteCallback = this.deleteCallback.bind(this)
    this.deleteSessionsCallback = this.deleteSessionsCallback.bind(this)
    this.findSessionsByShopCallback = this.findSessionsByShopCallback.bind(this)
  }

  key(id) {
    return `${this.prefix}${id}`
  }

  shopKey(shop) {
    return `${this.prefix}shop:${shop}`
  }

  async storeCallback(session) {
    // One key per session and a per-shop set as the index, both changed in one round trip.
    const [reply] = await this.client
      .multi()
      .set(this.key(session.id), JSON.stringify(session))
      .sAdd(this.shopKey(session.shop), session.id)
      .exec()
    return reply === 'OK'
  }

  async loadCallback(id) {
    return (await this.client.get(this.key(id))) ?? undefined
  }

  async deleteCallback(id) {
    await this.client.del(this.key(id))
    return true // deleting a missing session succeeds
  }

  async deleteSessionsCallback(ids) {
    await this.client.del(ids.map((id) => this.key(id)))
    return true
  }

  async findSessionsByShopCallback(shop) {
    const ids = await this.client.sMembers(this.shopKey(shop))
    if (ids.length === 0) return []
    const texts = await this.client.mGet(ids.map((id) => this.key(id)))
    // The set may still name sessions since deleted or moved to another shop: skip those.
    return texts.filter((text) => text !== null && JSON.parse(text).shop === shop)
  }

  storage(options = {}) {
    return new CustomSessionStorage(this.storeCallback, this.loadCallback, this.deleteCallback, {
      deleteSessionsCallback: this.deleteSessionsCallback,
      findSessionsByShopCallback: this.findSessionsByShopCallback,
      ...options,
    })
  }
}

module.exports = { RedisStore }
