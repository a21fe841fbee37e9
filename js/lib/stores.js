'use strict'
// MemorySessionStorage and FileSessionStorage: the core's storages behind Shopify's interface.

const { native } = require('./core.js')
const { fromNative, invalidArgument } = require('./errors.js')
const { sessionText } = require('./convert.js')
const { Session, fromCanonical } = require('./session.js')
const { idArgument, idsArgument, shopArgument } = require('./custom.js')

/** Text the core stores: any session-shaped value, validated by the core as the app's input. */
function storeText(session) {
  return session instanceof Session ? JSON.stringify(session) : sessionText(session, 'INVALID_ARGUMENT')
}

function noOptions(options, name) {
  if (options === undefined) return
  if (options === null || typeof options !== 'object') throw invalidArgument('options must be an object')
  const unknown = Object.keys(options)
  if (unknown.length > 0) throw invalidArgument(`${name} has no option "${unknown[0]}"`)
}

class MemorySessionStorage {
  #store

  constructor(options) {
    noOptions(options, 'MemorySessionStorage')
    this.#store = new native.MemoryStore()
  }

  async storeSession(session) {
    const text = storeText(session)
    try {
      this.#store.put(text)
    } catch (e) {
      throw fromNative(e)
    }
    return true
  }

  async loadSession(id) {
    // The core checks the id itself; only the JS type is checked here.
    if (typeof id !== 'string') idArgument(id)
    let text
    try {
      text = this.#store.get(id)
    } catch (e) {
      throw fromNative(e)
    }
    return text === null ? undefined : fromCanonical(text)
  }

  async deleteSession(id) {
    if (typeof id !== 'string') idArgument(id)
    try {
      return this.#store.remove(id)
    } catch (e) {
      throw fromNative(e)
    }
  }

  async deleteSessions(ids) {
    idsArgument(ids)
    try {
      return this.#store.removeMany(ids)
    } catch (e) {
      throw fromNative(e)
    }
  }

  async findSessionsByShop(shop) {
    shopArgument(shop)
    let texts
    try {
      texts = this.#store.byShop(shop)
    } catch (e) {
      throw fromNative(e)
    }
    return texts.map(fromCanonical)
  }
}

class FileSessionStorage {
  #ready

  constructor(directory, options) {
    if (typeof directory !== 'string' || directory === '') {
      throw invalidArgument('directory must be a non-empty string')
    }
    noOptions(options, 'FileSessionStorage')
    this.#ready = native.openFileStore(directory)
    // Opening fails only on I/O; the first operation reports it, so no rejection goes unhandled.
    this.#ready.catch(() => {})
  }

  async #run(work) {
    try {
      return await work(await this.#ready)
    } catch (e) {
      throw fromNative(e)
    }
  }

  async storeSession(session) {
    const text = storeText(session)
    await this.#run((store) => store.put(text))
    return true
  }

  async loadSession(id) {
    idArgument(id)
    const text = await this.#run((store) => store.get(id))
    return text === null ? undefined : fromCanonical(text)
  }

  async deleteSession(id) {
    idArgument(id)
    return this.#run((store) => store.remove(id))
  }

  async deleteSessions(ids) {
    idsArgument(ids)
    return this.#run((store) => store.removeMany(ids))
  }

  async findSessionsByShop(shop) {
    shopArgument(shop)
    const texts = await this.#run((store) => store.byShop(shop))
    return texts.map(fromCanonical)
  }
}

module.exports = { MemorySessionStorage, FileSessionStorage }
