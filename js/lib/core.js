'use strict'
// The native functions the public classes call, each rethrowing core errors as
// SessionStorageError. Fixed arities on purpose: these sit on every storage operation.

const { native } = require('./binding.js')
const { fromNative } = require('./errors.js')

function canonicalize(text, stored) {
  try {
    return native.canonicalize(text, stored)
  } catch (e) {
    throw fromNative(e)
  }
}

function patchHeld(held, changes) {
  try {
    return native.patchHeld(held, changes)
  } catch (e) {
    throw fromNative(e)
  }
}

function checkId(id) {
  try {
    native.checkIdArgument(id)
  } catch (e) {
    throw fromNative(e)
  }
}

function checkShop(shop) {
  try {
    native.checkShopArgument(shop)
  } catch (e) {
    throw fromNative(e)
  }
}

function finishLoad(id, text) {
  try {
    return native.finishLoad(id, text)
  } catch (e) {
    throw fromNative(e)
  }
}

function finishFoundItem(shop, index, text) {
  try {
    return native.finishFoundItem(shop, index, text)
  } catch (e) {
    throw fromNative(e)
  }
}

/** Calls any other native function, for paths where a few extra nanoseconds do not matter. */
function call(fn, ...args) {
  try {
    return fn(...args)
  } catch (e) {
    throw fromNative(e)
  }
}

module.exports = { native, canonicalize, patchHeld, checkId, checkShop, finishLoad, finishFoundItem, call }
