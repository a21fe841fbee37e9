'use strict'
// Validated sessions kept as templates, copied per use.
//
// Building a Session from JSON text costs a JSON.parse (~1 µs for a typical session) plus the
// core's validation (~2 µs). A template is the parsed canonical form, kept where it is
// useful: a copy of it costs ~0.2 µs. Templates are never handed out, only copied, so a caller
// mutating a session can never change one.

const { Session } = require('./session.js')
const { native, call } = require('./core.js')
const { asSessionError } = require('./convert.js')
const { templateOf, fill, templateOfSession, changedFields, copyJson } = require('./fields.js')

/** A new Session from a template, sharing nothing mutable with it. */
function sessionOf(t) {
  return fill(Object.create(Session.prototype), t, true)
}

/**
 * The last session text the core accepted for each id, with its template (built when first
 * needed). Validation is a pure function of (id, text), so the same bytes need not be
 * validated twice: loading back what was just stored, or a session loaded on every request,
 * skips the core and the JSON parse. Keyed by id, so a lookup hashes the short id and compares
 * the text once. Bounded; the oldest id goes first.
 *
 * Once a session has been stored changed (`accepted`), its new text is kept here only until
 * it is loaded back once (the load that follows a store compares it here); after that the text
 * is the core's alone, which compares a loaded text with the one it holds (`heldTextIs`), until a
 * text loaded back again is kept here for good (a session loaded on every request). A new text
 * kept here until that id's next store would be one ~550-byte string per store alive across
 * collections, which the garbage collector moves again and again (ARCHITECTURE.md "Storing a
 * changed session").
 */
class Validated {
  constructor(max = 4096) {
    this.max = max
    this.byId = new Map()
  }

  /** The template of `text` if it is the accepted text of `id` (or the text it was read from), else undefined. */
  template(id, text) {
    const entry = this.byId.get(id)
    if (entry === undefined || !holds(entry, text)) return undefined
    if (entry.template === null) entry.template = templateOf(JSON.parse(text))
    return entry.template
  }

  /**
   * Records that the core accepted `text` as the canonical JSON of a session with `id`; `raw`,
   * the text it was read from when that was not canonical (a load recognises either).
   */
  accept(id, text, template = null, raw = null) {
    const entry = this.byId.get(id)
    if (entry !== undefined) {
      // The same text keeps its template (a function of the text alone) and its held parse.
      if (entry.text !== text || template !== null) {
        if (entry.text !== text) entry.held = null
        entry.text = text
        entry.template = template
      }
      entry.raw = raw
      entry.transient = false
      return
    }
    if (this.byId.size >= this.max) this.byId.delete(this.byId.keys().next().value)
    this.byId.set(id, { text, template, held: null, raw, transient: false, loadedBack: false })
  }

  /** Whether a session with `id` has been accepted (so `id` is a valid id). */
  knows(id) {
    return this.byId.has(id)
  }

  /** The template of the text last accepted for `id`, or undefined when `id` is not held. */
  loaded(id) {
    const entry = this.byId.get(id)
    if (entry === undefined) return undefined
    return (entry.template ??= templateOf(JSON.parse(entry.text)))
  }

  /** Drops `id` (its session was removed). */
  forget(id) {
    this.byId.delete(id)
  }

  /** Whether `text` is the accepted text of `id`. */
  has(id, text) {
    const entry = this.byId.get(id)
    return entry !== undefined && (entry.text === text || (entry.text === null && heldTextIs(entry, text)))
  }

  /**
   * The entry of `session` when it is now accepted without being written and checked whole:
   * it is field for field the session last accepted with its id, or differs from it only in
   * top-level fields, which the core then checks and writes into the held session and its
   * text (`Patchable::patch`); else null. Throws the core's error for a changed field it refuses
   * (the entry stays). `store(held, changes)` applies the changes to the held session and
   * returns its new canonical text, kept until it is loaded back once (see the class comment),
   * or null when the caller keeps no text (MemorySessionStorage: its core holds the session).
   */
  accepted(session, store) {
    if (!plainSession(session)) return null
    // Only a template already built is compared; building one would cost the parse saved.
    const entry = this.byId.get(session.id)
    if (entry === undefined || entry.template === null) return null
    let diff
    try {
      diff = changedFields(session, entry.template)
    } catch (e) {
      // A getter that throws: worded as when the session is written whole.
      throw asSessionError(e, 'INVALID_ARGUMENT')
    }
    if (diff === undefined) return entry
    if (diff === null) return null
    // Once per id: the core's parse of the accepted text, held for every later patch.
    entry.held ??= call(native.heldSession, entry.text)
    entry.text = store(entry.held, diff.changes)
    entry.transient = entry.text !== null
    entry.raw = null
    entry.loadedBack = false
    entry.template = diff.template
    return entry
  }
}

/** Whether `text` is what `entry` was accepted as (or read from); see the class comment. */
function holds(entry, text) {
  if (entry.text === text) {
    if (entry.transient) {
      entry.text = null
      entry.transient = false
      entry.loadedBack = true
    }
    return true
  }
  if (entry.raw === text) return true
  if (entry.text !== null || !heldTextIs(entry, text)) return false
  if (entry.loadedBack) entry.text = text
  entry.loadedBack = true
  return true
}

/** Whether `text` is the text of the core's held session of `entry` (its text is the core's alone). */
function heldTextIs(entry, text) {
  return entry.held !== null && native.heldTextIs(entry.held, text)
}

/**
 * Whether `session` writes its fields as Session#toJSON does: not a subclass and no own toJSON,
 * so its fields say what JSON.stringify writes (a template may be taken from them, and comparing
 * them with a template tells whether the text is unchanged).
 */
function plainSession(session) {
  return Object.getPrototypeOf(session) === Session.prototype && !Object.hasOwn(session, 'toJSON')
}

module.exports = { templateOf, templateOfSession, sessionOf, copyJson, plainSession, Validated }
