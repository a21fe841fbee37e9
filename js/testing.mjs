// ESM entry of the conformance battery.
import testing from './testing.js'

export const { batteryOfTests, cases, dataCases, sessionArraysEqual } = testing
export default testing
