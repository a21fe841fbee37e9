'use strict'
// The native module, loaded by the loader napi generates at build time (`native.js`): it looks
// for `sessionkeeper.<platform>.node` beside itself (a source checkout) and then for the
// optional package `sessionkeeper-<platform>` that npm installed for this machine. When neither
// loads, napi's own message blames an npm bug; an app author needs to know which platform we
// looked for and which package would have it, so that is the message here.

const { optionalDependencies = {} } = require('../package.json')

/** This machine as napi-rs names its platform packages (`linux-x64-gnu`, `darwin-arm64`, ...). */
function platformName(platform = process.platform, arch = process.arch, report = process.report) {
  if (platform === 'win32') return `win32-${arch}-msvc`
  if (platform !== 'linux') return `${platform}-${arch}`
  return `linux-${arch}-${isGlibc(report) ? 'gnu' : 'musl'}`
}

// Node's report names the glibc it runs on; musl builds of Node leave that field out.
function isGlibc(report) {
  try {
    const header = report && typeof report.getReport === 'function' ? report.getReport().header : undefined
    return Boolean(header && header.glibcVersionRuntime)
  } catch {
    return true
  }
}

/** The error for a machine none of our native modules loads on, naming what was looked for. */
function notLoaded(cause, platform = platformName()) {
  const wanted = `sessionkeeper-${platform}`
  const known = Object.keys(optionalDependencies).map((name) => name.replace('sessionkeeper-', ''))
  const message = known.includes(platform)
    ? `sessionkeeper could not load its native module for ${platform} (Node ${process.version}): ` +
      `the optional package ${wanted} is missing or does not load here. Reinstall without ` +
      'omitting optional dependencies (npm install --include=optional); on Linux it needs glibc >= 2.17 or musl.'
    : `sessionkeeper has no native module for ${platform} (Node ${process.version}): ` +
      `prebuilt packages exist for ${known.join(', ')}.`
  const error = new Error(message)
  error.code = 'ERR_SESSIONKEEPER_NATIVE'
  error.platform = platform
  error.cause = cause
  return error
}

function load() {
  try {
    return require('../native.js')
  } catch (e) {
    throw notLoaded(e)
  }
}

module.exports = { native: load(), platformName, notLoaded }
